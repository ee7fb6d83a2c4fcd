import { FORBIDDEN_METHODS as FORBIDDEN } from '../../model/fetch.js';
import { stringList, type Rule } from '../rule.js';

export const methodForbidden: Rule = {
  id: 'method-forbidden',
  severity: 'error',
  docs: 'Refuses CONNECT, TRACE and TRACK (in any case): Fetch forbids them, browsers never send them, and listing them only advertises methods used in cross-site tracing attacks.',
  messages: {
    forbidden: 'method {{method}} is a forbidden method (Fetch): browsers never send {{=upper}} from a script, so allowing it has no effect; remove it',
  },
  check: (p) =>
    stringList(p.raw.methods)
      .filter(({ value }) => FORBIDDEN.includes(value.toUpperCase()))
      .map(({ value, index }) => ({
        path: [...p.path, 'methods', index],
        messageId: 'forbidden',
        data: { method: value, upper: value.toUpperCase() },
      })),
};
