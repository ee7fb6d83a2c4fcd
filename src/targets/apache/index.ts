// The Apache httpd target: one <name>.conf per policy, included first inside the <VirtualHost>
// that proxies to the application (docs/contract.md §4). Every decision is made in view.ts; the template
// only lays it out.
import { renderTemplate } from '../../render/templates.js';
import type { Target } from '../types.js';
import { dialect } from './dialect.js';
import { reading } from './reading.js';
import { buildApacheView } from './view.js';

export const apache: Target<'apache'> = {
  name: 'apache',
  dialect,
  reading,
  render(set) {
    return buildApacheView(set).policies.map((policy) => ({
      path: policy.file,
      includeHint: policy.proxy
        ? `include it first inside the <VirtualHost>, above its own RewriteRules and ProxyPass lines; it forwards to ${policy.proxy.upstream} itself (also mod_proxy, mod_proxy_http, mod_ssl): Include DIR/${policy.file}`
        : `include it first inside the <VirtualHost> that proxies to the application, above its own RewriteRules: Include DIR/${policy.file}`,
      body: renderTemplate('apache', 'policy', policy),
    }));
  },
};
