import type { Rule } from '../rule.js';

export const privateNetworkAnyOrigin: Rule = {
  id: 'private-network-any-origin',
  severity: 'error',
  docs: 'Refuses privateNetwork with origins: "*": every website on the internet could then reach a private-network service through your users\' browsers (Spring refuses the same).',
  messages: {
    'any-origin': 'privateNetwork: true with origins: "*" would let every website on the internet reach this private-network service through your users\' browsers; list the origins you trust',
  },
  check: (p) =>
    p.raw.privateNetwork === true && p.raw.origins === '*'
      ? [
          {
            path: [...p.path, 'privateNetwork'],
            messageId: 'any-origin',
          },
        ]
      : [],
};
