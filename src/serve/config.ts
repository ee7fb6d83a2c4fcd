// `cors-gen serve` options → what the server runs (docs/contract.md §3b). Every problem is one message.
import { resolve } from 'node:path';
import type { Policy, PolicySet, Upstream } from '../model/types.js';
import { DEFAULT_LISTEN, parseListen, type ListenAddress } from './listen-address.js';
import { readCaFile, systemTrustStore } from './trust-store.js';
import { parseUpstreamUrl, type Parsed } from './upstream-url.js';

export interface ServeOptions {
  policy?: string;
  listen?: string;
  upstream?: string;
  ca?: string;
}

export interface ServeConfig {
  policy: Policy;
  upstream: Upstream;
  listen: ListenAddress;
  /** Certificates for an https upstream (empty for http). */
  ca: string[];
  /** Lines for stderr before start-up (e.g. a non-loopback address). */
  warnings: string[];
}

const error = (message: string): Parsed<never> => ({ kind: 'error', message });

/** The one policy of the file, or the one --policy names. */
export function choosePolicy(set: PolicySet, file: string, name: string | undefined): Parsed<Policy> {
  const names = set.policies.map((p) => p.name);
  const policy = name !== undefined ? set.policies.find((p) => p.name === name) : set.policies.length === 1 ? set.policies[0] : undefined;
  if (policy) return { kind: 'ok', value: policy };
  return error(name !== undefined ? `no policy ${JSON.stringify(name)} in ${file} (it has ${names.join(', ')})` : `${file} has several policies; choose one with --policy <${names.join('|')}>`);
}

const isLoopbackHost = (h: string) => h === 'localhost' || h === '[::1]' || /^127\./.test(h);

export function prepareServe(set: PolicySet, file: string, o: ServeOptions): Parsed<ServeConfig> {
  const chosen = choosePolicy(set, file, o.policy);
  if (chosen.kind === 'error') return chosen;
  const policy = chosen.value;
  const warnings: string[] = [];

  let upstream = policy.upstream;
  if (o.upstream !== undefined) {
    const parsed = parseUpstreamUrl(o.upstream, upstream?.ca ?? null);
    if (parsed.kind === 'error') return parsed;
    upstream = parsed.value;
  } else if (upstream !== null) {
    // The policy's own URL, checked as strictly as --upstream.
    const parsed = parseUpstreamUrl(upstream.url, upstream.ca);
    if (parsed.kind === 'error') return parsed;
  }
  if (upstream === null) return error(`policy ${JSON.stringify(policy.name)} has no upstream; name one with --upstream <URL> (serve forwards to one fixed upstream, nowhere else)`);
  if (o.ca !== undefined) upstream = { ...upstream, ca: resolve(o.ca) };
  if (upstream.scheme === 'http' && upstream.ca !== null && o.ca !== undefined) return error('--ca applies to an https upstream only');

  let ca: string[] = [];
  if (upstream.scheme === 'https') {
    if (upstream.ca !== null) {
      const read = readCaFile(upstream.ca);
      if (read.kind === 'error') return read;
      ca = read.value;
    } else {
      ca = systemTrustStore();
    }
  } else if (!isLoopbackHost(upstream.host)) {
    warnings.push(`cors-gen serve: warning: the upstream ${upstream.url} is plain http: requests travel to it unencrypted`);
  }

  let listen = DEFAULT_LISTEN;
  if (o.listen !== undefined) {
    const parsed = parseListen(o.listen);
    if (parsed.kind === 'error') return parsed;
    listen = parsed.value;
  }
  if (!listen.loopback) warnings.push(`cors-gen serve: warning: listening on ${o.listen}, not loopback: whoever reaches this address can use the proxy`);
  return { kind: 'ok', value: { policy, upstream, listen, ca, warnings } };
}
