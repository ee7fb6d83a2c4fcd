// `cors-gen init`: a commented starter policy that passes every check and carries the schema
// modeline, so editors with the YAML language server complete and validate it.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The schema shipped in this package. */
export const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'policy.schema.json');

/** How the modeline of a policy written to `file` refers to the schema: relative when installed beside it. */
export function schemaReference(file: string): string {
  const dir = dirname(resolve(file));
  for (let d = dir; ; d = dirname(d)) {
    const local = join(d, 'node_modules', 'cors-gen', 'schemas', 'policy.schema.json');
    if (existsSync(local)) return relative(dir, local);
    if (dirname(d) === d) break;
  }
  return SCHEMA_PATH;
}

export function starterPolicy(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# A cors-gen policy. Generate the server configuration with
#   cors-gen <this file> --target nginx|apache|caddy --out <dir>
# and check in CI that the committed files match it with --check.
version: 1
policies:
  # Each policy becomes its own snippet; use several side by side for different sites.
  api:
    # Who may call: exact origins (scheme://host[:port], lowercase, no trailing slash),
    # https://*.example.com (any subdomain), http://localhost:* (any port), or
    # {regex: '^https://...$'}. origins: "*" allows everyone, but never with credentials.
    origins:
      - https://app.example.com
      - http://localhost:*
    # Methods a script may use (GET, HEAD and POST never need a preflight).
    methods: [GET, POST, PUT, DELETE]
    # Request headers a script may set, and response headers it may read.
    allowHeaders: [Content-Type]
    exposeHeaders: []
    # Send cookies and HTTP authentication along (Access-Control-Allow-Credentials).
    credentials: false
    # Seconds a browser may cache a preflight; 600 is honoured by every browser.
    maxAge: 600
`;
}
