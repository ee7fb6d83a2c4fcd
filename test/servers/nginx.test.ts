// The nginx target in the real nginx (1.22.1 in CI): the shared server suite (every fixture policy,
// each on its own server block of one nginx, compared with the reference evaluator), plus a
// 10,000-origin policy and the nginx inheritance facts the generated comments rely on.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicyText, generate } from '../../src/compile.js';
import type { PolicySet } from '../../src/model/types.js';
import { casesFor, runMatrix, send } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type CommandSpec, type RunningServer } from '../harness/process.js';
import { compileFixture, serverSuite, type ServerDriver, type Site } from '../harness/suite.js';
import { largeAllowListSuite, manyOrigin, MANY_ORIGINS } from '../harness/suite.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { LAYOUTS, type Layout, TEMP_PATHS, siteBlock, writeNginxConfig, nginxArgs, driver } from './nginx.driver.js';

serverSuite(driver);

/** Writes the generated files of `set` and an nginx.conf for `sites` below a new directory. */
function prepare(set: PolicySet, sites: { policy: string; port: number; layout: Layout }[], upstreamPort: number) {
  return prepareServerDir('nginx', set, 'nginx', (dir, corsDir) => writeNginxConfig({ dir, corsDir, sites, upstreamPort }));
}

describe('nginx: the fixture configuration passes nginx -t without any warning', () => {
  it('no [warn] (map hashes and the variables hash build optimally with nginx defaults)', async () => {
    const set = compileFixture();
    const ports = await freePorts(set.policies.length);
    const { dir, configPath } = prepare(
      set,
      set.policies.map((p, i) => ({ policy: p.name, port: ports[i]!, layout: LAYOUTS[i % LAYOUTS.length]! })),
      1,
    );
    try {
      const r = runCommand(driver.syntaxCheck({ dir, configPath }));
      expect(r.status, r.output).toBe(0);
      expect(r.output).not.toMatch(/\[(warn|emerg|alert|crit|error)\]/);
      // Small policies leave nginx's map hash settings alone (they may appear only once in http {}).
      expect(readFileSync(join(dir, 'cors', 'http.conf'), 'utf8')).not.toMatch(/^map_hash_/m);
    } finally {
      removeDir(dir);
    }
  });
});

largeAllowListSuite(driver, (ctx) => {
  it('looks exact origins up by hash, not regex, and raises map_hash_* just enough for nginx -t to pass without a warning', () => {
    const http = ctx().files['http.conf']!;
    expect(http).toContain(`"${manyOrigin(MANY_ORIGINS)}"`);
    expect(http).not.toContain('"~^https://tenant-');
    expect(http).toMatch(/^map_hash_(bucket|max)_size [0-9]+;$/m);
    expect(ctx().syntax.output).not.toMatch(/\[(warn|emerg|alert|crit|error)\]/);
  });

  it('the map_hash_* lines are needed: without them nginx warns that it could not build an optimal map hash', () => {
    const httpPath = join(ctx().corsDir, 'http.conf');
    const original = readFileSync(httpPath, 'utf8');
    try {
      writeFileSync(httpPath, original.replace(/^map_hash_.*$/gm, ''));
      const r = runCommand(driver.syntaxCheck({ dir: ctx().dir, configPath: ctx().configPath }));
      expect(r.output).toMatch(/could not build (optimal )?map_hash/);
    } finally {
      writeFileSync(httpPath, original);
    }
  });
});

describe('nginx: the inheritance rules the generated comment warns about are real', () => {
  // These sites are configured against the advice in <name>.conf; they show what the advice
  // prevents, so the comment stays true for the nginx the project supports.
  let dir = '';
  let upstream: Upstream | undefined;
  let server: RunningServer | undefined;
  let ports: number[] = [];

  beforeAll(async () => {
    const set = compileFixture();
    ports = await freePorts(3);
    upstream = await startUpstream();
    let configPath: string;
    ({ dir, configPath } = prepare(
      set,
      [
        { policy: 'exact', port: ports[0]!, layout: 'pitfall-nested-without-include' },
        { policy: 'exact', port: ports[1]!, layout: 'pitfall-own-header-without-include' },
        { policy: 'exact', port: ports[2]!, layout: { pitfall: 'second-policy-in-location', locationPolicy: 'wildcard' } },
      ],
      upstream.port,
    ));
    server = await checkAndStart(driver, { dir, configPath }, ports);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
  });

  const preflight = {
    name: 'preflight',
    method: 'OPTIONS',
    path: '/status/200',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' },
  };

  it('included in a location only, the preflight answer does not reach a nested location', async () => {
    const res = await send(ports[0]!, preflight, 'pitfall-nested');
    expect(upstream!.seen.has('pitfall-nested')).toBe(true);
    expect(res.status).toBe(200);
  });

  it('a server-level include answers preflights before a location with another policy is chosen', async () => {
    // https://a.example.com: refused by "exact" (server level), allowed by "wildcard" (location).
    const res = await send(ports[2]!, { ...preflight, headers: { ...preflight.headers, origin: 'https://a.example.com' } }, 'pitfall-levels');
    expect(res.status).toBe(403);
    expect(upstream!.seen.has('pitfall-levels')).toBe(false);
  });

  it('a location with its own add_header loses the CORS headers included at server level', async () => {
    const res = await send(ports[1]!, { ...preflight, method: 'GET', headers: { origin: 'https://app.example.com' } }, 'pitfall-own');
    const names = res.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase());
    expect(names).toContain('x-site-header');
    expect(names).not.toContain('access-control-allow-origin');
  });
});
