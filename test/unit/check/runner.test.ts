import { describe, expect, it } from 'vitest';
import { DANGER_NAMES } from '../../../src/check/rule.js';
import { RULES } from '../../../src/check/rules/index.js';
import { hasErrors } from '../../../src/diagnostics.js';
import { SERVER_POLICY_FILE } from '../../fixtures/server-policies.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { accepted, codes, diagnostics, lines, policy } from './helpers.js';

const MANY_MISTAKES = `version: 1
policies:
  api:
    origins:
      - https://app.example.com/
      - http://app.example.com
      - "null"
      - https://*.github.io
      - https://*.example.com
      - https://www.example.com
      - regex: '^https://admin.example.com$'
      - regex: 'https://x\\.example\\.com'
    methods: [GET, TRACE, OPTIONS, "PO ST"]
    allowHeaders: [Content-Type, Cookie, Sec-Fetch-Site]
    exposeHeaders: ["*", Set-Cookie]
    credentials: true
    maxAge: 100000
    alowHeaders: [X-Custom]
    dangerouslyAllow: [insecure-origin]
  Public:
    origins: "*"
    privateNetwork: true
    allowHeaders: ["*"]
    maxAge: 7300
  pna:
    origins: [http://printer.example.com]
    privateNetwork: yes
`;

