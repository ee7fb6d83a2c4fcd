// A parser for the regex subset cors-gen accepts in origins: the part of the syntax that PCRE
// (nginx, Apache), Go's RE2 (Caddy) and JavaScript (the reference evaluator) read alike.
// Anything outside it is refused with the reason, so that one regex means one set of origins in
// every target. The tree is also what regex-samples.ts generates sample origins from.

export type RegexNode =
  | { t: 'alt'; alts: RegexNode[] }
  | { t: 'seq'; items: RegexNode[] }
  | { t: 'lit'; ch: string }
  /** A class, `.` or a class escape; `source` is its regex text, for membership tests. */
  | { t: 'set'; source: string }
  | { t: 'anchor'; ch: '^' | '$' }
  /** `counted`: written {n}, {n,} or {n,m} (RE2 limits how these nest). */
  | { t: 'rep'; body: RegexNode; min: number; max: number; counted?: boolean };

export type RegexParse = { ok: true; ast: RegexNode } | { ok: false; problem: string };

/** Beyond this, RE2 refuses a repetition count. */
const RE2_MAX_REPEAT = 1000;
const CLASS_ESCAPES = 'dDwWsS';
/** Punctuation that may be escaped to stand for itself. */
const ESCAPABLE = '.-/:[]()?*+|^$';

class Fail extends Error {}

