// Servers for `npm run bench` that answer every request themselves (no upstream), so that a
// throughput ratio compares only the work the CORS configuration adds:
//   none       the same server without any CORS configuration (the baseline for actual requests)
//   generated  the generated files included as the README says
//   hand204    a hand-written static 204 carrying constant CORS headers (the preflight baseline)
//   gist       nginx only: the classic "if ($http_origin ~ …)" snippet from blog posts and gists
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODULE_DIR } from '../servers/apache.driver.js';
import { env as caddyEnv } from '../servers/caddy.driver.js';
import { nginxArgs, TEMP_PATHS } from '../servers/nginx.driver.js';
import type { CommandSpec } from '../harness/process.js';
import type { TargetName } from '../../src/targets/types.js';

export type Mode = 'none' | 'generated' | 'hand204' | 'gist';

export interface StaticSite {
  mode: Mode;
  port: number;
  /** For `generated`: the policy whose file is included. */
  policy?: string;
  /** For `hand204` and `gist`: the origin the constant headers name, and (gist) all origins. */
  origin?: string;
  origins?: string[];
}

export const BODY = 'ok\n';

/** The CORS headers a hand-written preflight answer carries (those of the bench policy). */
const HAND_HEADERS = (origin: string): [string, string][] => [
  ['Access-Control-Allow-Origin', origin],
  ['Access-Control-Allow-Methods', 'GET, PUT'],
  ['Vary', 'Origin'],
];

// ---- nginx ---------------------------------------------------------------------------------------

/** The gist-style config: origins alternated in regexes of at most ~3 KB (nginx: 4 KB a parameter). */
function gistNginx(origins: string[]): string {
  const groups: string[][] = [[]];
  let size = 0;
  for (const o of origins) {
    if (size + o.length > 3000) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(o.replace(/[.]/g, '\\.'));
    size += o.length + 1;
  }
  return [
    'set $cors "";',
    ...groups.map((g) => `if ($http_origin ~ "^(${g.join('|')})$") {\n            set $cors "ok";\n        }`),
    'if ($request_method = OPTIONS) {\n            set $cors "${cors}options";\n        }',
    'if ($cors = "okoptions") {\n            add_header Access-Control-Allow-Origin $http_origin always;\n            add_header Access-Control-Allow-Methods "GET, PUT" always;\n            add_header Vary Origin always;\n            return 204;\n        }',
    'if ($cors = "ok") {\n            add_header Access-Control-Allow-Origin $http_origin always;\n            add_header Vary Origin always;\n        }',
  ].join('\n        ');
}

function nginxServer(s: StaticSite, corsDir: string): string {
  const listen = `listen 127.0.0.1:${s.port};`;
  switch (s.mode) {
    case 'none':
      return `server {\n    ${listen}\n    location / {\n        return 200 "${BODY.trim()}";\n    }\n}`;
    case 'generated':
      return `server {\n    ${listen}\n    include ${join(corsDir, `${s.policy}.conf`)};\n    location / {\n        return 200 "${BODY.trim()}";\n    }\n}`;
    case 'hand204': {
      const headers = HAND_HEADERS(s.origin!).map(([k, v]) => `add_header ${k} "${v}" always;`).join('\n        ');
      return `server {\n    ${listen}\n    location / {\n        ${headers}\n        return 204;\n    }\n}`;
    }
    case 'gist':
      return `server {\n    ${listen}\n    location / {\n        ${gistNginx(s.origins!)}\n        return 200 "${BODY.trim()}";\n    }\n}`;
  }
}

