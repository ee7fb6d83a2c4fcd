// Apache httpd as cors-gen generates for it (docs: httpd.apache.org mod_headers, mod_setenvif,
// mod_rewrite, expr; the configuration reader's ${NAME} Define substitution).
import type { Dialect } from '../dialect.js';

export const dialect: Dialect = {
  name: 'apache',
  title: 'Apache httpd',
  minVersion: '2.4.52',
  regexEngine: 'PCRE',
  specialCharacters: [
    { char: '$', why: 'Apache reads ${NAME} as a Define variable on every configuration line' },
    { char: '%', why: 'mod_headers and ap_expr read %{NAME} as a variable' },
    { char: '"', why: 'it would end a quoted Apache argument' },
    { char: '#', why: 'it ends an ap_expr regex literal m#…#' },
  ],
  reserved: { names: [], suffixes: [] },
  include: [
    { file: '<name>.conf', where: 'first inside the <VirtualHost> that proxies to the application (in proxy mode: inside the <VirtualHost>, above its own ProxyPass lines; the file forwards itself)', line: 'Include DIR/<name>.conf' },
  ],
  needs: ['mod_headers', 'mod_setenvif', 'mod_rewrite', 'in proxy mode also mod_proxy, mod_proxy_http and (https upstream) mod_ssl'],
  syntaxCheck: 'apache2ctl -t',
  // mod_ssl 2.4 (SSLProxyCheckPeerName) compares the peer name with DNS names only: an upstream named by
  // IP address never verifies and every request is answered 502 (test/servers/proxy.apache.test.ts).
  verifiesUpstreamIpAddress: false,
};
