// Valid and invalid cases for every rule of the registry (src/check/rules/index.ts); the meta-test
// in rules.test.ts fails when a rule, or one of its messages, has none.
import { FILE, P, type RuleCases } from '../rule-tester.js';

const O = 'origins: [https://app.example.com]';

export const CASES: Record<string, RuleCases> = {
  'origin-syntax': {
    valid: [P('origins: [https://app.example.com, http://localhost:*, https://*.example.com]')],
    invalid: [
      { yaml: P('origins: [https://app.example.com/]'), messageId: 'grammar', at: '4:15', says: 'trailing slash' },
      { yaml: P('origins: ["https://a{b}.example.com"]'), messageId: 'character', at: '4:15', says: 'the character {' },
      { yaml: P('origins: [https://a.123]'), messageId: 'browser', at: '4:15' },
    ],
  },
  'null-origin': {
    valid: [P('origins: ["null"]', 'dangerouslyAllow: [null-origin]')],
    invalid: [{ yaml: P('origins: ["null"]'), messageId: 'null', at: '4:15' }],
  },
  'origin-list-wildcard': {
    valid: [P('origins: "*"')],
    invalid: [{ yaml: P('origins: ["*"]'), messageId: 'in-list', at: '4:15' }],
  },
  'regex-syntax': {
    valid: [P("origins: [{regex: '^https://app\\.example\\.com$'}]")],
    invalid: [{ yaml: P("origins: [{regex: 'https://app\\.example\\.com'}]"), messageId: 'invalid', at: '4:23', says: 'not anchored' }],
  },
  'regex-permissive': {
    valid: [P("origins: [{regex: '^https://(app|www)\\.example\\.com$'}]")],
    invalid: [{ yaml: P("origins: [{regex: '^https://app.example\\.com$'}]"), messageId: 'hostile', at: '4:23', says: 'replacing a dot' }],
  },
  'credentials-any-origin': {
    valid: [P('origins: "*"', 'credentials: false')],
    invalid: [{ yaml: P('origins: "*"', 'credentials: true'), messageId: 'any-origin', at: '5:18' }],
  },
  'private-network-any-origin': {
    valid: [P(O, 'privateNetwork: true')],
    invalid: [{ yaml: P('origins: "*"', 'privateNetwork: true'), messageId: 'any-origin', at: '5:21' }],
  },
  'insecure-origin': {
    valid: [P('origins: [http://localhost:3000]', 'credentials: true'), P('origins: [http://app.example.com]', 'credentials: true', 'dangerouslyAllow: [insecure-origins]')],
    invalid: [
      { yaml: P('origins: [http://app.example.com]', 'credentials: true'), messageId: 'http-origin', at: '4:15', says: 'use https://app.example.com' },
      { yaml: P("origins: [{regex: '^https?://app\\.example\\.com$'}]", 'credentials: true'), messageId: 'http-regex', at: '4:23', says: 'http://app.example.com' },
    ],
  },
  'public-suffix-wildcard': {
    valid: [P('origins: [https://*.example.com]', 'credentials: true'), P('origins: [https://*.github.io]', 'credentials: true', 'dangerouslyAllow: [public-suffix-wildcard]')],
    invalid: [
      { yaml: P('origins: [https://*.github.io]', 'credentials: true'), messageId: 'origin', at: '4:15' },
      { yaml: P('origins: [https://*.co.uk]'), messageId: 'origin', at: '4:15', severity: 'warning' },
      { yaml: P("origins: [{regex: '^https://[a-z]+\\.github\\.io$'}]"), messageId: 'regex', at: '4:23', severity: 'warning', says: 'github.io' },
    ],
  },
  'credentials-subdomain-wildcard': {
    valid: [P('origins: [https://*.example.com]'), P('origins: [https://*.localhost]', 'credentials: true')],
    invalid: [
      { yaml: P('origins: [https://*.example.com]', 'credentials: true'), messageId: 'subdomains', at: '4:15' },
      // The public-suffix-wildcard opt-out silences that rule only: this warning still stands.
      { yaml: P('origins: [https://*.github.io]', 'credentials: true', 'dangerouslyAllow: [public-suffix-wildcard]'), messageId: 'subdomains', at: '4:15' },
    ],
  },
  'duplicate-origin': {
    valid: [P('origins: [https://a.example.com, https://b.example.com]')],
    invalid: [
      { yaml: P('origins: [https://a.example.com, https://a.example.com]'), messageId: 'twice', at: '4:38' },
      { yaml: P('origins: [https://a.example.com, https://*.example.com]'), messageId: 'covered', at: '4:15', says: 'already allowed by "https://*.example.com"' },
      { yaml: P("origins: [https://a.example.com, {regex: '^https://[a-z]\\.example\\.com$'}]"), messageId: 'covered', at: '4:15', says: 'the regex' },
    ],
  },
  'method-token': {
    valid: [P(O, 'methods: [GET, PATCH, X-Custom]')],
    invalid: [{ yaml: P(O, 'methods: ["GE T"]'), messageId: 'not-token', at: '5:15' }],
  },
  'method-forbidden': {
    valid: [P(O, 'methods: [GET]')],
    invalid: [{ yaml: P(O, 'methods: [trace]'), messageId: 'forbidden', at: '5:15' }],
  },
  'method-case': {
    valid: [P(O, 'methods: [PUT, patch]')],
    invalid: [{ yaml: P(O, 'methods: [put]'), messageId: 'never-matches', at: '5:15' }],
  },
  'options-method': {
    valid: [P(O, 'methods: [GET]')],
    invalid: [{ yaml: P(O, 'methods: [GET, OPTIONS]'), messageId: 'not-needed', at: '5:20' }],
  },
  'header-token': {
    valid: [P(O, 'allowHeaders: [Content-Type]')],
    invalid: [{ yaml: P(O, 'allowHeaders: ["X Y"]'), messageId: 'not-token', at: '5:20' }],
  },
  'header-forbidden': {
    valid: [P(O, 'allowHeaders: [Authorization]')],
    invalid: [
      { yaml: P(O, 'allowHeaders: [Cookie]'), messageId: 'forbidden', at: '5:20' },
      { yaml: P(O, 'allowHeaders: [Access-Control-Allow-Origin]'), messageId: 'cors-header', at: '5:20' },
    ],
  },
  'wildcard-headers-without-authorization': {
    valid: [P(O, 'allowHeaders: ["*", Authorization]')],
    invalid: [{ yaml: P(O, 'allowHeaders: ["*"]'), messageId: 'no-authorization', at: '5:20' }],
  },
  'expose-set-cookie': {
    valid: [P(O, 'exposeHeaders: [X-Request-Id]')],
    invalid: [{ yaml: P(O, 'exposeHeaders: [Set-Cookie]'), messageId: 'never-exposed', at: '5:21' }],
  },
  'credentials-expose-wildcard': {
    valid: [P(O, 'exposeHeaders: ["*"]')],
    invalid: [{ yaml: P(O, 'credentials: true', 'exposeHeaders: ["*"]'), messageId: 'wildcard', at: '6:21' }],
  },
  'max-age-above-cap': {
    valid: [P(O, 'maxAge: 600')],
    invalid: [{ yaml: P(O, 'maxAge: 86400'), messageId: 'above-cap', at: '5:13' }],
  },
  'dangerously-allow-unknown': {
    valid: [P(O, 'dangerouslyAllow: [insecure-origins]')],
    invalid: [{ yaml: P(O, 'dangerouslyAllow: [insecure-origin]'), messageId: 'unknown', at: '5:24' }],
  },
  'path-syntax': {
    valid: [P(O, 'paths: [/api/, /v2/x, "/a-b_c~d/:@!+,=/"]')],
    invalid: [
      { yaml: P(O, 'paths: [api/]'), messageId: 'relative', at: '5:13', says: 'write /api/' },
      { yaml: P(O, 'paths: ["/api/ x"]'), messageId: 'control', at: '5:13' },
      { yaml: P(O, 'paths: ["/api/?x=1"]'), messageId: 'query', at: '5:13', says: 'write /api/' },
      { yaml: P(O, 'paths: ["/api/#x"]'), messageId: 'fragment', at: '5:13' },
      { yaml: P(O, 'paths: ["/api/%2e%2e/"]'), messageId: 'percent', at: '5:13' },
      { yaml: P(O, 'paths: [/public/../api/]'), messageId: 'dot-segment', at: '5:13', says: 'dot-segment ..' },
      { yaml: P(O, 'paths: [//api/]'), messageId: 'empty-segment', at: '5:13', says: 'write /api/' },
      { yaml: P(O, 'paths: ["/api/${x}/"]'), messageId: 'special', at: '5:13', says: 'the character "$"' },
    ],
  },
  'paths-duplicate': {
    valid: [FILE(['a', O, 'paths: [/a/]'], ['b', O, 'paths: [/b/, /a/x/]'])],
    invalid: [{ yaml: FILE(['a', O, 'paths: [/a/]'], ['b', O, 'paths: [/b/, /a/]']), messageId: 'twice', at: '8:18', says: 'policy "a"' }],
  },
  'upstream-url': {
    valid: [P(O, 'upstream: {url: "https://api.example.net/v1/"}'), P(O, 'upstream: {url: "http://127.0.0.1:8080"}')],
    invalid: [
      { yaml: P(O, 'upstream: {url: "https://api.example.net/ v1"}'), messageId: 'control', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "api.example.net"}'), messageId: 'not-url', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "ftp://api.example.net/"}'), messageId: 'scheme', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "https:/x"}'), messageId: 'no-host', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "https://u:p@api.example.net/"}'), messageId: 'userinfo', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "https://api.example.net/?k=1"}'), messageId: 'query', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "https://api.example.net/#x"}'), messageId: 'fragment', at: '5:21' },
      { yaml: P(O, 'upstream: {url: "https://api.example.net/${x}"}'), messageId: 'special', at: '5:21' },
    ],
  },
  'upstream-ca': {
    valid: [P(O, 'upstream: {url: "https://api.example.net/", ca: /etc/ssl/internal-ca.pem}')],
    invalid: [
      { yaml: P(O, 'upstream: {url: "https://api.example.net/", ca: ca.pem}'), messageId: 'relative', at: '5:53' },
      { yaml: P(O, 'upstream: {url: "https://api.example.net/", ca: "/etc/$x.pem"}'), messageId: 'special', at: '5:53' },
    ],
  },
  'upstream-insecure': {
    valid: [P(O, 'upstream: {url: "http://localhost:8080/"}'), P(O, 'upstream: {url: "https://api.example.net/"}')],
    invalid: [{ yaml: P(O, 'upstream: {url: "http://api.example.net/"}'), messageId: 'http', at: '5:21' }],
  },
  'upstream-ip-address': {
    valid: [P(O, 'upstream: {url: "https://api.example.net/"}'), P(O, 'upstream: {url: "http://127.0.0.1:8080/"}')],
    invalid: [
      { yaml: P(O, 'upstream: {url: "https://10.0.0.5/v1/"}'), messageId: 'ip', at: '5:21', says: 'Apache httpd verifies' },
      { yaml: P(O, 'upstream: {url: "https://[::1]:8443/"}'), messageId: 'ip', at: '5:21' },
    ],
  },
  'upstream-overlap': {
    valid: [FILE(['a', O, 'upstream: {url: "https://a.example.net/"}', 'paths: [/a/]'], ['b', O, 'upstream: {url: "https://b.example.net/"}'])],
    invalid: [
      {
        yaml: FILE(['a', O, 'upstream: {url: "https://a.example.net/"}'], ['b', O, 'upstream: {url: "https://b.example.net/"}']),
        messageId: 'both',
        at: '8:5',
        says: 'policy "b" and policy "a"',
      },
    ],
  },
};
