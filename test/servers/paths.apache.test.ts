// Path-scoped policies in the real Apache httpd: every policy of one file included together first
// in one <VirtualHost> (contract §4), on the path mod_rewrite sees. The first virtual host also has
// an ErrorDocument for 403, so refused preflights go through an internal redirect.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driver, ERROR_403_BODY, MODULE_DIR, MODULES } from './apache.driver.js';
import { pathsSuite, type PathsSite } from './paths.suite.js';

function writeConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
  const root = join(o.dir, 'apache');
  for (const sub of ['run', 'logs', 'htdocs/errors']) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, 'htdocs/errors/403.txt'), ERROR_403_BODY);
  const vhosts = o.sites.flatMap((s, i) => [
    `<VirtualHost 127.0.0.1:${s.port}>`,
    '    ServerName 127.0.0.1',
    ...s.policies.map((p) => `    Include "${join(o.corsDir, `${p}.conf`)}"`),
    ...(i === 0
      ? [`    DocumentRoot "${root}/htdocs"`, `    <Directory "${root}/htdocs">`, '        Require all granted', '    </Directory>', '    ErrorDocument 403 /errors/403.txt', '    ProxyPass "/errors/" "!"']
      : []),
    `    ProxyPass "/" "http://127.0.0.1:${o.upstreamPort}/" disablereuse=On`,
    '</VirtualHost>',
  ]);
  const conf = [
    `ServerRoot "${root}"`,
    `PidFile "${root}/run/httpd.pid"`,
    `DefaultRuntimeDir "${root}/run"`,
    `ErrorLog "${root}/logs/error.log"`,
    'LogLevel warn',
    'ServerName 127.0.0.1',
    ...MODULES.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
    'TypesConfig /etc/mime.types',
    'ServerLimit 1',
    'StartServers 1',
    'ThreadLimit 64',
    'ThreadsPerChild 64',
    'MaxRequestWorkers 64',
    'MinSpareThreads 1',
    'MaxSpareThreads 64',
    'Timeout 30',
    ...o.sites.map((s) => `Listen 127.0.0.1:${s.port}`),
    ...vhosts,
    '',
  ].join('\n');
  const path = join(root, 'httpd.conf');
  writeFileSync(path, conf);
  return path;
}

pathsSuite('apache', { driver, writeConfig });
