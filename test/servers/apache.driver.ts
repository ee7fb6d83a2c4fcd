// How the Apache test servers include the generated files (docs/contract.md §4), shared by the real-server
// suite, the injection property test and the benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerDriver, Site } from '../harness/suite.js';
import type { PathsDriver, PathsSite } from './paths.suite.js';

export const MODULES = ['mpm_event', 'authz_core', 'mime', 'headers', 'rewrite', 'setenvif', 'proxy', 'proxy_http'];
export const MODULE_DIR = '/usr/lib/apache2/modules';

/** A vhost exactly as docs/contract.md §4 says (include + proxy), or one with the site's own configuration too. */
export type Layout = 'plain' | 'with-site-config';

export const ERROR_403_BODY = 'site error document 403\n';
export const ERROR_404_BODY = 'site error document 404\n';
export const LOCAL_BODY = 'a file Apache serves itself\n';

export function vhost(o: { root: string; include: string; port: number; upstreamPort: number; layout: Layout }): string {
  const lines = [`<VirtualHost 127.0.0.1:${o.port}>`, '    ServerName 127.0.0.1', `    Include "${o.include}"`];
  if (o.layout === 'with-site-config') {
    // The site's own configuration, below the CORS include as its comment asks.
    lines.push(
      '    RewriteRule "^/old/(.*)$" "/status/$1" [PT]',
      '    RequestHeader unset Origin',
      `    DocumentRoot "${o.root}/htdocs"`,
      `    <Directory "${o.root}/htdocs">`,
      '        Require all granted',
      '    </Directory>',
      '    <Location "/private/">',
      '        Require all denied',
      '    </Location>',
      '    ErrorDocument 403 /errors/403.txt',
      '    ErrorDocument 404 /errors/404.txt',
      '    ProxyPass "/errors/" "!"',
      '    ProxyPass "/local/" "!"',
      '    ProxyPass "/private/" "!"',
    );
  }
  // disablereuse: the test upstream closes idle connections after 1 s; a reused one would be a 502.
  lines.push(`    ProxyPass "/" "http://127.0.0.1:${o.upstreamPort}/" disablereuse=On`, '</VirtualHost>');
  return lines.join('\n');
}

/**
 * The main-server lines of a private httpd.conf below `root`: paths, modules, one process, and a
 * Listen on 127.0.0.1 for each port. Virtual hosts follow them.
 */
export function apacheServerLines(root: string, ports: readonly number[]): string[] {
  return [
    `ServerRoot "${root}"`,
    `PidFile "${root}/run/httpd.pid"`,
    `DefaultRuntimeDir "${root}/run"`,
    `ErrorLog "${root}/logs/error.log"`,
    'LogLevel warn',
    'ServerName 127.0.0.1',
    ...MODULES.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
    'TypesConfig /etc/mime.types',
    // One process. The harness keeps up to 8 idle keep-alive connections per site open, and the
    // event MPM accepts about ThreadsPerChild * (1 + AsyncRequestWorkerFactor) connections per
    // process: with 16 threads the twelve sites exhaust that and new connections wait for a
    // keep-alive timeout (5 s) to free one.
    'ServerLimit 1',
    'StartServers 1',
    'ThreadLimit 64',
    'ThreadsPerChild 64',
    'MaxRequestWorkers 64',
    'MinSpareThreads 1',
    'MaxSpareThreads 64',
    'Timeout 30',
    ...ports.map((port) => `Listen 127.0.0.1:${port}`),
  ];
}

/** A private httpd.conf below `dir` (everything Apache writes lives there too), one vhost per site. */
export function writeApacheConfig(o: { dir: string; corsDir: string; sites: (Site & { layout: Layout })[]; upstreamPort: number }): string {
  const root = join(o.dir, 'apache');
  for (const sub of ['run', 'logs', 'htdocs/errors', 'htdocs/local', 'htdocs/private']) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, 'htdocs/errors/403.txt'), ERROR_403_BODY);
  writeFileSync(join(root, 'htdocs/errors/404.txt'), ERROR_404_BODY);
  writeFileSync(join(root, 'htdocs/local/file.txt'), LOCAL_BODY);
  writeFileSync(join(root, 'htdocs/private/file.txt'), LOCAL_BODY);
  const conf = [
    ...apacheServerLines(root, o.sites.map((s) => s.port)),
    ...o.sites.map((s) => vhost({ root, include: join(o.corsDir, `${s.policy}.conf`), port: s.port, upstreamPort: o.upstreamPort, layout: s.layout })),
    '',
  ].join('\n');
  const path = join(root, 'httpd.conf');
  writeFileSync(path, conf);
  return path;
}

export const driver: ServerDriver = {
  target: 'apache',
  // Every other site also has its own RewriteRule, RequestHeader, ErrorDocument and <Location>:
  // the matrix then proves the include works beside them (refused preflights go through the
  // site's ErrorDocument 403, and RequestHeader unset Origin cannot change what is reflected).
  writeConfig: ({ dir, corsDir, sites, upstreamPort }) =>
    writeApacheConfig({ dir, corsDir, upstreamPort, sites: sites.map((s, i) => ({ ...s, layout: i % 2 === 1 ? 'with-site-config' : 'plain' })) }),
  syntaxCheck: ({ configPath }) => ({ cmd: 'apache2', args: ['-t', '-f', configPath] }),
  run: ({ configPath }) => ({ cmd: 'apache2', args: ['-f', configPath, '-DFOREGROUND'] }),
};

// How the path suite, the fuzzer and the browser path case include every policy of one file
// together at one level (test/servers/paths.suite.ts).
/**
 * The first virtual host also has an ErrorDocument for 403: refused preflights go through an
 * internal redirect.
 */
function writePathsConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
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

export const paths: PathsDriver = {
  driver,
  writeConfig: writePathsConfig,
  // The other layout still includes at virtual-host level, beside rules of the site's own.
  otherLayoutLevel: 'server',
};
