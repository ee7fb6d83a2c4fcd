import { nearest } from '../../lazy.js';
import { DANGER_NAMES, stringList, type Rule } from '../rule.js';

const KNOWN: readonly string[] = DANGER_NAMES;

export const dangerouslyAllowUnknown: Rule = {
  id: 'dangerously-allow-unknown',
  severity: 'error',
  docs: `Refuses an unknown name in dangerouslyAllow (known: ${DANGER_NAMES.join(', ')}): a misspelt opt-out would silently not apply.`,
  messages: {
    unknown: 'unknown name {{name}} in dangerouslyAllow{{=hint}}; the known names are {{=known}}',
  },
  check: (p) =>
    stringList(p.raw.dangerouslyAllow)
      .filter(({ value }) => !KNOWN.includes(value))
      .map(({ value, index }) => {
        const prefix = value.length >= 4 ? KNOWN.find((k) => k.startsWith(value) || value.startsWith(k.replace(/s$/, ''))) : undefined;
        const guess = prefix ?? nearest(value, KNOWN);
        const hint = guess ? ` (did you mean ${guess}?)` : '';
        return {
          path: [...p.path, 'dangerouslyAllow', index],
          messageId: 'unknown',
          data: { name: value, hint, known: DANGER_NAMES.join(', ') },
        };
      }),
};
