import { describe, expect, it } from 'vitest';
import { codes, lines, messages, policy } from './helpers.js';

const base = 'origins: [https://app.example.com]';

describe('method-token', () => {
  it.each([
    ['"GET POST"', 'contains a space'],
    ['"G,ET"', 'contains ,'],
    ['"GE{T}"', 'contains {'],
    ['"GÉT"', 'contains U+00C9'],
    ['"G$T"', 'contains $'],
    ['"G%T"', 'contains %'],
    ['"G\'T"', "contains '"],
    ['"G`T"', 'contains `'],
    ['"G#T"', 'contains #'],
    ['""', 'is empty'],
  ])('refuses %s', (method, problem) => {
    const text = policy(base, `methods: [GET, ${method}]`);
    expect(codes(text)).toEqual(['5:20 error [method-token]']);
    expect(messages(text, 'method-token')[0]).toContain(problem);
  });
  it('accepts tokens', () => {
    expect(codes(policy(base, 'methods: [GET, PATCH, patch, X-Custom, "*", M-SEARCH]'))).toEqual([]);
  });
});

describe('method-forbidden', () => {
  it.each(['CONNECT', 'TRACE', 'TRACK', 'connect', 'Trace', 'track'])('refuses %s', (method) => {
    const text = policy(base, `methods: [GET, ${method}]`);
    expect(codes(text)).toEqual(['5:20 error [method-forbidden]']);
    expect(messages(text, 'method-forbidden')[0]).toContain('forbidden method');
  });
  it('accepts other methods', () => {
    expect(codes(policy(base, 'methods: [GET, CONNECTED, TRACES]'))).toEqual([]);
  });
});

describe('method-case', () => {
  it.each(['get', 'Post', 'put', 'delete', 'head'])('warns about %s', (method) => {
    const text = policy(base, `methods: [${method}]`);
    expect(codes(text)).toEqual(['5:15 warning [method-case]']);
    expect(messages(text, 'method-case')[0]).toContain(`write ${method.toUpperCase()}`);
  });
  it('accepts upper case, and methods browsers send as written', () => {
    expect(codes(policy(base, 'methods: [GET, PUT, patch, Patch, propfind]'))).toEqual([]);
  });
});

describe('options-method', () => {
  it('warns about OPTIONS, in any case', () => {
    expect(codes(policy(base, 'methods: [GET, OPTIONS]'))).toEqual(['5:20 warning [options-method]']);
    expect(codes(policy(base, 'methods: [options]'))).toEqual(['5:15 warning [options-method]']);
  });
  it('prints the whole diagnostic', () => {
    expect(lines(policy(base, 'methods: [OPTIONS]'))).toEqual([
      'p.yaml:5:15: warning: "OPTIONS" in methods is not needed for preflights: the generated config answers every preflight itself; remove it (listing it only lets scripts send OPTIONS requests of their own) [options-method]',
    ]);
  });
  it('accepts methods without OPTIONS', () => {
    expect(codes(policy(base, 'methods: [GET, POST]'))).toEqual([]);
  });
});

describe('header-token', () => {
  it.each([
    ['allowHeaders', '"X Custom"'],
    ['allowHeaders', '"X-Custom:"'],
    ['allowHeaders', '"X-Cüstom"'],
    ['allowHeaders', '"X-$Custom"'],
    ['exposeHeaders', '"X-Request-Id;"'],
    ['exposeHeaders', '"X-%{HOST}"'],
    ['exposeHeaders', '"X#Id"'],
    ['exposeHeaders', '""'],
  ])('refuses %s %s', (field, header) => {
    const text = policy(base, `${field}: [${header}]`);
    expect(codes(text)).toEqual([`5:${field.length + 8} error [header-token]`]);
  });
  it('accepts tokens', () => {
    expect(codes(policy(base, 'allowHeaders: [Content-Type, X-Custom_1, x.y, Authorization]', 'exposeHeaders: [X-Request-Id, "*"]'))).toEqual([]);
  });
});

