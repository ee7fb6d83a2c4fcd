// The differential fuzzer for one target: seeded random policy files (test/fuzz/generate.ts), each
// served by the real server with its policies included together at one level (the path suites'
// configuration writers, test/servers/<t>.driver.ts), and seeded raw requests (repeated
// headers, whitespace, case, empty and over-long values, odd methods and paths) sent on raw sockets.
// Every answer is compared with the reference evaluator for that target: evaluateWireAt
// (src/model/server-request.ts) reads the request as the server does, then evaluateAt decides.
//
// FUZZ_SEED=<n> fixes the seed (default: a new one per run, printed); FUZZ_CASE=<batch>:<case>
// sends only that case; FUZZ_BATCHES and FUZZ_CASES change the amount (default 5 × 2,000).
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateWireAt, type WireVerdict } from '../../src/model/server-request.js';
import { TARGETS, type TargetName as PathTarget } from '../../src/targets/registry.js';
import { compareAnswer, describeDifference, varyTokens } from '../../src/verify/compare.js';
import { headerValues } from '../../src/verify/headers.js';
import { CORS_RESPONSE_HEADERS } from '../../src/model/types.js';
import { freePorts } from '../harness/ports.js';
import { removeDir } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { PATHS_DRIVERS } from '../servers/drivers.js';
import { comparePath } from '../servers/paths.suite.js';
import { batch, fuzzCase, type FuzzCase } from './generate.js';
import { sendRaw, startRawUpstream, TEST_ID, TEST_STATUS, type WireResponse } from './wire.js';

const envInt = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^[0-9]+$/.test(v)) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
  return Number(v);
};

/**
 * The verdict with each expected header value as an HTTP field value: RFC 9110 §5.5 excludes
 * leading and trailing whitespace from it, so a reflected request value that a server read with a
 * trailing tab (nginx keeps tabs) reaches the browser without it, as it reaches the raw client.
 */
function fieldValues<V extends WireVerdict>(v: V): V {
  if (v.kind === 'server-error') return { ...v, cors: v.cors && fieldValues(v.cors) };
  if (v.kind !== 'governed') return v;
  const headers = Object.fromEntries(Object.entries(v.expected.headers).map(([k, x]) => [k, x.replace(/^[ \t]+|[ \t]+$/g, '')]));
  return { ...v, expected: { ...v.expected, headers } };
}

/** Differences between the server's answer and the evaluator's verdict for that target. */
export function compareWire(wireVerdict: WireVerdict, res: WireResponse, forwarded: boolean, appStatus: number): string[] {
  const verdict = fieldValues(wireVerdict);
  if (verdict.kind !== 'server-error') return comparePath(verdict, res, forwarded, appStatus);
  const problems: string[] = [];
  if (res.status !== verdict.status) problems.push(`status ${res.status}, expected the server's own ${verdict.status} (${verdict.reason})`);
  if (forwarded) problems.push('request reached the application');
  if (verdict.cors?.kind === 'governed') {
    // The CORS headers of what the server read before refusing; the status is the refusal's.
    problems.push(...compareAnswer({ ...verdict.cors.expected, status: 'upstream' }, res, 'exact').map(describeDifference));
  } else {
    for (const name of CORS_RESPONSE_HEADERS) if (headerValues(res.rawHeaders, name).length > 0) problems.push(`${name} present on the server's refusal`);
    if (verdict.cors !== null && varyTokens(res.rawHeaders).includes('origin')) problems.push('Vary lists Origin on a refusal at a path no policy governs');
  }
  return problems;
}

const describeVerdict = (v: WireVerdict): string => {
  switch (v.kind) {
    case 'governed':
      return `governed by ${v.policy.name} at ${v.path}: ${v.expected.outcome}`;
    case 'passed':
      return `passed on at ${v.path}`;
    case 'refused':
      return `refused ${v.status} (${v.reason})`;
    case 'server-error':
      return `server error ${v.status} (${v.reason})${v.cors ? `, carrying: ${describeVerdict(v.cors)}` : ''}`;
  }
};

/** A request line for a failure message: values longer than 120 characters are shortened. */
const show = (c: FuzzCase) =>
  JSON.stringify({ ...c.wire, target: c.wire.target.length > 120 ? `${c.wire.target.slice(0, 60)}…(${c.wire.target.length} chars)` : c.wire.target, headers: c.wire.headers.map(([n, v]) => [n, v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v]) });

