// What serve and the middleware add to a response, decided by the reference evaluator
// (src/model/evaluate.ts): the Access-Control-* headers of its verdict, and `Origin` merged into Vary.
import type { IncomingMessage } from 'node:http';
import { evaluate, type CorsRequest, type ExpectedResponse } from '../model/evaluate.js';
import { CORS_RESPONSE_HEADERS, type Policy } from '../model/types.js';

const joined = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

/** The request as the evaluator reads it (Node joins a repeated header with ", "). */
export function corsRequestOf(req: IncomingMessage): CorsRequest {
  const h = req.headers;
  return {
    method: req.method ?? '',
    headers: {
      origin: joined(h.origin),
      'access-control-request-method': joined(h['access-control-request-method']),
      'access-control-request-headers': joined(h['access-control-request-headers']),
      'access-control-request-private-network': joined(h['access-control-request-private-network']),
    },
  };
}

export const decide = (policy: Policy, req: IncomingMessage): ExpectedResponse => evaluate(policy, corsRequestOf(req));

export const CORS_PREFIX = 'access-control-';

/** Contract §2: every Access-Control-* header from the application is removed. */
export const isCorsHeader = (name: string): boolean => name.toLowerCase().startsWith(CORS_PREFIX);

/** The verdict's Access-Control-* headers, in a fixed order. */
export function corsHeaderPairs(expected: ExpectedResponse): [string, string][] {
  const out: [string, string][] = [];
  for (const name of CORS_RESPONSE_HEADERS) {
    const v = expected.headers[name];
    if (v !== undefined) out.push([name, v]);
  }
  return out;
}

/** The same headers appended to a flat [name, value, …] list. */
export function pushCorsHeaders(expected: ExpectedResponse, out: string[]): void {
  for (const name of CORS_RESPONSE_HEADERS) {
    const v = expected.headers[name];
    if (v !== undefined) out.push(name, v);
  }
}

/** The application's Vary values with `Origin` added unless already listed (or `*`). */
export function mergeVary(values: readonly string[]): string {
  // The usual cases without splitting: no Vary, or one that does not list Origin (or *).
  if (values.length === 0) return 'Origin';
  if (values.length === 1 && !/(?:^|,)\s*(?:origin|\*)\s*(?:,|$)/i.test(values[0]!) && values[0]!.trim() !== '') return `${values[0]!.trim()}, Origin`;
  const tokens = values.flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  if (!tokens.some((t) => t === '*' || t.toLowerCase() === 'origin')) tokens.push('Origin');
  return tokens.join(', ');
}
