import { stringList, type Rule } from '../rule.js';

export const optionsMethod: Rule = {
  id: 'options-method',
  severity: 'warning',
  docs: 'Warns about OPTIONS in methods: preflights are answered whatever methods says, so listing it does not do what it seems to (it only lets scripts send OPTIONS requests of their own).',
  messages: {
    'not-needed': '{{method}} in methods is not needed for preflights: the generated config answers every preflight itself; remove it (listing it only lets scripts send OPTIONS requests of their own)',
  },
  check: (p) =>
    stringList(p.raw.methods)
      .filter(({ value }) => value.toUpperCase() === 'OPTIONS')
      .map(({ value, index }) => ({
        path: [...p.path, 'methods', index],
        messageId: 'not-needed',
        data: { method: value },
      })),
};