export function fuzzSuite(target: PathTarget): void {
  const seed = envInt('FUZZ_SEED', Math.floor(Math.random() * 2 ** 32));
  const only = process.env['FUZZ_CASE'];
  const onlyCase = only ? /^([0-9]+):([0-9]+)$/.exec(only) : null;
  if (only && !onlyCase) throw new Error(`FUZZ_CASE must be <batch>:<case>, not ${JSON.stringify(only)}`);
  const batches = onlyCase ? [Number(onlyCase[1])] : Array.from({ length: envInt('FUZZ_BATCHES', 5) }, (_, i) => i);
  const casesPerBatch = envInt('FUZZ_CASES', 2000);
  const file = `test/fuzz/${target}.fuzz.test.ts`;
  const reproduce = (b: number, i: number) => `FUZZ_SEED=${seed} FUZZ_CASE=${b}:${i} npx vitest run --config test/vitest.config.ts ${file}`;

  describe(`${target}: differential fuzzing against the reference evaluator (seed ${seed})`, () => {
    let total = 0;
    let discarded = 0;
    const byKind: Record<string, number> = {};
    afterAll(() => {
      console.log(`${target} fuzz: seed ${seed}, ${total} cases over ${batches.length} policy files (${discarded} generated files refused by the checks and discarded; verdicts: ${Object.entries(byKind).map(([k, n]) => `${n} ${k}`).join(', ')})`);
    });

    for (const b of batches) {
      it(`policy file ${b}: every answer matches the evaluator for ${target}`, async () => {
        const fb = batch(seed, b);
        discarded += fb.refused;
        const upstream = await startRawUpstream();
        const ports = await freePorts(fb.sites.length);
        const paths = PATHS_DRIVERS[target];
        const prepared = prepareServerDir(target, fb.set, `${target}-fuzz`, (d, corsDir) =>
          paths.writeConfig({ dir: d, corsDir, sites: fb.sites.map((s, i) => ({ policies: s.policies, port: ports[i]!, ...(s.layout ? { layout: s.layout } : {}) })), upstreamPort: upstream.port }),
        );
        const server = await checkAndStart(paths.driver, prepared, ports);
        const failures: string[] = [];
        try {
          const indices = onlyCase ? [Number(onlyCase[2])] : Array.from({ length: casesPerBatch }, (_, i) => i);
          const queue = [...indices];
          const worker = async () => {
            for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
              const c = fuzzCase(seed, b, fb, i);
              const included = fb.sites[c.site]!.policies.map((n) => fb.set.policies.find((p) => p.name === n)!);
              const site = fb.sites[c.site]!;
              const verdict = evaluateWireAt(fb.set.policies, included, TARGETS[target].reading, c.wire, site.layout === 'other' ? paths.otherLayoutLevel : 'server');
              const kind = verdict.kind === 'governed' ? verdict.expected.outcome : verdict.kind;
              byKind[kind] = (byKind[kind] ?? 0) + 1;
              const id = `${seed}-${b}-${i}`;
              const wire = { ...c.wire, headers: [[TEST_ID, id], [TEST_STATUS, String(c.appStatus)], ...c.wire.headers] as const };
              const res = await sendRaw(ports[c.site]!, wire);
              const problems = compareWire(verdict, res, upstream.seen.has(id), c.appStatus);
              total++;
              if (problems.length > 0 && failures.length < 10) {
                failures.push(
                  `seed ${seed} batch ${b} case ${i} [${site.policies.join('+')}${site.layout ? ', other layout' : ''}] ${show(c)}\n` +
                    `    evaluator: ${describeVerdict(verdict)}\n    ${problems.join('\n    ')}\n    reproduce: ${reproduce(b, i)}`,
                );
              }
            }
          };
          await Promise.all(Array.from({ length: 8 }, worker));
        } finally {
          await server.stop();
          await upstream.close();
          removeDir(prepared.dir);
        }
        expect(failures.length === 0 ? '' : `${failures.join('\n')}\n  policy file ${b} of seed ${seed}:\n${fb.yaml}`).toBe('');
      }, 180_000);
    }
  });
}
