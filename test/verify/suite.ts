// The verify suite every target runs against its real server: one site per policy of every example
// (included as the README shows: `cors-gen verify` exits 0), one site per deployment mistake (the
// mistake confined to /broken/: exit 1, naming that path and the cause), and a port nothing
// listens on (exit 3). Each target's file gives the server configuration and its mistakes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDriver } from '../harness/suite.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart } from '../harness/serve.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { runVerifyCli, type CliResult } from './cli.js';
import { examplePolicies, exampleFile, MISTAKE_EXAMPLE, writeGenerated, type MistakeSite, type Site } from './deployments.js';
import { expectConforms } from './expectations.js';

export interface VerifyDeployments<M extends string> {
  driver: ServerDriver;
  /** How people write the server's name, for the test titles. */
  title: string;
  mistakes: readonly M[];
  /**
   * Writes below `dir` a whole server configuration with every site (each listening on
   * 127.0.0.1:<port>, proxying to 127.0.0.1:<upstreamPort>); `corsDirs` holds each example's
   * generated files. Returns the configuration's path.
   */
  writeConfig(o: { dir: string; sites: readonly Site<M>[]; corsDirs: Readonly<Record<string, string>>; upstreamPort: number }): string;
}

export interface VerifyStage<M extends string> {
  siteOf(mistake: M): MistakeSite<M>;
  /** `cors-gen verify` on the mistake example against the mistake's site, at `paths`. */
  mistakeRun(mistake: M, paths?: readonly string[]): Promise<CliResult>;
}

export function verifySuite<M extends string>(d: VerifyDeployments<M>, mistakeCases: (stage: VerifyStage<M>) => void): void {
  describe(`verify against ${d.title}`, () => {
    let dir = '';
    let upstream: Upstream | undefined;
    let server: RunningServer | undefined;
    const sites: Site<M>[] = [];
    let unusedPort = 0;

    beforeAll(async () => {
      upstream = await startUpstream();
      const correct = examplePolicies();
      const ports = await freePorts(correct.length + d.mistakes.length + 1);
      correct.forEach((c, i) => sites.push({ kind: 'correct', ...c, port: ports[i]! }));
      d.mistakes.forEach((m, i) => sites.push({ kind: 'mistake', mistake: m, port: ports[correct.length + i]! }));
      unusedPort = ports.at(-1)!;
      dir = makeTempDir(`${d.driver.target}-verify`);
      const corsDirs = writeGenerated(dir, d.driver.target);
      const configPath = d.writeConfig({ dir, sites, corsDirs, upstreamPort: upstream.port });
      handOver(dir);
      server = await checkAndStart(d.driver, { dir, configPath }, ports.slice(0, -1));
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await upstream?.close();
      if (dir) removeDir(dir);
    });

    for (const { example, policy } of examplePolicies()) {
      it(`examples/${example}.yaml, policy ${policy}, included as the README shows: exit 0`, async () => {
        const site = sites.find((s) => s.kind === 'correct' && s.example === example && s.policy === policy)!;
        await expectConforms(await runVerifyCli([exampleFile(example), '--policy', policy, '--url', `http://127.0.0.1:${site.port}`]));
      });
    }

    const siteOf = (m: M) => sites.find((s): s is MistakeSite<M> => s.kind === 'mistake' && s.mistake === m)!;
    mistakeCases({
      siteOf,
      mistakeRun: (m, paths = ['/', '/broken/']) =>
        runVerifyCli([exampleFile(MISTAKE_EXAMPLE), '--url', `http://127.0.0.1:${siteOf(m).port}`, ...paths.flatMap((p) => ['--path', p])]),
    });

    it('a port nothing listens on: exit 3', async () => {
      const r = await runVerifyCli([exampleFile(MISTAKE_EXAMPLE), '--url', `http://127.0.0.1:${unusedPort}`]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/could not be reached: connection refused; nothing judged/);
    });
  });
}
