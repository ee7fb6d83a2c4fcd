import { describe, expect, it } from 'vitest';
import { codes, lines, messages, policy } from './helpers.js';

const base = 'origins: [https://app.example.com]';

describe('max-age-above-cap', () => {
  it.each([7201, 86400])('warns about maxAge %i', (maxAge) => {
    const text = policy(base, `maxAge: ${maxAge}`);
    expect(codes(text)).toEqual(['5:13 warning [max-age-above-cap]']);
    expect(messages(text, 'max-age-above-cap')[0]).toContain('Chromium');
  });
  it.each([0, 5, 600, 7200])('accepts maxAge %i', (maxAge) => {
    expect(codes(policy(base, `maxAge: ${maxAge}`))).toEqual([]);
  });
  it('leaves maxAge above 86400 to the schema (one diagnostic)', () => {
    expect(codes(policy(base, 'maxAge: 86401'))).toEqual(['5:13 error [max-age]']);
  });
});

describe('max-age (schema)', () => {
  it.each(['-1', '1.5', '86401', '"600"', 'true'])('refuses maxAge %s', (value) => {
    const text = policy(base, `maxAge: ${value}`);
    expect(codes(text)).toEqual(['5:13 error [max-age]']);
    expect(messages(text, 'max-age')[0]).toContain('whole number of seconds from 0 to 86400');
  });
});

describe('dangerously-allow-unknown', () => {
  it('refuses an unknown name with a suggestion', () => {
    const text = policy(base, 'dangerouslyAllow: [null-origin, insecure-origin, public-suffix, foo]');
    expect(codes(text)).toEqual(['5:37 error [dangerously-allow-unknown]', '5:54 error [dangerously-allow-unknown]', '5:69 error [dangerously-allow-unknown]']);
    expect(messages(text, 'dangerously-allow-unknown')).toEqual([
      'unknown name "insecure-origin" in dangerouslyAllow (did you mean insecure-origins?); the known names are null-origin, insecure-origins, public-suffix-wildcard',
      'unknown name "public-suffix" in dangerouslyAllow (did you mean public-suffix-wildcard?); the known names are null-origin, insecure-origins, public-suffix-wildcard',
      'unknown name "foo" in dangerouslyAllow; the known names are null-origin, insecure-origins, public-suffix-wildcard',
    ]);
  });
  it('accepts the known names', () => {
    expect(codes(policy(base, 'dangerouslyAllow: [null-origin, insecure-origins, public-suffix-wildcard]'))).toEqual([]);
  });
  it('reports a non-string element once, as a type error', () => {
    expect(lines(policy(base, 'dangerouslyAllow: [5]'))).toEqual(['p.yaml:5:24: error: dangerouslyAllow[0] of policy "api" must be a string, not number 5 [type]']);
  });
});
