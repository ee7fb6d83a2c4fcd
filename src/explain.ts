// `cors-gen explain`: what happens when a page on <origin> makes a request, told for a person: which
// origin entry matched (or why none did), whether a preflight is sent, what the server answers
// (from the reference evaluator) and whether the browser accepts it (from the Fetch checks).
import { engineNotes, type EngineNoteInput } from './engine-notes.js';
import { corsCheck, needsPreflight, preflightCheck, unsafeHeaderNames, type BrowserRequest } from './model/browser.js';
import { evaluate, matchOrigin, type ExpectedResponse } from './model/evaluate.js';
import { hostText, splitRequestOrigin } from './model/origin.js';
import { governs, matchingPrefix, serverPath } from './model/paths.js';
import type { OriginMatcher, Policy } from './model/types.js';
import { NORMALIZED_METHODS, SAFELISTED_METHODS } from './model/fetch.js';
import { escapeControls } from './text/escape.js';
import { REGISTRY } from './targets/registry.js';

export function describeMatcher(m: OriginMatcher): string {
  switch (m.kind) {
    case 'exact':
      return m.origin;
    case 'regex':
      return `regex ${m.source}`;
    case 'pattern':
      return m.written;
  }
}

function whyNot(m: OriginMatcher, origin: string): string {
  const parts = splitRequestOrigin(origin);
  if (m.kind === 'regex') return 'the regex does not match';
  if (!parts) return 'the origin is not scheme://host[:port]';
  const scheme = m.kind === 'exact' ? m.origin.split('://')[0] : m.scheme;
  if (parts.scheme !== scheme) return `the scheme is ${parts.scheme}, not ${scheme}`;
  if (m.kind === 'exact') return origin.toLowerCase() === m.origin ? 'it differs in letter case' : 'it is a different origin';
  const base = hostText(m.host);
  if (m.subdomains && parts.host === base) return `*.${base} matches subdomains of ${base}, not ${base} itself`;
  if (m.subdomains ? !parts.host.endsWith(`.${base}`) : parts.host !== base) return `the host ${parts.host} is not ${m.subdomains ? `a subdomain of ${base}` : base}`;
  if (m.port.kind === 'default' && parts.port !== null) return `the port :${parts.port} is not allowed (the entry names no port)`;
  if (m.port.kind === 'port' && parts.port !== m.port.port) return `the port is not :${m.port.port}`;
  return 'a subdomain label is not a valid DNS label';
}

function headerLines(res: ExpectedResponse, indent: string): string[] {
  return [...Object.entries(res.headers).map(([k, v]) => `${indent}${k}: ${v}`), `${indent}Vary: Origin (added to the application's own Vary)`];
}

export interface Explanation {
  text: string;
  /** Whether the page can read the response. */
  accepted: boolean;
}

/** The request as a script makes it; `writtenMethod` is the method as given, before Fetch normalizes it. */
export type ExplainRequest = BrowserRequest & { writtenMethod?: string };

