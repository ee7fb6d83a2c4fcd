// One answer against the reference evaluator's (docs/contract.md §2, §3a): the status the server answers a
// preflight with, every Access-Control-* header (exactly once, or absent) and Vary: Origin. The
// status of an actual request belongs to the application and is not judged here.
import type { ExpectedResponse } from '../model/evaluate.js';
import { CORS_RESPONSE_HEADERS, type CorsResponseHeader } from '../model/types.js';
import { headerValues, listTokens } from './headers.js';
import { quote as q } from './quote.js';

export interface Answer {
  status: number;
  rawHeaders: readonly string[];
}

export type Difference =
  | { kind: 'status'; got: number; want: 204 | 403 }
  | { kind: 'header-missing'; header: CorsResponseHeader; want: string }
  | { kind: 'header-unexpected'; header: CorsResponseHeader; got: string[] }
  | { kind: 'header-repeated'; header: CorsResponseHeader; got: string[]; want: string }
  | { kind: 'header-value'; header: CorsResponseHeader; got: string; want: string }
  | { kind: 'vary-without-origin'; vary: string[] };

/** Headers whose value is a comma-separated list (Fetch: `#field-name` / `#method`). */
export const LIST_HEADERS: ReadonlySet<CorsResponseHeader> = new Set([
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Expose-Headers',
]);

/**
 * `tokens`: a list-valued header equals the expected one when its elements do (`GET,POST` =
 * `GET, POST`), as a browser reads it; `exact`: byte for byte, as the test suites pin the
 * generated configs.
 */
export type ListComparison = 'tokens' | 'exact';

function sameValue(header: CorsResponseHeader, got: string, want: string, lists: ListComparison): boolean {
  if (lists === 'exact' || !LIST_HEADERS.has(header)) return got === want;
  const [a, b] = [listTokens(got), listTokens(want)];
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

export function varyTokens(rawHeaders: readonly string[]): string[] {
  return headerValues(rawHeaders, 'vary').flatMap((v) => listTokens(v).map((t) => t.toLowerCase()));
}

/** Differences between an answer and the evaluator's; empty when they agree. */
export function compareAnswer(expected: ExpectedResponse, answer: Answer, lists: ListComparison): Difference[] {
  const out: Difference[] = [];
  if (expected.status !== 'upstream' && answer.status !== expected.status) out.push({ kind: 'status', got: answer.status, want: expected.status });
  for (const header of CORS_RESPONSE_HEADERS) {
    const got = headerValues(answer.rawHeaders, header);
    const want = expected.headers[header];
    if (want === undefined) {
      if (got.length > 0) out.push({ kind: 'header-unexpected', header, got });
    } else if (got.length === 0) out.push({ kind: 'header-missing', header, want });
    else if (got.length > 1) out.push({ kind: 'header-repeated', header, got, want });
    else if (!sameValue(header, got[0]!, want, lists)) out.push({ kind: 'header-value', header, got: got[0]!, want });
  }
  const vary = varyTokens(answer.rawHeaders);
  if (expected.varyOrigin && !vary.includes('origin')) out.push({ kind: 'vary-without-origin', vary });
  return out;
}


/** One difference in words (values quoted, so a server's header cannot forge a line). */
export function describeDifference(d: Difference): string {
  switch (d.kind) {
    case 'status':
      return `status ${d.got}, expected ${d.want}`;
    case 'header-missing':
      return `no ${d.header}, expected ${q(d.want)}`;
    case 'header-unexpected':
      return `${d.header} ${d.got.map((v) => q(v)).join(' and ')}, expected none`;
    case 'header-repeated':
      return `${d.header} ${d.got.length} times (${d.got.map((v) => q(v)).join(', ')}), expected once ${q(d.want)}`;
    case 'header-value':
      return `${d.header} ${q(d.got)}, expected ${q(d.want)}`;
    case 'vary-without-origin':
      return `Vary ${q(d.vary.join(', '))} does not list Origin`;
  }
}
