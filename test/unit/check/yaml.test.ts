import { describe, expect, it } from 'vitest';
import { loadPolicyText } from '../../../src/load/document.js';
import { accepted, codes, lines, policy } from './helpers.js';

describe('YAML syntax', () => {
  it('locates a syntax error and stops there', () => {
    expect(lines('version: 1\npolicies:\n  api:\n    origins: "https://a.example.com\n')).toEqual([
      'p.yaml:5:1: error: missing closing "quote [yaml-syntax]',
    ]);
  });
  it('locates bad indentation', () => {
    expect(codes('version: 1\npolicies:\n  api:\n\torigins: "*"\n')).toEqual(['4:1 error [yaml-syntax]']);
  });
  it('refuses several documents', () => {
    expect(lines('version: 1\n---\nversion: 1\n')[0]).toMatch(/^p\.yaml:2:1: error: source contains multiple documents/);
  });
  it('refuses an alias to no anchor, at the alias', () => {
    expect(lines(policy('origins: *nope'))).toEqual(['p.yaml:4:14: error: the alias *nope refers to no anchor defined before it [yaml-syntax]']);
  });
  it('refuses a collection as a key', () => {
    expect(lines('version: 1\npolicies:\n  ? [a]\n  : 1\n')).toEqual(['p.yaml:3:5: error: a map key must be a plain string, not a list, a map or an alias [yaml-syntax]']);
  });
  it('refuses unknown tags but goes on checking', () => {
    expect(lines(policy('origins: !origins "*"', 'credentials: true'))).toEqual([
      'p.yaml:4:14: error: unresolved tag: !origins; a policy file needs no YAML tags [yaml-syntax]',
      'p.yaml:5:18: error: credentials: true with origins: "*" would let every website read responses with your users\' cookies; list the origins you trust [credentials-any-origin]',
    ]);
  });
  it('accepts anchors and aliases that resolve', () => {
    expect(accepted('version: 1\npolicies:\n  a:\n    origins: &o [https://a.example.com]\n  b:\n    origins: *o\n')).toBe(true);
  });
});

describe('duplicate-key', () => {
  it('locates the second key, names it and the line of the first, and goes on checking', () => {
    expect(lines(policy('origins: [https://a.example.com]', 'credentials: true', 'credentials: false', 'methods: [TRACE]'))).toEqual([
      'p.yaml:6:5: error: duplicate key "credentials" (first at line 5); a key may appear once per map [duplicate-key]',
      'p.yaml:7:15: error: method "TRACE" is a forbidden method (Fetch): browsers never send TRACE from a script, so allowing it has no effect; remove it [method-forbidden]',
    ]);
  });
  it('locates duplicate policy names and top-level keys', () => {
    expect(codes('version: 1\nversion: 1\npolicies:\n  api:\n    origins: "*"\n  api:\n    origins: "*"\n')).toEqual([
      '2:1 error [duplicate-key]',
      '6:3 error [duplicate-key]',
    ]);
  });
  it('locates the later value\'s problems at the later key, which is the one the data holds', () => {
    expect(codes(policy('origins: [https://a.example.com]', 'origins: [http://b.example.com]', 'credentials: true'))).toEqual([
      '5:5 error [duplicate-key]',
      '5:15 error [insecure-origin]',
    ]);
  });
  it('is not fatal to loading, and is reported by the check', () => {
    const { loaded, diagnostics } = loadPolicyText('a: 1\na: 2\n', 'p.yaml');
    expect(diagnostics).toEqual([]);
    expect(loaded?.problems?.map((d) => d.rule)).toEqual(['duplicate-key']);
  });
});
