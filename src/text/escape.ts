// User text in one-line output (docs/contract.md §3): a policy file can neither forge a diagnostic line or a
// CI annotation (GitHub's `::error file=…::` needs a line of its own) nor write to the terminal.
// Every character that ends a line, moves the cursor, starts an escape sequence or reorders text
// (Unicode bidi controls: the "Trojan Source" attack, CVE-2021-42574) is shown as an escape.

/**
 * C0 controls (LF, CR, ESC, NUL …), DEL and C1 controls (U+0085 NEL among them), the line and
 * paragraph separators, and the bidi controls: U+061C, U+200E/200F, U+202A–202E, U+2066–2069.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e', '\u0000': '\\0' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether the text holds a character `escapeControls` would escape. */
export const hasControls = (text: string): boolean => new RegExp(UNSAFE.source).test(text);

/** The text with every unsafe character escaped; a backslash is escaped only when something else is. */
export function escapeControls(text: string): string {
  if (!hasControls(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(UNSAFE, escapeOne);
}

/** User text in a message: double-quoted, with `"`, `\` and every unsafe character escaped. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(UNSAFE, escapeOne)}"`;
}
