// Text from the server (header values) and from the command line reaches the terminal only quoted:
// JSON string escapes, plus the characters JSON leaves raw that can still move or hide text
// (C1 controls, line/paragraph separators, bidi controls), so no answer can forge an output line.
const UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function quote(s: string): string {
  return JSON.stringify(s).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `s` itself when it holds nothing unsafe, else quoted. */
export function printable(s: string): string {
  return /^[\x21-\x7e]*$/.test(s) ? s : quote(s);
}
