// Every rule of the registry through the rule tester, and the meta-test: a rule without a valid
// and an invalid case, or a message id no invalid case produces, fails here.
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../../src/check/rules/index.js';
import { ruleTester } from '../rule-tester.js';
import { CASES } from './cases.js';

describe('rules', () => {
  for (const rule of RULES) {
    describe(rule.id, () => {
      const cases = CASES[rule.id];
      if (cases) ruleTester(rule, cases);
    });
  }
});

describe('the rule registry (meta-test)', () => {
  it('every rule has at least one valid and one invalid case', () => {
    const missing = RULES.filter((r) => !CASES[r.id] || CASES[r.id]!.valid.length === 0 || CASES[r.id]!.invalid.length === 0).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('every message of every rule is produced by an invalid case', () => {
    const uncovered = RULES.flatMap((r) => {
      const ids = Object.keys(r.messages);
      const produced = new Set((CASES[r.id]?.invalid ?? []).map((c) => c.messageId));
      return ids.filter((id) => !produced.has(id)).map((id) => `${r.id}/${id}`);
    });
    expect(uncovered).toEqual([]);
  });

  it('no case names a rule that does not exist', () => {
    const ids = new Set(RULES.map((r) => r.id));
    expect(Object.keys(CASES).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('rule ids are unique and kebab-case', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});
