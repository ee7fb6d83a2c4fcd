// The regex an origins entry holds is pasted into three config dialects and run by three engines:
// it must be anchored, compile, and use only what PCRE (nginx, Apache) and RE2 (Caddy) share.
import { regexEntries, type Rule } from '../rule.js';
import { regexProblem } from '../regex-portability.js';

export const regexSyntax: Rule = {
  id: 'regex-syntax',
  severity: 'error',
  docs: 'A regex must be anchored with ^…$, compile, use only what PCRE (nginx, Apache), RE2 (Caddy) and JavaScript read alike (no look-around, back-references, possessive or atomic groups, named groups, flags, POSIX classes or exotic escapes; counts within RE2\'s limit of 1000), and hold only the characters origins and regexes need (no quote, space, #, %, ;, braces outside {n,m} or $ before the end).',
  messages: {
    invalid: 'regex {{regex}} {{=problem}}',
  },
  check: (p) =>
    regexEntries(p).flatMap(({ value, index }) => {
      const problem = regexProblem(value);
      return problem ? [{ path: [...p.path, 'origins', index, 'regex'], messageId: 'invalid', data: { regex: value, problem } }] : [];
    }),
};
