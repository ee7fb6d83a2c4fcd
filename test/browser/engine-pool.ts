// One browser per engine for every case of a test file: vitest runs a file's describe blocks one
// after another in one process, so a case borrows the engine, empties its cookie jar first, and the
// engines close when the file is done (an afterAll at the file's top level, registered by the
// first borrower). Launching is the dearest step of a case (Firefox ESR alone takes seconds), and a
// file such as paths.browser.test.ts runs three servers × three engines.
import { afterAll } from 'vitest';
import { makeTempDir, removeDir } from '../harness/process.js';
import { join } from 'node:path';
import { chromiumEngine } from './chromium.js';
import type { Engine, EngineName } from './engine.js';
import { firefoxEngine } from './firefox.js';
import { webkitEngine } from './webkit.js';

/** Starts one engine; `dir` is a new directory it may use (profile, hosts file). */
export function launchEngine(name: EngineName, dir: string): Promise<Engine> {
  switch (name) {
    case 'chromium':
      return chromiumEngine(join(dir, 'profile'));
    case 'firefox':
      return firefoxEngine();
    case 'webkit':
      return webkitEngine(dir);
  }
}

const engines = new Map<EngineName, { engine: Promise<Engine>; dir: string }>();
let closing = false;

async function closeAll(): Promise<void> {
  const failures: unknown[] = [];
  for (const [name, e] of [...engines]) {
    engines.delete(name);
    try {
      await (await e.engine).close();
    } catch (err) {
      failures.push(err);
    } finally {
      removeDir(e.dir);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'closing the shared browser engines');
}

/**
 * Registers the file's closing hook; call it at the top level of a suite function (outside any
 * describe), before the cases that borrow engines.
 */
export function useSharedEngines(): void {
  if (closing) return;
  closing = true;
  afterAll(closeAll);
}

/** The file's browser for `name`, launched on first use, its cookie jar emptied (`visit` as for Engine.clearCookies). */
export async function borrowEngine(name: EngineName, visit: string): Promise<Engine> {
  let e = engines.get(name);
  if (!e) {
    const dir = makeTempDir(`${name}-engine`);
    e = { engine: launchEngine(name, dir), dir };
    engines.set(name, e);
  }
  const engine = await e.engine;
  await engine.clearCookies(visit);
  return engine;
}
