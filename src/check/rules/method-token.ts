import { tokenProblem } from '../tokens.js';
import { stringList, type Rule } from '../rule.js';

export const methodToken: Rule = {
  id: 'method-token',
  severity: 'error',
  docs: 'A method must be an RFC 9110 token: browsers fail the whole preflight when Access-Control-Allow-Methods holds anything else.',
  messages: {
    'not-token': 'method {{method}} {{=problem}}',
  },
  check: (p) =>
    stringList(p.raw.methods)
      .filter(({ value }) => value !== '*')
      .flatMap(({ value, index }) => {
        const problem = tokenProblem(value);
        return problem ? [{ path: [...p.path, 'methods', index], messageId: 'not-token', data: { method: value, problem } }] : [];
      }),
};
