import { tokenProblem } from '../tokens.js';
import { stringList, type Rule } from '../rule.js';

export const headerToken: Rule = {
  id: 'header-token',
  severity: 'error',
  docs: 'A header name must be an RFC 9110 token: browsers fail the whole preflight (or the exposure) when the list holds anything else.',
  messages: {
    'not-token': 'header name {{name}} in {{=field}} {{=problem}}',
  },
  check: (p) =>
    (['allowHeaders', 'exposeHeaders'] as const).flatMap((field) =>
      stringList(p.raw[field])
        .filter(({ value }) => value !== '*')
        .flatMap(({ value, index }) => {
          const problem = tokenProblem(value);
          return problem ? [{ path: [...p.path, field, index], messageId: 'not-token', data: { name: value, field, problem } }] : [];
        }),
    ),
};
