// Path-scoped policies in the real Caddy: every policy of one file imported together as the first
// lines of one site (contract §4), on Caddy's own path matcher. The site also has handle blocks of
// its own, which preflights must never reach.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driver, env } from './caddy.driver.js';
import { pathsSuite, type PathsSite } from './paths.suite.js';

function writeConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string {
  for (const d of Object.values(env(o.dir))) mkdirSync(d, { recursive: true });
  const proxy = (indent: string) =>
    `${indent}reverse_proxy 127.0.0.1:${o.upstreamPort} {\n${indent}\timport cors-${o.sites[0]!.policies[0]}-upstream\n${indent}}\n`;
  const sites = o.sites
    .map((s, i) => {
      const imports = s.policies.map((p) => `\timport cors-${p}\n`).join('');
      // The first site routes /api/* through a handle block of its own, the rest through another.
      const body = i === 0 ? `\thandle /api/* {\n${proxy('\t\t')}\t}\n\thandle {\n${proxy('\t\t')}\t}\n` : proxy('\t');
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

pathsSuite('caddy', { driver, writeConfig });
