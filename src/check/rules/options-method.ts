import { stringList, type Rule } from '../rule.js';

export const optionsMethod: Rule = {
  id: 'options-method',
  severity: 'warning',
  docs: 'Warns about OPTIONS in methods: preflights are answered whatever methods says, so listing it does not do what it seems to (it only lets scripts send OPTIONS requests of their own).',
  check: (p) =>
    stringList(p.raw.methods)
      .filter(({ value }) => value.toUpperCase() === 'OPTIONS')
      .map(({ value, index }) => ({
        path: [...p.path, 'methods', index],
        message: `"${value}" in methods is not needed for preflights: the generated config answers every preflight itself; remove it (listing it only lets scripts send OPTIONS requests of their own)`,
      })),
};
