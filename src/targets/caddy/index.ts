// The Caddy target: one file, cors.caddy, defining the snippets cors-<name> and cors-<name>-upstream
// for every policy (docs/contract.md §4). Every decision lives in view.ts; the template only lays it out.
import { renderTemplate } from '../../render/templates.js';
import type { Target } from '../types.js';
import { dialect } from './dialect.js';
import { reading } from './reading.js';
import { buildCaddyView } from './view.js';

export const caddy: Target<'caddy'> = {
  name: 'caddy',
  dialect,
  reading,
  render(set) {
    const view = buildCaddyView(set);
    const body = renderTemplate('caddy', 'cors', view);
    // Caddy substitutes `{$NAME}` with an environment variable anywhere in the file, before parsing.
    if (body.includes('{$')) throw new Error('caddy: generated text contains "{$"');
    return [
      {
        path: view.file,
        includeHint:
          `import DIR/${view.file} at the top level of the Caddyfile; then import cors-<policy> as the first line of a site block and import cors-<policy>-upstream inside each of its reverse_proxy { } blocks` +
          (view.policies.some((p) => p.forwards.length > 0) ? ' (a policy with upstream forwards by itself: import cors-<policy> alone)' : ''),
        body,
      },
    ];
  },
};
