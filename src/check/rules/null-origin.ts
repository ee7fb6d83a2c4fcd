import { originEntries, type Rule } from '../rule.js';

export const nullOrigin: Rule = {
  id: 'null-origin',
  severity: 'error',
  optOut: 'null-origin',
  docs: 'Refuses the origin "null": sandboxed iframes, data: and file: documents and redirected requests all send it, so any attacker page can too.',
  messages: {
    'null': 'the origin "null" is sent by sandboxed iframes and data: documents that any attacker can create; add null-origin to dangerouslyAllow only if you accept that',
  },
  check: (p) =>
    originEntries(p)
      .filter(({ value }) => value === 'null')
      .map(({ index }) => ({
        path: [...p.path, 'origins', index],
        messageId: 'null',
      })),
};
