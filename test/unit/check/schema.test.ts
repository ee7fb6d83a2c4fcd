import { describe, expect, it } from 'vitest';
import { codes, lines, policy } from './helpers.js';

const base = 'origins: [https://app.example.com]';

describe('unknown-key', () => {
  it('points at the key and suggests the nearest known key', () => {
    expect(lines(policy(base, 'alowHeaders: [X-Custom]'))).toEqual([
      'p.yaml:5:5: error: unknown key "alowHeaders" in policy "api" (did you mean allowHeaders?) [unknown-key]',
    ]);
  });

  it.each([
    ['allowedHeaders', 'allowHeaders'],
    ['allow_headers', 'allowHeaders'],
    ['exposedHeaders', 'exposeHeaders'],
    ['allowCredentials', 'credentials'],
    ['supportsCredentials', 'credentials'],
    ['allowedMethods', 'methods'],
    ['maxAgeSeconds', 'maxAge'],
    ['allowPrivateNetwork', 'privateNetwork'],
    ['dangerouslyallow', 'dangerouslyAllow'],
  ])('suggests for %s the key %s (other libraries\' names included)', (key, known) => {
    expect(lines(policy(base, `${key}: []`))).toEqual([`p.yaml:5:5: error: unknown key "${key}" in policy "api" (did you mean ${known}?) [unknown-key]`]);
  });

  it('lists the keys when nothing is near', () => {
    expect(lines(policy(base, 'zzz: 1'))[0]).toContain('the keys are origins, methods, allowHeaders, exposeHeaders, credentials, maxAge, privateNetwork, dangerouslyAllow');
  });

  it('reports an unknown key instead of the missing key it stands for', () => {
    expect(lines(policy('origin: [https://app.example.com]'))).toEqual([
      'p.yaml:4:5: error: unknown key "origin" in policy "api" (did you mean origins?) [unknown-key]',
    ]);
  });

  it('works at the top and inside a regex entry', () => {
    expect(lines('version: 1\npolicy:\n  api:\n    origins: "*"\n')).toEqual([
      'p.yaml:2:1: error: unknown key "policy" in the file (did you mean policies?) [unknown-key]',
    ]);
    expect(lines(policy('origins:', "  - regx: '^https://a\\.example\\.com$'"))).toEqual([
      'p.yaml:5:9: error: unknown key "regx" in origins[0] of policy "api" (did you mean regex?) [unknown-key]',
    ]);
  });

  it('says merge keys are not supported', () => {
    expect(lines('version: 1\npolicies:\n  a: &a\n    origins: "*"\n  b:\n    <<: *a\n')).toEqual([
      'p.yaml:5:3: error: policy "b" has no origins (a list of origins, or "*") [required]',
      'p.yaml:6:5: error: unknown key "<<" in policy "b"; YAML merge keys are not supported: repeat the keys [unknown-key]',
    ]);
  });
});

describe('type', () => {
  it.each([
    ['methods: GET', '5:14', 'methods of policy "api" must be a list, not the string "GET"; write [GET]'],
    ['allowHeaders: X-Custom', '5:19', 'allowHeaders of policy "api" must be a list, not the string "X-Custom"; write [X-Custom]'],
    ['exposeHeaders: {a: 1}', '5:20', 'exposeHeaders of policy "api" must be a list, not a map'],
    ['credentials: "yes"', '5:18', 'credentials of policy "api" must be true or false, not the string "yes"'],
    ['credentials: 1', '5:18', 'credentials of policy "api" must be true or false, not number 1'],
    ['privateNetwork: null', '5:21', 'privateNetwork of policy "api" must be true or false, not null'],
    ['dangerouslyAllow: null-origin', '5:23', 'dangerouslyAllow of policy "api" must be a list, not the string "null-origin"; write [null-origin]'],
    ['methods: [GET, 5]', '5:20', 'methods[1] of policy "api" must be a string, not number 5'],
  ])('%s', (line, at, message) => {
    expect(lines(policy(base, line))).toEqual([`p.yaml:${at}: error: ${message} [type]`]);
  });

  it('refuses an origins string that is not "*", suggesting the list', () => {
    expect(lines(policy('origins: https://app.example.com'))).toEqual([
      'p.yaml:4:14: error: origins of policy "api" must be a list of origins or the string "*", not the string "https://app.example.com"; write origins: [https://app.example.com] (a list), or origins: "*" for any origin [type]',
    ]);
  });

  it('refuses an origin entry that is neither a string nor a regex map', () => {
    expect(codes(policy('origins:', '  - 5', '  - [https://a.example.com]', '  - {}'))).toEqual([
      '5:9 error [type]',
      '6:9 error [type]',
      '7:9 error [required]',
    ]);
    expect(lines(policy('origins:', '  - {}'))[0]).toContain("is a map without regex; write {regex: '^https://…$'}");
  });

  it('refuses a regex that is not a string', () => {
    expect(lines(policy('origins:', '  - regex: 5'))).toEqual(['p.yaml:5:16: error: regex of policy "api" must be a string, not number 5 [type]']);
  });

  it('refuses a policy that is not a map, and a file that is not a map', () => {
    expect(lines('version: 1\npolicies:\n  api: 5\n')).toEqual(['p.yaml:3:8: error: policy "api" must be a map, not number 5 [type]']);
    expect(lines('- a\n')).toEqual(['p.yaml:1:1: error: the file must be a map, not a list [type]']);
    expect(lines('')).toEqual(['p.yaml:1:1: error: the file must be a map, not null [type]']);
  });

  it('reports an empty method or header name once', () => {
    expect(codes(policy(base, 'methods: [""]', 'allowHeaders: [""]'))).toEqual(['5:15 error [method-token]', '6:20 error [header-token]']);
  });
});

