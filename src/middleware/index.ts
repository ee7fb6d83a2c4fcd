// corsMiddleware (docs/contract.md §7): one policy of a file, for Express, Connect and node:http, decided by
// the reference evaluator (src/model/evaluate.ts) like the generated configs and `cors-gen serve`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsHeaderPairs, decide, isCorsHeader, mergeVary } from '../serve/cors-headers.js';
import { governingPrefix, readRequestPath } from '../serve/request-path.js';
import { loadMiddlewarePolicy } from './load-policy.js';
import { hookResponse } from './response-hook.js';

export interface CorsMiddlewareOptions {
  /** The policy to use; required when the file holds several. */
  policy?: string;
}

export type NextFunction = (err?: unknown) => void;

/** A Connect/Express-style middleware that also works with plain node:http. */
export type CorsMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/**
 * Reads and checks `policyFile` now (throws one Error listing every problem when it is invalid,
 * names several policies without `options.policy`, or has an `upstream`), then answers preflights
 * itself and puts the policy's headers on every response of a path the policy governs.
 */
export function corsMiddleware(policyFile: string, options: CorsMiddlewareOptions = {}): CorsMiddleware {
  const policy = loadMiddlewarePolicy(policyFile, options.policy);
  return function cors(req, res, next) {
    // Express strips a mount path from req.url; the policy's paths are about the whole path.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const target = readRequestPath(url);
    // A path the middleware cannot read, or one the policy does not govern, is passed on untouched.
    if (target.kind === 'refused' || governingPrefix(policy.paths, target.path) === null) return next();
    const expected = decide(policy, req);
    const cors = corsHeaderPairs(expected);
    if (expected.kind === 'preflight') {
      for (const name of res.getHeaderNames()) if (isCorsHeader(name)) res.removeHeader(name);
      for (const [k, v] of cors) res.setHeader(k, v);
      const vary = res.getHeader('vary');
      res.setHeader('Vary', mergeVary(vary === undefined ? [] : Array.isArray(vary) ? vary : [String(vary)]));
      res.statusCode = expected.status as number;
      res.end();
      return;
    }
    hookResponse(res, cors);
    next();
  };
}
