// `cors-gen verify` (the CLI) against the real nginx (test/verify/suite.ts): correct deployments of
// every example conform; each deployment mistake is found on the route that has it, with its cause.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { send } from '../harness/matrix.js';
import { driver, TEMP_PATHS } from '../servers/nginx.driver.js';
import { MISTAKE_EXAMPLE, MISTAKE_POLICY, type Site } from './deployments.js';
import { expectConforms, expectMistake } from './expectations.js';
import { verifySuite } from './suite.js';

type Mistake = 'own-add-header' | 'own-proxy-hide-header' | 'not-included' | 'auth-basic';

function serverBlock(site: Site<Mistake>, corsDirs: Readonly<Record<string, string>>, upstreamPort: number, dir: string): string {
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

verifySuite<Mistake>(
  {
    driver,
    title: 'nginx',
    mistakes: ['own-add-header', 'own-proxy-hide-header', 'not-included', 'auth-basic'],
    writeConfig({ dir, sites, corsDirs, upstreamPort }) {
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
        ...sites.map((s) => serverBlock(s, corsDirs, upstreamPort, dir).replace(/^/gm, '    ')),
        '}',
        '',
      ].join('\n');
      const configPath = join(dir, 'nginx.conf');
      writeFileSync(configPath, conf);
      return configPath;
    },
  },
  ({ siteOf, mistakeRun }) => {
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
      // Authentication is on for the route: a GET without credentials is refused.
      expect((await send(siteOf('auth-basic').port, { name: 'auth', method: 'GET', path: '/broken/', headers: {} }, 'auth')).status).toBe(401);
      await expectConforms(await mistakeRun('auth-basic'));
    });
  },
);
