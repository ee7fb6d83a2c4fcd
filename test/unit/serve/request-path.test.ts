// serve's reading of a request path (src/serve/request-path.ts), the path mapping onto the upstream
// and back (src/serve/upstream-url.ts), and the rewriting of redirects and cookies.
import { describe, expect, it } from 'vitest';
import { mergeVary } from '../../../src/serve/cors-headers.js';
import { escapeForTerminal } from '../../../src/serve/log-line.js';
import { parseListen } from '../../../src/serve/listen-address.js';
import { governingPrefix, readRequestPath } from '../../../src/serve/request-path.js';
import { rewriteLocation, rewriteSetCookie } from '../../../src/serve/response-rewrite.js';
import { parseUpstreamUrl, proxyPathFor, upstreamPath } from '../../../src/serve/upstream-url.js';

const path = (t: string) => {
  const r = readRequestPath(t);
  return r.kind === 'ok' ? `${r.path}${r.query === null ? '' : `?${r.query}`}` : `refused: ${r.reason}`;
};

describe('readRequestPath: the path serve routes on (docs/contract.md §2a)', () => {
  it.each([
    ['/api/x', '/api/x'],
    ['/api/x/', '/api/x/'],
    ['/.well-known/x', '/.well-known/x'],
    ['/a/..b/c.', '/a/..b/c.'],
    ['/public/../api/x', '/api/x'],
    ['/public/%2e%2e/api/x', '/api/x'],
    ['/public/%2E%2E/api/x', '/api/x'],
    ['//api/x', '/api/x'],
    ['/api//x///', '/api/x/'],
    ['/api/./x/.', '/api/x/'],
    ['/api/x/..', '/api/'],
    ['/', '/'],
    ['/..', 'refused: a dot-segment above the root'],
    ['/a/../..', 'refused: a dot-segment above the root'],
    ['/api/a%2Fb', 'refused: an encoded slash'],
    ['/api/a%2fb', 'refused: an encoded slash'],
    ['/api/%zz', 'refused: an invalid percent escape'],
    ['/api/%', 'refused: an invalid percent escape'],
    ['/api/%ff', 'refused: a percent escape that is not UTF-8'],
    ['/api/%00', 'refused: a NUL'],
    ['*', 'refused: the request target is not a path'],
    ['http://evil.test/api/x', 'refused: the request target is not a path'],
    ['/api/x?a=%2F&b=../c', '/api/x?a=%2F&b=../c'],
    ['/api/x?', '/api/x?'],
    ['/api/%C3%A9t%C3%A9', '/api/été'],
  ])('%s → %s', (target, expected) => {
    expect(path(target)).toBe(expected);
  });

  it('the fast path (nothing to normalize) and the full reading agree on segments and trailing slash', () => {
    for (const t of ['/', '/a', '/a/', '/a/b', '/a/b/', '/.x/y.']) {
      const fast = readRequestPath(t);
      const slow = readRequestPath(t.replace(/a/g, '%61'));
      expect(fast, t).toEqual(slow);
    }
  });

  it('the longest matching prefix governs; /api/ covers /api/ and /api/x, not /api or /apix', () => {
    expect(governingPrefix(['/', '/api/', '/api/v2/'], '/api/v2/x')).toBe('/api/v2/');
    expect(governingPrefix(['/api/'], '/api/')).toBe('/api/');
    expect(governingPrefix(['/api/'], '/api')).toBeNull();
    expect(governingPrefix(['/api/'], '/apix')).toBeNull();
  });
});

