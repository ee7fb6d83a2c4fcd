// `cors-gen verify` (the CLI) against the real Caddy (test/verify/suite.ts): correct deployments of
// every example conform, and so does the README's authentication recipe; each deployment mistake is
// found on the route that has it, with its cause.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { send } from '../harness/matrix.js';
import { driver, env } from '../servers/caddy.driver.js';
import { runVerifyCli } from './cli.js';
import { exampleFile, MISTAKE_EXAMPLE, MISTAKE_POLICY, type Site } from './deployments.js';
import { expectConforms, expectMistake } from './expectations.js';
import { verifySuite } from './suite.js';

type Mistake = 'proxy-without-upstream-snippet' | 'basicauth-everywhere' | 'not-imported' | 'basicauth-readme-recipe' | 'basicauth-not-preflight-only';
// bcrypt of "secret" (caddy hash-password --plaintext secret).
const HASH = '$2a$14$DUyPjnkHPYFayuPyUDZ6vuwxA6dl8X.gLGQRboygZKCG6tMl.ABsi';

function siteBlock(site: Site<Mistake>, upstreamPort: number): string {
  const p = site.kind === 'correct' ? site.policy : MISTAKE_POLICY;
  const proxy = `reverse_proxy 127.0.0.1:${upstreamPort} {\n\t\timport cors-${p}-upstream\n\t}`;
  const head = `http://127.0.0.1:${site.port} {`;
  if (site.kind === 'correct') return `${head}\n\timport cors-${p}\n\t${proxy}\n}`;
  switch (site.mistake) {
    case 'proxy-without-upstream-snippet':
      return `${head}\n\timport cors-${p}\n\thandle /broken/* {\n\t\treverse_proxy 127.0.0.1:${upstreamPort}\n\t}\n\thandle {\n\t${proxy.replace(/\n/g, '\n\t')}\n\t}\n}`;
    case 'basicauth-everywhere':
      // The path restriction alone: preflights to /broken/ are asked to log in.
      return `${head}\n\timport cors-${p}\n\tbasicauth /broken/* {\n\t\tstaff ${HASH}\n\t}\n\t${proxy}\n}`;
    case 'not-imported':
      return `${head}\n\t${proxy}\n}`;
    case 'basicauth-not-preflight-only':
      // The README's former advice: preflights pass, but the path restriction is gone.
      return `${head}\n\timport cors-${p}\n\tbasicauth @cors-${p}-not-preflight {\n\t\tstaff ${HASH}\n\t}\n\t${proxy}\n}`;
    case 'basicauth-readme-recipe':
      // README.md, "Caddy": a named matcher with the path and `not` the preflight.
      return (
        `${head}\n\timport cors-${p}\n` +
        `\t@login {\n\t\tpath /broken/*\n\t\tnot {\n\t\t\tmethod OPTIONS\n\t\t\theader_regexp Origin .\n\t\t\theader_regexp Access-Control-Request-Method .\n\t\t}\n\t}\n` +
        `\tbasicauth @login {\n\t\tstaff ${HASH}\n\t}\n\t${proxy}\n}`
      );
  }
}

verifySuite<Mistake>(
  {
    driver,
    title: 'Caddy',
    mistakes: ['proxy-without-upstream-snippet', 'basicauth-everywhere', 'not-imported', 'basicauth-readme-recipe', 'basicauth-not-preflight-only'],
    writeConfig({ dir, sites, corsDirs, upstreamPort }) {
      for (const d of Object.values(env(dir))) mkdirSync(d, { recursive: true });
      const text = [
        `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(dir, 'data')}\n}\n`,
        ...Object.values(corsDirs).map((d) => `import ${join(d, 'cors.caddy')}`),
        '',
        ...sites.map((s) => `${siteBlock(s, upstreamPort)}\n`),
      ].join('\n');
      const configPath = join(dir, 'Caddyfile');
      writeFileSync(configPath, text);
      return configPath;
    },
  },
  ({ siteOf, mistakeRun }) => {
    it('a reverse_proxy without import cors-<name>-upstream: exit 1, /broken/ named, the application’s copy kept', async () => {
      expectMistake(await mistakeRun('proxy-without-upstream-snippet'), { method: 'GET', cause: "the application's Access-Control-\\* headers are not removed", detail: 'Access-Control-Allow-Origin 2 times' });
    });

    it('basicauth restricted by path only: exit 1, /broken/ named, the preflight asked to log in', async () => {
      expectMistake(await mistakeRun('basicauth-everywhere'), { method: 'OPTIONS', cause: 'authentication runs before the preflight answer', detail: 'status 401, expected 204' });
    });

    it('a site without import cors-<name>: exit 1, the preflight reached the application', async () => {
      const r = await runVerifyCli([exampleFile(MISTAKE_EXAMPLE), '--url', `http://127.0.0.1:${siteOf('not-imported').port}`, '--path', '/broken/']);
      expectMistake(r, { method: 'OPTIONS', cause: 'the preflight reached the application', detail: 'status 200, expected 204' });
    });

    it('the README’s basicauth recipe keeps the path restriction and lets preflights through (exit 0)', async () => {
      const port = siteOf('basicauth-readme-recipe').port;
      expect((await send(port, { name: 'auth', method: 'GET', path: '/broken/x', headers: {} }, 'auth')).status).toBe(401);
      expect((await send(port, { name: 'open', method: 'GET', path: '/open', headers: {} }, 'open')).status).toBe(200);
      await expectConforms(await mistakeRun('basicauth-readme-recipe'));
    });

    it('basicauth @cors-<name>-not-preflight alone (the former README advice) asks every route for a password', async () => {
      expect((await send(siteOf('basicauth-not-preflight-only').port, { name: 'open', method: 'GET', path: '/open', headers: {} }, 'open')).status).toBe(401);
    });
  },
);
