/**
 * `text` as a double-quoted string for a config reader that turns a backslash followed by `"` or by
 * one of `escapes` into a single character and keeps every other backslash. A backslash is doubled
 * only where the reader would otherwise consume it (or where it would escape the closing quote), so
 * regexes stay readable: `\.` stays `\.`. A line break or control character cannot be quoted at all.
 */
export function doubleQuoted(text: string, dialect: string, escapes: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new Error(`${dialect}: control character in ${JSON.stringify(text)}`);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') out += '\\"';
    else if (c === '\\') {
      const next = text[i + 1];
      out += next === undefined || next === '"' || escapes.includes(next) ? '\\\\' : '\\';
    } else out += c;
  }
  return `"${out}"`;
}
