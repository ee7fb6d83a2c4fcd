// Contract §5: in proxy mode the generated file holds the forwarding for the policy's paths (`/`
// without them); two such policies without paths would both claim `/` in one server.
import type { Rule, RuleFinding } from '../rule.js';

export const upstreamOverlap: Rule = {
  id: 'upstream-overlap',
  severity: 'error',
  docs: 'Refuses two policies of one file in proxy mode (with upstream) that both lack paths: both would govern /.',
  messages: {
    both: 'policy {{name}} and policy {{other}} are both in proxy mode without paths, so both would govern /; give each its paths',
  },
  check: () => [],
  checkFile: (policies) => {
    const proxies = policies.filter((p) => p.raw.upstream && typeof p.raw.upstream === 'object' && p.raw.paths === undefined);
    const [first, ...rest] = proxies;
    return rest.map((p): RuleFinding => ({ path: [...p.path, 'upstream'], part: 'key', messageId: 'both', data: { name: p.name, other: first!.name } }));
  },
};
