import { NORMALIZED_METHODS } from '../../model/fetch.js';
import { stringList, type Rule } from '../rule.js';

/** The methods Fetch upper-cases before sending, OPTIONS aside (options-method reports it). */
const NORMALIZED = NORMALIZED_METHODS.filter((m) => m !== 'OPTIONS');

export const methodCase: Rule = {
  id: 'method-case',
  severity: 'warning',
  docs: 'Warns about delete, get, head, post or put not in upper case: browsers upper-case these methods before sending and compare Access-Control-Allow-Methods case-sensitively, so the lower-case name never matches.',
  messages: {
    'never-matches': 'method {{method}} never matches: browsers send it as {{=upper}} and compare methods case-sensitively; write {{=upper}}',
  },
  check: (p) =>
    stringList(p.raw.methods)
      .filter(({ value }) => NORMALIZED.includes(value.toUpperCase()) && value !== value.toUpperCase())
      .map(({ value, index }) => ({
        path: [...p.path, 'methods', index],
        messageId: 'never-matches',
        data: { method: value, upper: value.toUpperCase() },
      })),
};
