import { parseOriginEntry } from '../../model/origin.js';
import { originEntries, type Rule } from '../rule.js';

export const originSyntax: Rule = {
  id: 'origin-syntax',
  severity: 'error',
  docs: 'An origin entry must be a serialized origin as browsers send it: lowercase scheme://host[:port], http or https, no path, no default port, ASCII (punycode) host; `*.` and `:*` are the only wildcards.',
  check: (p) =>
    originEntries(p)
      .filter(({ value }) => value !== '*' && value !== 'null')
      .flatMap(({ value, index }) => {
        const parsed = parseOriginEntry(value);
        if (parsed.ok) return [];
        const hint = parsed.hint ? `; ${parsed.hint}` : '';
        return [{ path: [...p.path, 'origins', index], message: `origin "${value}" ${parsed.problem}${hint}` }];
      }),
};
