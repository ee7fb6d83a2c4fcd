// Caddy 2.6.2 runs the generated cors.caddy exactly as docs/contract.md §4 says: imported once at the top
// level, `import cors-<name>` first in each site, `import cors-<name>-upstream` in each reverse_proxy.
// Some sites wrap the proxy in `handle` or `route` blocks, to prove preflights are still answered by
// Caddy. Every answer is compared with the reference evaluator by the shared suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicyText, generate } from '../../src/compile.js';
import { evaluate } from '../../src/model/evaluate.js';
import type { PolicySet } from '../../src/model/types.js';
import { compare, send, type RequestCase } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type CommandSpec, type RunningServer } from '../harness/process.js';
import { compileFixture, serverSuite, type ServerDriver, type Site } from '../harness/suite.js';
import { largeAllowListSuite, manyOrigin, MANY_ORIGINS } from '../harness/suite.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { env, siteBody, writeCaddyfile, driver } from './caddy.driver.js';

serverSuite(driver);

largeAllowListSuite(driver, (ctx) => {
  it('looks every exact origin up in hashed CEL `in` lists of at most 90,000 code points (no regex per origin)', () => {
    const cors = ctx().files['cors.caddy']!;
    const lists = [...cors.matchAll(/^\t\t\tnot expression `\{http\.request\.header\.Origin\} in \[(.*)\]`$/gm)];
    expect(lists.length).toBeGreaterThan(1);
    for (const l of lists) expect(l[0]!.length).toBeLessThan(90_000);
    const listed = lists.flatMap((l) => l[1]!.split(','));
    expect(listed).toHaveLength(MANY_ORIGINS);
    expect(listed.every((o) => /^"https:\/\/tenant-[0-9]+\.customers\.example\.com(:[0-9]+)?"$/.test(o))).toBe(true);
    expect(cors).not.toContain('.matches(');
    expect(ctx().syntax.output).toContain('Valid configuration');
  });
});

describe('caddy: the generated file is what caddy fmt would write', () => {
  it('caddy fmt leaves cors.caddy unchanged', () => {
    const set = compileFixture();
    const dir = makeTempDir('caddy-fmt');
    try {
      const [file] = generate(set, 'caddy');
      const path = join(dir, 'cors.caddy');
      writeFileSync(path, file!.contents);
      handOver(dir);
      const spec: CommandSpec = { cmd: 'caddy', args: ['fmt', path], env: env(dir), cwd: dir };
      const r = runCommand(spec);
      expect(r.status).toBe(0);
      expect(r.output).toBe(file!.contents);
    } finally {
      removeDir(dir);
    }
  });
});
