// Contract §5 on `upstream.url`: proxy mode forwards to an http or https URL with a host; userinfo
// would put a credential into every generated config, and a query or fragment has no place in a
// base URL to which request paths are appended (§6).
import type { Rule, RuleFinding } from '../rule.js';

/** What the URL may hold once its parts are known good: nothing a config would read as syntax. */
const ALLOWED = /^[A-Za-z0-9\-._~:/[\]]$/;

export const upstreamUrl: Rule = {
  id: 'upstream-url',
  severity: 'error',
  docs: 'upstream.url is http:// or https:// with a host, an optional port and path; no userinfo, query, fragment, whitespace, control or config-special characters.',
  messages: {
    control: 'upstream url {{url}} holds whitespace or a control character',
    'not-url': 'upstream url {{url}} is not a URL; write http(s)://host[:port][/path]',
    scheme: 'upstream url {{url}} has the scheme {{scheme}}; proxy mode forwards to http:// or https:// only',
    'no-host': 'upstream url {{url}} has no host; write http(s)://host[:port][/path]',
    userinfo: 'upstream url {{url}} holds userinfo (user:password@), which would be written into every generated config; authenticate to the upstream another way',
    query: 'upstream url {{url}} holds a query (?): request paths are appended to the URL, so it must end with its path',
    fragment: 'upstream url {{url}} holds a fragment (#), which is never sent to a server',
    special: 'upstream url {{url}} holds the character {{char}}, which nginx, Apache or Caddy would interpret inside the generated config',
  },
  check: (p) => {
    const upstream = p.raw.upstream as { url?: unknown } | undefined;
    const url = upstream && typeof upstream === 'object' ? upstream.url : undefined;
    if (typeof url !== 'string' || url === '') return [];
    const at = [...p.path, 'upstream', 'url'];
    const report = (messageId: string, data: Record<string, string> = {}): RuleFinding[] => [{ path: at, messageId, data: { url, ...data } }];
    if (/[\s\u0000-\u001f\u007f-\u009f]/.test(url)) return report('control');
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1];
    if (scheme === undefined) return report('not-url');
    if (!['http', 'https'].includes(scheme.toLowerCase())) return report('scheme', { scheme });
    if (!/^[A-Za-z]+:\/\/[^/?#]/.test(url)) return report('no-host');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return report('not-url');
    }
    if (parsed.username !== '' || parsed.password !== '' || /^[A-Za-z]+:\/\/[^/?#]*@/.test(url)) return report('userinfo');
    if (url.includes('?')) return report('query');
    if (url.includes('#')) return report('fragment');
    if (parsed.hostname === '') return report('no-host');
    const special = [...url].find((c) => !ALLOWED.test(c));
    if (special !== undefined) return report('special', { char: special });
    return [];
  },
};
