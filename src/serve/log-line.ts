// One line per request on the terminal (docs/contract.md §3b). Every piece of it the client chose (the
// target, the Origin) is escaped: control characters, DEL, C1 controls, bidi controls and line or
// paragraph separators appear as \xNN / \u{…}, so a request can neither forge a log line nor write
// escape sequences to the user's terminal.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/gu;

// Every character UNSAFE matches is outside printable ASCII or is `\`: a string without those (the
// usual request) is returned as it is after one scan, without the replace.
const ALL_SAFE = /^[\x20-\x5b\x5d-\x7e]*$/;

export function escapeForTerminal(s: string): string {
  if (ALL_SAFE.test(s)) return s;
  return s.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    if (c === '\\') return '\\\\';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

export interface RequestLog {
  method: string;
  target: string;
  origin: string | undefined;
  verdict: string;
  status: number;
}

export const requestLine = (r: RequestLog): string =>
  `${escapeForTerminal(r.method)} ${escapeForTerminal(r.target)} origin=${r.origin === undefined ? '-' : escapeForTerminal(r.origin)} ${r.verdict} ${r.status}`;
