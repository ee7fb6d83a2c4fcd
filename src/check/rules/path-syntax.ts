// Contract §5 on `paths`: a prefix is compared with the path the server routes on (decoded, dot-
// segments removed, slashes merged; §2a), and is written into every target's config. A prefix that
// such a path can never start with, or that a config would read as syntax, is refused.
import { stringList, type Rule } from '../rule.js';

/** Characters a prefix may hold: RFC 3986 unreserved and the sub-delimiters no target interprets. */
const ALLOWED = /^[A-Za-z0-9\-._~/:@!+,=]$/;

function problem(path: string): { messageId: string; data: Record<string, string> } | null {
  if (!path.startsWith('/')) return { messageId: 'relative', data: { path, fixed: `/${path}` } };
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(path)) return { messageId: 'control', data: { path } };
  const q = path.indexOf('?');
  if (q >= 0) return { messageId: 'query', data: { path, fixed: path.slice(0, q) || '/' } };
  const h = path.indexOf('#');
  if (h >= 0) return { messageId: 'fragment', data: { path, fixed: path.slice(0, h) || '/' } };
  if (path.includes('%')) return { messageId: 'percent', data: { path } };
  const segments = path.split('/').slice(1);
  const dot = segments.find((s) => s === '.' || s === '..');
  if (dot !== undefined) return { messageId: 'dot-segment', data: { path, segment: dot } };
  if (path.includes('//')) return { messageId: 'empty-segment', data: { path, fixed: path.replace(/\/{2,}/g, '/') } };
  const special = [...path].find((c) => !ALLOWED.test(c));
  if (special !== undefined) return { messageId: 'special', data: { path, char: special } };
  return null;
}

export const pathSyntax: Rule = {
  id: 'path-syntax',
  severity: 'error',
  docs: 'A paths prefix starts with /, holds no query, fragment, whitespace, control character, percent-encoding, dot-segment or empty segment, and only letters, digits and -._~/:@!+,= (nothing a server config would interpret).',
  messages: {
    relative: 'path {{path}} does not start with /: servers compare prefixes with the absolute request path; write {{=fixed}}',
    control: 'path {{path}} holds whitespace or a control character, which no routed path holds and which would break the generated config',
    query: 'path {{path}} holds a query (?): servers route on the path alone; write {{=fixed}}',
    fragment: 'path {{path}} holds a fragment (#), which browsers never send; write {{=fixed}}',
    percent: 'path {{path}} holds percent-encoding: servers compare the decoded path, so write the characters themselves',
    'dot-segment': 'path {{path}} holds the dot-segment {{=segment}}: servers remove dot-segments before routing, so no request path starts with it; write the path it stands for',
    'empty-segment': 'path {{path}} holds an empty segment (//): servers merge repeated slashes before routing; write {{=fixed}}',
    special: 'path {{path}} holds the character {{char}}, which nginx, Apache or Caddy would interpret inside the generated config; paths hold letters, digits and -._~/:@!+,= only',
  },
  check: (p) =>
    stringList(p.raw.paths).flatMap(({ value, index }) => {
      const found = problem(value);
      return found ? [{ ...found, path: [...p.path, 'paths', index] }] : [];
    }),
};
