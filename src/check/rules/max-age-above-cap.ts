import type { Rule } from '../rule.js';

const CHROMIUM_CAP = 7200;

export const maxAgeAboveCap: Rule = {
  id: 'max-age-above-cap',
  severity: 'warning',
  docs: 'Warns about maxAge above 7200: Chromium caches a preflight for at most 7200 s and WebKit for 600 s (Firefox 86400), so a larger value only misleads.',
  check: (p) => {
    const v = p.raw.maxAge;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= CHROMIUM_CAP || v > 86400) return [];
    return [
      {
        path: [...p.path, 'maxAge'],
        message: `maxAge ${v} is above what browsers honour: Chromium caches a preflight for at most ${CHROMIUM_CAP} s, WebKit for 600 s (only Firefox goes to 86400); write at most ${CHROMIUM_CAP}`,
      },
    ];
  },
};
