// Deployments of the examples (examples/*.yaml) in the real servers, correct ones and ones with the
// mistakes users make, for the verify suites. Each deployment is one site on its own port; a mistake
// is confined to the route /broken/, so verify must name that path (and only that path).
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../src/compile.js';
import type { TargetName } from '../../src/targets/types.js';
import { compilePolicy } from '../harness/policy.js';

export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
export const EXAMPLES = ['spa-with-cookies', 'multi-tenant', 'public-api'] as const;
/** The example the mistakes are made with (one policy, credentials, exact, pattern and port-wildcard origins). */
export const MISTAKE_EXAMPLE = 'spa-with-cookies';
export const MISTAKE_POLICY = 'api';

export const exampleFile = (name: string) => join(EXAMPLES_DIR, `${name}.yaml`);

export interface CorrectSite {
  kind: 'correct';
  example: string;
  policy: string;
  port: number;
}

export interface MistakeSite<M extends string> {
  kind: 'mistake';
  mistake: M;
  port: number;
}

export type Site<M extends string> = CorrectSite | MistakeSite<M>;

/** Policies of every example, in file order. */
export function examplePolicies(): { example: string; policy: string }[] {
  return EXAMPLES.flatMap((example) =>
    compilePolicy(readFileSync(exampleFile(example), 'utf8'), `${example}.yaml`).policies.map((p) => ({ example, policy: p.name })),
  );
}

/** Writes each example's generated files for `target` below dir/cors-<example>/; returns those dirs. */
export function writeGenerated(dir: string, target: TargetName): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const example of EXAMPLES) {
    const set = compilePolicy(readFileSync(exampleFile(example), 'utf8'), `${example}.yaml`);
    const corsDir = join(dir, `cors-${example}`);
    mkdirSync(corsDir);
    for (const f of generate(set, target)) writeFileSync(join(corsDir, f.path), f.contents);
    dirs[example] = corsDir;
  }
  return dirs;
}
