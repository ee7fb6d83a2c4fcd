// How each server reads a request's header lines (src/model/server-request.ts): the facts measured
// with test/fuzz/probe.ts, pinned without a server. The differential fuzzer checks them against the
// real servers at scale.
import { describe, expect, it } from 'vitest';
import { evaluateWireAt, serverRequest, type WireRequest } from '../../../src/model/server-request.js';
import { compilePolicy } from '../../harness/policy.js';
import { TARGET_NAMES, TARGETS as BY_NAME, type TargetName as PathTarget } from '../../../src/targets/registry.js';

const A = 'https://a.example.com';
const B = 'https://b.example.com';
const FILE = `version: 1
policies:
  ex:
    origins: [${A}, ${B}, 'https://*.w.example.com']
    credentials: true
    methods: ['*']
    allowHeaders: ['*', Authorization]
    privateNetwork: true
`;
const set = compilePolicy(FILE);
const TARGETS: readonly PathTarget[] = TARGET_NAMES;

const preflight = (headers: [string, string][], method = 'OPTIONS', target = '/x'): WireRequest => ({ method, target, headers: [...headers, ['Access-Control-Request-Method', 'PUT']] });
const verdict = (t: PathTarget, w: WireRequest) => evaluateWireAt(set.policies, set.policies, BY_NAME[t].reading, w);
const outcome = (t: PathTarget, w: WireRequest) => {
  const v = verdict(t, w);
  return v.kind === 'governed' ? v.expected.outcome : v.kind === 'server-error' ? `error ${v.status}` : v.kind;
};
const header = (t: PathTarget, w: WireRequest, name: string) => {
  const v = verdict(t, w);
  return v.kind === 'governed' ? v.expected.headers[name as 'Access-Control-Allow-Origin'] : undefined;
};