describe('the check', () => {
  it('reports every mistake of a file in one run, in file order', () => {
    expect(lines(MANY_MISTAKES)).toEqual([
      "p.yaml:5:9: error: origin \"https://app.example.com/\" has a path or a trailing slash; an origin is only scheme://host[:port]; write https://app.example.com [origin-syntax]",
      "p.yaml:6:9: error: origin \"http://app.example.com\" is plain http: with credentials: true, anyone on a user's network path (public Wi-Fi, a rogue proxy) can impersonate it and read responses with your users' cookies; use https://app.example.com, or add insecure-origins to dangerouslyAllow if you accept that [insecure-origin]",
      "p.yaml:7:9: error: the origin \"null\" is sent by sandboxed iframes and data: documents that any attacker can create; add null-origin to dangerouslyAllow only if you accept that [null-origin]",
      "p.yaml:8:9: error: origin \"https://*.github.io\" allows every site under the public suffix github.io, which anyone can register; with credentials: true, any of them can read responses with your users' cookies; list your own origins (or add public-suffix-wildcard to dangerouslyAllow) [public-suffix-wildcard]",
      "p.yaml:9:9: warning: origin \"https://*.example.com\" with credentials: true trusts every subdomain: one taken over (a dangling DNS record, a forgotten host with an XSS) can read responses with your users' cookies; list the subdomains you use if you can [credentials-subdomain-wildcard]",
      "p.yaml:10:9: warning: origin \"https://www.example.com\" is already allowed by \"https://*.example.com\" in the same policy; remove one of them [duplicate-origin]",
      "p.yaml:11:16: error: regex \"^https://admin.example.com$\" also accepts the attacker's origin https://adminxexample.com, made from https://admin.example.com by replacing a dot: an unescaped . matches any character, write \\. [regex-permissive]",
      "p.yaml:12:16: error: regex \"https://x\\\\.example\\\\.com\" is not anchored; an unanchored regex also matches hostile origins that merely contain an allowed one; anchor the regex: ^https://x\\.example\\.com$ [regex-syntax]",
      "p.yaml:13:20: error: method \"TRACE\" is a forbidden method (Fetch): browsers never send TRACE from a script, so allowing it has no effect; remove it [method-forbidden]",
      "p.yaml:13:27: warning: \"OPTIONS\" in methods is not needed for preflights: the generated config answers every preflight itself; remove it (listing it only lets scripts send OPTIONS requests of their own) [options-method]",
      "p.yaml:13:36: error: method \"PO ST\" is not an RFC 9110 token: it contains a space (letters, digits and !#$%&'*+-.^_`|~ only) [method-token]",
      "p.yaml:14:34: error: \"Cookie\" is a forbidden request-header name (Fetch): only the browser sets it, scripts cannot, so allowing it has no effect; remove it from allowHeaders [header-forbidden]",
      "p.yaml:14:42: error: \"Sec-Fetch-Site\" is a forbidden request-header name (Fetch): only the browser sets it, scripts cannot, so allowing it has no effect; remove it from allowHeaders [header-forbidden]",
      "p.yaml:15:21: error: with credentials: true, browsers read \"*\" in Access-Control-Expose-Headers as a header named \"*\" and expose nothing; list the response headers scripts may read [credentials-expose-wildcard]",
      "p.yaml:15:26: error: \"Set-Cookie\" is never exposed to scripts (a forbidden response-header name), whatever the server says; remove it from exposeHeaders [expose-set-cookie]",
      "p.yaml:17:13: error: maxAge of policy \"api\" must be a whole number of seconds from 0 to 86400, not 100000 [max-age]",
      "p.yaml:18:5: error: unknown key \"alowHeaders\" in policy \"api\" (did you mean allowHeaders?) [unknown-key]",
      "p.yaml:19:24: error: unknown name \"insecure-origin\" in dangerouslyAllow (did you mean insecure-origins?); the known names are null-origin, insecure-origins, public-suffix-wildcard [dangerously-allow-unknown]",
      "p.yaml:20:3: error: invalid policy name \"Public\": 1-32 characters of a-z, 0-9 and \"-\", starting with a letter [policy-name]",
      "p.yaml:22:21: error: privateNetwork: true with origins: \"*\" would let every website on the internet reach this private-network service through your users' browsers; list the origins you trust [private-network-any-origin]",
      "p.yaml:23:20: warning: \"*\" in allowHeaders does not cover Authorization (Fetch; browsers are dropping the exception): list Authorization by name if clients send it, or list the headers you need instead of \"*\" [wildcard-headers-without-authorization]",
      "p.yaml:24:13: warning: maxAge 7300 is above what browsers honour: Chromium caches a preflight for at most 7200 s, WebKit for 600 s (only Firefox goes to 86400); write at most 7200 [max-age-above-cap]",
      "p.yaml:27:21: error: privateNetwork of policy \"pna\" must be true or false, not the string \"yes\" [type]",
    ]);
  });

  it('lets warnings pass, and fails on them with strict', () => {
    const text = policy('origins: [https://app.example.com]', 'methods: [GET, OPTIONS]', 'maxAge: 7300');
    expect(codes(text)).toEqual(['5:20 warning [options-method]', '6:13 warning [max-age-above-cap]']);
    expect(accepted(text)).toBe(true);
    expect(hasErrors(diagnostics(text))).toBe(false);
    expect(codes(text, true)).toEqual(['5:20 error [options-method]', '6:13 error [max-age-above-cap]']);
    expect(accepted(text, true)).toBe(false);
  });

  it('keeps errors errors under strict', () => {
    expect(codes(policy('origins: "*"', 'credentials: true', 'maxAge: 9000'), true)).toEqual(['5:18 error [credentials-any-origin]', '6:13 error [max-age-above-cap]']);
  });

  it('gives a clean policy no diagnostic at all', () => {
    expect(lines(policy('origins: [https://app.example.com, http://localhost:*]', 'credentials: true', 'methods: [GET, POST]', 'allowHeaders: [Content-Type]', 'maxAge: 600'))).toEqual([]);
  });

  it('refuses the mistake of one policy without touching the others', () => {
    const text = 'version: 1\npolicies:\n  a:\n    origins: "*"\n    credentials: true\n  b:\n    origins: "*"\n';
    expect(codes(text)).toEqual(['5:18 error [credentials-any-origin]']);
  });

  it('accepts the real-server fixture, with only the warnings its intentionally odd policies earn', () => {
    const ds = diagnostics(SERVER_POLICY_FILE);
    expect(hasErrors(ds)).toBe(false);
    expect(ds.map((d) => d.rule).sort()).toEqual(['credentials-subdomain-wildcard', 'duplicate-origin']);
  });

  it('accepts the shipped examples without any diagnostic', () => {
    const dir = join(import.meta.dirname, '../../../examples');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      expect(lines(readFileSync(join(dir, f), 'utf8')), f).toEqual([]);
    }
  });
});

