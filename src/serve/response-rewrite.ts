// Contract §6: what the proxy changes in the upstream's answer, beside the CORS headers. A redirect
// into the upstream URL is rewritten to the same place on the proxy (as nginx's `proxy_redirect
// default` and Apache's ProxyPassReverse do); a cookie loses its Domain (RFC 6265 §5.2.3: the
// cookie then belongs to the proxy's host) and a Path under the upstream URL is mapped like a redirect.
import type { Upstream } from '../model/types.js';
import { proxyPathFor, upstreamOrigin } from './upstream-url.js';

/** The Location the browser gets: mapped onto the proxy when it points into the upstream URL. */
export function rewriteLocation(u: Upstream, prefix: string, requestUrl: string, location: string): string {
  let target: URL;
  try {
    target = new URL(location, requestUrl);
  } catch {
    return location;
  }
  if (target.origin !== new URL(upstreamOrigin(u)).origin) return location;
  const path = proxyPathFor(u, prefix, target.pathname);
  return path === null ? location : `${path}${target.search}${target.hash}`;
}

export function rewriteSetCookie(u: Upstream, prefix: string, cookie: string): string {
  const [pair, ...attributes] = cookie.split(';');
  const kept: string[] = [];
  for (const a of attributes) {
    const eq = a.indexOf('=');
    const name = (eq < 0 ? a : a.slice(0, eq)).trim().toLowerCase();
    if (name === 'domain') continue;
    if (name === 'path' && eq >= 0) {
      const mapped = proxyPathFor(u, prefix, a.slice(eq + 1).trim());
      kept.push(mapped === null ? a : ` Path=${mapped}`);
      continue;
    }
    kept.push(a);
  }
  return [pair, ...kept].join(';');
}