describe('serverRequest: how each server reads the header lines', () => {
  it('a well-formed request reads the same everywhere', () => {
    for (const t of TARGETS) {
      const r = serverRequest(BY_NAME[t].reading, preflight([['Origin', A]]));
      expect(r).toEqual({ kind: 'request', request: { method: 'OPTIONS', target: '/x', headers: { origin: A, 'access-control-request-method': 'PUT' } } });
    }
  });

  it('Origin twice: nginx reads the first, Apache and Caddy the joined value (never an allowed origin)', () => {
    const w = preflight([['Origin', A], ['Origin', B]]);
    expect(outcome('nginx', w)).toBe('preflight-allowed');
    expect(header('nginx', w, 'Access-Control-Allow-Origin')).toBe(A);
    expect(outcome('apache', w)).toBe('preflight-refused');
    expect(outcome('caddy', w)).toBe('preflight-refused');
    expect(outcome('nginx', preflight([['Origin', 'https://evil.test'], ['Origin', A]]))).toBe('preflight-refused');
  });

  it('an empty first Origin: nginx sees none, Apache and Caddy a refused one', () => {
    const w: WireRequest = { method: 'GET', target: '/x', headers: [['Origin', ''], ['Origin', A]] };
    expect(outcome('nginx', w)).toBe('actual-without-origin');
    expect(outcome('apache', w)).toBe('actual-refused');
    expect(outcome('caddy', w)).toBe('actual-refused');
    const empty: WireRequest = { method: 'GET', target: '/x', headers: [['Origin', ''], ['Origin', '']] };
    expect(outcome('caddy', empty)).toBe('actual-without-origin');
    expect(outcome('apache', empty)).toBe('actual-refused');
  });

  it('repeated Access-Control-Request-Headers are reflected as each server joins them', () => {
    const w = preflight([['Origin', A], ['Access-Control-Request-Headers', 'a'], ['access-control-request-headers', 'b']]);
    expect(header('nginx', w, 'Access-Control-Allow-Headers')).toBe('Authorization, a');
    expect(header('apache', w, 'Access-Control-Allow-Headers')).toBe('Authorization, a, b');
    expect(header('caddy', w, 'Access-Control-Allow-Headers')).toBe('Authorization, a,b');
  });

  it('Access-Control-Request-Private-Network twice: first (nginx), joined (Apache), any (Caddy)', () => {
    const pna = (values: string[]) => preflight([['Origin', A], ...values.map((v): [string, string] => ['Access-Control-Request-Private-Network', v])]);
    const got = (t: PathTarget, values: string[]) => header(t, pna(values), 'Access-Control-Allow-Private-Network');
    expect([got('nginx', ['true', 'false']), got('nginx', ['false', 'true'])]).toEqual(['true', undefined]);
    expect([got('apache', ['true', 'false']), got('apache', [' true '])]).toEqual([undefined, 'true']);
    expect([got('caddy', ['false', 'true']), got('caddy', ['TRUE'])]).toEqual(['true', undefined]);
  });

  it('spaces around a value are trimmed everywhere; tabs only by Apache and Caddy', () => {
    for (const t of TARGETS) expect(outcome(t, preflight([['Origin', `  ${A}  `]]))).toBe('preflight-allowed');
    expect(outcome('nginx', preflight([['Origin', `\t${A}`]]))).toBe('preflight-refused');
    expect(outcome('apache', preflight([['Origin', `\t${A}\t`]]))).toBe('preflight-allowed');
    expect(outcome('caddy', preflight([['Origin', ` \t${A}`]]))).toBe('preflight-allowed');
  });

  it('header names are read ignoring case', () => {
    for (const t of TARGETS) expect(outcome(t, preflight([['oRiGiN', A]]))).toBe('preflight-allowed');
  });

  it('an upper-case Origin matches an exact entry on nginx only (hash keys ignore case), reflected as sent; never a wildcard', () => {
    const w = preflight([['Origin', A.toUpperCase()]]);
    expect(header('nginx', w, 'Access-Control-Allow-Origin')).toBe(A.toUpperCase());
    expect(outcome('apache', w)).toBe('preflight-refused');
    expect(outcome('caddy', w)).toBe('preflight-refused');
    expect(outcome('nginx', preflight([['Origin', 'https://Z.w.example.com']]))).toBe('preflight-refused');
  });

  it('a lower-case method: 400 on nginx, an actual request elsewhere', () => {
    const w = preflight([['Origin', A]], 'options');
    expect(outcome('nginx', w)).toBe('error 400');
    expect(outcome('apache', w)).toBe('actual-allowed');
    expect(outcome('caddy', w)).toBe('actual-allowed');
  });

  it('over-long lines: 414 / 400 on nginx and Apache (nginx keeps the CORS headers of the lines before), accepted by Caddy', () => {
    const longTarget = { method: 'GET', target: `/${'p'.repeat(9000)}`, headers: [['Origin', A]] } as WireRequest;
    expect(TARGETS.map((t) => outcome(t, longTarget))).toEqual(['error 414', 'error 414', 'actual-allowed']);
    const longHeader = preflight([['Origin', A], ['Access-Control-Request-Headers', 'x'.repeat(12_000)]]);
    const v = verdict('nginx', { ...longHeader, headers: [longHeader.headers[0]!, longHeader.headers[2]!, longHeader.headers[1]!] });
    expect(v.kind === 'server-error' && v.cors?.kind === 'governed' && v.cors.expected.outcome).toBe('preflight-allowed');
    const apache = verdict('apache', longHeader);
    expect(apache.kind === 'server-error' && apache.cors).toBe(null);
    expect(outcome('caddy', longHeader)).toBe('preflight-allowed');
  });

  it('Apache refuses a path after the policy ran: the refusal carries its CORS headers when the file names no paths', () => {
    const v = verdict('apache', preflight([['Origin', A]], 'OPTIONS', '/../x'));
    expect(v.kind === 'server-error' && v.status === 400 && v.cors?.kind === 'governed' && v.cors.expected.outcome).toBe('preflight-allowed');
    expect(verdict('nginx', preflight([['Origin', A]], 'OPTIONS', '/../x')).kind).toBe('refused');
    const scoped = compilePolicy(`${FILE}    paths: [/api/]\n`);
    expect(evaluateWireAt(scoped.policies, scoped.policies, BY_NAME.apache.reading, preflight([['Origin', A]], 'OPTIONS', '/../x')).kind).toBe('refused');
  });
});
