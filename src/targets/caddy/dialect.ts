// Caddy as cors-gen generates for it (docs: caddyserver.com Caddyfile concepts, matchers, header,
// map; the Caddyfile lexer substitutes {$NAME} environment variables before parsing).
import type { Dialect } from '../dialect.js';

export const dialect: Dialect = {
  name: 'caddy',
  title: 'Caddy',
  minVersion: '2.6.2',
  regexEngine: 'RE2',
  specialCharacters: [
    { char: '$', why: 'Caddy replaces {$NAME} with an environment variable anywhere in the file' },
    { char: '`', why: 'it would end a Caddyfile backquoted token' },
    { char: '"', why: 'it would end a quoted Caddyfile token' },
    { char: '#', why: 'it starts a Caddyfile comment' },
    { char: '@', why: 'Caddy reads @name as a matcher' },
  ],
  // Each policy defines the snippets cors-<name> and cors-<name>-upstream: a policy "x-upstream"
  // would collide with the second snippet of a policy "x".
  reserved: { names: [], suffixes: ['-upstream'] },
  include: [
    { file: 'cors.caddy', where: 'once, at the top level of the Caddyfile, outside any site', line: 'import DIR/cors.caddy' },
    { file: 'cors.caddy', where: 'as the first line of each site block that uses the policy', line: 'import cors-<name>' },
    { file: 'cors.caddy', where: 'inside every reverse_proxy { } of that site (not in proxy mode: the snippet holds its own)', line: 'import cors-<name>-upstream' },
  ],
  // Proxy mode (docs/contract.md §6) needs nothing beyond the standard build: reverse_proxy, rewrite and
  // path_regexp are all in it, and Go's own trust store verifies an https upstream without `ca`.
  needs: [],
  syntaxCheck: 'caddy validate --adapter caddyfile',
  // Go's crypto/tls verifies an IP-address ServerName against IP-address subjectAltNames (test/servers/proxy.caddy.test.ts).
  verifiesUpstreamIpAddress: true,
};
