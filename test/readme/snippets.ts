// Every nginx, Apache and Caddy snippet of README.md, made into a configuration the server's own
// syntax check can read. Only what exists on the user's machine alone is substituted: the directory
// of the generated files (/etc/<server>/cors/ → files generated from an example), certificates,
// listen addresses and site addresses (→ 127.0.0.1), a `{ … }` placeholder (→ one account), and a
// surrounding events {} / http {} / global options / module loading. Every directive of the snippet
// stays, in its place, as written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec } from '../harness/process.js';
import { MODULES, MODULE_DIR } from '../servers/apache.driver.js';
import { env as caddyEnv } from '../servers/caddy.driver.js';
import { nginxArgs, TEMP_PATHS } from '../servers/nginx.driver.js';

export type SnippetLanguage = 'nginx' | 'apache' | 'caddy';

export interface Snippet {
  language: SnippetLanguage;
  /** 1-based line of the opening fence in README.md. */
  line: number;
  text: string;
}

export function extractSnippets(markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const fence = /^```(nginx|apache|caddy)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    out.push({ language: m[1] as SnippetLanguage, line: markdown.slice(0, m.index).split('\n').length, text: m[2]! });
  }
  return out;
}

export interface Machine {
  /** The scratch directory the configuration and everything it writes live in. */
  dir: string;
  /** Generated files of the example, one directory per target. */
  corsDir: Record<SnippetLanguage, string>;
  certificate: string;
  key: string;
  port: number;
}

/** A bcrypt hash (caddy hash-password --plaintext secret) for a Caddy `{ … }` account placeholder. */
const CADDY_ACCOUNT = 'staff $2a$14$DUyPjnkHPYFayuPyUDZ6vuwxA6dl8X.gLGQRboygZKCG6tMl.ABsi';

const GENERATED_DIR = /\/etc\/(?:nginx|apache2|httpd|caddy)\/cors\//g;

function nginxConfig(text: string, m: Machine): string {
  let t = text.replace(GENERATED_DIR, `${m.corsDir.nginx}/`);
  // A listen on a public address and port → loopback; `ssl` keeps its certificate, from this machine.
  t = t.replace(/^(\s*)listen\s+(?:\[?[0-9a-f.:*]*\]?:)?[0-9]+(\s+ssl)?\s*;/gm, (_all, indent: string, ssl?: string) =>
    ssl ? `${indent}listen 127.0.0.1:${m.port} ssl;\n${indent}ssl_certificate ${m.certificate};\n${indent}ssl_certificate_key ${m.key};` : `${indent}listen 127.0.0.1:${m.port};`,
  );
  if (!/^\s*http\s*\{/m.test(t)) t = /^\s*server\s*\{/m.test(t) ? `http {\n${t}}\n` : `http {\nserver {\nlisten 127.0.0.1:${m.port};\n${t}}\n}\n`;
  const temp = join(m.dir, 'temp');
  for (const p of TEMP_PATHS) mkdirSync(join(temp, p), { recursive: true });
  const temps = TEMP_PATHS.map((p) => `${p}_temp_path ${join(temp, p)};`).join(' ');
  // The temp paths go in the http block (they are this machine's), before the snippet's lines.
  t = t.replace(/^(\s*http\s*\{)/m, `$1\n    access_log off; ${temps}`);
  return `pid ${join(m.dir, 'nginx.pid')};\nerror_log stderr;\nevents {}\n${t}`;
}

function apacheConfig(text: string, m: Machine): string {
  const root = join(m.dir, 'apache');
  mkdirSync(join(root, 'run'), { recursive: true });
  mkdirSync(join(root, 'logs'), { recursive: true });
  let t = text.replace(GENERATED_DIR, `${m.corsDir.apache}/`);
  t = t.replace(/<VirtualHost\s+[^>]+>/g, `<VirtualHost 127.0.0.1:${m.port}>`);
  return [
    `ServerRoot "${root}"`,
    `PidFile "${root}/run/httpd.pid"`,
    `DefaultRuntimeDir "${root}/run"`,
    `ErrorLog "${root}/logs/error.log"`,
    'ServerName 127.0.0.1',
    ...MODULES.map((mod) => `LoadModule ${mod}_module ${MODULE_DIR}/mod_${mod}.so`),
    `Listen 127.0.0.1:${m.port}`,
    t,
  ].join('\n');
}

function caddyConfig(text: string, m: Machine): string {
  let t = text.replace(GENERATED_DIR, `${m.corsDir.caddy}/`);
  // Site addresses (a host name at the start of a line, opening a block) → this machine's loopback.
  t = t.replace(/^([a-z0-9*][a-z0-9.*-]*\.[a-z]+(?::[0-9]+)?)(\s*\{)/gim, `http://127.0.0.1:${m.port}$2`);
  t = t.replace(/\{ … \}/g, `{\n\t\t${CADDY_ACCOUNT}\n\t}`);
  const global = `{\n\tadmin off\n\tauto_https off\n\tstorage file_system ${join(m.dir, 'data')}\n}\n`;
  return `${global}\n${t}`;
}

/** Writes the configuration for `snippet` below m.dir and returns the server's syntax check. */
export function syntaxCheckOf(snippet: Snippet, m: Machine): { config: string; check: CommandSpec } {
  switch (snippet.language) {
    case 'nginx': {
      const config = nginxConfig(snippet.text, m);
      const path = join(m.dir, 'nginx.conf');
      writeFileSync(path, config);
      return { config, check: { cmd: 'nginx', args: ['-t', ...nginxArgs(m.dir, path)] } };
    }
    case 'apache': {
      const config = apacheConfig(snippet.text, m);
      const path = join(m.dir, 'httpd.conf');
      writeFileSync(path, config);
      return { config, check: { cmd: 'apache2', args: ['-t', '-f', path] } };
    }
    case 'caddy': {
      const config = caddyConfig(snippet.text, m);
      const path = join(m.dir, 'Caddyfile');
      writeFileSync(path, config);
      for (const d of Object.values(caddyEnv(m.dir))) mkdirSync(d, { recursive: true });
      return { config, check: { cmd: 'caddy', args: ['validate', '--config', path, '--adapter', 'caddyfile'], env: caddyEnv(m.dir), cwd: m.dir } };
    }
  }
}