describe('path mapping onto the upstream (docs/contract.md §6)', () => {
  const up = (url: string) => {
    const r = parseUpstreamUrl(url, null);
    if (r.kind === 'error') throw new Error(r.message);
    return r.value;
  };
  const map = (url: string, prefix: string, target: string) => {
    const r = readRequestPath(target);
    if (r.kind !== 'ok') return `refused: ${r.reason}`;
    return upstreamPath(up(url), prefix, r.path, r.query);
  };

  it('appends the path minus the prefix to the URL’s path (taken to end with /), the query kept', () => {
    expect(map('https://api.weather.example/v1', '/weather/', '/weather/today')).toBe('/v1/today');
    expect(map('https://api.weather.example/v1', '/', '/today?d=1')).toBe('/v1/today?d=1');
    expect(map('https://api.weather.example/v1/', '/weather/', '/weather/')).toBe('/v1/');
    expect(map('https://api.weather.example/', '/w/', '/w/a b/c:d@e;f')).toBe('/a%20b/c:d@e;f');
    expect(map('https://api.weather.example/v1', '/w/', '/w/%3F%23')).toBe('/v1/%3F%23');
  });

  it('never leaves the URL’s path: a dot-segment glued to a prefix without a slash is refused', () => {
    expect(map('https://api.example/v1/', '/v2', '/v2..')).toBeNull();
    expect(map('https://api.example/v1/', '/v2', '/v2/x')).toBe('/v1/x');
  });

  it('maps upstream paths back onto the proxy, and only those under the URL’s path', () => {
    const u = up('https://api.example/v1/');
    expect(proxyPathFor(u, '/weather/', '/v1/today')).toBe('/weather/today');
    expect(proxyPathFor(u, '/weather/', '/v1')).toBe('/weather');
    expect(proxyPathFor(u, '/', '/v1/x')).toBe('/x');
    expect(proxyPathFor(u, '/', '/v1')).toBe('/');
    expect(proxyPathFor(u, '/weather/', '/v10/x')).toBeNull();
    expect(proxyPathFor(u, '/weather/', '/')).toBeNull();
  });

  it('rewrites a Location into the upstream URL, leaves others alone', () => {
    const u = up('https://api.example:8443/v1');
    const from = 'https://api.example:8443/v1/a';
    expect(rewriteLocation(u, '/w/', from, 'https://api.example:8443/v1/b?x=1#f')).toBe('/w/b?x=1#f');
    expect(rewriteLocation(u, '/w/', from, '/v1/c')).toBe('/w/c');
    expect(rewriteLocation(u, '/w/', from, 'd')).toBe('/w/d');
    expect(rewriteLocation(u, '/w/', from, 'https://api.example/v1/b')).toBe('https://api.example/v1/b');
    expect(rewriteLocation(u, '/w/', from, 'http://api.example:8443/v1/b')).toBe('http://api.example:8443/v1/b');
    expect(rewriteLocation(u, '/w/', from, '/v2/b')).toBe('/v2/b');
  });

  it('drops a cookie’s Domain, maps its Path under the upstream URL', () => {
    const u = up('https://api.example/v1/');
    expect(rewriteSetCookie(u, '/w/', 'a=1; Domain=api.example; Path=/v1/x; Secure')).toBe('a=1; Path=/w/x; Secure');
    expect(rewriteSetCookie(u, '/w/', 'a=1; DOMAIN=.api.example;path=/other')).toBe('a=1;path=/other');
    expect(rewriteSetCookie(u, '/w/', 'a=b=c')).toBe('a=b=c');
  });

  it('--upstream is checked like the policy’s upstream', () => {
    expect(parseUpstreamUrl('https://api.example/v1', null)).toMatchObject({ kind: 'ok', value: { host: 'api.example', port: null, basePath: '/v1/', scheme: 'https' } });
    expect(parseUpstreamUrl('http://[::1]:9000', null)).toMatchObject({ kind: 'ok', value: { host: '[::1]', port: 9000, basePath: '/' } });
    for (const bad of ['ftp://x/', 'https://u@x/', 'https://x/?', 'https://x/#f', 'not a url', 'file:///etc/passwd']) expect(parseUpstreamUrl(bad, null).kind, bad).toBe('error');
  });
});

describe('small pieces', () => {
  it('mergeVary adds Origin once, keeps the application’s, respects *', () => {
    expect(mergeVary([])).toBe('Origin');
    expect(mergeVary(['Accept-Encoding'])).toBe('Accept-Encoding, Origin');
    expect(mergeVary(['accept, origin'])).toBe('accept, origin');
    expect(mergeVary(['Cookie', 'Accept'])).toBe('Cookie, Accept, Origin');
    expect(mergeVary(['*'])).toBe('*');
  });

  it('escapeForTerminal leaves no control, bidi or separator character raw', () => {
    const all = Array.from({ length: 0x2070 }, (_, i) => String.fromCodePoint(i)).join('');
    expect(escapeForTerminal(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(escapeForTerminal('a\x1b[31m\u202eb\\')).toBe('a\\x1b[31m\\u{202e}b\\\\');
  });

  it('parseListen: host:port, [v6]:port, loopback or not', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ kind: 'ok', value: { host: '127.0.0.1', port: 8080, loopback: true } });
    expect(parseListen('[::1]:0')).toEqual({ kind: 'ok', value: { host: '::1', port: 0, loopback: true } });
    expect(parseListen('0.0.0.0:80')).toEqual({ kind: 'ok', value: { host: '0.0.0.0', port: 80, loopback: false } });
    for (const bad of ['8080', ':8080', 'a:b', '1.2.3.4:65536', '::1:80', 'host:80 ']) expect(parseListen(bad).kind, bad).toBe('error');
  });
});
