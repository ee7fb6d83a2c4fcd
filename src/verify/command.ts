// `cors-gen verify` (docs/contract.md §3a): the checks of the command line that must pass before anything is
// sent (bad usage is exit 2 with nothing sent), then the run and its report.
import { readFileSync } from 'node:fs';
import { governingPolicy } from '../model/paths.js';
import type { Policy, PolicySet } from '../model/types.js';
import { REGISTRY, TARGET_NAMES } from '../targets/registry.js';
import type { Target } from './client.js';
import { jsonReport, textReport } from './report.js';
import { conforms, verify } from './run.js';
import { printable, quote } from './quote.js';

export const VERIFY_EXIT = { conform: 0, deviation: 1, usage: 2, unreachable: 3 } as const;

export interface VerifyCliOptions {
  url: string;
  policy?: string;
  path: string[];
  format: 'text' | 'json';
  timeout: string;
  ca?: string;
}

export interface VerifyPlan {
  policy: Policy;
  paths: string[];
  target: Target;
  format: 'text' | 'json';
}

export { DEFAULT_TIMEOUT_SECONDS } from './defaults.js';
const MAX_TIMEOUT_SECONDS = 300;

function parseUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--url ${quote(text)} is not a URL (write e.g. https://api.example.com or http://127.0.0.1:8080)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--url ${quote(text)} must be http:// or https://`;
  if (url.username || url.password) return `--url ${quote(text)} must not carry a user name or password (verify never sends a credential)`;
  if (url.pathname !== '/' || url.search || url.hash) return `--url ${quote(text)} takes only scheme, host and port; name paths with --path`;
  if (!url.hostname) return `--url ${quote(text)} has no host`;
  return url;
}

/**
 * The policy that governs `path` in every target (docs/contract.md §2a: the longest prefix of the file), or
 * a message when the targets would disagree (Caddy compares paths ignoring case): verify sends only
 * requests on which the targets agree.
 */
function governing(set: PolicySet, path: string): { policy: Policy | null } | string {
  const owners = new Set(REGISTRY.map((t) => governingPolicy(set.policies, path, t.reading)));
  if (owners.size > 1) return `--path ${quote(path)} is governed by different policies in different servers (Caddy compares paths ignoring case); give a path they agree on`;
  return { policy: [...owners][0] ?? null };
}

// Only paths the three servers read alike (docs/contract.md §2: verify sends only requests on which the
// targets agree): RFC 3986 path characters, no dot-segment, no repeated or encoded slash or dot.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

function pathProblem(set: PolicySet, policy: Policy, path: string): string | undefined {
  if (!PATH.test(path) || /(^|\/)\.\.?(\/|$)/.test(path) || path.includes('//') || /%(2e|2f|5c)/i.test(path) || /%(?![0-9A-Fa-f]{2})/.test(path)) {
    return `--path ${quote(path)} must be a plain path (starting with /, no dot-segment, no repeated or encoded slash or dot, no query)`;
  }
  const found = governing(set, path);
  if (typeof found === 'string') return found;
  const owner = found.policy;
  if (owner !== policy) {
    const where = owner ? `policy "${owner.name}" governs it` : 'no policy governs it';
    return `--path ${quote(path)} is outside policy "${policy.name}"'s paths (${policy.paths.join(', ')}): ${where}`;
  }
  return undefined;
}

/** Everything checked before a request is sent; a string is the bad-usage message (exit 2). */
export function planVerify(set: PolicySet, file: string, o: VerifyCliOptions): VerifyPlan | string {
  const names = set.policies.map((p) => p.name);
  const policy = o.policy ? set.policies.find((p) => p.name === o.policy) : set.policies.length === 1 ? set.policies[0] : undefined;
  if (!policy) {
    const shown = printable(file);
    return o.policy ? `no policy ${quote(o.policy)} in ${shown} (it has ${names.join(', ')})` : `${shown} has several policies; choose one with --policy <${names.join('|')}>`;
  }
  const url = parseUrl(o.url);
  if (typeof url === 'string') return url;
  const seconds = Number(o.timeout);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(o.timeout) || !(seconds > 0) || seconds > MAX_TIMEOUT_SECONDS) {
    return `--timeout ${quote(o.timeout)} must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}`;
  }
  for (const p of o.path) {
    const problem = pathProblem(set, policy, p);
    if (problem) return problem;
  }
  let ca: string | undefined;
  if (o.ca !== undefined) {
    if (url.protocol !== 'https:') return '--ca applies to an https:// --url only';
    try {
      ca = readFileSync(o.ca, 'utf8');
    } catch (e) {
      return `--ca ${quote(o.ca)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) return `--ca ${quote(o.ca)} holds no PEM certificate`;
  }
  const paths = o.path.length > 0 ? [...new Set(o.path)] : [...policy.paths];
  return { policy, paths, format: o.format, target: { url, timeoutMs: Math.round(seconds * 1000), ...(ca ? { ca } : {}) } };
}

/** Sends the requests, prints the report on stdout (the unreachable line on stderr in text), and returns the exit code. */
export async function runVerifyPlan(plan: VerifyPlan, write: { out(s: string): void; err(s: string): void }): Promise<number> {
  const run = await verify(plan.policy, plan.paths, plan.target);
  if (plan.format === 'json') write.out(jsonReport(run));
  else if (run.kind === 'unreachable') write.err(`cors-gen: ${textReport(run)}`);
  else write.out(textReport(run));
  if (run.kind === 'unreachable') return VERIFY_EXIT.unreachable;
  return run.results.every(conforms) ? VERIFY_EXIT.conform : VERIFY_EXIT.deviation;
}
