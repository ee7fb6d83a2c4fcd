import { describe, expect, it } from 'vitest';
import { accepted, codes, lines, messages, policy } from './helpers.js';

const origins = (...entries: string[]) => ['origins:', ...entries.map((e) => `  - ${e}`)];

describe('origin-syntax', () => {
  it.each([
    ['https://app.example.com/', 'has a path or a trailing slash', 'write https://app.example.com'],
    ['https://app.example.com/api', 'has a path or a trailing slash', 'write https://app.example.com'],
    ['https://app.example.com?x=1', 'has a query', 'write https://app.example.com'],
    ['https://app.example.com#top', 'has a fragment', 'write https://app.example.com'],
    ['https://user@app.example.com', 'has userinfo', 'write https://app.example.com'],
    ['app.example.com', 'has no scheme', 'write https://app.example.com'],
    ['https://App.Example.com', 'has upper case', 'write https://app.example.com'],
    ['https://app.example.com:443', 'default port :443', 'write https://app.example.com'],
    ['http://app.example.com:80', 'default port :80', 'write http://app.example.com'],
    ['ftp://app.example.com', 'uses the scheme "ftp"', ''],
    ['https://bücher.example', 'non-ASCII host', 'write https://xn--bcher-kva.example'],
    ['"https://app .example.com"', 'whitespace', ''],
    ['"https://app.example.com\\t"', 'whitespace', ''],
    ['"https://app.example.com\\u0000"', 'control character', ''],
    ["'https://a\"b.example.com'", 'a quote', ''],
    ['https://a$b.example.com', 'contains the character $', ''],
    ['https://a%62.example.com', 'contains the character %', ''],
    ['https://a;b.example.com', 'contains the character ;', ''],
    ['https://a!b.example.com', 'contains the character !', ''],
    ['"https://{$HOST}"', 'contains the character {', ''],
    ['https://a.example.com:8$', 'contains the character $', ''],
    ['https://app.example.com:99999', 'invalid port "99999"', ''],
    ['https://*.*.example.com', 'a * that is not a leading', ''],
    ['https://*.127.0.0.1', 'subdomain wildcard in front of an IP address', ''],
    ['"http://[fe80::1%eth0]"', 'contains the character %', ''],
    ['"http://[0:0:0:0:0:0:0:1]"', 'browsers serialize as [::1]', ''],
    ['https://0x7f.0.0.1', 'serializes that host differently', 'write https://127.0.0.1'],
    ['https://app.123', 'URL parser of browsers refuses', ''],
  ])('refuses %s at the entry', (entry, problem, hint) => {
    const text = policy(...origins(entry));
    expect(codes(text)).toEqual(['5:9 error [origin-syntax]']);
    const [message] = messages(text, 'origin-syntax');
    expect(message).toContain(problem);
    if (hint) expect(message).toContain(hint);
  });

  it('prints the whole diagnostic', () => {
    expect(lines(policy('origins: [https://app.example.com/]'))).toEqual([
      'p.yaml:4:15: error: origin "https://app.example.com/" has a path or a trailing slash; an origin is only scheme://host[:port]; write https://app.example.com [origin-syntax]',
    ]);
  });

  it.each([
    'https://app.example.com',
    'https://app.example.com:8443',
    'http://localhost:3000',
    'http://127.0.0.1:8080',
    '"http://[::1]:8080"',
    'https://*.example.com',
    'https://*.example.com:*',
    'http://localhost:*',
    'https://xn--bcher-kva.example',
    'https://a_b.example.com',
  ])('accepts %s', (entry) => {
    expect(codes(policy(...origins(entry)))).toEqual([]);
  });
});

describe('null-origin', () => {
  it('refuses null', () => {
    expect(codes(policy(...origins('https://a.example.com', '"null"')))).toEqual(['6:9 error [null-origin]']);
  });
  it('accepts null with the opt-out', () => {
    expect(codes(policy(...origins('"null"'), 'dangerouslyAllow: [null-origin]'))).toEqual([]);
  });
});

describe('origin-list-wildcard', () => {
  it('refuses "*" inside a list', () => {
    const text = policy('origins: [https://a.example.com, "*"]');
    expect(codes(text)).toEqual(['4:38 error [origin-list-wildcard]']);
    expect(messages(text, 'origin-list-wildcard')[0]).toContain('write origins: "*"');
  });
  it('accepts origins: "*"', () => {
    expect(codes(policy('origins: "*"'))).toEqual([]);
  });
});

