// Contract §2a: all policies of one file can be included together, and the longest matching
// prefix chooses the policy; the same prefix in two policies would leave the choice to the server.
import { stringList, type Rule, type RuleFinding } from '../rule.js';

export const pathsDuplicate: Rule = {
  id: 'paths-duplicate',
  severity: 'error',
  docs: 'Refuses the same paths prefix in two policies of one file: included together, a request under it would be governed by both.',
  messages: {
    twice: 'path {{path}} is also a prefix of policy {{other}}; two policies of one file may not list the same prefix (a request under it would be governed by both)',
  },
  check: () => [],
  checkFile: (policies) => {
    const first = new Map<string, string>();
    const findings: RuleFinding[] = [];
    for (const p of policies) {
      const own = new Set<string>();
      for (const { value, index } of stringList(p.raw.paths)) {
        if (own.has(value)) continue;
        own.add(value);
        const other = first.get(value);
        if (other === undefined) first.set(value, p.name);
        else findings.push({ path: [...p.path, 'paths', index], messageId: 'twice', data: { path: value, other } });
      }
    }
    return findings;
  },
};