describe('required and empty-origins', () => {
  it('refuses a policy without origins, at its name', () => {
    expect(lines(policy('methods: [GET]'))).toEqual(['p.yaml:3:3: error: policy "api" has no origins (a list of origins, or "*") [required]']);
  });
  it('refuses an empty origins list', () => {
    expect(lines(policy('origins: []'))).toEqual([
      'p.yaml:4:14: error: origins of policy "api" is empty; list at least one origin, or write origins: "*" [empty-origins]',
    ]);
  });
  it('refuses null origins', () => {
    expect(lines(policy('origins:'))).toEqual(['p.yaml:4:13: error: origins of policy "api" must be a list of origins or the string "*", not null [type]']);
  });
  it('refuses a file without policies or with none', () => {
    expect(lines('version: 1\n')).toEqual(['p.yaml:1:1: error: the file has no policies [required]']);
    expect(lines('version: 1\npolicies: {}\n')).toEqual(['p.yaml:2:11: error: policies is empty; define at least one policy [required]']);
  });
});

describe('unsupported-version', () => {
  it.each([
    ['version: 2', 'unsupported version 2; this cors-gen reads format version 1'],
    ['version: "1"', 'unsupported version "1"; this cors-gen reads format version 1; write version: 1 (a number, without quotes)'],
  ])('%s', (line, message) => {
    expect(lines(`${line}\npolicies:\n  api:\n    origins: "*"\n`)).toEqual([`p.yaml:1:10: error: ${message} [unsupported-version]`]);
  });
  it('refuses a missing version', () => {
    expect(lines('policies:\n  api:\n    origins: "*"\n')).toEqual(['p.yaml:1:1: error: the file has no version; write version: 1 [required]']);
  });
  it('accepts version 1', () => {
    expect(codes('version: 1\npolicies:\n  api:\n    origins: "*"\n')).toEqual([]);
  });
});

describe('policy-name', () => {
  it.each(['Api', '1api', 'my_api', 'a-very-long-policy-name-abcdefghi', '"api v2"'])('refuses the invalid name %s, at the name', (name) => {
    expect(lines(`version: 1\npolicies:\n  ${name}:\n    origins: "*"\n`)).toEqual([
      `p.yaml:3:3: error: invalid policy name "${name.replace(/"/g, '')}": 1-32 characters of a-z, 0-9 and "-", starting with a letter [policy-name]`,
    ]);
  });
  it.each(['http', 'api-upstream'])('refuses the reserved name %s', (name) => {
    expect(lines(`version: 1\npolicies:\n  ${name}:\n    origins: "*"\n`)).toEqual([
      `p.yaml:3:3: error: the policy name "${name}" is reserved (the generated files use "http" and "<name>-upstream") [policy-name]`,
    ]);
  });
  it.each(['api', 'a', 'a-very-long-policy-name-abcdefgh', 'http2', 'upstream'])('accepts %s', (name) => {
    expect(codes(`version: 1\npolicies:\n  ${name}:\n    origins: "*"\n`)).toEqual([]);
  });
});
