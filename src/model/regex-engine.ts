// Every user regex (origin entries `{regex: …}`) runs here, on RE2JS: a pure-JavaScript port of
// RE2 whose matching is linear in the input (no backtracking), so no pattern and no origin can
// make a check, `explain` or the evaluator take more than a bounded time. Issue 9 measured V8's
// backtracking engine at 15 s to over a minute on `^(a+)+$`-style patterns. The accepted syntax is
// the PCRE/RE2 common subset (src/check/regex-portability.ts), on which RE2 and JavaScript agree.
//
// Why RE2JS: pure JavaScript (nothing to compile or download at install time, unlike the `re2`
// native addon), synchronous (unlike @adguard/re2-wasm, whose module must be instantiated first),
// the RE2 grammar itself (a port of Go's regexp), and ~260 kB loaded only by runs that have a regex.
type RE2JSModule = typeof import('re2js');
type Compiled = InstanceType<RE2JSModule['RE2JS']>;

let engine: RE2JSModule | undefined;
// A literal require(), as in src/lazy.ts: esbuild bundles re2js into dist/cli.cjs, to run on first
// use. Through createRequire it stayed a require() of node_modules at run time, which an installed
// cors-gen (no dependencies of its own) does not have.
const load = (): RE2JSModule => (engine ??= require('re2js') as RE2JSModule);

const cache = new Map<string, Compiled | null>();
/** Patterns kept compiled; a policy with more simply compiles some twice. */
const CACHE_SIZE = 4096;

function compiled(source: string): Compiled | null {
  let re = cache.get(source);
  if (re === undefined) {
    try {
      re = load().RE2JS.compile(source);
    } catch {
      re = null;
    }
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(source, re);
  }
  return re;
}

/** Why RE2 refuses the pattern, or null when it compiles. */
export function re2Problem(source: string): string | null {
  try {
    load().RE2JS.compile(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Whether the pattern matches somewhere in the input, as JavaScript's RegExp#test (origin regexes are anchored). */
export function regexTest(source: string, input: string): boolean {
  const re = compiled(source);
  return re !== null && re.test(input);
}

/**
 * Many patterns matched against many inputs in one pass per input (RE2's set matching): which of
 * the patterns match each input. Patterns RE2 refuses never match.
 */
export function regexSet(sources: readonly string[]): (input: string) => number[] {
  const { RE2Set } = load();
  const set = new RE2Set(RE2Set.UNANCHORED);
  const index: number[] = [];
  sources.forEach((s, i) => {
    if (compiled(s) === null) return;
    set.add(s);
    index.push(i);
  });
  if (index.length === 0) return () => [];
  set.compile();
  return (input) => set.match(input).map((k: number) => index[k]!);
}
