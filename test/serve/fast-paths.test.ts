// serve's per-request helpers take shortcuts for the usual request (issue 11.6: serve's throughput
// against a bare Node.js proxy). Each shortcut must answer exactly what the plain code it skips
// answers: here the plain code is written out once more, straightforwardly, and both are compared
// on generated inputs.
import { Agent as HttpsAgent } from 'node:https';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePolicy, normalizeUpstream } from '../../src/model/normalize.js';
import { connectionTokens, forwardRequestHeaders, passesResponseHeader } from '../../src/serve/forward-headers.js';
import { escapeForTerminal } from '../../src/serve/log-line.js';
import { proxyContext, upstreamRequestOptions } from '../../src/serve/proxy.js';
import { systemTrustStore } from '../../src/serve/trust-store.js';
import { encodeSegment } from '../../src/serve/request-path.js';
import { upstreamPath } from '../../src/serve/upstream-url.js';
import type { Upstream } from '../../src/model/types.js';

const RUNS = { numRuns: 1000 };

// The plain versions.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/gu;
const plainEscape = (s: string) =>
  s.replace(UNSAFE, (c) => (c === '\\' ? '\\\\' : c.codePointAt(0)! <= 0xff ? `\\x${c.codePointAt(0)!.toString(16).padStart(2, '0')}` : `\\u{${c.codePointAt(0)!.toString(16)}}`));

function plainUpstreamPath(u: Upstream, prefix: string, path: string, query: string | null): string | null {
  const segments = path.slice(prefix.length).replace(/^\/+/, '').split('/');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  return `${u.basePath}${segments.map(encodeSegment).join('/')}${query === null ? '' : `?${query}`}`;
}

const HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];
function plainTokens(raw: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'connection') for (const t of raw[i + 1]!.split(',')) out.add(t.trim().toLowerCase());
  return out;
}
function plainForward(raw: readonly string[], host: string, credentials: boolean): string[] {
  const listed = plainTokens(raw);
  const out = ['Host', host];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower === 'transfer-encoding') out.push('Transfer-Encoding', 'chunked');
    if (HOP.includes(lower) || ['host', 'expect', 'http2-settings'].includes(lower) || listed.has(lower)) continue;
    if (!credentials && ['cookie', 'authorization'].includes(lower)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}
const plainPassesResponse = (raw: readonly string[], lower: string) => !HOP.includes(lower) && !plainTokens(raw).has(lower) && !lower.startsWith('access-control-');

// Inputs: a small alphabet that reaches every branch often.
const pathChar = fc.constantFrom('a', 'Z', '9', '-', '.', '_', '~', '/', '/', '.', '%', '$', '&', '+', ',', ';', '=', ':', '@', ' ', '!', '*', "'", 'é', '\u{1f600}', '?', '#');
const path = fc.array(pathChar, { maxLength: 16 }).map((cs) => `/${cs.join('')}`);
const name = fc.constantFrom(...HOP, 'Connection', 'KEEP-ALIVE', 'Te', 'host', 'Expect', 'http2-settings', 'Cookie', 'authorization', 'X-Custom', 'x-custom', 'Accept', 'Vary', 'Access-Control-Allow-Origin', 'access-control-x', 'close');
const connectionValue = fc.array(fc.constantFrom('keep-alive', 'close', 'X-Custom', ' accept ', 'Upgrade', 'cookie', 'TE', 'vary', 'access-control-x', ''), { maxLength: 4 }).map((ts) => ts.join(','));
const headers = fc.array(fc.tuple(name, fc.oneof(connectionValue, fc.constantFrom('v', 'chunked', ''))), { maxLength: 8 }).map((pairs) => pairs.flat());

describe('serve’s shortcuts answer what the plain code answers', () => {
  it('escapeForTerminal', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0x10ffff })), { maxLength: 40 }).map((cs) => String.fromCodePoint(...cs)), fc.string({ unit: fc.constantFrom('a', ' ', '~', '\\', '\x1b', '\x7f', '\x9b', '\u202e', '\u2028', 'é', '\u{1f600}') })), (s) => {
        expect(escapeForTerminal(s)).toBe(plainEscape(s));
      }),
      RUNS,
    );
  });

  it('upstreamPath', () => {
    const ups = ['http://127.0.0.1:8080/', 'https://api.example/v1/'].map((url) => normalizeUpstream({ url }));
    fc.assert(
      fc.property(fc.constantFrom(...ups), fc.constantFrom('/', '/api/', '/api', '/v2'), path, fc.option(fc.constantFrom('', 'a=1&b=%2F', '?x')), (u, prefix, p, query) => {
        const full = `${prefix}${p}`;
        expect(upstreamPath(u, prefix, full, query)).toBe(plainUpstreamPath(u, prefix, full, query));
      }),
      RUNS,
    );
  });

  it('forwardRequestHeaders and the response headers that pass', () => {
    fc.assert(
      fc.property(headers, fc.boolean(), (raw, credentials) => {
        expect(forwardRequestHeaders(raw, 'up.example:8443', credentials)).toEqual(plainForward(raw, 'up.example:8443', credentials));
        const listed = connectionTokens(raw);
        for (let i = 0; i < raw.length; i += 2) {
          const lower = raw[i]!.toLowerCase();
          expect(passesResponseHeader(lower, listed), lower).toBe(plainPassesResponse(raw, lower));
        }
      }),
      RUNS,
    );
  });
});

describe('serve’s requests to an https upstream', () => {
  it('name their pooled connection without the CA list (node:https joins `ca` into the name on every request)', () => {
    const ca = systemTrustStore();
    expect(ca.join('').length).toBeGreaterThan(10_000);
    const agent = new HttpsAgent({ keepAlive: true });
    const upstream = normalizeUpstream({ url: 'https://api.example:8443/v1/' });
    const ctx = proxyContext({ policy: normalizePolicy('api', { origins: '*' }), upstream, agent, ca, loopbackOnly: true, log: () => {} });
    const options = upstreamRequestOptions(ctx, 'GET', '/v1/x', ['Host', 'api.example:8443']);
    expect(agent.getName(options).length).toBeLessThan(200);
    expect(options).toMatchObject({ host: 'api.example', port: 8443, servername: 'api.example', rejectUnauthorized: true });
    agent.destroy();
  });
});
