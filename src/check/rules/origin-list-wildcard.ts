import { originEntries, type Rule } from '../rule.js';

export const originListWildcard: Rule = {
  id: 'origin-list-wildcard',
  severity: 'error',
  docs: 'Refuses "*" as an element of an origins list: it would silently turn an allow-list into allow-all; write origins: "*" to mean it.',
  messages: {
    'in-list': '"*" inside an origins list; write origins: "*" (without a list) to allow every origin',
  },
  check: (p) =>
    originEntries(p)
      .filter(({ value }) => value === '*')
      .map(({ index }) => ({
        path: [...p.path, 'origins', index],
        messageId: 'in-list',
      })),
};