describe('credentials-any-origin', () => {
  it('refuses origins: "*" with credentials, at credentials', () => {
    expect(codes(policy('origins: "*"', 'credentials: true'))).toEqual(['5:18 error [credentials-any-origin]']);
  });
  it('accepts origins: "*" without credentials, and a list with them', () => {
    expect(codes(policy('origins: "*"', 'credentials: false'))).toEqual([]);
    expect(codes(policy('origins: [https://a.example.com]', 'credentials: true'))).toEqual([]);
  });
});

describe('private-network-any-origin', () => {
  it('refuses privateNetwork with origins: "*", at privateNetwork', () => {
    const text = policy('origins: "*"', 'privateNetwork: true');
    expect(codes(text)).toEqual(['5:21 error [private-network-any-origin]']);
    expect(messages(text, 'private-network-any-origin')[0]).toContain('every website');
  });
  it('accepts privateNetwork with listed origins, and origins: "*" without it', () => {
    expect(codes(policy('origins: [https://a.example.com]', 'privateNetwork: true'))).toEqual([]);
    expect(codes(policy('origins: "*"', 'privateNetwork: false'))).toEqual([]);
  });
});

describe('insecure-origin', () => {
  it.each([
    ['http://app.example.com', 'use https://app.example.com'],
    ['http://app.example.com:8080', 'use https://app.example.com:8080'],
    ['http://*.example.com', 'use https://*.example.com'],
    ['http://app.example.com:*', 'use https://app.example.com:*'],
    ['http://10.0.0.5', 'use https://10.0.0.5'],
    ['http://128.0.0.1', 'use https://128.0.0.1'],
    ['http://localhost.evil.test', 'use https://localhost.evil.test'],
  ])('refuses %s with credentials', (entry, hint) => {
    const text = policy(...origins(entry), 'credentials: true');
    expect(codes(text)).toContainEqual('5:9 error [insecure-origin]');
    const [message] = messages(text, 'insecure-origin');
    expect(message).toContain('credentials: true');
    expect(message).toContain(hint);
    expect(message).toContain('insecure-origins');
  });

  it('refuses a plain-http origin with privateNetwork', () => {
    const text = policy(...origins('http://printer.example.com'), 'privateNetwork: true');
    expect(codes(text)).toEqual(['5:9 error [insecure-origin]']);
    expect(messages(text, 'insecure-origin')[0]).toContain('privateNetwork: true');
  });

  it('refuses a regex that accepts a plain-http origin, naming it', () => {
    const text = policy(...origins("regex: '^http://[a-z]+\\.example\\.com$'"), 'credentials: true');
    expect(codes(text)).toEqual(['5:16 error [insecure-origin]']);
    expect(messages(text, 'insecure-origin')[0]).toContain('accepts the plain-http origin http://a.example.com');
  });

  it.each(['http://localhost', 'http://localhost:3000', 'http://localhost:*', 'http://app.localhost', 'http://127.0.0.1:8080', 'http://127.1.2.3', '"http://[::1]:8080"', 'https://app.example.com'])(
    'accepts %s with credentials and privateNetwork',
    (entry) => {
      expect(codes(policy(...origins(entry), 'credentials: true', 'privateNetwork: true'))).toEqual([]);
    },
  );

  it('accepts loopback regexes', () => {
    expect(codes(policy(...origins("regex: '^http://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?$'"), 'credentials: true'))).toEqual([]);
  });

  it('accepts plain http without credentials or privateNetwork', () => {
    expect(codes(policy(...origins('http://app.example.com')))).toEqual([]);
  });

  it('accepts plain http with the insecure-origins opt-out', () => {
    expect(codes(policy(...origins('http://app.example.com'), 'credentials: true', 'dangerouslyAllow: [insecure-origins]'))).toEqual([]);
  });
});

