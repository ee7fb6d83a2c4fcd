// A verify run: the request set sent through the client (at most 4 in flight), every answer compared
// with the evaluator, and the likely cause of each deviation.
import type { Policy } from '../model/types.js';
import { causes, type CauseId } from './causes.js';
import { createClient, type Outcome, type Target } from './client.js';
import { compareAnswer, type Difference } from './compare.js';
import { expectedFor } from './expected.js';
import { requestSet, type ProbeRequest, type RequestSet } from './requests.js';
import type { ExpectedResponse } from '../model/evaluate.js';

export const MAX_IN_FLIGHT = 4;

export interface Result {
  request: ProbeRequest;
  expected: ExpectedResponse;
  outcome: Outcome;
  differences: Difference[];
  cause?: CauseId;
}

export type VerifyRun =
  /** The first request got no answer at all: nothing was judged (exit 3). */
  | { kind: 'unreachable'; url: string; policy: string; failure: Extract<Outcome, { kind: 'failed' }> }
  | { kind: 'judged'; url: string; policy: string; set: Omit<RequestSet, 'requests'>; results: Result[] };

export const conforms = (r: Result): boolean => r.outcome.kind === 'answered' && r.differences.length === 0;

/** Sends `requests` with at most `inFlight` outstanding, answers in request order. */
async function sendAll(requests: readonly ProbeRequest[], send: (r: ProbeRequest) => Promise<Outcome>, inFlight: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      outcomes[i] = await send(requests[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, requests.length) }, worker));
  return outcomes;
}

export async function verify(policy: Policy, paths: readonly string[], target: Target): Promise<VerifyRun> {
  const set = requestSet(policy, paths);
  const { requests, ...about } = set;
  const url = target.url.origin;
  const client = createClient(target);
  try {
    // The first request alone: a server that cannot be reached is told apart before anything else
    // is sent (and without waiting a time-out per request).
    const first = await client.send(requests[0]!);
    if (first.kind === 'failed') return { kind: 'unreachable', url, policy: policy.name, failure: first };
    const outcomes = [first, ...(await sendAll(requests.slice(1), client.send, MAX_IN_FLIGHT))];
    const judged = requests.map((request, i) => {
      const expected = expectedFor(policy, request);
      const outcome = outcomes[i]!;
      const differences = outcome.kind === 'answered' ? compareAnswer(expected, outcome, 'tokens') : [];
      return { request, expected, outcome, differences };
    });
    const why = causes(judged);
    const results = judged.map((j, i) => (why[i] === undefined || (j.outcome.kind === 'answered' && j.differences.length === 0) ? j : { ...j, cause: why[i]! }));
    return { kind: 'judged', url, policy: policy.name, set: about, results };
  } finally {
    client.close();
  }
}
