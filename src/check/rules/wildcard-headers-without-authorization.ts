import { hasName, isCredentialed, stringList, type Rule } from '../rule.js';

export const wildcardHeadersWithoutAuthorization: Rule = {
  id: 'wildcard-headers-without-authorization',
  severity: 'warning',
  docs: 'Warns about "*" in allowHeaders without Authorization listed: Fetch says "*" never covers Authorization and browsers are moving to that, so clients that send it will start failing.',
  messages: {
    'no-authorization': '"*" in allowHeaders does not cover Authorization (Fetch; browsers are dropping the exception): list Authorization by name if clients send it, or list the headers you need instead of "*"',
  },
  check: (p) => {
    // With credentials, "*" makes the config reflect the requested headers, Authorization included.
    if (isCredentialed(p)) return [];
    const headers = stringList(p.raw.allowHeaders);
    if (hasName(headers, 'authorization')) return [];
    return headers
      .filter(({ value }) => value === '*')
      .map(({ index }) => ({
        path: [...p.path, 'allowHeaders', index],
        messageId: 'no-authorization',
      }));
  },
};
