// How the nginx test servers include the generated files (docs/contract.md §4), shared by the real-server
// suite, the injection property test and the benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec } from '../harness/process.js';
import type { ServerDriver, Site } from '../harness/suite.js';
import type { PathsDriver, PathsSite } from './paths.suite.js';

/**
 * How a site includes its policy file. Contract §4: inside a server {} or location {} that proxies
 * to the application; the nested layouts follow the advice in the generated file's comment.
 */
export const LAYOUTS = ['server', 'location', 'nested-inherits', 'nested-own-header', 'location-and-nested'] as const;
export type Layout =
  | (typeof LAYOUTS)[number]
  | 'pitfall-nested-without-include'
  | 'pitfall-own-header-without-include'
  | { pitfall: 'second-policy-in-location'; locationPolicy: string };

export const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

export function siteBlock(layout: Layout, port: number, corsDir: string, policy: string, upstreamPort: number): string {
  const includeOf = (p: string) => `include ${join(corsDir, `${p}.conf`)};`;
  const include = includeOf(policy);
  const proxy = `proxy_pass http://127.0.0.1:${upstreamPort};`;
  const listen = `listen 127.0.0.1:${port};`;
  if (typeof layout === 'object') {
    return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${includeOf(layout.locationPolicy)}\n        ${proxy}\n    }\n}`;
  }
  switch (layout) {
    case 'server':
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${proxy}\n    }\n}`;
    case 'location':
      return `server {\n    ${listen}\n    location / {\n        ${include}\n        ${proxy}\n    }\n}`;
    case 'nested-inherits':
      // Server-level include: the nested location has no add_header of its own and inherits all.
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${proxy}\n        location /status/ {\n            ${proxy}\n        }\n    }\n}`;
    case 'nested-own-header':
      // A location with its own add_header loses the inherited ones: it includes the policy again.
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        ${proxy}\n        location /status/ {\n            add_header X-Site-Header nested always;\n            ${include}\n            ${proxy}\n        }\n    }\n}`;
    case 'location-and-nested':
      // Included in a location: if/return do not reach nested locations, so they include it too.
      return `server {\n    ${listen}\n    location / {\n        ${include}\n        ${proxy}\n        location /status/ {\n            ${include}\n            ${proxy}\n        }\n    }\n}`;
    case 'pitfall-nested-without-include':
      return `server {\n    ${listen}\n    location / {\n        ${include}\n        ${proxy}\n        location /status/ {\n            ${proxy}\n        }\n    }\n}`;
    case 'pitfall-own-header-without-include':
      return `server {\n    ${listen}\n    ${include}\n    location / {\n        add_header X-Site-Header own always;\n        ${proxy}\n    }\n}`;
  }
}

export function writeNginxConfig(o: { dir: string; corsDir: string; sites: { policy: string; port: number; layout: Layout }[]; upstreamPort: number }): string {
  const temp = join(o.dir, 'temp');
  for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
  const servers = o.sites.map((s) => siteBlock(s.layout, s.port, o.corsDir, s.policy, o.upstreamPort));
  const conf = [
    '# cors-gen test server: everything lives below this directory.',
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
    ...servers.flatMap((s) => s.split('\n').map((l) => `    ${l}`)),
    '}',
    '',
  ].join('\n');
  const path = join(o.dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

export const nginxArgs = (dir: string, configPath: string) => ['-p', `${dir}/`, '-c', configPath, '-e', 'stderr'];

export const driver: ServerDriver = {
  target: 'nginx',
  writeConfig({ dir, corsDir, sites, upstreamPort }) {
    return writeNginxConfig({ dir, corsDir, upstreamPort, sites: sites.map((s: Site, i) => ({ ...s, layout: LAYOUTS[i % LAYOUTS.length]! })) });
  },
  syntaxCheck: ({ dir, configPath }): CommandSpec => ({ cmd: 'nginx', args: ['-t', ...nginxArgs(dir, configPath)] }),
  run: ({ dir, configPath }): CommandSpec => ({ cmd: 'nginx', args: [...nginxArgs(dir, configPath), '-g', 'daemon off;'] }),
};

// How the path suite, the fuzzer and the browser path case include every policy of one file
// together at one level (test/servers/paths.suite.ts).
function writePathsConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
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

export const paths: PathsDriver = {
  driver,
  writeConfig: writePathsConfig,
  // The other layout includes every policy inside the one location.
  otherLayoutLevel: 'location',
};
