// `cors-gen verify` (the CLI) against the real nginx: correct deployments of every example conform
// (exit 0); each deployment mistake is found, on the route that has it, with its cause (exit 1);
// a port nothing listens on is exit 3.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart } from '../harness/serve.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { driver, TEMP_PATHS } from '../servers/nginx.driver.js';
import { runVerifyCli } from './cli.js';
import { examplePolicies, exampleFile, MISTAKE_EXAMPLE, MISTAKE_POLICY, writeGenerated, type Site } from './deployments.js';
import { expectConforms, expectMistake } from './expectations.js';

type Mistake = 'own-add-header' | 'own-proxy-hide-header' | 'not-included' | 'auth-basic';
const MISTAKES: Mistake[] = ['own-add-header', 'own-proxy-hide-header', 'not-included', 'auth-basic'];

function serverBlock(site: Site<Mistake>, corsDirs: Record<string, string>, upstreamPort: number, dir: string): string {
  const proxy = `proxy_pass http://127.0.0.1:${upstreamPort};`;
  const listen = `listen 127.0.0.1:${site.port};`;
  if (site.kind === 'correct') {
    return `server {\n    ${listen}\n    include ${join(corsDirs[site.example]!, `${site.policy}.conf`)};\n    location / {\n        ${proxy}\n    }\n}`;
  }
  const include = `include ${join(corsDirs[MISTAKE_EXAMPLE]!, `${MISTAKE_POLICY}.conf`)};`;
  switch (site.mistake) {
    case 'own-add-header':
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${proxy}\n    }\n    location /broken/ {\n        add_header X-Frame-Options DENY always;\n        ${proxy}\n    }\n}`;
    case 'own-proxy-hide-header':
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${proxy}\n    }\n    location /broken/ {\n        proxy_hide_header X-Powered-By;\n        ${proxy}\n    }\n}`;
    case 'not-included':
      return `server {\n    ${listen}\n    location / {\n        ${include}\n        ${proxy}\n    }\n    location /broken/ {\n        ${proxy}\n    }\n}`;
    case 'auth-basic':
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${proxy}\n    }\n    location /broken/ {\n        auth_basic "staff only";\n        auth_basic_user_file ${join(dir, 'htpasswd')};\n        ${proxy}\n    }\n}`;
  }
}

describe('verify against nginx', () => {
  let dir = '';
  let upstream: Upstream | undefined;
  let server: RunningServer | undefined;
  const sites: Site<Mistake>[] = [];
  let unusedPort = 0;

  beforeAll(async () => {
    upstream = await startUpstream();
    const correct = examplePolicies();
    const ports = await freePorts(correct.length + MISTAKES.length + 1);
    correct.forEach((c, i) => sites.push({ kind: 'correct', ...c, port: ports[i]! }));
    MISTAKES.forEach((m, i) => sites.push({ kind: 'mistake', mistake: m, port: ports[correct.length + i]! }));
    unusedPort = ports.at(-1)!;
    dir = makeTempDir('nginx-verify');
    const corsDirs = writeGenerated(dir, 'nginx');
    const temp = join(dir, 'temp');
    for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
    writeFileSync(join(dir, 'htpasswd'), 'staff:{PLAIN}secret\n');
    const conf = [
      `pid ${join(dir, 'nginx.pid')};`,
      'error_log stderr;',
      'worker_processes 1;',
      'events {\n    worker_connections 512;\n}',
      'http {',
      '    access_log off;',
      ...TEMP_PATHS.map((t) => `    ${t}_temp_path ${join(temp, t)};`),
      ...Object.values(corsDirs).map((d) => `    include ${join(d, 'http.conf')};`),
      ...sites.map((s) => serverBlock(s, corsDirs, upstream!.port, dir).replace(/^/gm, '    ')),
      '}',
      '',
    ].join('\n');
    const configPath = join(dir, 'nginx.conf');
    writeFileSync(configPath, conf);
    handOver(dir);
    server = await checkAndStart(driver, { dir, configPath }, ports.slice(0, -1));
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

  const mistakeRun = (m: Mistake) => {
    const site = sites.find((s) => s.kind === 'mistake' && s.mistake === m)!;
    return runVerifyCli([exampleFile(MISTAKE_EXAMPLE), '--url', `http://127.0.0.1:${site.port}`, '--path', '/', '--path', '/broken/']);
  };

  it('a location with an add_header of its own (no include): exit 1, /broken/ named, headers dropped', async () => {
    expectMistake(await mistakeRun('own-add-header'), { method: 'GET', cause: 'a location or block with headers of its own drops the included ones', detail: 'no Access-Control-Allow-Origin, expected "https://app\\.example\\.com"' });
  });

  it('a location with a proxy_hide_header of its own: exit 1, /broken/ named, the application’s copy kept', async () => {
    expectMistake(await mistakeRun('own-proxy-hide-header'), { method: 'GET', cause: "the application's Access-Control-\\* headers are not removed", detail: 'Access-Control-Allow-Origin 2 times' });
  });

  it('a location the file is not included in: exit 1, /broken/ named, the preflight reached the application', async () => {
    expectMistake(await mistakeRun('not-included'), { method: 'OPTIONS', cause: 'the preflight reached the application', detail: 'status 200, expected 204' });
  });

  it('auth_basic in a location does not bite: the server-level include answers preflights first (exit 0)', async () => {
    const site = sites.find((s) => s.kind === 'mistake' && s.mistake === 'auth-basic')!;
    // Authentication is on for the route: a GET without credentials is refused.
    expect((await send(site.port, { name: 'auth', method: 'GET', path: '/broken/', headers: {} }, 'auth')).status).toBe(401);
    await expectConforms(await mistakeRun('auth-basic'));
  });

  it('a port nothing listens on: exit 3', async () => {
    const r = await runVerifyCli([exampleFile(MISTAKE_EXAMPLE), '--url', `http://127.0.0.1:${unusedPort}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/could not be reached: connection refused; nothing judged/);
  });
});
