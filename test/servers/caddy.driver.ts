// How the Caddy test servers import the generated file (docs/contract.md §4), shared by the real-server
// suite, the injection property test and the benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerDriver, Site } from '../harness/suite.js';
import type { PathsDriver, PathsSite } from './paths.suite.js';

export function env(dir: string): Record<string, string> {
  return { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CONFIG_HOME: join(dir, 'xdg-config') };
}

/** How a site reaches the application: directly, or through the user's own handle / route blocks. */
export function siteBody(s: Site, index: number, upstreamPort: number): string {
  const proxy = (indent: string) =>
    `${indent}reverse_proxy 127.0.0.1:${upstreamPort} {\n${indent}\timport cors-${s.policy}-upstream\n${indent}}\n`;
  switch (index % 3) {
    case 1:
      // The site's own handle block matches every path the matrix uses: preflights must not reach it.
      return `\thandle /status/* {\n${proxy('\t\t')}\t}\n\thandle {\n\t\trespond "not here" 418\n\t}\n`;
    case 2:
      return `\troute /status/* {\n${proxy('\t\t')}\t}\n\trespond "not here" 418\n`;
    default:
      return proxy('\t');
  }
}

export function writeCaddyfile(o: { dir: string; corsDir: string; sites: Site[]; upstreamPort: number }): string {
  for (const d of Object.values(env(o.dir))) mkdirSync(d, { recursive: true });
  const sites = o.sites
    .map((s, i) => `http://127.0.0.1:${s.port} {\n\timport cors-${s.policy}\n${siteBody(s, i, o.upstreamPort)}}\n`)
    .join('\n');
  const text =
    `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(o.dir, 'data')}\n}\n\n` +
    `import ${join(o.corsDir, 'cors.caddy')}\n\n${sites}`;
  const path = join(o.dir, 'Caddyfile');
  writeFileSync(path, text);
  return path;
}

export const driver: ServerDriver = {
  target: 'caddy',
  writeConfig: writeCaddyfile,
  syntaxCheck: ({ dir, configPath }) => ({
    cmd: 'caddy',
    args: ['validate', '--config', configPath, '--adapter', 'caddyfile'],
    env: env(dir),
    cwd: dir,
  }),
  run: ({ dir, configPath }) => ({
    cmd: 'caddy',
    args: ['run', '--config', configPath, '--adapter', 'caddyfile'],
    env: env(dir),
    cwd: dir,
  }),
};

// How the path suite, the fuzzer and the browser path case include every policy of one file
// together at one level (test/servers/paths.suite.ts).
/** The first site routes /api/* through a handle block of its own and the rest through another. */
function writePathsConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
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

export const paths: PathsDriver = {
  driver,
  writeConfig: writePathsConfig,
  // The other layout still imports at site level, beside a route block of the site's own.
  otherLayoutLevel: 'server',
};
