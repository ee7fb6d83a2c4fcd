// The nginx target: http.conf (every policy's maps, included once in http {}) and one <name>.conf
// per policy (included in the server {} or location {} that proxies to the application).
// Every decision is the response plan's (src/plan); view.ts maps it onto nginx, the templates lay it out.
import { renderTemplate } from '../../render/templates.js';
import type { RenderedFile, Target } from '../types.js';
import { dialect } from './dialect.js';
import { reading } from './reading.js';
import { buildPlan } from '../../plan/index.js';
import { buildNginxView } from './view.js';

export const nginx: Target<'nginx'> = {
  name: 'nginx',
  dialect,
  reading,
  render(set) {
    const view = buildNginxView(buildPlan(set));
    const files: RenderedFile[] = [
      { path: 'http.conf', includeHint: 'include it once inside http {}: include DIR/http.conf;', body: renderTemplate('nginx', 'http.conf', view) },
    ];
    for (const policy of view.policies) {
      files.push({
        path: policy.file,
        includeHint: policy.proxy
          ? `proxy mode: include it at server level inside the server {}, which it forwards to ${policy.proxy.url} for the policy's paths: include DIR/${policy.file};`
          : `include it inside the server {} or location {} that proxies to the application: include DIR/${policy.file};`,
        body: renderTemplate('nginx', 'policy.conf', policy),
      });
    }
    return files;
  },
};
