// How the path tests include every policy of one file together at one level of one server block,
// virtual host or site (docs/contract.md §4), for each target: shared by the real-server suite
// (paths.<target>.test.ts) and the browser case (test/browser/paths.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PathTarget } from '../../src/model/paths.js';
import { driver as nginxDriver, TEMP_PATHS } from './nginx.driver.js';
import { apacheServerLines, driver as apacheDriver, ERROR_403_BODY } from './apache.driver.js';
import { driver as caddyDriver, env } from './caddy.driver.js';
import type { PathsDriver, PathsSite } from './paths.suite.js';

function writeNginx(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
  const temp = join(o.dir, 'temp');
  for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
  const includes = (s: PathsSite, indent: string) => s.policies.map((p) => `${indent}include ${join(o.corsDir, `${p}.conf`)};`);
  // Every policy at server level, or (the other layout) all of them inside the one location.
  const servers = o.sites.flatMap((s) => [
    '    server {',
    `        listen 127.0.0.1:${s.port};`,
    ...(s.layout === 'other' ? [] : includes(s, '        ')),
    '        location / {',
    ...(s.layout === 'other' ? includes(s, '            ') : []),
    `            proxy_pass http://127.0.0.1:${o.upstreamPort};`,
    '        }',
    '    }',
  ]);
  const conf = [
    `pid ${join(o.dir, 'nginx.pid')};`,
    'error_log stderr;',
    'worker_processes 1;',
    'events {',
    '    worker_connections 512;',
    '}',
    'http {',
    '    access_log off;',
    ...TEMP_PATHS.map((t) => `    ${t}_temp_path ${join(temp, t)};`),
    `    include ${join(o.corsDir, 'http.conf')};`,
    ...servers,
    '}',
    '',
  ].join('\n');
  const path = join(o.dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

/**
 * The first virtual host also has an ErrorDocument for 403: refused preflights go through an
 * internal redirect.
 */
function writeApache(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
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
    // The other layout has rewrite rules and request header edits of its own below the includes.
    ...(s.layout === 'other' ? ['    RewriteRule "^/old/(.*)$" "/api/$1" [PT]', '    RequestHeader unset Origin'] : []),
    `    ProxyPass "/" "http://127.0.0.1:${o.upstreamPort}/" disablereuse=On`,
    '</VirtualHost>',
  ]);
  const conf = [
    ...apacheServerLines(root, o.sites.map((s) => s.port)),
    ...vhosts,
    '',
  ].join('\n');
  const path = join(root, 'httpd.conf');
  writeFileSync(path, conf);
  return path;
}

/** The first site routes /api/* through a handle block of its own and the rest through another. */
function writeCaddy(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
  for (const d of Object.values(env(o.dir))) mkdirSync(d, { recursive: true });
  const proxy = (indent: string) =>
    `${indent}reverse_proxy 127.0.0.1:${o.upstreamPort} {\n${indent}\timport cors-${o.sites[0]!.policies[0]}-upstream\n${indent}}\n`;
  const sites = o.sites
    .map((s, i) => {
      const imports = s.policies.map((p) => `\timport cors-${p}\n`).join('');
      // The first site routes /api/* through a handle block of its own, the rest through another.
      // The other layout proxies through a route block and answers anything else itself.
      const body =
        i === 0
          ? `\thandle /api/* {\n${proxy('\t\t')}\t}\n\thandle {\n${proxy('\t\t')}\t}\n`
          : s.layout === 'other'
            ? `\troute {\n${proxy('\t\t')}\t}\n\trespond "not here" 418\n`
            : proxy('\t');
      return `http://127.0.0.1:${s.port} {\n${imports}${body}}\n`;
    })
    .join('\n');
  const text =
    `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(o.dir, 'data')}\n}\n\n` +
    `import ${join(o.corsDir, 'cors.caddy')}\n\n${sites}`;
  const path = join(o.dir, 'Caddyfile');
  writeFileSync(path, text);
  return path;
}

export const PATHS_DRIVERS: Record<PathTarget, PathsDriver> = {
  nginx: { driver: nginxDriver, writeConfig: writeNginx },
  apache: { driver: apacheDriver, writeConfig: writeApache },
  caddy: { driver: caddyDriver, writeConfig: writeCaddy },
};
