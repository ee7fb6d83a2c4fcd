// The real-server suite every target runs: generate the fixture policies, include them in the real
// server exactly as docs/contract.md §4 says (each policy on its own server block / vhost / site, all in one
// server process), pass the server's own syntax check, start it on 127.0.0.1 in front of the test
// upstream, send the request matrix and compare every answer with the reference evaluator.
import { writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/compile.js';
import { compilePolicy } from './policy.js';
import { matchOrigin } from '../../src/model/evaluate.js';
import type { PolicySet } from '../../src/model/types.js';
import type { TargetName } from '../../src/targets/types.js';
import { SAMPLES, SERVER_POLICY_FILE } from '../fixtures/server-policies.js';
import { casesFor, runMatrix } from './matrix.js';
import { freePorts } from './ports.js';
import { removeDir, runCommand, startServer, type CommandSpec, type RunningServer } from './process.js';
import { checkAndStart, prepareServerDir, type ServerDir } from './serve.js';
import { startUpstream, type Upstream } from './upstream.js';

export interface Site {
  policy: string;
  port: number;
}

export interface ServerDriver {
  target: TargetName;
  /**
   * Writes a complete server configuration below `dir` that includes the generated files in
   * `corsDir` exactly as docs/contract.md §4 tells users to, one site per policy listening on
   * 127.0.0.1:<port> and proxying everything to 127.0.0.1:<upstreamPort>. Returns the config path.
   */
  writeConfig(o: { dir: string; corsDir: string; sites: Site[]; upstreamPort: number }): string;
  /** The server's own configuration check (must exit 0 for a valid config). */
  syntaxCheck(o: { dir: string; configPath: string }): CommandSpec;
  /** The server in the foreground. */
  run(o: { dir: string; configPath: string }): CommandSpec;
}

export { compilePolicy };

export function compileFixture(): PolicySet {
  return compilePolicy(SERVER_POLICY_FILE, 'server-policies.yaml');
}

export function serverSuite(driver: ServerDriver): void {
  describe(`${driver.target}: generated configs in the real server`, () => {
    const set = compileFixture();
    let dir = '';
    let upstream: Upstream | undefined;
    let server: RunningServer | undefined;
    let sites: Site[] = [];
    let configPath = '';
    let checked = 0;

    beforeAll(async () => {
      upstream = await startUpstream();
      const ports = await freePorts(set.policies.length);
      sites = set.policies.map((p, i) => ({ policy: p.name, port: ports[i]! }));
      ({ dir, configPath } = prepareServerDir(driver.target, set, driver.target, (d, corsDir) =>
        driver.writeConfig({ dir: d, corsDir, sites, upstreamPort: upstream!.port }),
      ));
      server = await checkAndStart(driver, { dir, configPath }, ports);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await upstream?.close();
      if (dir) removeDir(dir);
      // The closing note quotes this line.
      console.log(`${driver.target}: ${checked} request cases checked against the reference evaluator over ${set.policies.length} policies`);
    });

    for (const policy of set.policies) {
      it(`policy ${policy.name}: every response matches the reference evaluator`, async () => {
        const samples = SAMPLES[policy.name];
        expect(samples, `samples for ${policy.name}`).toBeDefined();
        // The samples are facts about the policy, independent of any server.
        for (const o of samples!.allowed) expect(matchOrigin(policy, o).allowed, `${policy.name} accepts ${o}`).toBe(true);
        for (const o of samples!.refused) expect(matchOrigin(policy, o).allowed, `${policy.name} refuses ${o}`).toBe(false);
        const site = sites.find((s) => s.policy === policy.name)!;
        const result = await runMatrix(policy, site.port, upstream!, casesFor(samples!));
        checked += result.cases;
        expect(result.mismatches.slice(0, 20).join('\n')).toBe('');
        expect(result.cases).toBeGreaterThan(10);
      }, 60_000);
    }

    it('the syntax check rejects a broken include (so passing it means something)', () => {
      const victim = join(dir, 'cors', generate(set, driver.target)[0]!.path);
      const original = readFileSync(victim, 'utf8');
      appendFileSync(victim, '\n}}} this is not configuration {{{\n');
      try {
        expect(runCommand(driver.syntaxCheck({ dir, configPath })).status).not.toBe(0);
      } finally {
        writeFileSync(victim, original);
      }
    });
  });
}

export const MANY_ORIGINS = 10_000;
/** The i-th origin (1-based) of the large allow-list; every tenth names a port. */
export const manyOrigin = (i: number): string =>
  i % 10 === 0 ? `https://tenant-${i}.customers.example.com:${8000 + (i % 1000)}` : `https://tenant-${i}.customers.example.com`;

export interface LargeListContext extends ServerDir {
  syntax: { status: number | null; output: string };
}

/**
 * Contract §2: generated configs stay fast as the allow-list grows. A policy of 10,000 exact
 * origins must pass the server's syntax check and answer its last, first and middle origins as the
 * evaluator says. `inspect` adds the target's own assertions (e.g. that exact origins are not
 * regexes) with access to the generated files and the syntax check's output.
 */
export function largeAllowListSuite(driver: ServerDriver, inspect?: (ctx: () => LargeListContext) => void): void {
  describe(`${driver.target}: a policy with ${MANY_ORIGINS.toLocaleString('en')} exact origins`, () => {
    const origins = Array.from({ length: MANY_ORIGINS }, (_, i) => `      - ${manyOrigin(i + 1)}`).join('\n');
    const yaml = `version: 1\npolicies:\n  tenants:\n    origins:\n${origins}\n    methods: [GET, PUT]\n    exposeHeaders: [X-Request-Id]\n    credentials: true\n`;
    let set: PolicySet;
    let ctx: LargeListContext | undefined;
    let upstream: Upstream | undefined;
    let server: RunningServer | undefined;
    let port = 0;

    beforeAll(async () => {
      set = compilePolicy(yaml, 'tenants.yaml');
      upstream = await startUpstream();
      port = (await freePorts(1))[0]!;
      const prepared = prepareServerDir(driver.target, set, `${driver.target}-many`, (dir, corsDir) =>
        driver.writeConfig({ dir, corsDir, sites: [{ policy: 'tenants', port }], upstreamPort: upstream!.port }),
      );
      ctx = { ...prepared, syntax: runCommand(driver.syntaxCheck(prepared)) };
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await upstream?.close();
      if (ctx) removeDir(ctx.dir);
    });

    it('passes the server’s syntax check', () => {
      expect(ctx!.syntax.status, ctx!.syntax.output).toBe(0);
    });

    it('answers the last origin (and the first and a middle one) as the reference evaluator says', async () => {
      server = await startServer(driver.run({ dir: ctx!.dir, configPath: ctx!.configPath }), [port], 60_000);
      const samples = {
        allowed: [manyOrigin(MANY_ORIGINS), manyOrigin(1), manyOrigin(MANY_ORIGINS / 2)],
        refused: [`https://tenant-${MANY_ORIGINS + 1}.customers.example.com`, 'https://customers.example.com'],
      };
      for (const o of samples.allowed) expect(matchOrigin(set.policies[0]!, o).allowed, o).toBe(true);
      const result = await runMatrix(set.policies[0]!, port, upstream!, casesFor(samples));
      console.log(`${driver.target}: ${result.cases} request cases checked against the reference evaluator for the 10,000-origin policy`);
      expect(result.mismatches.slice(0, 20).join('\n')).toBe('');
      expect(result.cases).toBeGreaterThan(10);
    }, 60_000);

    inspect?.(() => ctx!);
  });
}
