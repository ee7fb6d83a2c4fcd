// nginx as cors-gen generates for it (docs: nginx.org ngx_http_core_module, ngx_http_map_module).
import type { Dialect } from '../dialect.js';

export const dialect: Dialect = {
  name: 'nginx',
  title: 'nginx',
  minVersion: '1.22',
  regexEngine: 'PCRE',
  specialCharacters: [
    { char: '$', why: 'nginx reads $name as a variable, in quoted strings too' },
    { char: "'", why: 'it would end a quoted nginx string' },
    { char: '"', why: 'it would end a quoted nginx string' },
    { char: ';', why: 'it ends an nginx directive' },
    { char: '#', why: 'it starts an nginx comment' },
    { char: '{', why: 'it opens an nginx block' },
    { char: '}', why: 'it closes an nginx block' },
  ],
  // http.conf holds the maps of every policy: a policy named "http" would be written to the same file.
  reserved: { names: ['http'], suffixes: [] },
  include: [
    { file: 'http.conf', where: 'once, inside http {}', line: 'include DIR/http.conf;' },
    { file: '<name>.conf', where: 'inside the server {} or location {} that proxies to the application', line: 'include DIR/<name>.conf;' },
    {
      file: '<name>.conf (proxy mode)',
      where: 'inside the server {}, at server level: it defines the location blocks of the policy\'s paths and forwards them to the upstream',
      line: 'include DIR/<name>.conf;',
    },
  ],
  // Proxy mode uses ngx_http_proxy_module with SSL, which every Debian nginx package (nginx-light included) has.
  needs: [],
  syntaxCheck: 'nginx -t',
  // proxy_ssl_verify matches proxy_ssl_name against IP-address subjectAltNames too (test/servers/proxy.nginx.test.ts).
  verifiesUpstreamIpAddress: true,
};
