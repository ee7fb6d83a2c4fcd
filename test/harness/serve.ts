// Putting generated files in front of a real server: one directory per server, the generated files
// in its cors/ folder, the server's own configuration beside them, everything handed to the user the
// servers run as; then the server's syntax check and its start.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../src/compile.js';
import type { PolicySet } from '../../src/model/types.js';
import type { TargetName } from '../../src/targets/types.js';
import { handOver, makeTempDir, runCommand, startServer, type RunningServer } from './process.js';
import type { ServerDriver } from './suite.js';

export interface ServerDir {
  dir: string;
  corsDir: string;
  configPath: string;
  /** The generated files' contents by name. */
  files: Record<string, string>;
}

/**
 * A new directory with the generated files of `set` for `target` in cors/, and the server
 * configuration `writeConfig` writes (it returns the configuration's path).
 */
export function prepareServerDir(target: TargetName, set: PolicySet, prefix: string, writeConfig: (dir: string, corsDir: string) => string): ServerDir {
  const dir = makeTempDir(prefix);
  const corsDir = join(dir, 'cors');
  mkdirSync(corsDir);
  const files: Record<string, string> = {};
  for (const f of generate(set, target)) {
    writeFileSync(join(corsDir, f.path), f.contents);
    files[f.path] = f.contents;
  }
  const configPath = writeConfig(dir, corsDir);
  handOver(dir);
  return { dir, corsDir, configPath, files };
}

/** Runs the server's own syntax check (an error with its output if it fails), then starts the server. */
export async function checkAndStart(driver: ServerDriver, at: { dir: string; configPath: string }, ports: number[], timeoutMs?: number): Promise<RunningServer> {
  const syntax = runCommand(driver.syntaxCheck(at));
  if (syntax.status !== 0) throw new Error(`${driver.target} syntax check failed:\n${syntax.output.slice(0, 4000)}`);
  return startServer(driver.run(at), ports, timeoutMs);
}