describe('dangerouslyAllow', () => {
  const risky = (allow: string) =>
    policy('origins:', '  - "null"', '  - http://app.example.com', '  - https://*.github.io', 'credentials: true', `dangerouslyAllow: [${allow}]`);

  it('without opt-outs, each rule reports', () => {
    expect(codes(risky(''))).toEqual(['5:9 error [null-origin]', '6:9 error [insecure-origin]', '7:9 error [public-suffix-wildcard]']);
  });
  it('null-origin silences null-origin only', () => {
    expect(codes(risky('null-origin'))).toEqual(['6:9 error [insecure-origin]', '7:9 error [public-suffix-wildcard]']);
  });
  it('insecure-origins silences insecure-origin only', () => {
    expect(codes(risky('insecure-origins'))).toEqual(['5:9 error [null-origin]', '7:9 error [public-suffix-wildcard]']);
  });
  it('public-suffix-wildcard silences public-suffix-wildcard only (credentials-subdomain-wildcard still warns: issue 9)', () => {
    expect(codes(risky('public-suffix-wildcard'))).toEqual(['5:9 error [null-origin]', '6:9 error [insecure-origin]', '7:9 warning [credentials-subdomain-wildcard]']);
  });
  it('all three silence all three, and the policy compiles (with the warning no opt-out names)', () => {
    const text = risky('null-origin, insecure-origins, public-suffix-wildcard');
    expect(codes(text)).toEqual(['7:9 warning [credentials-subdomain-wildcard]']);
    expect(accepted(text)).toBe(true);
  });
  it('does not silence the rules without an opt-out', () => {
    const text = policy(
      'origins: [https://app.example.com]',
      "dangerouslyAllow: [null-origin, insecure-origins, public-suffix-wildcard]",
      'methods: [TRACE]',
      'credentials: true',
      'exposeHeaders: ["*"]',
    );
    expect(codes(text)).toEqual(['6:15 error [method-forbidden]', '8:21 error [credentials-expose-wildcard]']);
  });
  it('applies to its own policy only', () => {
    const text = 'version: 1\npolicies:\n  a:\n    origins: ["null"]\n    dangerouslyAllow: [null-origin]\n  b:\n    origins: ["null"]\n';
    expect(codes(text)).toEqual(['7:15 error [null-origin]']);
  });
  it('an unknown name silences nothing', () => {
    expect(codes(policy('origins: ["null"]', 'dangerouslyAllow: [null-origins]'))).toEqual(['4:15 error [null-origin]', '5:24 error [dangerously-allow-unknown]']);
  });
});

describe('the rules', () => {
  it('have stable kebab-case ids', () => {
    expect(RULES.map((r) => r.id)).toEqual([
      'origin-syntax',
      'null-origin',
      'origin-list-wildcard',
      'regex-syntax',
      'regex-permissive',
      'credentials-any-origin',
      'private-network-any-origin',
      'insecure-origin',
      'public-suffix-wildcard',
      'credentials-subdomain-wildcard',
      'duplicate-origin',
      'method-token',
      'method-forbidden',
      'method-case',
      'options-method',
      'header-token',
      'header-forbidden',
      'wildcard-headers-without-authorization',
      'expose-set-cookie',
      'credentials-expose-wildcard',
      'max-age-above-cap',
      'dangerously-allow-unknown',
      'path-syntax',
      'paths-duplicate',
      'upstream-url',
      'upstream-ca',
      'upstream-insecure',
      'upstream-ip-address',
      'upstream-overlap',
    ]);
    for (const r of RULES) expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
  it('have one-line docs and known opt-outs, each opt-out naming exactly one rule', () => {
    for (const r of RULES) {
      expect(r.docs, r.id).not.toContain('\n');
      expect(r.docs.length, r.id).toBeGreaterThan(20);
    }
    for (const name of DANGER_NAMES) expect(RULES.filter((r) => r.optOut === name).map((r) => r.id)).toHaveLength(1);
  });
  it('are errors except the six contract warnings, method-case and upstream-ip-address', () => {
    expect(RULES.filter((r) => r.severity === 'warning').map((r) => r.id).sort()).toEqual([
      'credentials-subdomain-wildcard',
      'duplicate-origin',
      'max-age-above-cap',
      'method-case',
      'options-method',
      'upstream-insecure',
      'upstream-ip-address',
      'wildcard-headers-without-authorization',
    ]);
  });
});