describe('header-forbidden', () => {
  it.each([
    'Accept-Charset',
    'Accept-Encoding',
    'Access-Control-Request-Headers',
    'Access-Control-Request-Method',
    'Connection',
    'Content-Length',
    'Cookie',
    'cookie2',
    'Date',
    'DNT',
    'Expect',
    'Host',
    'Keep-Alive',
    'Origin',
    'Referer',
    'Set-Cookie',
    'TE',
    'Trailer',
    'Transfer-Encoding',
    'Upgrade',
    'Via',
    'Proxy-Authorization',
    'proxy-connection',
    'Sec-Fetch-Mode',
    'sec-ch-ua',
  ])('refuses %s in allowHeaders', (header) => {
    const text = policy(base, `allowHeaders: [Content-Type, ${header}]`);
    expect(codes(text)).toEqual(['5:34 error [header-forbidden]']);
    expect(messages(text, 'header-forbidden')[0]).toContain('forbidden request-header name');
  });
  it.each(['Access-Control-Allow-Origin', 'access-control-allow-credentials', 'Access-Control-Max-Age'])('refuses the CORS header %s in allowHeaders', (header) => {
    const text = policy(base, `allowHeaders: [${header}]`);
    expect(codes(text)).toEqual(['5:20 error [header-forbidden]']);
    expect(messages(text, 'header-forbidden')[0]).toContain(`set ${header} on the server instead`);
  });
  it('accepts headers scripts may send, and forbidden names in exposeHeaders', () => {
    expect(codes(policy(base, 'allowHeaders: [Content-Type, Authorization, X-Requested-With, Secret, Proxied, Hostname]', 'exposeHeaders: [Date, Via]'))).toEqual([]);
  });
});

describe('expose-set-cookie', () => {
  it.each(['Set-Cookie', 'set-cookie', 'Set-Cookie2'])('refuses %s in exposeHeaders', (header) => {
    const text = policy(base, `exposeHeaders: [X-Request-Id, ${header}]`);
    expect(codes(text)).toEqual(['5:35 error [expose-set-cookie]']);
    expect(messages(text, 'expose-set-cookie')[0]).toContain('never exposed');
  });
  it('accepts other response headers', () => {
    expect(codes(policy(base, 'exposeHeaders: [X-Request-Id, Set-Cookie-Policy]'))).toEqual([]);
  });
});

describe('credentials-expose-wildcard', () => {
  it('refuses "*" in exposeHeaders with credentials', () => {
    const text = policy(base, 'credentials: true', 'exposeHeaders: [X-Request-Id, "*"]');
    expect(codes(text)).toEqual(['6:35 error [credentials-expose-wildcard]']);
    expect(messages(text, 'credentials-expose-wildcard')[0]).toContain('header named "*"');
  });
  it('accepts "*" without credentials, and names with them', () => {
    expect(codes(policy(base, 'exposeHeaders: ["*"]'))).toEqual([]);
    expect(codes(policy(base, 'credentials: true', 'exposeHeaders: [X-Request-Id]'))).toEqual([]);
  });
});

describe('wildcard-headers-without-authorization', () => {
  it('warns about "*" without Authorization', () => {
    const text = policy(base, 'allowHeaders: [Content-Type, "*"]');
    expect(codes(text)).toEqual(['5:34 warning [wildcard-headers-without-authorization]']);
    expect(messages(text, 'wildcard-headers-without-authorization')[0]).toContain('list Authorization by name');
  });
  it('accepts "*" beside Authorization (any case), and "*" with credentials (the config then reflects the request)', () => {
    expect(codes(policy(base, 'allowHeaders: ["*", Authorization]'))).toEqual([]);
    expect(codes(policy(base, 'allowHeaders: ["*", authorization]'))).toEqual([]);
    expect(codes(policy(base, 'credentials: true', 'allowHeaders: ["*"]'))).toEqual([]);
  });
});