export function explain(policy: Policy, req: ExplainRequest): Explanation {
  const lines: string[] = [`Policy "${policy.name}", request ${req.method} from ${req.origin}${req.credentials ? ' with credentials' : ''}.`];
  if (req.writtenMethod !== undefined && req.writtenMethod !== req.method) {
    lines.push(`(Browsers send ${req.writtenMethod} as ${req.method}: fetch upper-cases ${NORMALIZED_METHODS.join(', ')} and sends every other method as written.)`);
  }
  lines.push('');
  const decision = matchOrigin(policy, req.origin);
  if (policy.origins.kind === 'any') lines.push(`The origin is allowed: the policy allows every origin (origins: "*").`);
  else if (decision.allowed) lines.push(`The origin is allowed: it matches the entry ${describeMatcher(decision.matched!)}.`);
  else {
    lines.push(`The origin is not allowed: no entry of the policy matches it.`);
    for (const m of policy.origins.matchers) lines.push(`  - ${describeMatcher(m)}: ${whyNot(m, req.origin)}`);
  }
  lines.push('');

  let accepted = true;
  const preflight: EngineNoteInput['preflight'] = { sent: false, accepted: false, allowHeaders: undefined };
  const unsafe = unsafeHeaderNames(req);
  if (needsPreflight(req)) {
    const reasons = [
      ...(SAFELISTED_METHODS.has(req.method) ? [] : [`${req.method} is not a CORS-safelisted method`]),
      ...(unsafe.length > 0 ? [`${unsafe.join(', ')} ${unsafe.length > 1 ? 'are' : 'is'} not CORS-safelisted`] : []),
    ];
    lines.push(`This is a preflighted request (${reasons.join('; ')}). The browser first sends:`);
    const pfHeaders: Record<string, string> = { origin: req.origin, 'access-control-request-method': req.method };
    if (unsafe.length > 0) pfHeaders['access-control-request-headers'] = unsafe.join(',');
    lines.push(`  OPTIONS`, `  Origin: ${req.origin}`, `  Access-Control-Request-Method: ${req.method}`);
    if (unsafe.length > 0) lines.push(`  Access-Control-Request-Headers: ${unsafe.join(',')}`);
    const pf = evaluate(policy, { method: 'OPTIONS', headers: pfHeaders });
    lines.push(`The server answers the preflight itself (the application never sees it):`, `  ${pf.status === 204 ? '204 No Content' : '403 Forbidden'}`, ...headerLines(pf, '  '));
    const verdict = preflightCheck(pf.status === 204 ? 204 : 403, pf.headers, req);
    Object.assign(preflight, { sent: true, accepted: verdict.ok, allowHeaders: pf.headers['Access-Control-Allow-Headers'] });
    if (!verdict.ok) {
      lines.push(`The browser rejects the preflight: ${verdict.reason}.`, `The actual request is never sent; the page sees a network error (TypeError: Failed to fetch).`);
      accepted = false;
    } else lines.push('The browser accepts the preflight.');
    lines.push('');
  } else {
    lines.push('This is a simple request: the browser sends it without a preflight.');
  }

  if (accepted) {
    const actualHeaders: Record<string, string> = { origin: req.origin };
    const actual = evaluate(policy, { method: req.method, headers: actualHeaders });
    lines.push(`The server forwards the ${req.method} to the application and adds to its response, whatever its status:`, ...headerLines(actual, '  '));
    const verdict = corsCheck(actual.headers, req);
    if (verdict.ok) {
      const exposed = actual.headers['Access-Control-Expose-Headers'];
      lines.push(`The browser lets the page read the response${exposed ? ` (and the headers ${exposed})` : ''}.`);
    } else {
      lines.push(`The browser blocks the response: ${verdict.reason}. The request did reach the application.`);
      accepted = false;
    }
  }
  const notes = engineNotes({ policy, req, preflight, accepted });
  if (notes.length > 0) lines.push(...(lines.at(-1) === '' ? [] : ['']), ...notes);
  lines.push('', `Result: ${accepted ? 'ALLOWED' : 'BLOCKED'}`);
  // The origin, method and headers are the user's, and so are the policy's entries: one line each, always.
  return { text: `${lines.map(escapeControls).join('\n')}\n`, accepted };
}

// --- paths (docs/contract.md §2a) -----------------------------------------------------------------------

export type PathChoice =
  | { kind: 'governed'; policy: Policy; prefix: string }
  | { kind: 'none' }
  /** Several policies share the longest prefix (only `/`: policies without paths). */
  | { kind: 'ambiguous'; names: string[] }
  /** The servers read the path differently (encoded slash, case, dot-segments above the root). */
  | { kind: 'servers-differ'; readings: string };

/** Which policy of the file governs `path` in the generated configs, when every target's server agrees. */
export function policyForPath(policies: readonly Policy[], path: string): PathChoice {
  const readings = REGISTRY.map(({ name: t, reading }) => {
    const sp = serverPath(reading, path);
    if (sp.kind === 'refused') return { t, reading, text: `refused ${sp.status}`, names: [] as string[], path: '' };
    const names = policies.filter((p) => governs(p, policies, sp.path, reading)).map((p) => p.name);
    return { t, reading, text: names.length > 0 ? names.join('+') : 'none', names, path: sp.path };
  });
  if (new Set(readings.map((r) => r.text)).size > 1) {
    return { kind: 'servers-differ', readings: readings.map((r) => `${r.t}: ${r.text}`).join(', ') };
  }
  const first = readings[0]!;
  if (first.text.startsWith('refused')) return { kind: 'servers-differ', readings: `every server refuses ${path} (${first.text})` };
  if (first.names.length > 1) return { kind: 'ambiguous', names: first.names };
  if (first.names.length === 0) return { kind: 'none' };
  const policy = policies.find((p) => p.name === first.names[0])!;
  return { kind: 'governed', policy, prefix: matchingPrefix(policy, first.path, first.reading)! };
}

/** The first line of an explanation at a path the policy governs. */
export function governedLine(path: string, policy: Policy, prefix: string): string {
  return prefix === '/' && policy.paths.length === 1 ? '' : `Path ${path}: governed by policy "${policy.name}" (prefix ${prefix}, the longest that matches).\n`;
}

/** What happens at a path no policy of the file governs. */
export function explainUngoverned(path: string, req: BrowserRequest): Explanation {
  return {
    text: [
      `No policy governs the path ${path}: the server passes the ${req.method} from ${req.origin} on untouched.`,
      'It answers no preflight and adds no Access-Control-* header and no Vary: Origin; whatever the',
      'application sends decides (nginx and Caddy still remove its own Access-Control-* headers there, Apache',
      'passes them). A browser blocks a cross-origin read unless the application allows it itself.',
      '',
      'Result: NOT GOVERNED',
      '',
    ].join('\n'),
    accepted: false,
  };
}
