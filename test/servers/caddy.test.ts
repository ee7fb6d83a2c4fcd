// Caddy 2.6.2 runs the generated cors.caddy exactly as contract §4 says: imported once at the top
// level, `import cors-<name>` first in each site, `import cors-<name>-upstream` in each reverse_proxy.
// Some sites wrap the proxy in `handle` or `route` blocks, to prove preflights are still answered by
// Caddy. Every answer is compared with the reference evaluator by the shared suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicyText, generate } from '../../src/compile.js';
import { evaluate } from '../../src/model/evaluate.js';
import type { PolicySet } from '../../src/model/types.js';
import { compare, send, type RequestCase } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type CommandSpec, type RunningServer } from '../harness/process.js';
import { compileFixture, serverSuite, type ServerDriver, type Site } from '../harness/suite.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { env, siteBody, writeCaddyfile, driver } from './caddy.driver.js';

serverSuite(driver);

describe('caddy: a policy with 10,000 exact origins', () => {
  const COUNT = 10_000;
  const origins = Array.from({ length: COUNT }, (_, i) => `https://app-${i}.customer-${i % 97}.example.com`);
  const last = origins[COUNT - 1]!;
  let set: PolicySet;
  let dir = '';
  let upstream: Upstream | undefined;
  let server: RunningServer | undefined;
  let port = 0;
  let syntax: { status: number | null; output: string } = { status: null, output: '' };
  let cors = '';

  beforeAll(async () => {
    const yaml = `version: 1\npolicies:\n  many:\n    origins:\n${origins.map((o) => `      - ${o}\n`).join('')}    credentials: true\n    methods: [GET, PUT]\n`;
    const checked = checkPolicyText(yaml, 'many.yaml');
    if (!checked.set) throw new Error(`policy refused: ${checked.diagnostics.map((d) => d.message).join('; ')}`);
    set = checked.set;
    dir = makeTempDir('caddy-many');
    const corsDir = join(dir, 'cors');
    mkdirSync(corsDir);
    const [file] = generate(set, 'caddy');
    cors = file!.contents;
    writeFileSync(join(corsDir, file!.path), cors);
    port = (await freePorts(1))[0]!;
    upstream = await startUpstream();
    const configPath = writeCaddyfile({ dir, corsDir, sites: [{ policy: 'many', port }], upstreamPort: upstream.port });
    handOver(dir);
    syntax = runCommand(driver.syntaxCheck({ dir, configPath }));
    if (syntax.status === 0) server = await startServer(driver.run({ dir, configPath }), [port]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
  });

  it('looks every exact origin up in one map (no regex per origin)', () => {
    expect(cors.match(/^\t\thttps:\/\/app-[0-9]+\.customer-[0-9]+\.example\.com yes$/gm)).toHaveLength(COUNT);
    expect(cors).not.toContain('"~');
  });

  it('passes caddy validate', () => {
    expect(syntax.output).toContain('Valid configuration');
    expect(syntax.status).toBe(0);
  });

  it('answers the last origin, a neighbour of it and a stranger as the evaluator says', async () => {
    const policy = set.policies[0]!;
    const cases: RequestCase[] = [];
    for (const origin of [last, origins[0]!, 'https://app-9999.customer-9.example.com', 'https://evil.test']) {
      cases.push(
        { name: 'preflight', method: 'OPTIONS', path: '/status/200', headers: { origin, 'access-control-request-method': 'PUT' } },
        { name: 'actual', method: 'GET', path: '/status/200', headers: { origin } },
        { name: 'actual 500', method: 'GET', path: '/status/500', headers: { origin } },
      );
    }
    const problems: string[] = [];
    for (const [i, c] of cases.entries()) {
      const id = `many-${i}-${Date.now()}`;
      const res = await send(port, c, id);
      const appStatus = Number(/^\/status\/([0-9]{3})/.exec(c.path)![1]);
      const expected = evaluate(policy, { method: c.method, headers: c.headers });
      for (const p of compare(expected, res, upstream!.seen.has(id), appStatus)) problems.push(`${c.name} ${c.headers.origin}: ${p}`);
    }
    expect(problems.join('\n')).toBe('');
    // The last origin really is allowed (so the comparison above is not vacuous).
    expect(evaluate(policy, { method: 'GET', headers: { origin: last } }).outcome).toBe('actual-allowed');
  });
});

describe('caddy: the generated file is what caddy fmt would write', () => {
  it('caddy fmt leaves cors.caddy unchanged', () => {
    const set = compileFixture();
    const dir = makeTempDir('caddy-fmt');
    try {
      const [file] = generate(set, 'caddy');
      const path = join(dir, 'cors.caddy');
      writeFileSync(path, file!.contents);
      handOver(dir);
      const spec: CommandSpec = { cmd: 'caddy', args: ['fmt', path], env: env(dir), cwd: dir };
      const r = runCommand(spec);
      expect(r.status).toBe(0);
      expect(r.output).toBe(file!.contents);
    } finally {
      removeDir(dir);
    }
  });
});
