import { FORBIDDEN_REQUEST_HEADER_PREFIXES, FORBIDDEN_REQUEST_HEADERS as FORBIDDEN } from '../../model/fetch.js';
import { stringList, type Rule } from '../rule.js';


function problem(name: string): 'cors-header' | 'forbidden' | null {
  const lower = name.toLowerCase();
  if (lower.startsWith('access-control-') && !FORBIDDEN.has(lower)) return 'cors-header';
  if (FORBIDDEN.has(lower) || FORBIDDEN_REQUEST_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) return 'forbidden';
  return null;
}

export const headerForbidden: Rule = {
  id: 'header-forbidden',
  severity: 'error',
  docs: 'Refuses forbidden request-header names in allowHeaders (Cookie, Host, Origin, Content-Length, Sec-*, Proxy-*, Access-Control-* …): only the browser sets them, so listing them is a mistake.',
  messages: {
    'cors-header': '{{name}} is a CORS header the server or the browser sets, never one a script sends; a client that sends it is mistaken (set {{=name}} on the server instead); remove it from allowHeaders',
    forbidden: '{{name}} is a forbidden request-header name (Fetch): only the browser sets it, scripts cannot, so allowing it has no effect; remove it from allowHeaders',
  },
  check: (p) =>
    stringList(p.raw.allowHeaders).flatMap(({ value, index }) => {
      const why = problem(value);
      return why ? [{ path: [...p.path, 'allowHeaders', index], messageId: why, data: { name: value } }] : [];
    }),
};
