// Fixture policies for tests and the benchmark (no vitest import here: the benchmark runs without it).
import { checkPolicyText } from '../../src/compile.js';
import type { PolicySet } from '../../src/model/types.js';

/** The policy set of a policy text the checks must accept (a test fixture), or an exception. */
export function compilePolicy(yaml: string, file = 'test.yaml'): PolicySet {
  const { set, diagnostics } = checkPolicyText(yaml, file);
  if (!set) throw new Error(`${file} refused:\n${diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n')}`);
  return set;
}
