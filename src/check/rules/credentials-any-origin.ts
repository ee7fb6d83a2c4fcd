import type { Rule } from '../rule.js';

export const credentialsAnyOrigin: Rule = {
  id: 'credentials-any-origin',
  severity: 'error',
  docs: 'Refuses origins: "*" with credentials: browsers reject Access-Control-Allow-Origin: * on credentialed requests, and reflecting every origin instead would let any site read your users\' data.',
  messages: {
    'any-origin': 'credentials: true with origins: "*" would let every website read responses with your users\' cookies; list the origins you trust',
  },
  check: (p) =>
    p.raw.origins === '*' && p.raw.credentials === true
      ? [{ path: [...p.path, 'credentials'], messageId: 'any-origin' }]
      : [],
};
