// The targets' facts (src/targets/<t>/dialect.ts) agree with what the rest of cors-gen enforces.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenProblem } from '../../../src/check/tokens.js';
import { regexProblem } from '../../../src/check/regex-portability.js';
import { REGISTRY, TARGET_NAMES } from '../../../src/targets/registry.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/policy.schema.json', import.meta.url), 'utf8'));

describe('target dialects', () => {
  it('the registry lists each target once, by its dialect name', () => {
    expect(new Set(TARGET_NAMES).size).toBe(REGISTRY.length);
    for (const t of REGISTRY) expect(t.dialect.name).toBe(t.name);
  });

  it('the schema reserves exactly the policy names the dialects reserve', () => {
    const names = schema.properties.policies.propertyNames;
    const reservedNames = REGISTRY.flatMap((t) => t.dialect.reserved.names).sort();
    const reservedSuffixes = REGISTRY.flatMap((t) => t.dialect.reserved.suffixes).sort();
    const consts = names.not.anyOf.filter((a: { const?: string }) => a.const !== undefined).map((a: { const: string }) => a.const).sort();
    const patterns = names.not.anyOf.filter((a: { pattern?: string }) => a.pattern !== undefined).map((a: { pattern: string }) => a.pattern.replace(/\$$/, '')).sort();
    expect(consts).toEqual(reservedNames);
    expect(patterns).toEqual(reservedSuffixes);
  });

  for (const t of REGISTRY) {
    it(`${t.name}: every character its configuration interprets is refused in names and regexes`, () => {
      for (const { char } of t.dialect.specialCharacters) {
        expect(tokenProblem(`X-A${char}B`), `header name with ${char}`).not.toBeNull();
        // Braces are a repetition in a regex and always written inside quotes there.
        if (char !== '{' && char !== '}') expect(regexProblem(`^https://a${char}b\\.example\\.com$`), `regex with ${char}`).not.toBeNull();
      }
    });
  }
});
