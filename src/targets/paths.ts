// What every target needs to scope a policy to its paths (docs/contract.md §2a): for each of the policy's
// prefixes, the longer prefixes of the file's other policies that take a request away from it.
// The policies of one file divide the paths among themselves (src/model/paths.ts, governs): a
// request belongs to the policy with the longest matching prefix in the file.
import type { Policy, PolicySet } from '../model/types.js';

export interface PrefixRoute {
  /** One of the policy's prefixes. */
  prefix: string;
  /** Longer prefixes of other policies of the file that start with `prefix`, longest first. */
  excluded: string[];
}

/**
 * Characters a prefix may hold here: the checks (rules paths-*) refuse everything else before a
 * target runs; a prefix that gets here anyway is a bug, never something to emit.
 */
const SAFE_PREFIX = /^\/[A-Za-z0-9._~!&+,=:@/-]*$/;

export function checkedPrefix(prefix: string, target: string): string {
  if (!SAFE_PREFIX.test(prefix) || prefix.includes('//') || /\/\.\.?(\/|$)/.test(prefix)) {
    throw new Error(`the path prefix ${JSON.stringify(prefix)} reached the ${target} target unchecked (the paths-* checks must refuse it)`);
  }
  return prefix;
}

/** Whether any policy of the file names paths other than `/` (else no config needs a path test). */
export function fileHasPaths(set: PolicySet): boolean {
  return set.policies.some((p) => p.paths.length !== 1 || p.paths[0] !== '/');
}

/**
 * The routes of `policy` within its file, or null when the file names no paths (every policy
 * governs every path: the configuration is exactly what it was before `paths` existed).
 * `ignoreCase`: the server compares paths ignoring case (Caddy's path matcher).
 */
export function prefixRoutes(set: PolicySet, policy: Policy, target: string, ignoreCase: boolean): PrefixRoute[] | null {
  if (!fileHasPaths(set)) return null;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const others = set.policies.filter((p) => p !== policy).flatMap((p) => p.paths.map((x) => checkedPrefix(x, target)));
  return policy.paths.map((raw) => {
    const prefix = checkedPrefix(raw, target);
    const excluded = [...new Set(others.filter((o) => o.length > prefix.length && fold(o).startsWith(fold(prefix))))];
    excluded.sort((a, b) => b.length - a.length);
    return { prefix, excluded };
  });
}

/** An anchored PCRE (and RE2) regex for the paths that start with `prefix`. */
export function prefixRegex(prefix: string): string {
  return `^${prefix.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}`;
}
