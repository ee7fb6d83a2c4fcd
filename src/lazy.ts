// Libraries only some runs need, loaded on first use so that `cors-gen validate` on a policy
// without wildcards, or a plain generate, does not pay for them at start-up (npm run bench).
// The require() calls are literal: esbuild (scripts/build.mjs) then bundles each library as a
// module that runs on its first require, inside the one file the V8 code cache covers. Under vitest,
// require is the one vite-node gives every module.
function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/** The Public Suffix List. */
export const tldts = lazy(() => require('tldts') as typeof import('tldts'));
/** Unified diffs for --check. */
export const diffLib = lazy(() => require('diff') as typeof import('diff'));
/** `cors-gen serve` and `verify`: they load Node's http, https and tls, which other commands do not need. */
export const serveCommand = lazy(() => require('./serve/index.js') as typeof import('./serve/index.js'));
export const verifyCommand = lazy(() => require('./verify/command.js') as typeof import('./verify/command.js'));
const levenshtein = lazy(() => require('fastest-levenshtein') as typeof import('fastest-levenshtein'));

/** The known word a misspelt one most likely means, if any is close enough. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const { closest, distance } = levenshtein();
  const near = closest(word, known as string[]);
  return distance(word.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(near.length / 3)) ? near : undefined;
}
