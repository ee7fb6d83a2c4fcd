// Proxy mode (docs/contract.md §6) in each real server for the browser case (proxy.ts): one site on
// 127.0.0.1 that includes every policy of the file at one level, as the README's proxy-mode
// snippets do, with no forwarding of its own. The site sits behind the suite's TLS-terminating
// forwarder (forwarder.ts), as a site behind a TLS terminator does; Apache is told so with
// `ServerName https://…` (its absolute redirects take their scheme from it,
// https://httpd.apache.org/docs/2.4/mod/core.html#servername).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetName as PathTarget } from '../../src/targets/registry.js';
import type { ServerDriver } from '../harness/suite.js';
import { apacheServerLines, driver as apacheDriver, MODULE_DIR } from '../servers/apache.driver.js';
import { driver as caddyDriver, env as caddyEnv } from '../servers/caddy.driver.js';
import { driver as nginxDriver, TEMP_PATHS } from '../servers/nginx.driver.js';

export interface ProxySite {
  dir: string;
  corsDir: string;
  port: number;
  policies: readonly string[];
}

function nginxConfig(o: ProxySite): string {
  const temp = join(o.dir, 'temp');
  for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
  const conf = [
    `pid ${join(o.dir, 'nginx.pid')};`,
    'error_log stderr;',
    'worker_processes 1;',
    'events {\n    worker_connections 512;\n}',
    'http {',
    '    access_log off;',
    ...TEMP_PATHS.map((t) => `    ${t}_temp_path ${join(temp, t)};`),
    `    include ${join(o.corsDir, 'http.conf')};`,
    '    server {',
    `        listen 127.0.0.1:${o.port};`,
    ...o.policies.map((p) => `        include ${join(o.corsDir, `${p}.conf`)};`),
    '    }',
    '}',
    '',
  ].join('\n');
  const path = join(o.dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

function apacheConfig(o: ProxySite): string {
  const root = join(o.dir, 'apache');
  for (const sub of ['run', 'logs']) mkdirSync(join(root, sub), { recursive: true });
  const conf = [
    ...apacheServerLines(root, [o.port]),
    // An https upstream (README, Apache proxy mode: mod_proxy, mod_proxy_http and mod_ssl).
    `LoadModule ssl_module ${MODULE_DIR}/mod_ssl.so`,
    `<VirtualHost 127.0.0.1:${o.port}>`,
    '    ServerName https://127.0.0.1',
    ...o.policies.map((p) => `    Include "${join(o.corsDir, `${p}.conf`)}"`),
    '</VirtualHost>',
    '',
  ].join('\n');
  const path = join(root, 'httpd.conf');
  writeFileSync(path, conf);
  return path;
}

function caddyConfig(o: ProxySite): string {
  for (const d of Object.values(caddyEnv(o.dir))) mkdirSync(d, { recursive: true });
  const imports = o.policies.map((p) => `\timport cors-${p}\n`).join('');
  const text =
    `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(o.dir, 'data')}\n}\n\n` +
    `import ${join(o.corsDir, 'cors.caddy')}\n\nhttp://127.0.0.1:${o.port} {\n${imports}\trespond "not proxied" 404\n}\n`;
  const path = join(o.dir, 'Caddyfile');
  writeFileSync(path, text);
  return path;
}

/** How each server is configured (writeConfig) and checked and run (the server drivers of test/servers). */
export const PROXY_SERVERS: Record<PathTarget, { writeConfig(o: ProxySite): string; driver: ServerDriver }> = {
  nginx: { writeConfig: nginxConfig, driver: nginxDriver },
  apache: { writeConfig: apacheConfig, driver: apacheDriver },
  caddy: { writeConfig: caddyConfig, driver: caddyDriver },
};
