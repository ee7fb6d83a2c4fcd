// What §2 demands of one request verify sends. The one place that maps a path to the expected
// response: today the policy alone decides (every path verify sends lies inside the policy's
// `paths`); a per-target, file-level evaluation can take its place here.
import { evaluate, type ExpectedResponse } from '../model/evaluate.js';
import type { Policy } from '../model/types.js';
import type { ProbeRequest } from './requests.js';

export function expectedFor(policy: Policy, req: ProbeRequest): ExpectedResponse {
  return evaluate(policy, { method: req.method, headers: req.headers });
}
