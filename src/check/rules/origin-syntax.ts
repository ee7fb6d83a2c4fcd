import { parseOriginEntry, type OriginEntryParse } from '../../model/origin.js';
import { originEntries, type Rule, type RuleFinding } from '../rule.js';

/** Characters an accepted origin entry may hold: what the grammar allows, and nothing a config reads. */
const ORIGIN_CHARS = /^[a-z0-9.:/[\]*_-]+$/;
/** Printable characters no origin holds and the grammar has no more precise word for. */
const NEVER = /[{}$;<>|^~!&=+,()%]/;
/** What the grammar reports itself, with its own wording. */
const GRAMMAR_REPORTS = /[\s"'`\\\u0000-\u001f\u007f]/;

function parse(value: string): OriginEntryParse {
  try {
    return parseOriginEntry(value);
  } catch {
    // e.g. an IPv6 zone identifier, which the URL parser refuses
    return { ok: false, problem: 'is not an origin a browser can send (its host does not parse as a URL host)' };
  }
}

/**
 * Why a browser never sends the origin (or the origins of the pattern) as written, judged by the
 * URL parser browsers use: a host it cannot parse, or one it serializes differently.
 */
function browserProblem(value: string): string | null {
  const wildcard = value.includes('://*.');
  const concrete = value.replace('://*.', '://a.').replace(/:\*$/, '');
  let serialized: string;
  try {
    serialized = new URL(concrete).origin;
  } catch {
    return 'has a host the URL parser of browsers refuses (a last label of digits only reads as an IPv4 address)';
  }
  if (serialized === concrete) return null;
  let form = wildcard ? serialized.replace('://a.', '://*.') : serialized;
  if (value.endsWith(':*')) form += ':*';
  return `is never sent by a browser, which serializes that host differently; write ${form}`;
}

/** The origin without its userinfo (the grammar's own hint keeps the userinfo instead). */
function userinfoHint(value: string): string {
  const m = /^([a-z]+):\/\/[^/?#]*@([^/?#]*)/i.exec(value);
  return m ? `; write ${m[1]!.toLowerCase()}://${m[2]}` : '';
}

export const originSyntax: Rule = {
  id: 'origin-syntax',
  severity: 'error',
  docs: 'An origin entry must be a serialized origin as browsers send it: lowercase scheme://host[:port], http or https, no path, no default port, ASCII (punycode) host; `*.` and `:*` are the only wildcards.',
  messages: {
    character: 'origin {{origin}} contains the character {{=char}}, which no origin contains (and which nginx, Apache or Caddy could interpret)',
    grammar: 'origin {{origin}} {{=problem}}{{=hint}}',
    browser: 'origin {{origin}} {{=problem}}',
  },
  check: (p) =>
    originEntries(p)
      .filter(({ value }) => value !== '*' && value !== 'null')
      .flatMap(({ value, index }): RuleFinding[] => {
        const path = [...p.path, 'origins', index];
        // In the scheme and host part only: a path, query or fragment gets the grammar's own hint.
        const authority = value.replace(/^([^:/?#]*:\/\/)?([^/?#]*).*$/s, '$1$2');
        const never = GRAMMAR_REPORTS.test(value) ? null : NEVER.exec(authority);
        if (never) {
          return [{ path, messageId: 'character', data: { origin: value, char: never[0] } }];
        }
        const parsed = parse(value);
        if (!parsed.ok) {
          const hint = parsed.problem.startsWith('has userinfo') ? userinfoHint(value) : parsed.hint ? `; ${parsed.hint}` : '';
          return [{ path, messageId: 'grammar', data: { origin: value, problem: parsed.problem, hint } }];
        }
        if (!ORIGIN_CHARS.test(value)) {
          const char = [...value].find((c) => !ORIGIN_CHARS.test(c))!;
          return [{ path, messageId: 'character', data: { origin: value, char } }];
        }
        const problem = browserProblem(value);
        if (problem !== null) return [{ path, messageId: 'browser', data: { origin: value, problem } }];
        return [];
      }),
};
