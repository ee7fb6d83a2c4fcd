// Libraries only some runs need, loaded on first use so that `cors-gen validate` on a policy
// without wildcards, or a plain generate, does not pay for them at start-up (npm run bench).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// scripts/build.mjs defines this in the bundles in dist/, beside which each of these libraries is
// one pre-bundled file (dist/lazy/<name>.cjs) instead of a tree of modules in node_modules.
declare const CORS_GEN_BUNDLE: true | undefined;

function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(typeof CORS_GEN_BUNDLE === 'undefined' ? id : `./lazy/${id}.cjs`) as T);
}

/** The Public Suffix List. */
export const tldts = lazy<typeof import('tldts')>('tldts');
/** Unified diffs for --check. */
export const diffLib = lazy<typeof import('diff')>('diff');
const levenshtein = lazy<typeof import('fastest-levenshtein')>('fastest-levenshtein');

/** The known word a misspelt one most likely means, if any is close enough. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const { closest, distance } = levenshtein();
  const near = closest(word, known as string[]);
  return distance(word.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(near.length / 3)) ? near : undefined;
}
