// Injection safety as a property: policies generated with hostile strings in every field are thrown
// at the checker; every policy it accepts is rendered for all three servers, must pass each server's
// own syntax check (all accepted policies in one server process, one site each), and must mean what
// the policy says: the running server's answers are compared with the reference evaluator.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRegex } from '../../src/check/regex-samples.js';
import { checkPolicyText } from '../../src/compile.js';
import { hostText } from '../../src/model/origin.js';
import type { OriginMatcher, Policy, PolicySet } from '../../src/model/types.js';
import { casesFor, runMatrix } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { SERVER_DRIVERS } from '../servers/drivers.js';

const SEED = 20261125;
const RUNS = 300;

const HOSTILE = ['"', "'", '`', '\\', '$', '%', '{', '}', '{$', ';', '#', ' ', '\n', '\r', '\t', '\u0000', '|', '~', '^', '&', '*', '!', '+',
  '<', '>', '(', ')', ',', '=', '@', '/', ':', '?', '[', ']', 'é', '\u202e', '\\"', '${x}', '%{X}e', '{http.request.uri}', '$1', '\\.', '.*'];

/** Puts a hostile fragment somewhere into a string. */
const sneaky = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, fc.nat(), fc.constantFrom(...HOSTILE)).map(([s, i, c]) => s.slice(0, i % (s.length + 1)) + c + s.slice(i % (s.length + 1)));

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => [...ls, 'test'].join('.'));
const scheme = fc.constantFrom('http', 'https');
const port = fc.option(fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 80 && p !== 443), { nil: undefined });
const exactOrigin = fc.tuple(scheme, host, port).map(([s, h, p]) => `${s}://${h}${p ? `:${p}` : ''}`);
const wildcardOrigin = fc.tuple(scheme, host, fc.constantFrom('', ':*', ':8443')).map(([s, h, p]) => `${s}://*.${h}${p}`);
const portWildcard = fc.tuple(scheme, host).map(([s, h]) => `${s}://${h}:*`);
const esc = (h: string) => h.replace(/\./g, '\\.');
const regexEntry = fc.oneof(
  host.map((h) => `^https://[a-z]{1,5}\\.${esc(h)}$`),
  fc.tuple(label, label, host).map(([a, b, h]) => `^https://(${a}|${b})\\.${esc(h)}(:[0-9]{1,5})?$`),
  host.map((h) => `^https://x[0-9]+\\.${esc(h)}$`),
  sneaky(host.map((h) => `^https://x[0-9]+\\.${esc(h)}$`)),
);
const originEntry = fc.oneof(
  { weight: 12, arbitrary: exactOrigin },
  { weight: 6, arbitrary: wildcardOrigin },
  { weight: 3, arbitrary: portWildcard },
  { weight: 1, arbitrary: sneaky(exactOrigin) },
  { weight: 1, arbitrary: fc.constantFrom('null', '*', 'https://*.com', 'https://*.github.io') },
  { weight: 5, arbitrary: regexEntry.map((regex) => ({ regex })) },
);
const token = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[!&*+.^_|~0-9A-Za-z-]{1,10}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}$/) }, // every tchar
  { weight: 1, arbitrary: sneaky(fc.stringMatching(/^[A-Za-z-]{1,8}$/)) },
  { weight: 3, arbitrary: fc.constantFrom('*', 'Authorization', 'PATCH', 'X-Custom', 'Cookie', 'TRACE') },
);
const policyArb = fc.record(
  {
    origins: fc.oneof({ weight: 1, arbitrary: fc.constant('*') }, { weight: 5, arbitrary: fc.array(originEntry, { minLength: 1, maxLength: 3 }) }),
    methods: fc.array(token, { maxLength: 3 }),
    allowHeaders: fc.array(token, { maxLength: 3 }),
    exposeHeaders: fc.array(token, { maxLength: 2 }),
    credentials: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    maxAge: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 7200 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 0.5, 86401) }),
    privateNetwork: fc.boolean(),
  },
  { requiredKeys: ['origins'] },
);

const samples = fc.sample(policyArb, { seed: SEED, numRuns: RUNS });

/** Accepted policies, each renamed p<i> and re-checked together as one file. */
function acceptedSet(): { set: PolicySet; accepted: number } {
  const accepted: Record<string, unknown>[] = [];
  for (const raw of samples) {
    const text = stringify({ version: 1, policies: { p: raw } });
    const checked = checkPolicyText(text, 'generated.yaml'); // must not throw, whatever the input
    if (checked.set) accepted.push(raw);
  }
  const text = stringify({ version: 1, policies: Object.fromEntries(accepted.map((p, i) => [`p${i}`, p])) });
  const { set, diagnostics } = checkPolicyText(text, 'accepted.yaml');
  if (!set) throw new Error(`accepted policies refused together:\n${diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n')}`);
  return { set, accepted: accepted.length };
}

/** Origins a policy accepts, derived from its entries (the evaluator confirms each). */
function sampleOrigins(p: Policy): string[] {
  if (p.origins.kind === 'any') return ['https://anyone.test'];
  const one = (m: OriginMatcher): string[] => {
    switch (m.kind) {
      case 'exact':
        return [m.origin];
      case 'pattern':
        return [`${m.scheme}://${m.subdomains ? 'a.' : ''}${hostText(m.host)}${m.port.kind === 'port' ? `:${m.port.port}` : m.port.kind === 'any' ? ':8081' : ''}`];
      case 'regex':
        return (analyzeRegex(m.source)?.samples ?? []).slice(0, 1);
    }
  };
  return p.origins.matchers.flatMap(one).slice(0, 2);
}

const { set, accepted } = acceptedSet();

describe('injection safety: generated policies in the real servers', () => {
  it('the generator produced a meaningful mix', () => {
    expect(samples).toHaveLength(RUNS);
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(accepted).toBeLessThan(RUNS);
  });

  for (const driver of SERVER_DRIVERS) {
    describe(driver.target, () => {
      let dir = '';
      let upstream: Upstream | undefined;
      let server: RunningServer | undefined;
      let ports: number[] = [];
      beforeAll(async () => {
        ports = await freePorts(set.policies.length);
        upstream = await startUpstream();
        const sites = set.policies.map((p, i) => ({ policy: p.name, port: ports[i]! }));
        const prepared = prepareServerDir(driver.target, set, `prop-${driver.target}`, (d, corsDir) =>
          driver.writeConfig({ dir: d, corsDir, sites, upstreamPort: upstream!.port }),
        );
        dir = prepared.dir;
        server = await checkAndStart(driver, prepared, ports, 60_000);
      }, 120_000);
      afterAll(async () => {
        await server?.stop();
        await upstream?.close();
        if (dir) removeDir(dir);
      });

      it(`every accepted policy passes the syntax check and behaves as the evaluator says`, async () => {
        let cases = 0;
        const mismatches: string[] = [];
        for (const [i, policy] of set.policies.entries()) {
          const result = await runMatrix(policy, ports[i]!, upstream!, casesFor({ allowed: sampleOrigins(policy), refused: ['https://evil.test'] }));
          cases += result.cases;
          mismatches.push(...result.mismatches);
        }
        console.log(`${driver.target}: ${accepted} of ${RUNS} generated policies accepted (seed ${SEED}); all passed the syntax check; ${cases} request cases compared with the evaluator`);
        expect(mismatches.slice(0, 10).join('\n')).toBe('');
      }, 300_000);
    });
  }
});
