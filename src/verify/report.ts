// What verify prints: one FAIL line per deviating request and a closing count (text), or the same
// results as one JSON document. Text from the server is quoted (src/verify/quote.ts).
import { CORS_RESPONSE_HEADERS } from '../model/types.js';
import { CAUSE_TEXT } from './causes.js';
import { headerValues } from './headers.js';
import { describeDifference } from './compare.js';
import { printable, quote } from './quote.js';
import { conforms, type Result, type VerifyRun } from './run.js';

const SHOWN_REQUEST_HEADERS: [string, string][] = [
  ['access-control-request-method', 'Access-Control-Request-Method'],
  ['access-control-request-headers', 'Access-Control-Request-Headers'],
  ['access-control-request-private-network', 'Access-Control-Request-Private-Network'],
];

/** `OPTIONS /api/ Origin: https://a.example Access-Control-Request-Method: PUT`, or `GET / (no Origin)`. */
export function describeRequest(r: Result['request']): string {
  const origin = r.headers.origin;
  const parts = [r.method, printable(r.path), origin === undefined ? '(no Origin)' : `Origin: ${printable(origin)}`];
  for (const [name, label] of SHOWN_REQUEST_HEADERS) {
    const v = r.headers[name];
    if (v !== undefined) parts.push(`${label}: ${printable(v)}`);
  }
  return parts.join(' ');
}

function whatDiffered(r: Result): string {
  if (r.outcome.kind === 'failed') return r.outcome.message;
  return r.differences.map(describeDifference).join('; ');
}

export function failLine(r: Result): string {
  const cause = r.cause ? ` (likely cause: ${CAUSE_TEXT[r.cause]})` : '';
  return `FAIL ${describeRequest(r.request)}: ${whatDiffered(r)}${cause}`;
}

export function textReport(run: VerifyRun): string {
  if (run.kind === 'unreachable') return `verify: ${run.url} could not be reached: ${run.failure.message}; nothing judged\n`;
  const lines: string[] = [];
  for (const entry of run.set.notProbed) lines.push(`not probed: origin entry ${quote(entry)} (no origin could be derived from it)`);
  const cut = run.set.cut;
  if (cut) {
    lines.push(
      `note: the ${cut.derived} requests derived from the policy exceed the limit of 1000 per run; cut evenly to ${cut.originsKept} of ${cut.origins} origins on ${cut.pathsKept} of ${cut.paths} paths`,
    );
  }
  for (const r of run.results) if (!conforms(r)) lines.push(failLine(r));
  const ok = run.results.filter(conforms).length;
  lines.push(`verify: ${ok}/${run.results.length} requests conform`);
  return `${lines.join('\n')}\n`;
}

/** The received headers verify judges (Access-Control-* and Vary), each with every value it had. */
function judgedHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of [...CORS_RESPONSE_HEADERS, 'Vary']) {
    const values = headerValues(rawHeaders, name);
    if (values.length > 0) out[name] = values;
  }
  return out;
}

export function jsonReport(run: VerifyRun): string {
  if (run.kind === 'unreachable') {
    return `${JSON.stringify({ url: run.url, policy: run.policy, reachable: false, error: { kind: run.failure.failure, message: run.failure.message } }, null, 2)}\n`;
  }
  const results = run.results.map((r) => ({
    method: r.request.method,
    path: r.request.path,
    requestHeaders: r.request.headers,
    conforms: conforms(r),
    ...(r.outcome.kind === 'answered'
      ? { status: r.outcome.status, headers: judgedHeaders(r.outcome.rawHeaders) }
      : { error: { kind: r.outcome.failure, message: r.outcome.message } }),
    expected: { status: r.expected.status === 'upstream' ? null : r.expected.status, headers: r.expected.headers, varyOrigin: r.expected.varyOrigin },
    differences: r.differences.map((d) => ({ ...d, message: describeDifference(d) })),
    ...(r.cause ? { cause: { id: r.cause, message: CAUSE_TEXT[r.cause] } } : {}),
  }));
  const doc = {
    url: run.url,
    policy: run.policy,
    reachable: true,
    sent: results.length,
    conforming: results.filter((r) => r.conforms).length,
    notProbed: run.set.notProbed,
    ...(run.set.cut ? { cut: run.set.cut } : {}),
    results,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
