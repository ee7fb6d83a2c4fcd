// A rule tester after ESLint's RuleTester: each valid case yields no diagnostic of the rule, each
// invalid case exactly the one diagnostic named by its messageId, at its line:column. The policy
// text goes through the whole check (load → schema → every rule), as users run it.
import { expect, it } from 'vitest';
import { checkPolicyText } from '../../../src/compile.js';
import type { Rule } from '../../../src/check/rule.js';

export interface InvalidCase {
  yaml: string;
  messageId: string;
  /** 'line:column' of the diagnostic. */
  at: string;
  /** A fragment the rendered message must contain (optional). */
  says?: string;
  /** Expected severity when the rule's default does not apply. */
  severity?: 'error' | 'warning';
}

export interface RuleCases {
  valid: string[];
  invalid: InvalidCase[];
}

const ofRule = (yaml: string, id: string) => checkPolicyText(yaml, 'p.yaml').diagnostics.filter((d) => d.rule === id);

export function ruleTester(rule: Pick<Rule, 'id' | 'severity'>, cases: RuleCases): void {
  cases.valid.forEach((yaml, i) => {
    it(`${rule.id}: valid #${i + 1}`, () => {
      expect(ofRule(yaml, rule.id).map((d) => d.message)).toEqual([]);
    });
  });
  cases.invalid.forEach((c, i) => {
    it(`${rule.id}: invalid #${i + 1} (${c.messageId})`, () => {
      const found = ofRule(c.yaml, rule.id);
      expect(found.map((d) => `${d.line}:${d.column} ${d.messageId}`)).toEqual([`${c.at} ${c.messageId}`]);
      expect(found[0]!.severity).toBe(c.severity ?? rule.severity);
      if (c.says) expect(found[0]!.message).toContain(c.says);
    });
  });
}

/** A file with one policy "api" whose body starts at line 4, column 5. */
export const P = (...body: string[]): string => ['version: 1', 'policies:', '  api:', ...body.map((l) => `    ${l}`), ''].join('\n');

/** A file with several policies, each given as [name, ...body lines]. */
export const FILE = (...policies: string[][]): string =>
  ['version: 1', 'policies:', ...policies.flatMap(([name, ...body]) => [`  ${name}:`, ...body.map((l) => `    ${l}`)]), ''].join('\n');