function writeNginx(dir: string, corsDir: string | null, sites: StaticSite[]): string {
  const temp = join(dir, 'temp');
  for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
  const conf = [
    `pid ${join(dir, 'nginx.pid')};`,
    'error_log stderr;',
    'worker_processes 1;',
    'events {\n    worker_connections 1024;\n}',
    'http {',
    '    access_log off;',
    ...TEMP_PATHS.map((t) => `    ${t}_temp_path ${join(temp, t)};`),
    ...(corsDir ? [`    include ${join(corsDir, 'http.conf')};`] : []),
    ...sites.flatMap((s) => nginxServer(s, corsDir ?? '').split('\n').map((l) => `    ${l}`)),
    '}',
    '',
  ].join('\n');
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

// ---- Apache --------------------------------------------------------------------------------------

function apacheVhost(s: StaticSite, corsDir: string, root: string): string {
  const lines = [`<VirtualHost 127.0.0.1:${s.port}>`, '    ServerName 127.0.0.1', `    DocumentRoot "${root}/htdocs"`];
  if (s.mode === 'generated') lines.splice(2, 0, `    Include "${join(corsDir, `${s.policy}.conf`)}"`);
  if (s.mode === 'hand204') {
    lines.push('    RewriteEngine On', '    RewriteRule ^ - [R=204,L]');
    for (const [k, v] of HAND_HEADERS(s.origin!)) lines.push(`    Header always set ${k} "${v}"`);
  }
  lines.push('</VirtualHost>');
  return lines.join('\n');
}

function writeApache(dir: string, corsDir: string | null, sites: StaticSite[]): string {
  const root = join(dir, 'apache');
  for (const sub of ['run', 'logs', 'htdocs']) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, 'htdocs', 'index.html'), BODY);
  const modules = ['mpm_event', 'authz_core', 'mime', 'dir', 'headers', 'rewrite', 'setenvif'];
  const conf = [
    `ServerRoot "${root}"`,
    `PidFile "${root}/run/httpd.pid"`,
    `DefaultRuntimeDir "${root}/run"`,
    `ErrorLog "${root}/logs/error.log"`,
    'LogLevel warn',
    'ServerName 127.0.0.1',
    ...modules.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
    'TypesConfig /etc/mime.types',
    'DirectoryIndex index.html',
    `<Directory "${root}/htdocs">\n    Require all granted\n</Directory>`,
    // One process, enough threads for wrk's 50 connections.
    'ServerLimit 1',
    'StartServers 1',
    'ThreadLimit 64',
    'ThreadsPerChild 64',
    'MaxRequestWorkers 64',
    'MinSpareThreads 1',
    'MaxSpareThreads 64',
    'KeepAliveTimeout 30',
    'MaxKeepAliveRequests 0',
    ...sites.map((s) => `Listen 127.0.0.1:${s.port}`),
    ...sites.map((s) => apacheVhost(s, corsDir ?? '', root)),
    '',
  ].join('\n');
  const path = join(root, 'httpd.conf');
  writeFileSync(path, conf);
  return path;
}

// ---- Caddy ---------------------------------------------------------------------------------------

function caddySite(s: StaticSite): string {
  const addr = `http://127.0.0.1:${s.port}`;
  switch (s.mode) {
    case 'generated':
      return `${addr} {\n\timport cors-${s.policy}\n\trespond "${BODY.trim()}" 200\n}`;
    case 'hand204': {
      const headers = HAND_HEADERS(s.origin!).map(([k, v]) => `\t\t${k} "${v}"`).join('\n');
      return `${addr} {\n\theader {\n${headers}\n\t}\n\trespond 204\n}`;
    }
    default:
      return `${addr} {\n\trespond "${BODY.trim()}" 200\n}`;
  }
}

function writeCaddy(dir: string, corsDir: string | null, sites: StaticSite[]): string {
  for (const d of Object.values(caddyEnv(dir))) mkdirSync(d, { recursive: true });
  const text =
    `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(dir, 'data')}\n}\n\n` +
    (corsDir ? `import ${join(corsDir, 'cors.caddy')}\n\n` : '') +
    sites.map(caddySite).join('\n\n') +
    '\n';
  const path = join(dir, 'Caddyfile');
  writeFileSync(path, text);
  return path;
}

// ---- the server, pinned to one CPU ---------------------------------------------------------------

export function writeStaticConfig(target: TargetName, dir: string, corsDir: string | null, sites: StaticSite[]): string {
  switch (target) {
    case 'nginx':
      return writeNginx(dir, corsDir, sites);
    case 'apache':
      return writeApache(dir, corsDir, sites);
    case 'caddy':
      return writeCaddy(dir, corsDir, sites);
  }
}

/** The server in the foreground on CPU `cpu` (taskset), single process / GOMAXPROCS=1. */
export function pinnedServer(target: TargetName, dir: string, configPath: string, cpu: number): CommandSpec {
  const pin = (cmd: string, args: string[], env?: Record<string, string>): CommandSpec => ({ cmd: 'taskset', args: ['-c', String(cpu), cmd, ...args], env, cwd: dir });
  switch (target) {
    case 'nginx':
      return pin('nginx', [...nginxArgs(`${dir}`, configPath), '-g', 'daemon off;']);
    case 'apache':
      return pin('apache2', ['-f', configPath, '-DFOREGROUND']);
    case 'caddy':
      return pin('caddy', ['run', '--config', configPath, '--adapter', 'caddyfile'], { ...caddyEnv(dir), GOMAXPROCS: '1' });
  }
}

export function syntaxCheck(target: TargetName, dir: string, configPath: string): CommandSpec {
  switch (target) {
    case 'nginx':
      return { cmd: 'nginx', args: ['-t', ...nginxArgs(dir, configPath)] };
    case 'apache':
      return { cmd: 'apache2', args: ['-t', '-f', configPath] };
    case 'caddy':
      return { cmd: 'caddy', args: ['validate', '--config', configPath, '--adapter', 'caddyfile'], env: caddyEnv(dir), cwd: dir };
  }
}
