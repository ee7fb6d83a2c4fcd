// The test drivers of every registered target, loaded by name: test/servers/<t>.driver.ts for each
// entry of TARGET_NAMES (src/targets/registry.ts), so a test that runs every target iterates the
// registry and never a list of its own. A registered target without a driver module fails here, at
// import, for every such test; test/unit/targets/folder.test.ts checks each module's shape.
import { TARGET_NAMES, type TargetName } from '../../src/targets/registry.js';
import type { ServerDriver } from '../harness/suite.js';
import type { PathsDriver } from './paths.suite.js';

/** What test/servers/<t>.driver.ts exports for the shared suites. */
export interface TargetDrivers {
  /** One site per policy, as docs/contract.md §4 says (the matrix, injection and differential tests). */
  driver: ServerDriver;
  /** Every policy of a site included together at one level (the path suite, the fuzzer, the browser path case). */
  paths: PathsDriver;
}

async function load(target: TargetName): Promise<[TargetName, TargetDrivers]> {
  const module = (await import(`./${target}.driver.ts`)) as Partial<TargetDrivers>;
  if (!module.driver || !module.paths) throw new Error(`test/servers/${target}.driver.ts must export driver and paths (test/servers/drivers.ts)`);
  return [target, { driver: module.driver, paths: module.paths }];
}

export const DRIVERS = Object.fromEntries(await Promise.all(TARGET_NAMES.map(load))) as Record<TargetName, TargetDrivers>;

export const PATHS_DRIVERS = Object.fromEntries(TARGET_NAMES.map((t) => [t, DRIVERS[t].paths])) as Record<TargetName, PathsDriver>;

/** The one-site-per-policy drivers, in registry order. */
export const SERVER_DRIVERS: readonly ServerDriver[] = TARGET_NAMES.map((t) => DRIVERS[t].driver);
