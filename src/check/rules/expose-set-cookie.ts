import { FORBIDDEN_RESPONSE_HEADERS } from '../../model/fetch.js';
import { stringList, type Rule } from '../rule.js';

export const exposeSetCookie: Rule = {
  id: 'expose-set-cookie',
  severity: 'error',
  docs: 'Refuses Set-Cookie and Set-Cookie2 in exposeHeaders: they are forbidden response-header names that browsers never expose to scripts.',
  messages: {
    'never-exposed': '{{name}} is never exposed to scripts (a forbidden response-header name), whatever the server says; remove it from exposeHeaders',
  },
  check: (p) =>
    stringList(p.raw.exposeHeaders)
      .filter(({ value }) => FORBIDDEN_RESPONSE_HEADERS.has(value.toLowerCase()))
      .map(({ value, index }) => ({
        path: [...p.path, 'exposeHeaders', index],
        messageId: 'never-exposed',
        data: { name: value },
      })),
};
