// Path-scoped policies in the real nginx: every policy of one file included together at server
// level (contract §4), on nginx's normalized $uri.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driver, TEMP_PATHS } from './nginx.driver.js';
import { pathsSuite, type PathsSite } from './paths.suite.js';

function writeConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
  const temp = join(o.dir, 'temp');
  for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
  const servers = o.sites.flatMap((s) => [
    '    server {',
    `        listen 127.0.0.1:${s.port};`,
    ...s.policies.map((p) => `        include ${join(o.corsDir, `${p}.conf`)};`),
    '        location / {',
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

pathsSuite('nginx', { driver, writeConfig });
