// `cors-gen verify` (the CLI) against the real Apache httpd (test/verify/suite.ts): correct deployments
// of every example conform; each deployment mistake is found on the route that has it, with its cause.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { send } from '../harness/matrix.js';
import { driver, MODULES, MODULE_DIR } from '../servers/apache.driver.js';
import { MISTAKE_EXAMPLE, MISTAKE_POLICY, type Site } from './deployments.js';
import { expectConforms, expectMistake } from './expectations.js';
import { verifySuite } from './suite.js';

type Mistake = 'not-included' | 'leftover-cors-header' | 'redirect-before-include' | 'auth-basic-location';
const AUTH_MODULES = ['auth_basic', 'authn_core', 'authn_file', 'authz_user'];

function vhost(site: Site<Mistake>, corsDirs: Readonly<Record<string, string>>, upstreamPort: number, root: string): string {
  const include =
    site.kind === 'correct' ? `Include ${join(corsDirs[site.example]!, `${site.policy}.conf`)}` : `Include ${join(corsDirs[MISTAKE_EXAMPLE]!, `${MISTAKE_POLICY}.conf`)}`;
  const proxy = `ProxyPass / http://127.0.0.1:${upstreamPort}/ disablereuse=On`;
  const body: string[] = [];
  if (site.kind === 'correct') body.push(include);
  else {
    switch (site.mistake) {
      case 'not-included':
        break;
      case 'leftover-cors-header':
        // A hand-written CORS line left in a <Location> from before cors-gen.
        body.push(include, '<Location "/broken/">', '    Header always set Access-Control-Allow-Origin "*"', '</Location>');
        break;
      case 'redirect-before-include':
        // The site's own redirect placed before the include (the README says: include first).
        body.push('RewriteEngine On', 'RewriteRule "^/broken/$" "/broken/index" [R=301,L]', include);
        break;
      case 'auth-basic-location':
        body.push(
          include,
          '<Location "/broken/">',
          '    AuthType Basic',
          '    AuthName "staff only"',
          `    AuthUserFile "${join(root, 'htpasswd')}"`,
          '    Require valid-user',
          '</Location>',
        );
        break;
    }
  }
  return [`<VirtualHost 127.0.0.1:${site.port}>`, '    ServerName 127.0.0.1', ...[...body, proxy].map((l) => `    ${l}`), '</VirtualHost>'].join('\n');
}

verifySuite<Mistake>(
  {
    driver,
    title: 'Apache httpd',
    mistakes: ['not-included', 'leftover-cors-header', 'redirect-before-include', 'auth-basic-location'],
    writeConfig({ dir, sites, corsDirs, upstreamPort }) {
      const root = join(dir, 'apache');
      for (const sub of ['run', 'logs']) mkdirSync(join(root, sub), { recursive: true });
      writeFileSync(join(root, 'htpasswd'), 'staff:$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/\n');
      const conf = [
        `ServerRoot "${root}"`,
        `PidFile "${root}/run/httpd.pid"`,
        `DefaultRuntimeDir "${root}/run"`,
        `ErrorLog "${root}/logs/error.log"`,
        'LogLevel warn',
        'ServerName 127.0.0.1',
        ...[...MODULES, ...AUTH_MODULES].map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
        'TypesConfig /etc/mime.types',
        'ServerLimit 1',
        'StartServers 1',
        'ThreadLimit 64',
        'ThreadsPerChild 64',
        'MaxRequestWorkers 64',
        ...sites.map((s) => `Listen 127.0.0.1:${s.port}`),
        ...sites.map((s) => vhost(s, corsDirs, upstreamPort, root)),
        '',
      ].join('\n');
      const configPath = join(root, 'httpd.conf');
      writeFileSync(configPath, conf);
      return configPath;
    },
  },
  ({ siteOf, mistakeRun }) => {
    it('a VirtualHost without the include: exit 1, the preflight reached the application', async () => {
      expectMistake(await mistakeRun('not-included', ['/broken/']), { method: 'OPTIONS', cause: 'the preflight reached the application', detail: 'status 200, expected 204' });
    });

    it('a CORS line of its own left in a <Location>: exit 1, /broken/ named, another configuration answers', async () => {
      expectMistake(await mistakeRun('leftover-cors-header'), { method: 'GET', cause: 'the server answers from another policy or another CORS configuration', detail: 'Access-Control-Allow-Origin "\\*", expected "https://app\\.example\\.com"' });
    });

    it('a redirect before the include: exit 1, /broken/ named, the preflight redirected', async () => {
      expectMistake(await mistakeRun('redirect-before-include'), { method: 'OPTIONS', cause: 'the server redirects before the preflight answer', detail: 'status 301, expected 204' });
    });

    it('AuthType Basic + Require valid-user on a <Location> does not bite: the include answers preflights first (exit 0)', async () => {
      expect((await send(siteOf('auth-basic-location').port, { name: 'auth', method: 'GET', path: '/broken/', headers: {} }, 'auth')).status).toBe(401);
      await expectConforms(await mistakeRun('auth-basic-location'));
    });
  },
);
