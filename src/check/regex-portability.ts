// What makes a user regex unusable in some target. Origins are printable ASCII without quotes or
// spaces, so a regex never needs those; refusing them keeps every config string intact.

const UNPORTABLE: [RegExp, string][] = [
  [/\(\?[=!]|\(\?<[=!]/, 'uses look-around, which RE2 (Caddy) does not support'],
  [/\\[1-9]|\\k</, 'uses a back-reference, which RE2 (Caddy) does not support'],
  [/\(\?>/, 'uses an atomic group, which RE2 (Caddy) does not support'],
  [/[*+?}][+]/, 'uses a possessive quantifier, which RE2 (Caddy) does not support'],
  [/\(\?<?[A-Za-z]/, 'uses a named group or inline flag, which the three engines write differently'],
  [/\\[pPbBAzZQEGhHvVRXKC]/, 'uses an escape the three engines do not all share'],
];

export function regexProblem(source: string): string | null {
  if (/[^\x21-\x7e]/.test(source)) return 'contains whitespace, a control or a non-ASCII character';
  if (/["'`]/.test(source)) return 'contains a quote, which no origin contains and which would end a config string';
  if (/\\\\/.test(source)) return 'contains \\\\ (a literal backslash), which no origin contains and nginx would unescape';
  if (/\{\$/.test(source)) return 'contains {$, which Caddy reads as an environment variable';
  if (!source.startsWith('^') || !source.endsWith('$') || source.endsWith('\\$')) {
    return `is not anchored; an unanchored regex also matches hostile origins that merely contain an allowed one; anchor the regex: ^${source.replace(/^\^/, '').replace(/\$$/, '')}$`;
  }
  for (const [pattern, why] of UNPORTABLE) if (pattern.test(source)) return why;
  try {
    new RegExp(source);
  } catch (e) {
    return `does not compile: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  // An alternation at the top level escapes the anchors: ^a|b$ is (^a)|(b$).
  if (topLevelAlternation(source)) return `has a top-level |, so the anchors apply to one branch only; anchor the regex: ^(${source.slice(1, -1)})$`;
  return null;
}

function topLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
