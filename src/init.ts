// `cors-gen init`: a commented starter policy that passes every check and carries the schema
// modeline, so editors with the YAML language server complete and validate it.
import { closeSync, constants, existsSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { causeOf, EnvironmentError } from './env/errors.js';
import { TARGET_NAMES } from './targets/registry.js';

/** The schema shipped in this package. */
export const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'policy.schema.json');

const INSTALLED_SCHEMA = join('node_modules', 'cors-gen', 'schemas', 'policy.schema.json');

/**
 * How the modeline of a policy written to `file` refers to the schema: always a relative path, so
 * that the file can be committed. Where cors-gen is installed in node_modules above the file, the
 * path to that copy; else (a run through npx, whose cache path differs per machine) the path where
 * `npm install --save-dev cors-gen` puts it, below the nearest directory with a package.json (or
 * the file's own directory).
 */
export function schemaReference(file: string): string {
  const dir = dirname(resolve(file));
  let project: string | undefined;
  for (let d = dir; ; d = dirname(d)) {
    const local = join(d, INSTALLED_SCHEMA);
    if (existsSync(local)) return relative(dir, local);
    project ??= existsSync(join(d, 'package.json')) ? d : undefined;
    if (dirname(d) === d) break;
  }
  return relative(dir, join(project ?? dir, INSTALLED_SCHEMA));
}

/** Writes the starter policy to `file`, never over an existing one; EnvironmentError otherwise. */
export function writeStarterPolicy(file: string): void {
  const dir = dirname(resolve(file));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new EnvironmentError(file, `cannot be written: the directory ${dirname(file)} does not exist`);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new EnvironmentError(file, 'already exists; not overwriting it');
    throw new EnvironmentError(file, `cannot be written: ${causeOf(e)}`);
  }
  try {
    writeSync(fd, starterPolicy(schemaReference(file)));
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(file); // a half-written starter is worse than none
    throw new EnvironmentError(file, `cannot be written: ${causeOf(e)}`);
  }
}

export function starterPolicy(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# A cors-gen policy. Generate the server configuration with
#   cors-gen <this file> --target ${TARGET_NAMES.join('|')} --out <dir>
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
