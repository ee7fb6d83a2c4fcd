// Every value the check accepts is pasted into nginx and Apache double-quoted strings and Caddyfile
// tokens. Whatever a user writes, the check never throws, and what it accepts holds no character
// a config could interpret.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPolicyText } from '../../../src/compile.js';
import { policy } from './helpers.js';

/** Printable ASCII, the characters configs care about most, some controls and non-ASCII. */
const CHARS = fc.constantFrom(
  ...'abcxyz019AZ.:/-_*[]^$\\()?+{}|,;#%"\'` \t\n&@!~<>=xn--'.split(''),
  '\u0000',
  '\u007f',
  '\u00e9',
  '\u2028',
  '\u{1f600}',
);
const text = (parts: fc.Arbitrary<string>[]) => fc.tuple(...parts).map((p) => p.join(''));
const chars = (max: number) => fc.array(CHARS, { maxLength: max }).map((a) => a.join(''));

const run = (yaml: string) => checkPolicyText(yaml, 'p.yaml');
const rulesOf = (yaml: string) => run(yaml).diagnostics.map((d) => d.rule);

describe('config safety', () => {
  it('origins: never throws; an accepted entry is scheme://host[:port] of safe characters', () => {
    const entry = fc.oneof(
      text([fc.constantFrom('https://', 'http://', 'HTTP://', ''), chars(12), fc.constantFrom('', '.example.com', ':8080', ':*')]),
      text([fc.constantFrom('https://*.', 'http://['), chars(10)]),
      fc.string(),
    );
    fc.assert(
      fc.property(entry, (value) => {
        const yaml = policy('origins:', `  - ${JSON.stringify(value)}`);
        const { diagnostics } = run(yaml);
        if (!diagnostics.some((d) => d.severity === 'error')) {
          expect(value === 'null' || /^https?:\/\/[a-z0-9.:[\]*_-]+$/.test(value), value).toBe(true);
        }
      }),
      { numRuns: 1500, seed: 42 },
    );
  });

  it('regexes: never throw; an accepted regex is ^…$ of safe characters that compiles', () => {
    const source = text([fc.constantFrom('^https://', '^http://', '^', ''), chars(14), fc.constantFrom('\\.example\\.com$', '$', '')]);
    fc.assert(
      fc.property(source, (value) => {
        const yaml = policy('origins:', `  - regex: ${JSON.stringify(value)}`);
        const rules = rulesOf(yaml);
        if (!rules.includes('regex-syntax') && !rules.includes('yaml-syntax')) {
          expect(value, value).toMatch(/^\^[A-Za-z0-9^\\.*+?()[\]{}|,:/_-]*\$$/);
          expect(value.slice(0, -1)).not.toContain('$');
          expect(() => new RegExp(value)).not.toThrow();
        }
      }),
      { numRuns: 1500, seed: 7 },
    );
  });

  it('methods and headers: never throw; an accepted name is a token without $ % \' ` #', () => {
    fc.assert(
      fc.property(chars(8), fc.constantFrom('methods', 'allowHeaders', 'exposeHeaders'), (value, field) => {
        const yaml = policy('origins: [https://app.example.com]', `${field}: [${JSON.stringify(value)}]`);
        if (!run(yaml).diagnostics.some((d) => d.severity === 'error')) {
          expect(value, value).toMatch(/^[!&*+\-.^_|~0-9A-Za-z]+$/);
        }
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it('whole files of noise: never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (noise) => {
        expect(() => run(noise)).not.toThrow();
        expect(() => run(`version: 1\npolicies:\n  api:\n    ${noise}`)).not.toThrow();
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});
