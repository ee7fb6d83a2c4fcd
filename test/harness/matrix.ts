// The request matrix sent to every real server, and the comparison of each answer with the reference
// evaluator (src/model/evaluate.ts).
import { Agent, request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { evaluate, type CorsRequest, type ExpectedResponse } from '../../src/model/evaluate.js';
import type { Policy } from '../../src/model/types.js';
import { attackOrigins } from '../../src/verify/origins.js';
import { compareAnswer, describeDifference, varyTokens } from '../../src/verify/compare.js';
import { headerValues } from '../../src/verify/headers.js';
import { statusOf, UPSTREAM_VARY, type Upstream } from './upstream.js';

export interface RequestCase {
  name: string;
  method: string;
  path: string;
  /** Request headers (lower-case names); an empty string is sent as an empty header. */
  headers: Record<string, string>;
}

export interface RawResponse {
  status: number;
  rawHeaders: string[];
  body: string;
}

function originCases(origin: string, full: boolean): RequestCase[] {
  const preflight: RequestCase = {
    name: 'preflight PUT with headers',
    method: 'OPTIONS',
    path: '/status/200',
    headers: {
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'authorization,x-custom',
      'access-control-request-private-network': 'true',
    },
  };
  const get: RequestCase = { name: 'actual GET 200', method: 'GET', path: '/status/200', headers: { origin } };
  const error500: RequestCase = { name: 'actual GET 500', method: 'GET', path: '/status/500', headers: { origin } };
  if (!full) return [preflight, get, error500];
  return [
    preflight,
    { name: 'preflight GET, no request headers', method: 'OPTIONS', path: '/status/200', headers: { origin, 'access-control-request-method': 'GET' } },
    get,
    { name: 'actual POST 201', method: 'POST', path: '/status/201', headers: { origin, 'content-type': 'text/plain' } },
    { name: 'actual DELETE 200', method: 'DELETE', path: '/status/200', headers: { origin } },
    { name: 'actual GET 404', method: 'GET', path: '/status/404', headers: { origin } },
    error500,
    { name: 'actual GET 502 from app', method: 'GET', path: '/status/502', headers: { origin } },
    { name: 'bare OPTIONS', method: 'OPTIONS', path: '/status/200', headers: { origin } },
    { name: 'OPTIONS with empty ACRM', method: 'OPTIONS', path: '/status/200', headers: { origin, 'access-control-request-method': '' } },
  ];
}

export interface PolicySamples {
  /** Origins the policy must accept (asserted through the evaluator too). */
  allowed: string[];
  /** Origins the policy must refuse (asserted through the evaluator too). */
  refused: string[];
}

export function casesFor(samples: PolicySamples): RequestCase[] {
  const cases: RequestCase[] = [];
  for (const o of samples.allowed) {
    cases.push(...originCases(o, true));
    for (const a of attackOrigins(o)) cases.push(...originCases(a, false).map((c) => ({ ...c, name: `${c.name} (attack)` })));
  }
  for (const o of samples.refused) cases.push(...originCases(o, true));
  cases.push(
    { name: 'GET without Origin', method: 'GET', path: '/status/200', headers: {} },
    { name: 'GET 500 without Origin', method: 'GET', path: '/status/500', headers: {} },
    { name: 'OPTIONS + ACRM without Origin', method: 'OPTIONS', path: '/status/200', headers: { 'access-control-request-method': 'PUT' } },
  );
  return cases;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export function send(port: number, c: RequestCase, testId: string, attempt = 0): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: c.method, path: c.path, agent, headers: { ...c.headers, 'x-test-id': testId } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A keep-alive socket the server closed between two requests: send once more on a new one.
      if (attempt === 0 && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) resolve(send(port, c, testId, 1));
      else reject(e);
    });
    req.end();
  });
}

/**
 * Differences between a server's answer and the evaluator's; empty when they agree. The CORS headers,
 * preflight status and Vary are judged by verify's comparison (src/verify/compare.ts), byte for byte;
 * the harness adds what only a test with its own upstream can see.
 */
export function compare(expected: ExpectedResponse, res: RawResponse, forwarded: boolean, appStatus: number): string[] {
  const problems: string[] = [];
  if (expected.status === 'upstream') {
    if (!forwarded) problems.push('request did not reach the application');
    if (res.status !== appStatus) problems.push(`status ${res.status}, expected the application's ${appStatus}`);
  } else if (forwarded) problems.push('request reached the application');
  problems.push(...compareAnswer(expected, res, 'exact').map(describeDifference));
  const vary = varyTokens(res.rawHeaders);
  if (forwarded && !vary.includes(UPSTREAM_VARY.toLowerCase())) problems.push(`Vary ${JSON.stringify(vary)} lost the application's ${UPSTREAM_VARY}`);
  if (expected.status === 204) {
    if (res.body !== '') problems.push(`204 has a body ${JSON.stringify(res.body)}`);
    if (headerValues(res.rawHeaders, 'content-length').length > 0) problems.push('204 has a Content-Length');
  }
  return problems;
}

export interface MatrixResult {
  cases: number;
  mismatches: string[];
}

/** Sends every case to the server on `port` and compares each answer with the evaluator. */
export async function runMatrix(policy: Policy, port: number, upstream: Upstream, cases: RequestCase[]): Promise<MatrixResult> {
  const mismatches: string[] = [];
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const id = randomUUID();
      const req: CorsRequest = { method: c.method, headers: c.headers };
      const expected = evaluate(policy, req);
      const res = await send(port, c, id);
      const appStatus = statusOf(c.path);
      const problems = compare(expected, res, upstream.seen.has(id), appStatus);
      if (problems.length > 0) {
        mismatches.push(`[${policy.name}] ${c.method} ${c.path} ${c.name} ${JSON.stringify(c.headers)}:\n    ${problems.join('\n    ')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return { cases: cases.length, mismatches };
}
