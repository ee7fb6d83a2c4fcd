// README.md's nginx, Apache and Caddy snippets pass the servers' own syntax checks (nginx -t,
// apache2 -t, caddy validate), with the generated files of examples/one-host.yaml (policies
// `assets`, `api` and `admin`, the names the README uses) where the README names /etc/<server>/cors/. A snippet users
// paste must work as written: substitutions are listed in test/readme/snippets.ts.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/compile.js';
import { compilePolicy } from '../harness/policy.js';
import { handOver, makeTempDir, removeDir, runCommand } from '../harness/process.js';
import { extractSnippets, syntaxCheckOf, type Machine, type Snippet, type SnippetLanguage } from './snippets.js';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const snippets = extractSnippets(README);

let base = '';
let counter = 0;
let shared: Omit<Machine, 'dir' | 'port'>;

beforeAll(() => {
  base = makeTempDir('readme');
  const set = compilePolicy(readFileSync(join(ROOT, 'examples', 'one-host.yaml'), 'utf8'), 'one-host.yaml');
  const corsDir = {} as Record<SnippetLanguage, string>;
  for (const t of ['nginx', 'apache', 'caddy'] as const) {
    corsDir[t] = join(base, `cors-${t}`);
    mkdirSync(corsDir[t]);
    for (const f of generate(set, t)) writeFileSync(join(corsDir[t], f.path), f.contents);
  }
  const certificate = join(base, 'cert.pem');
  const key = join(base, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', certificate, '-days', '2', '-subj', '/CN=api.example.com'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  shared = { corsDir, certificate, key };
});

afterAll(() => {
  if (base) removeDir(base);
});

/** Runs the syntax check of `snippet` in a fresh directory; returns its exit status and output. */
function check(snippet: Snippet): { status: number | null; output: string; config: string } {
  const dir = join(base, `s${++counter}`);
  mkdirSync(dir);
  const machine: Machine = { ...shared, dir, port: 20000 + counter };
  const { config, check } = syntaxCheckOf(snippet, machine);
  handOver(base);
  return { ...runCommand(check), config };
}

describe('README.md snippets', () => {
  it('has nginx, Apache and Caddy snippets (the test below cannot pass on none)', () => {
    const count = (l: SnippetLanguage) => snippets.filter((s) => s.language === l).length;
    expect(count('nginx')).toBeGreaterThanOrEqual(1);
    expect(count('apache')).toBeGreaterThanOrEqual(1);
    expect(count('caddy')).toBeGreaterThanOrEqual(2);
  });

  for (const s of snippets) {
    it(`README.md:${s.line} (${s.language}) passes the server's own syntax check`, () => {
      const r = check(s);
      expect(r.status, `${r.output}\n--- configuration checked:\n${r.config}`).toBe(0);
    });
  }
});

describe('the snippet check fails on a broken snippet', () => {
  const broken: [string, Snippet][] = [
    [
      'an Apache directive with a trailing comment (the README line issue 8 reported)',
      { language: 'apache', line: 0, text: '<VirtualHost *:443>\n    ServerName api.example.com\n    Include /etc/apache2/cors/api.conf          # first, before the vhost\'s own RewriteRules\n</VirtualHost>\n' },
    ],
    ['an nginx directive without its semicolon', { language: 'nginx', line: 0, text: 'http {\n    include /etc/nginx/cors/http.conf\n}\n' }],
    ['a Caddy directive that does not exist', { language: 'caddy', line: 0, text: 'import /etc/caddy/cors/cors.caddy\n\napi.example.com {\n    import cors-api\n    basic_auth_typo @login { … }\n}\n' }],
    ['a Caddy import of a snippet the file does not define', { language: 'caddy', line: 0, text: 'import /etc/caddy/cors/cors.caddy\n\napi.example.com {\n    import cors-nope\n}\n' }],
  ];
  for (const [name, snippet] of broken) {
    it(name, () => {
      expect(check(snippet).status).not.toBe(0);
    });
  }
});