describe('public-suffix-wildcard', () => {
  it.each(['https://*.com', 'https://*.co.uk', 'https://*.github.io', 'https://*.herokuapp.com', 'https://*.s3.amazonaws.com', 'https://*.com:*'])(
    'refuses %s with credentials (error) and flags it without (warning)',
    (entry) => {
      expect(codes(policy(...origins(entry), 'credentials: true'))).toEqual(['5:9 error [public-suffix-wildcard]']);
      expect(codes(policy(...origins(entry)))).toEqual(['5:9 warning [public-suffix-wildcard]']);
    },
  );

  it('names the suffix', () => {
    expect(messages(policy(...origins('https://*.github.io')), 'public-suffix-wildcard')[0]).toContain('public suffix github.io');
  });

  it('refuses a regex that accepts any name under a public suffix', () => {
    const text = policy(...origins("regex: '^https://[a-z0-9-]+\\.herokuapp\\.com$'"), 'credentials: true');
    expect(codes(text)).toEqual(['5:16 error [public-suffix-wildcard]']);
    expect(messages(text, 'public-suffix-wildcard')[0]).toContain('https://evil.herokuapp.com');
  });

  it.each(['https://*.example.com', 'https://*.myapp.github.io', 'https://*.example.co.uk', 'https://github.io', 'https://*.internal', 'https://*.localhost'])(
    'accepts %s without credentials',
    (entry) => {
      expect(codes(policy(...origins(entry)))).toEqual([]);
    },
  );

  it('accepts regexes that name their sites', () => {
    expect(codes(policy(...origins("regex: '^https://(alice|bob)\\.github\\.io$'"), 'credentials: true'))).toEqual([]);
  });

  it('accepts a public-suffix wildcard with the opt-out, which silences this rule only (credentials-subdomain-wildcard still warns)', () => {
    const text = policy(...origins('https://*.github.io'), 'credentials: true', 'dangerouslyAllow: [public-suffix-wildcard]');
    expect(codes(text).filter((c) => !c.endsWith('[credentials-subdomain-wildcard]'))).toEqual([]);
    expect(codes(text).map((c) => c.split(' ').slice(1).join(' '))).toEqual(['warning [credentials-subdomain-wildcard]']);
    expect(accepted(text)).toBe(true);
    expect(codes(policy(...origins("regex: '^https://[a-z]+\\.github\\.io$'"), 'dangerouslyAllow: [public-suffix-wildcard]'))).toEqual([]);
  });
});

describe('credentials-subdomain-wildcard', () => {
  it('warns about a subdomain wildcard with credentials', () => {
    const text = policy(...origins('https://app.example.com', 'https://*.example.org'), 'credentials: true');
    expect(codes(text)).toEqual(['6:9 warning [credentials-subdomain-wildcard]']);
    expect(messages(text, 'credentials-subdomain-wildcard')[0]).toContain('taken over');
  });
  it('accepts a subdomain wildcard without credentials, and port wildcards with them', () => {
    expect(codes(policy(...origins('https://*.example.org')))).toEqual([]);
    expect(codes(policy(...origins('http://localhost:*', 'https://app.example.org:*'), 'credentials: true'))).toEqual([]);
    expect(codes(policy(...origins('http://*.localhost:*'), 'credentials: true'))).toEqual([]);
  });
});

describe('duplicate-origin', () => {
  it('warns about the second of two equal entries', () => {
    const text = policy(...origins('https://a.example.com', 'https://b.example.com', 'https://a.example.com'));
    expect(codes(text)).toEqual(['7:9 warning [duplicate-origin]']);
    expect(messages(text, 'duplicate-origin')[0]).toContain('listed twice');
  });

  it('warns about equal regexes', () => {
    expect(codes(policy(...origins("regex: '^https://a\\.example\\.com$'", "regex: '^https://a\\.example\\.com$'")))).toEqual(['6:9 warning [duplicate-origin]']);
  });

  it('warns about an exact origin a wildcard covers, wherever it stands', () => {
    const text = policy(...origins('https://app.example.com', 'https://*.example.com'));
    expect(codes(text)).toEqual(['5:9 warning [duplicate-origin]']);
    expect(messages(text, 'duplicate-origin')[0]).toBe('origin "https://app.example.com" is already allowed by "https://*.example.com" in the same policy; remove one of them');
  });

  it('warns about an exact origin a port wildcard or a regex covers', () => {
    expect(codes(policy(...origins('http://localhost:3000', 'http://localhost:*')))).toEqual(['5:9 warning [duplicate-origin]']);
    const text = policy(...origins('https://pr-1.preview.example.net', "regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$'"));
    expect(codes(text)).toEqual(['5:9 warning [duplicate-origin]']);
    expect(messages(text, 'duplicate-origin')[0]).toContain('the regex');
  });

  it('warns about a wildcard a wider wildcard covers', () => {
    expect(codes(policy(...origins('https://*.a.example.com', 'https://*.example.com:*')))).toEqual(['5:9 warning [duplicate-origin]']);
  });

  it('accepts distinct origins the wildcards do not cover', () => {
    expect(
      codes(
        policy(
          ...origins(
            'https://example.com',
            'https://*.example.com',
            'http://a.example.com',
            'https://example.com:8443',
            'https://a.example.org',
            'https://*.example.com:8443',
            "regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$'",
          ),
        ),
      ),
    ).toEqual([]);
  });
});
