// What makes a user regex unusable in some target. A regex is pasted into nginx and Apache
// double-quoted strings and a Caddyfile token, and run by PCRE, RE2 (Go) and JavaScript (the
// reference evaluator). Origins are lowercase ASCII letters, digits and `.-:/[]_`, so a regex never
// needs a quote, a space, `#`, `%`, `;`, `$` before its end or braces outside a repetition: refusing
// them keeps every config string intact. The syntax itself is checked by regex-ast.ts.
import { parseRegex } from './regex-ast.js';
import { re2Problem } from '../model/regex-engine.js';

/** The characters an origin regex may hold at all; everything else is refused by name. */
const ALLOWED = /^[A-Za-z0-9^$\\.*+?()[\]{}|,:/_-]$/;

const WHY: Record<string, string> = {
  '"': 'which would end a config string',
  "'": 'which would end a config string',
  '`': 'which would end a Caddyfile string',
  '#': 'which starts a comment in nginx and Caddy',
  '%': 'which Apache reads as a variable (%{…})',
  ';': 'which ends an nginx directive',
  '$': 'which nginx and Apache read as a variable (${…}) and Caddy as an environment variable ({$…})',
  '&': 'which the generated config would not keep literally',
  '@': 'which Caddy reads as a matcher name',
};

export function regexProblem(source: string): string | null {
  if (source === '') return 'is empty';
  if (/[^\x21-\x7e]/.test(source)) return 'contains whitespace, a control or a non-ASCII character (origins hold none: write punycode, and \\s is not needed)';
  if (/\\\\/.test(source)) return 'contains \\\\ (a literal backslash), which no origin contains and nginx would unescape';
  if (!source.startsWith('^') || !source.endsWith('$') || source.endsWith('\\$')) {
    return `is not anchored; an unanchored regex also matches hostile origins that merely contain an allowed one; anchor the regex: ^${source.replace(/^\^/, '').replace(/\$$/, '')}$`;
  }
  // Groups with (? other than (?: are named by the parser (look-around, atomic, named, flags).
  if (/\(\?[^:]/.test(source)) {
    const early = parseRegex(source);
    if (!early.ok) return early.problem;
  }
  const inner = source.slice(0, -1);
  for (const c of inner) {
    if (c === '$') return `contains $ before its end; no origin contains $, ${WHY.$}`;
    if (!ALLOWED.test(c)) return `contains the character ${c}, which no origin contains and ${WHY[c] ?? 'which the generated config could interpret'}`;
  }
  const parsed = parseRegex(source);
  if (!parsed.ok) return parsed.problem;
  try {
    new RegExp(source);
  } catch (e) {
    return `does not compile: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  const re2 = re2Problem(source);
  if (re2 !== null) return `does not compile in RE2: ${re2}`;
  // An alternation at the top level escapes the anchors: ^a|b$ is (^a)|(b$).
  if (topLevelAlternation(source)) return `has a top-level |, so the anchors apply to one branch only; anchor the regex: ^(${source.slice(1, -1)})$`;
  if (innerCaret(source)) {
    return 'has a ^ inside it (not at its start nor negating a class); an origin regex needs exactly one ^, at its start';
  }
  return null;
}

/** The regex's syntax characters outside character classes, with their group depth (escapes skipped). */
function* syntaxChars(source: string): Generator<{ c: string; at: number; depth: number }> {
  let depth = 0;
  let inClass = false;
  for (let at = 0; at < source.length; at++) {
    const c = source[at]!;
    if (c === '\\') {
      at++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (source[at + 1] === '^') at++; // a negation, not an anchor
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    yield { c, at, depth };
  }
}

/** A `^` anchor after the first character. */
const innerCaret = (source: string): boolean => [...syntaxChars(source)].some(({ c, at }) => c === '^' && at > 0);

/** An alternation outside every group: ^a|b$ is (^a)|(b$). */
const topLevelAlternation = (source: string): boolean => [...syntaxChars(source)].some(({ c, depth }) => c === '|' && depth === 0);