export function parseRegex(source: string): RegexParse {
  let i = 0;
  const fail = (problem: string): never => {
    throw new Fail(problem);
  };
  const peek = () => source[i];

  function escape(): { node: RegexNode; literal?: string } {
    const c = source[i + 1];
    if (c === undefined) fail('ends with a lone \\');
    i += 2;
    if (CLASS_ESCAPES.includes(c!)) return { node: { t: 'set', source: `\\${c}` } };
    if (ESCAPABLE.includes(c!)) return { node: { t: 'lit', ch: c! }, literal: c! };
    return fail(
      `uses the escape \\${c}, which PCRE, RE2 and JavaScript do not read alike; ` +
        'use only \\d \\w \\s (and capitals) and escaped punctuation such as \\. and \\-',
    );
  }

  function charClass(): RegexNode {
    const start = i;
    i++; // [
    if (peek() === '^') i++;
    if (peek() === ']') fail('has a class starting with ], which PCRE and JavaScript read differently; escape it: \\]');
    let items = 0;
    let prevLiteral: string | undefined;
    let prevWasEscapeClass = false;
    while (i < source.length && peek() !== ']') {
      const c = peek()!;
      if (c === '{' || c === '}') fail('has a brace in a class; no origin contains braces, and Caddy reads {…} as a placeholder');
      if (c === '[') {
        if (source[i + 1] === ':') fail('uses a POSIX class [:…:], which JavaScript does not support; write the range, e.g. [a-z]');
        fail('has an unescaped [ inside a class; escape it: \\[');
      }
      if (c === '-' && prevLiteral !== undefined && source[i + 1] !== ']' && source[i + 1] !== undefined) {
        // A range prev-next.
        i++;
        let hi: string;
        if (peek() === '\\') {
          const e = escape();
          if (e.literal === undefined) fail('has a range ending in a class escape, which the engines read differently');
          hi = e.literal!;
        } else {
          hi = peek()!;
          i++;
        }
        if (hi < prevLiteral) fail(`has the reversed range ${prevLiteral}-${hi}`);
        prevLiteral = undefined;
        items++;
        continue;
      }
      if (c === '-' && prevWasEscapeClass && source[i + 1] !== ']') {
        fail('has a range starting with a class escape, which the engines read differently');
      }
      if (c === '\\') {
        const e = escape();
        prevLiteral = e.literal;
        prevWasEscapeClass = e.literal === undefined;
      } else {
        prevLiteral = c;
        prevWasEscapeClass = false;
        i++;
      }
      items++;
    }
    if (peek() !== ']') fail('has an unterminated class [');
    i++;
    if (items === 0) fail('has an empty class');
    return { t: 'set', source: source.slice(start, i) };
  }

  function quantifier(): { min: number; max: number; counted?: boolean } | null {
    const c = peek();
    let q: { min: number; max: number; counted?: boolean } | null = null;
    if (c === '?') q = { min: 0, max: 1 };
    else if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '{') {
      const m = /^\{([0-9]+)(?:(,)([0-9]*))?\}/.exec(source.slice(i));
      if (!m) fail('has a { that does not start a repetition {n}, {n,} or {n,m}; no origin contains braces, and Caddy reads {…} as a placeholder');
      const min = Number(m![1]);
      const max = m![2] === undefined ? min : m![3] === '' ? Infinity : Number(m![3]);
      if (min > RE2_MAX_REPEAT || (max !== Infinity && max > RE2_MAX_REPEAT)) fail(`has a repetition count above ${RE2_MAX_REPEAT}, which RE2 (Caddy) refuses`);
      if (max < min) fail(`has the repetition ${m![0]} whose maximum is below its minimum`);
      i += m![0].length - 1;
      q = { min, max, counted: true };
    }
    if (!q) return null;
    i++;
    if (peek() === '?') i++; // lazy: same language
    if (peek() === '+') fail('uses a possessive quantifier, which RE2 (Caddy) does not support');
    if (peek() === '?' || peek() === '*' || peek() === '+' || peek() === '{') fail('has a quantifier applied to a quantifier');
    return q;
  }

  function atom(): RegexNode | null {
    const c = peek()!;
    switch (c) {
      case '(': {
        i++;
        if (peek() === '?') {
          if (source[i + 1] === ':') i += 2;
          else if (/^\?<?[=!]/.test(source.slice(i))) fail('uses look-around, which RE2 (Caddy) does not support');
          else if (source[i + 1] === '>') fail('uses an atomic group, which RE2 (Caddy) does not support');
          else fail('uses a named group or inline flag, which the three engines write differently');
        }
        const body = alternation();
        if (peek() !== ')') fail('has an unclosed (');
        i++;
        return body;
      }
      case ')':
        return fail('has an unmatched )');
      case '[':
        return charClass();
      case '.':
        i++;
        return { t: 'set', source: '.' };
      case '^':
      case '$':
        i++;
        return { t: 'anchor', ch: c };
      case '\\':
        return escape().node;
      case '?':
      case '*':
      case '+':
        return fail(`has a ${c} with nothing to repeat`);
      case '{':
        return fail('has a { that does not start a repetition {n}, {n,} or {n,m}; no origin contains braces, and Caddy reads {…} as a placeholder');
      case '}':
        return fail('has a } outside a repetition {n,m}; no origin contains braces, and Caddy reads {…} as a placeholder');
      case ']':
        return fail('has an unmatched ]; escape it: \\]');
      default:
        i++;
        return { t: 'lit', ch: c };
    }
  }

  function sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (i < source.length && peek() !== '|' && peek() !== ')') {
      let node = atom()!;
      const q = quantifier();
      if (q) {
        if (node.t === 'anchor') fail(`has a quantifier applied to the anchor ${node.ch}`);
        node = { t: 'rep', body: node, ...q };
      }
      items.push(node);
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  function alternation(): RegexNode {
    const alts = [sequence()];
    while (peek() === '|') {
      i++;
      alts.push(sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  try {
    const ast = alternation();
    if (i < source.length) fail(peek() === ')' ? 'has an unmatched )' : `cannot be read at "${source.slice(i)}"`);
    if (!repeatIsValid(ast, RE2_MAX_REPEAT)) fail(`nests repetition counts whose product exceeds ${RE2_MAX_REPEAT}, which RE2 (Caddy) refuses`);
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, problem: e.message };
    throw e;
  }
}

/** Go's regexp/syntax repeatIsValid: nested counted repetitions may multiply to at most 1000. */
function repeatIsValid(node: RegexNode, n: number): boolean {
  if (node.t === 'rep' && node.counted) {
    const m = node.max === Infinity ? node.min : node.max;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
  }
  switch (node.t) {
    case 'alt':
      return node.alts.every((a) => repeatIsValid(a, n));
    case 'seq':
      return node.items.every((a) => repeatIsValid(a, n));
    case 'rep':
      return repeatIsValid(node.body, n);
    default:
      return true;
  }
}
