// Contract §5 on `upstream.ca`: the generator never reads the CA file (the server does, or `serve`
// at start-up), so a relative path would be resolved against whatever directory that is.
import type { Rule, RuleFinding } from '../rule.js';

const ALLOWED = /^[A-Za-z0-9\-._~/+,=:@]$/;

export const upstreamCa: Rule = {
  id: 'upstream-ca',
  severity: 'error',
  docs: 'upstream.ca is an absolute path of letters, digits and -._~/+,=:@ (the server reads it, from its own working directory).',
  messages: {
    relative: 'upstream ca {{ca}} is not an absolute path: the server reads it from its own working directory; write the full path, starting with /',
    special: 'upstream ca {{ca}} holds the character {{char}}, which nginx, Apache or Caddy would interpret inside the generated config',
  },
  check: (p) => {
    const upstream = p.raw.upstream as { ca?: unknown } | undefined;
    const ca = upstream && typeof upstream === 'object' ? upstream.ca : undefined;
    if (typeof ca !== 'string' || ca === '') return [];
    const at = [...p.path, 'upstream', 'ca'];
    if (!ca.startsWith('/')) return [{ path: at, messageId: 'relative', data: { ca } }];
    const special = [...ca].find((c) => !ALLOWED.test(c));
    return special === undefined ? [] : [{ path: at, messageId: 'special', data: { ca, char: special } } as RuleFinding];
  },
};
