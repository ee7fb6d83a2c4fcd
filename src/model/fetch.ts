// Facts of the Fetch standard and HTTP that the checks, `explain` and the evaluator share, in one
// place with their sources.

/** RFC 9110 §5.6.2 token (method and header names): https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2 */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Fetch "forbidden method": https://fetch.spec.whatwg.org/#forbidden-method (compared case-insensitively). */
export const FORBIDDEN_METHODS: readonly string[] = ['CONNECT', 'TRACE', 'TRACK'];

/**
 * Fetch "normalize a method": https://fetch.spec.whatwg.org/#concept-method-normalize — a
 * byte-case-insensitive match for one of these six is upper-cased before the request is sent;
 * every other method is sent as written.
 */
export const NORMALIZED_METHODS: readonly string[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];

export function normalizeFetchMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

/** Fetch "CORS-safelisted method": https://fetch.spec.whatwg.org/#cors-safelisted-method */
export const SAFELISTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST']);

/** The Content-Type essences of a CORS-safelisted request-header: https://fetch.spec.whatwg.org/#cors-safelisted-request-header */
export const SAFELISTED_CONTENT_TYPES: ReadonlySet<string> = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
/** Names whose values are always safelisted (Content-Type is safelisted by value). */
export const SAFELISTED_HEADER_NAMES: ReadonlySet<string> = new Set(['accept', 'accept-language', 'content-language']);

/**
 * Fetch "forbidden request-header": https://fetch.spec.whatwg.org/#forbidden-request-header —
 * these names, and every name starting with `proxy-` or `sec-`; scripts cannot set them.
 */
export const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);
export const FORBIDDEN_REQUEST_HEADER_PREFIXES: readonly string[] = ['proxy-', 'sec-'];

/** Fetch "forbidden response-header name": https://fetch.spec.whatwg.org/#forbidden-response-header-name */
export const FORBIDDEN_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['set-cookie', 'set-cookie2']);
