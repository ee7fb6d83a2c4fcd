import type { Rule } from '../rule.js';

const CHROMIUM_CAP = 7200;

export const maxAgeAboveCap: Rule = {
  id: 'max-age-above-cap',
  severity: 'warning',
  docs: 'Warns about maxAge above 7200: Chromium caches a preflight for at most 7200 s and WebKit for 600 s (Firefox 86400), so a larger value only misleads.',
  messages: {
    'above-cap': 'maxAge {{value}} is above what browsers honour: Chromium caches a preflight for at most {{cap}} s, WebKit for 600 s (only Firefox goes to 86400); write at most {{cap}}',
  },
  check: (p) => {
    const v = p.raw.maxAge;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= CHROMIUM_CAP || v > 86400) return [];
    return [
      {
        path: [...p.path, 'maxAge'],
        messageId: 'above-cap',
        data: { value: v, cap: CHROMIUM_CAP },
      },
    ];
  },
};
