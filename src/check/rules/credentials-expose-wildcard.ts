import { isCredentialed, stringList, type Rule } from '../rule.js';

export const credentialsExposeWildcard: Rule = {
  id: 'credentials-expose-wildcard',
  severity: 'error',
  docs: 'Refuses "*" in exposeHeaders with credentials: for credentialed requests browsers read it as a header literally named "*", so nothing would be exposed.',
  messages: {
    wildcard: 'with credentials: true, browsers read "*" in Access-Control-Expose-Headers as a header named "*" and expose nothing; list the response headers scripts may read',
  },
  check: (p) =>
    isCredentialed(p)
      ? stringList(p.raw.exposeHeaders)
          .filter(({ value }) => value === '*')
          .map(({ index }) => ({
            path: [...p.path, 'exposeHeaders', index],
            messageId: 'wildcard',
          }))
      : [],
};
