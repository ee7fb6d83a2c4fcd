// The structural check: schemas/policy.schema.json (compiled at build time) → findings with
// messages a person can act on, one per problem, at the offending node.
import type { ErrorObject } from 'ajv';
import { nearest } from '../lazy.js';
import validate from '../generated/schema-validator.js';
import type { Finding } from './rule.js';

const POLICY_KEYS = ['origins', 'methods', 'allowHeaders', 'exposeHeaders', 'credentials', 'maxAge', 'privateNetwork', 'dangerouslyAllow', 'paths', 'upstream'];
const TOP_KEYS = ['version', 'policies'];
/** Lists whose empty elements the token rules report (method-token, header-token). */
const TOKEN_LISTS = ['methods', 'allowHeaders', 'exposeHeaders'];

/** The names other CORS libraries give the policy keys (expressjs/cors, Spring, Gateway API, rs/cors…). */
const ALIASES: Record<string, string> = {
  policy: 'policies',
  cors: 'policies',
  origin: 'origins',
  alloworigin: 'origins',
  alloworigins: 'origins',
  allowedorigins: 'origins',
  allowedoriginpatterns: 'origins',
  method: 'methods',
  allowmethods: 'methods',
  allowedmethods: 'methods',
  headers: 'allowHeaders',
  allowheader: 'allowHeaders',
  allowedheaders: 'allowHeaders',
  exposeheader: 'exposeHeaders',
  exposedheaders: 'exposeHeaders',
  exposeheaders: 'exposeHeaders',
  credential: 'credentials',
  allowcredentials: 'credentials',
  supportscredentials: 'credentials',
  withcredentials: 'credentials',
  maxage: 'maxAge',
  maxageseconds: 'maxAge',
  allowprivatenetwork: 'privateNetwork',
  privatenetworkaccess: 'privateNetwork',
  dangerouslyallows: 'dangerouslyAllow',
};

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(path: (string | number)[]): string {
  const field = (segs: (string | number)[]) => segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');
  if (path.length === 0) return 'the file';
  if (path[0] === 'policies' && path.length >= 2) {
    const [, name, ...rest] = path;
    return rest.length === 0 ? `policy "${name}"` : `${field(rest)} of policy "${name}"`;
  }
  return field(path);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** The known key a misspelt or foreign key most likely means, if any. */
function nearestKey(key: string, known: string[]): string | undefined {
  const alias = ALIASES[key.toLowerCase().replace(/[-_ ]/g, '')];
  if (alias && known.includes(alias)) return alias;
  return nearest(key, known);
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v: unknown = data;
  for (const s of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** "(write [GET])" when a single value was written where a list is expected. */
function listHint(value: unknown): string {
  if (typeof value === 'string' && value !== '') return `; write [${value}]`;
  if (typeof value === 'number' || typeof value === 'boolean') return `; write [${String(value)}]`;
  return '';
}

export function schemaFindings(data: unknown): Finding[] {
  if (validate(data)) return [];
  const errors: ErrorObject[] = validate.errors ?? [];
  const findings: Finding[] = [];
  const knownFor = (path: (string | number)[]): string[] =>
    path.length === 0 ? TOP_KEYS : path[0] === 'policies' && path[2] === 'origins' ? ['regex'] : POLICY_KEYS;
  // Where an unknown key stands for a missing required one (origin: for origins:), the unknown key
  // is the one diagnostic.
  const meant = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const path = pathOf(e.instancePath);
    const near = nearestKey(String((e.params as { additionalProperty: string }).additionalProperty), knownFor(path));
    if (near) meant.add(`${e.instancePath}/${near}`);
  }
  const seen = new Set<string>();
  const add = (f: Finding) => {
    const key = `${f.path.join('/')}|${f.part ?? 'value'}|${f.rule}`;
    if (!seen.has(key)) {
      seen.add(key);
      findings.push(f);
    }
  };

  for (const e of errors) {
    const path = pathOf(e.instancePath);
    const value = valueAt(data, path);
    const inOrigins = path[0] === 'policies' && path[2] === 'origins';

    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      // Inside an origins entry only the regex map has properties.
      const near = nearestKey(key, knownFor(path));
      const known = knownFor(path).join(', ');
      const hint = key === '<<' ? '; YAML merge keys are not supported: repeat the keys' : near ? ` (did you mean ${near}?)` : `; the keys are ${known}`;
      add({ rule: 'unknown-key', path: [...path, key], part: 'key', message: `unknown key "${key}" in ${describe(path)}${hint}` });
      continue;
    }
    if (e.propertyName !== undefined || e.keyword === 'propertyNames') {
      const name = e.propertyName ?? String((e.params as { propertyName?: string }).propertyName);
      if (e.keyword === 'propertyNames') continue; // reported through its inner error
      const reserved = name === 'http' || name.endsWith('-upstream');
      add({
        rule: 'policy-name',
        path: ['policies', name],
        part: 'key',
        message: reserved
          ? `the policy name "${name}" is reserved (the generated files use "http" and "<name>-upstream")`
          : `invalid policy name "${name}": 1-32 characters of a-z, 0-9 and "-", starting with a letter`,
      });
      continue;
    }
    if (path.length === 1 && path[0] === 'version') {
      const hint = value === '1' || value === 1.0 ? '; write version: 1 (a number, without quotes)' : '';
      add({ rule: 'unsupported-version', path, message: `unsupported version ${JSON.stringify(value)}; this cors-gen reads format version 1${hint}` });
      continue;
    }
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      if (meant.has(`${e.instancePath}/${missing}`)) continue;
      if (inOrigins && path.length === 4) {
        add({ rule: 'required', path, message: `origins[${path[3]}] of policy "${path[1]}" is a map without regex; write {regex: '^https://…$'} or the origin itself` });
        continue;
      }
      const hint = missing === 'origins' ? ' (a list of origins, or "*")' : missing === 'version' ? '; write version: 1' : '';
      add({ rule: 'required', path, part: path.length ? 'key' : 'value', message: `${describe(path)} has no ${missing}${hint}` });
      continue;
    }
    if (inOrigins && path.length === 3) {
      if (Array.isArray(value) && value.length === 0) {
        add({ rule: 'empty-origins', path, message: `origins of policy "${path[1]}" is empty; list at least one origin, or write origins: "*"` });
      } else if (!Array.isArray(value)) {
        const hint = typeof value === 'string' && value !== '' ? `; write origins: [${value}] (a list), or origins: "*" for any origin` : '';
        add({ rule: 'type', path, message: `origins of policy "${path[1]}" must be a list of origins or the string "*", not ${typeName(value)}${hint}` });
      }
      continue;
    }
    if (inOrigins && path.length === 4) {
      // An entry that is neither a string nor a {regex} map (a missing regex and unknown keys inside
      // a map are reported through their own errors).
      if (value && typeof value === 'object' && !Array.isArray(value)) continue;
      add({ rule: 'type', path, message: `origins[${path[3]}] of policy "${path[1]}" must be an origin string or {regex: '^…$'}, not ${typeName(value)}` });
      continue;
    }
    if (inOrigins && path[4] === 'regex') {
      add({ rule: 'type', path, message: `regex of policy "${path[1]}" must be a string, not ${typeName(value)}` });
      continue;
    }
    if (path[0] === 'policies' && path[2] === 'maxAge') {
      add({ rule: 'max-age', path, message: `maxAge of policy "${path[1]}" must be a whole number of seconds from 0 to 86400, not ${JSON.stringify(value)}` });
      continue;
    }
    if (path.length === 1 && path[0] === 'policies' && e.keyword === 'minProperties') {
      add({ rule: 'required', path, message: 'policies is empty; define at least one policy' });
      continue;
    }
    // An unknown opt-out name is reported by dangerously-allow-unknown (with did-you-mean); the enum
    // is in the schema for editors' completion.
    if (e.keyword === 'enum' && path[0] === 'policies' && path[2] === 'dangerouslyAllow' && path.length === 4) continue;
    // An empty method or header name is reported by method-token / header-token.
    if (e.keyword === 'minLength' && path[0] === 'policies' && TOKEN_LISTS.includes(String(path[2])) && path.length === 4) continue;
    if (e.keyword === 'type') {
      const wanted = String((e.params as { type: string }).type);
      const noun = wanted === 'array' ? 'a list' : wanted === 'object' ? 'a map' : wanted === 'boolean' ? 'true or false' : `a ${wanted}`;
      const hint = wanted === 'array' ? listHint(value) : '';
      add({ rule: 'type', path, message: `${describe(path)} must be ${noun}, not ${typeName(value)}${hint}` });
      continue;
    }
    add({ rule: 'type', path, message: `${describe(path)} ${e.message ?? 'is invalid'}` });
  }
  return findings;
}
