// Unit tests of the Apache view model: every decision buildApacheView makes, checked without Apache.
// A small interpreter of the generated file (Apache's line continuation and quoted-word reader, the
// ap_expr subset the file uses, SetEnvIfExpr, RewriteCond/RewriteRule, mod_headers' two tables and
// format strings) replays the request matrix of the real-server suite and compares each answer
// with the reference evaluator.
import { describe, expect, it } from 'vitest';
import { checkPolicyText, generate } from '../../../src/compile.js';
import { evaluate, type CorsRequest } from '../../../src/model/evaluate.js';
import { matcherRegex } from '../../../src/model/regex.js';
import { CORS_RESPONSE_HEADERS, type Policy, type PolicySet } from '../../../src/model/types.js';
import { policyPlan } from '../../../src/plan/index.js';
import { apache } from '../../../src/targets/apache/index.js';
import {
  apacheQuoted,
  apExprRegex,
  buildApacheView,
  buildPolicyView,
  envNames,
  envPrefix,
  EXACT_ORIGINS_PER_DIRECTIVE,
  commentText,
  headerLiteral,
  type ApachePolicyView,
} from '../../../src/targets/apache/view.js';
import { SAMPLES, SERVER_POLICY_FILE } from '../../fixtures/server-policies.js';
import { compilePolicy } from '../../harness/suite.js';
import { casesFor, type RequestCase } from '../../harness/matrix.js';
import { UPSTREAM_CORS_HEADERS, UPSTREAM_VARY } from '../../harness/upstream.js';

const compile = (yaml: string): PolicySet => compilePolicy(yaml);

const fixture = () => compile(SERVER_POLICY_FILE);
const one = (body: string, name = 'api') => compile(`version: 1\npolicies:\n  ${name}:\n${body}`);
const policyView = (set: PolicySet, name: string) => buildApacheView(set).policies.find((p) => p.name === name)!;
const fileOf = (set: PolicySet, name: string) => generate(set, 'apache').find((f) => f.path === `${name}.conf`)!.contents;

// --- a tiny Apache ------------------------------------------------------------------------------

/** ap_cfg_getline: a line ending in a backslash continues on the next one. Comments and blanks dropped. */
function logicalLines(text: string): string[] {
  expect(text, 'Apache substitutes ${NAME} on every line').not.toContain('${');
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1);
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '' && !full.startsWith('#')) out.push(full);
  }
  expect(pending).toBe('');
  return out;
}

/** ap_getword_conf: whitespace-separated words; inside quotes `\\` is `\` and `\"` is `"`. */
function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    const q = line[i];
    let word = '';
    if (q === '"' || q === "'") {
      i++;
      while (i < line.length && line[i] !== q) {
        if (line[i] === '\\' && (line[i + 1] === '\\' || line[i + 1] === q)) i++;
        word += line[i++];
      }
      if (line[i] !== q) throw new Error(`unterminated quote in ${line}`);
      i++;
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    out.push(word);
  }
  return out;
}

interface Req {
  method: string;
  headers: Record<string, string>;
}

/** The ap_expr subset the generated files use; returns the truth value and the last regex groups. */
function evalExpr(src: string, req: Req, env: Map<string, string>): { value: boolean; groups: string[] } {
  let i = 0;
  let groups: string[] = [];
  const ws = () => {
    while (src[i] === ' ') i++;
  };
  const expect_ = (s: string) => {
    ws();
    if (!src.startsWith(s, i)) throw new Error(`ap_expr: expected ${s} at ${i} in ${src}`);
    i += s.length;
  };
  const str = (): string => {
    ws();
    const q = src[i];
    if (q !== "'") throw new Error(`ap_expr: expected a string at ${i} in ${src}`);
    const end = src.indexOf(q, i + 1);
    const body = src.slice(i + 1, end);
    // Inside ap_expr strings, \ escapes, $N is a back-reference and %{ a variable: none may appear.
    if (/[\\%]|\$[0-9]/.test(body)) throw new Error(`ap_expr: string ${body} would not be read literally`);
    i = end + 1;
    return body;
  };
  const word = (): string => {
    ws();
    for (const fn of ['req_novary', 'reqenv']) {
      if (src.startsWith(`${fn}(`, i)) {
        i += fn.length + 1;
        const arg = str();
        expect_(')');
        return fn === 'reqenv' ? (env.get(arg) ?? '') : (req.headers[arg.toLowerCase()] ?? '');
      }
    }
    if (src.startsWith('%{REQUEST_METHOD}', i)) {
      i += '%{REQUEST_METHOD}'.length;
      return req.method;
    }
    return str();
  };
  const regex = (): RegExp => {
    ws();
    let delim = src[i]!;
    if (delim === 'm') delim = src[++i]!;
    const end = src.indexOf(delim, i + 1); // verbatim up to the delimiter: no escape exists
    const re = src.slice(i + 1, end);
    i = end + 1;
    return new RegExp(re);
  };
  const comparison = (): boolean => {
    ws();
    if (src.startsWith('-n ', i) || src.startsWith('-z ', i)) {
      const op = src[i + 1];
      i += 3;
      const w = word();
      return op === 'n' ? w !== '' : w === '';
    }
    const left = word();
    ws();
    if (src.startsWith('=~', i)) {
      i += 2;
      const m = regex().exec(left);
      if (m && m.length > 1) groups = [...m].map((g) => g ?? '');
      return m !== null;
    }
    if (src.startsWith('==', i)) {
      i += 2;
      return left === word();
    }
    if (src.startsWith('-in', i)) {
      i += 3;
      expect_('{');
      const list = [str()];
      for (ws(); src[i] === ','; ws()) {
        i++;
        list.push(str());
      }
      expect_('}');
      return list.includes(left);
    }
    throw new Error(`ap_expr: unknown operator at ${i} in ${src}`);
  };
  let value = comparison();
  for (ws(); src.startsWith('&&', i); ws()) {
    i += 2;
    value = comparison() && value;
  }
  if (i !== src.length) throw new Error(`ap_expr: trailing text at ${i} in ${src}`);
  return { value, groups };
}

/** mod_headers' format string: `%%` and `%{NAME}e` (an unset variable prints "(null)"). */
function formatHeader(value: string, env: Map<string, string>): string {
  return value.replace(/%(%|\{([A-Za-z0-9_]+)\}e|.?)/g, (all, what: string, name?: string) => {
    if (what === '%') return '%';
    if (name) return env.get(name) ?? '(null)';
    throw new Error(`mod_headers would read ${all} as a format specifier`);
  });
}

type Table = Map<string, string>; // lower-case name → value
const headerKey = (n: string) => n.toLowerCase();

interface Answer {
  status: number | 'upstream';
  forwarded: boolean;
  headers: Map<string, string[]>;
}

/** What Apache does with one request, for a vhost holding only the include and a ProxyPass. */
function serve(conf: string, req: Req): Answer {
  const env = new Map<string, string>();
  let answered: number | null = null;
  let conds: boolean[] = [];
  const out: Table = new Map(); // headers_out: the application's response headers
  const err: Table = new Map(); // err_headers_out: what "Header always" works on
  const headerOps: string[][] = [];
  for (const line of logicalLines(conf)) {
    const [directive, ...args] = words(line);
    switch (directive) {
      case 'SetEnvIfExpr': {
        const [expr, ...assigns] = args;
        const { value, groups } = evalExpr(expr!, req, env);
        if (!value) break;
        for (const a of assigns) {
          const [k, v] = a.split('=') as [string, string];
          if (/\$[0-9]/.test(v) && groups.length === 0) throw new Error(`${a}: no regex group to substitute`);
          env.set(k, v.replace(/\$([0-9])/g, (_, n: string) => groups[Number(n)] ?? ''));
        }
        break;
      }
      case 'RewriteEngine':
        expect(args).toEqual(['On']);
        break;
      case 'RewriteCond': {
        const m = /^%\{ENV:([A-Z0-9_]+)\}$/.exec(args[0]!);
        expect(m, line).not.toBeNull();
        expect(args[1]).toBe('=1');
        conds.push(env.get(m![1]!) === '1');
        break;
      }
      case 'RewriteRule': {
        expect(args.slice(0, 2)).toEqual(['^', '-']);
        if (answered === null && conds.every(Boolean)) {
          if (args[2] === '[R=204,L]') answered = 204;
          else if (args[2] === '[F]') answered = 403;
          else throw new Error(`unknown flags ${args[2]}`);
        }
        conds = [];
        break;
      }
      case 'Header':
        headerOps.push(args);
        break;
      default:
        throw new Error(`unexpected directive ${directive}`);
    }
  }
  expect(conds, 'a RewriteCond without its RewriteRule').toEqual([]);
  const forwarded = answered === null;
  if (forwarded) {
    for (const [k, v] of Object.entries(UPSTREAM_CORS_HEADERS)) out.set(headerKey(k), v);
    out.set('vary', UPSTREAM_VARY);
  }
  // mod_headers: the "always" directives on err_headers_out, the others on headers_out; a response
  // Apache makes itself (the 204 and the 403) only goes through the "always" ones.
  for (const op of headerOps) {
    const always = op[0] === 'always';
    const [action, name, value, cond] = always ? op.slice(1) : op;
    if (!always && !forwarded) continue;
    const table = always ? err : out;
    const key = headerKey(name!);
    if (action === 'unset') {
      expect(value).toBeUndefined();
      table.delete(key);
      continue;
    }
    if (cond !== undefined) {
      const m = /^env=([A-Z0-9_]+)$/.exec(cond);
      expect(m, op.join(' ')).not.toBeNull();
      if (!env.has(m![1]!)) continue;
    }
    const v = formatHeader(value!, env);
    const old = table.get(key);
    if (action === 'set') table.set(key, v);
    else if (action === 'append') table.set(key, old === undefined ? v : `${old}, ${v}`);
    else if (action === 'merge') table.set(key, old === undefined ? v : old.split(', ').includes(v) ? old : `${old}, ${v}`);
    else throw new Error(`unknown Header action ${action}`);
  }
  const headers = new Map<string, string[]>();
  for (const t of [err, out]) for (const [k, v] of t) headers.set(k, [...(headers.get(k) ?? []), v]);
  return { status: answered ?? 'upstream', forwarded, headers };
}

function mismatches(policy: Policy, conf: string, cases: RequestCase[]): string[] {
  const problems: string[] = [];
  for (const c of cases) {
    const req: CorsRequest = { method: c.method, headers: c.headers };
    const expected = evaluate(policy, req);
    const got = serve(conf, c);
    const p: string[] = [];
    if (got.status !== expected.status) p.push(`status ${got.status}, expected ${expected.status}`);
    if (got.forwarded !== expected.forwarded) p.push(`forwarded ${got.forwarded}`);
    for (const name of CORS_RESPONSE_HEADERS) {
      const have = got.headers.get(headerKey(name)) ?? [];
      const want = expected.headers[name];
      if (want === undefined ? have.length > 0 : have.length !== 1 || have[0] !== want) p.push(`${name} ${JSON.stringify(have)}, expected ${JSON.stringify(want)}`);
    }
    const vary = (got.headers.get('vary') ?? []).flatMap((v) => v.split(',').map((t) => t.trim()));
    if (!vary.includes('Origin')) p.push(`Vary ${JSON.stringify(vary)} lacks Origin`);
    if (got.forwarded && !vary.includes(UPSTREAM_VARY)) p.push(`Vary ${JSON.stringify(vary)} lost ${UPSTREAM_VARY}`);
    if (p.length > 0) problems.push(`${c.method} ${c.name} ${JSON.stringify(c.headers)}: ${p.join('; ')}`);
  }
  return problems;
}

// --- the tests ----------------------------------------------------------------------------------

describe('apache view: the generated files, interpreted, answer like the reference evaluator', () => {
  const set = fixture();
  for (const policy of set.policies) {
    it(`policy ${policy.name}`, () => {
      const cases = casesFor(SAMPLES[policy.name]!);
      cases.push(
        { name: 'empty Origin', method: 'OPTIONS', path: '/', headers: { origin: '', 'access-control-request-method': 'PUT' } },
        { name: 'lower-case options', method: 'options', path: '/', headers: { origin: SAMPLES[policy.name]!.allowed[0]!, 'access-control-request-method': 'PUT' } },
        { name: 'PNA not exactly true', method: 'OPTIONS', path: '/', headers: { origin: SAMPLES[policy.name]!.allowed[0]!, 'access-control-request-method': 'PUT', 'access-control-request-private-network': 'TRUE' } },
      );
      expect(mismatches(policy, fileOf(set, policy.name), cases)).toEqual([]);
    });
  }

  it('a name holding "%" would still be sent as written (mod_headers reads %t as the time)', () => {
    // The checks refuse "%" in names; the view does not rely on it.
    const base = fixture().policies.find((p) => p.name === 'exact')!;
    const policy: Policy = { ...base, allowHeaders: { listed: ['X-50%t'], reflectRequest: false }, exposeHeaders: ['X-%%'] };
    const conf = apache.render({ version: 1, policies: [policy] })[0]!.body;
    expect(conf).toContain('"X-50%%t"');
    const cases: RequestCase[] = [
      { name: 'preflight', method: 'OPTIONS', path: '/', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } },
      { name: 'actual', method: 'GET', path: '/', headers: { origin: 'https://app.example.com' } },
    ];
    expect(mismatches(policy, conf, cases)).toEqual([]);
  });

  it('a policy with 250 exact origins: three -in lists, every origin found', () => {
    const origins = Array.from({ length: 250 }, (_, i) => `https://o${i}.example.com`);
    const s = one(`    origins:\n${origins.map((o) => `      - ${o}`).join('\n')}\n    credentials: true\n`);
    const view = policyView(s, 'api');
    expect(view.exactLists.map((l) => l.origins.length)).toEqual([EXACT_ORIGINS_PER_DIRECTIVE, EXACT_ORIGINS_PER_DIRECTIVE, 50]);
    for (const l of view.exactLists) {
      expect(l.origins.slice(0, -1).every((o) => o.item.endsWith("',"))).toBe(true);
      expect(l.origins.at(-1)!.item.endsWith("'")).toBe(true);
    }
    expect(view.regexMatches).toEqual([]);
    const conf = fileOf(s, 'api');
    const cases = casesFor({ allowed: [origins[0]!, origins[149]!, origins[249]!], refused: ['https://o250.example.com'] });
    expect(mismatches(s.policies[0]!, conf, cases)).toEqual([]);
  });
});

describe('apache view: names', () => {
  it('env vars are CORSGEN_<NAME>_*, upper case with - as _, and never shared between policies', () => {
    expect(envPrefix('api')).toBe('CORSGEN_API_');
    expect(envPrefix('a-very-long-policy-name-abcdefgh')).toBe('CORSGEN_A_VERY_LONG_POLICY_NAME_ABCDEFGH_');
    expect(envPrefix('a-b')).not.toBe(envPrefix('ab'));
    expect(() => envPrefix('Api')).toThrow();
    expect(() => envPrefix('a_b')).toThrow();
    const set = fixture();
    const owners = new Map<string, string>();
    for (const f of generate(set, 'apache')) {
      const name = f.path.replace(/\.conf$/, '');
      const used = new Set([...f.contents.matchAll(/CORSGEN_[A-Z0-9_]+/g)].map((m) => m[0]));
      expect(used.size).toBeGreaterThan(5);
      for (const v of used) {
        expect(v.replace(/^REDIRECT_/, '').startsWith(envPrefix(name)), `${v} in ${f.path}`).toBe(true);
        expect(owners.get(v) ?? name, `${v} used by two policies`).toBe(name);
        owners.set(v, name);
      }
    }
  });

  it('every env var a file reads is one it sets earlier (or the same one before an internal redirect)', () => {
    for (const f of generate(fixture(), 'apache')) {
      const set = new Set<string>();
      for (const line of logicalLines(f.contents)) {
        const w = words(line);
        const read = [...line.matchAll(/reqenv\('([A-Z0-9_]+)'\)|%\{ENV:([A-Z0-9_]+)\}|%\{([A-Z0-9_]+)\}e|env=([A-Z0-9_]+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!);
        for (const v of read) if (!v.startsWith('REDIRECT_')) expect(set.has(v), `${v} read before it is set in ${f.path}: ${line}`).toBe(true);
        if (w[0] === 'SetEnvIfExpr') for (const a of w.slice(2)) set.add(a.split('=')[0]!);
      }
    }
  });

  it('files are <name>.conf with an Include hint, and rendering is deterministic', () => {
    const set = fixture();
    const files = apache.render(set);
    expect(files.map((f) => f.path)).toEqual(set.policies.map((p) => `${p.name}.conf`));
    for (const f of files) {
      expect(f.includeHint).toContain(`Include DIR/${f.path}`);
      expect(f.body).toContain(`#     Include DIR/${f.path}\n`);
      expect(f.body).toContain('a2enmod headers setenvif rewrite');
      expect(f.body).not.toMatch(/Generated by cors-gen/); // compile.ts prepends the provenance header
    }
    expect(apache.render(fixture())).toEqual(files);
  });
});

describe('apache view: strings', () => {
  /** What Apache's reader makes of one quoted argument. */
  const read = (quoted: string) => {
    const w = words(quoted);
    expect(w).toHaveLength(1);
    return w[0]!;
  };

  it('apacheQuoted round-trips through ap_getword_conf, keeping \\. as it is', () => {
    for (const s of ['^https://a\\.example\\.com$', 'a"b', 'a\\', 'a\\\\b', '\\"', 'x y', "it's"]) expect(read(apacheQuoted(s))).toBe(s);
    expect(apacheQuoted('^a\\.b$')).toBe('"^a\\.b$"');
    expect(() => apacheQuoted('a\nb')).toThrow(/control/);
    expect(() => apacheQuoted('a${X}')).toThrow(/Define/);
  });

  it('apExprRegex: m#…# with # and ${ rewritten to what PCRE reads the same way', () => {
    expect(apExprRegex('^https://a\\.example\\.com$')).toBe('m#^https://a\\.example\\.com$#');
    expect(apExprRegex('^https://a#b\\#c$')).toBe('m#^https://a\\x23b\\x23c$#');
    expect(apExprRegex('^https://a\\.com(${x})?$')).toBe('m#^https://a\\.com($\\{x})?$#');
    expect(apExprRegex('^a\\${2}$')).toBe('m#^a\\x24{2}$#');
    const same = (source: string, samples: string[]) => {
      const rewritten = new RegExp(apExprRegex(source).slice(2, -1));
      for (const s of samples) expect(rewritten.test(s), `${source} on ${s}`).toBe(new RegExp(source).test(s));
    };
    same('^https://a#b\\#c$', ['https://a#b#c', 'https://ab#c', 'https://a#bc']);
    same('^a\\${2}$', ['a$$', 'a$', 'a${2}']);
    same('^a[${]b$', ['a$b', 'a{b', 'a}b']);
    same('^https://a\\.com(${x})?$', ['https://a.com', 'https://a.com${x}']);
  });

  it('commentText refuses what would break out of a comment line (a trailing backslash continues it)', () => {
    expect(commentText('regex ^https://a\\.b$')).toBe('regex ^https://a\\.b$');
    expect(() => commentText('regex ^a\\')).toThrow();
    expect(() => commentText('regex ^a\\ ')).toThrow();
    expect(() => commentText('a\nHeader always set X y')).toThrow();
  });

  it('headerLiteral doubles % (mod_headers format strings)', () => {
    expect(headerLiteral('X-50%t, Y')).toBe('"X-50%%t, Y"');
    expect(formatHeader(read(headerLiteral('a%b%%c')), new Map())).toBe('a%b%%c');
  });

  it("user regexes and patterns reach ap_expr intact: \\. survives both readers", () => {
    const view = policyView(fixture(), 'regex');
    expect(view.regexMatches.map((m) => m.written)).toEqual(['regex ^https://pr-[0-9]+\\.preview\\.example\\.net$', 'regex ^https://(staging|qa)\\.example\\.io(:[0-9]{1,5})?$']);
    const set = fixture();
    const policy = set.policies.find((p) => p.name === 'regex')!;
    const sources = policy.origins.kind === 'list' ? policy.origins.matchers.map(matcherRegex) : [];
    for (const [i, m] of view.regexMatches.entries()) {
      const expr = read(m.expr);
      expect(expr).toBe(`reqenv('CORSGEN_REGEX_ORIGIN') =~ m#${sources[i]}#`);
      expect(expr).toContain('\\.');
    }
  });

  it('an exact origin that is not plain host characters falls back to its escaped regex', () => {
    const policy = { ...fixture().policies[0]!, origins: { kind: 'list' as const, matchers: [{ kind: 'exact' as const, origin: "https://a'b.example" }] } };
    const view = buildPolicyView(policyPlan(policy));
    expect(view.exactLists).toEqual([]);
    expect(view.regexMatches).toHaveLength(1);
    expect(words(view.regexMatches[0]!.expr)[0]).toBe(`reqenv('CORSGEN_EXACT_ORIGIN') =~ m#^https://a'b\\.example$#`);
  });
});

describe('apache view: header decisions', () => {
  const set = fixture();
  const headerLines = (v: ApachePolicyView) => v.headers.map((h) => `${h.action} ${h.name} ${h.value} ${h.condition}`);

  it('exact: ACAO reflects the captured Origin; lists literal; ACEH only on allowed actual requests', () => {
    const v = policyView(set, 'exact');
    const e = envNames('exact');
    expect(headerLines(v)).toEqual([
      `set Access-Control-Allow-Origin "%{${e.origin}}e" env=${e.ok}`,
      `set Access-Control-Allow-Methods "GET, POST, PUT, DELETE" env=${e.preflightOk}`,
      `set Access-Control-Allow-Headers "Content-Type, X-Custom" env=${e.preflightOk}`,
      `set Access-Control-Expose-Headers "X-Request-Id" env=${e.actualOk}`,
    ]);
    expect(v.removed).toEqual([...CORS_RESPONSE_HEADERS]);
    expect(v.vary).toBe('Origin');
    expect(v.rewrites.map((r) => r.flags)).toEqual(['[R=204,L]', '[F]']);
  });

  it('origins "*" without credentials: ACAO "*", no match directive, no refused preflight', () => {
    const v = policyView(set, 'public-any');
    expect(v.anyOrigin).toBe(true);
    expect(v.exactLists).toEqual([]);
    expect(v.regexMatches).toEqual([]);
    expect(v.headers[0]).toMatchObject({ name: 'Access-Control-Allow-Origin', value: '"*"' });
    expect(v.rewrites.map((r) => r.flags)).toEqual(['[R=204,L]']);
    expect(v.decisions.map((d) => d.assign)).not.toContain(`${envNames('public-any').preflightRefused}=1`);
    // Without credentials "*" is sent literally.
    expect(headerLines(v)).toContain(`set Access-Control-Allow-Methods "*" env=${envNames('public-any').preflightOk}`);
    expect(headerLines(v)).toContain(`set Access-Control-Max-Age "300" env=${envNames('public-any').preflightOk}`);
  });

  it('credentials with "*": ACAC, and the request values reflected after the listed names', () => {
    const e = envNames('creds-star');
    expect(headerLines(policyView(set, 'creds-star'))).toEqual([
      `set Access-Control-Allow-Origin "%{${e.origin}}e" env=${e.ok}`,
      `set Access-Control-Allow-Credentials "true" env=${e.ok}`,
      `set Access-Control-Allow-Methods "%{${e.acrm}}e" env=${e.preflightOk}`,
      `set Access-Control-Allow-Headers "Authorization" env=${e.preflightOk}`,
      `append Access-Control-Allow-Headers "%{${e.acrh}}e" env=${e.reflectHeaders}`,
    ]);
    const m = envNames('creds-star-mixed');
    expect(headerLines(policyView(set, 'creds-star-mixed'))).toEqual([
      `set Access-Control-Allow-Origin "%{${m.origin}}e" env=${m.ok}`,
      `set Access-Control-Allow-Credentials "true" env=${m.ok}`,
      `set Access-Control-Allow-Methods "GET" env=${m.preflightOk}`,
      `append Access-Control-Allow-Methods "%{${m.acrm}}e" env=${m.preflightOk}`,
      `set Access-Control-Allow-Headers "X-Custom" env=${m.preflightOk}`,
      `append Access-Control-Allow-Headers "%{${m.acrh}}e" env=${m.reflectHeaders}`,
    ]);
    expect(policyView(set, 'creds-star').captures.map((c) => c.assign)).toContain(`${e.acrh}=$1`);
    expect(policyView(set, 'exact').captures.map((c) => c.assign)).not.toContain(`${envNames('exact').acrh}=$1`);
  });

  it('maxAge 0 is sent, an empty method list is not; privateNetwork adds its capture and flag', () => {
    const z = envNames('max-age-zero');
    expect(headerLines(policyView(set, 'max-age-zero'))).toEqual([`set Access-Control-Allow-Origin "%{${z.origin}}e" env=${z.ok}`, `set Access-Control-Max-Age "0" env=${z.preflightOk}`]);
    const p = envNames('pna');
    const pna = policyView(set, 'pna');
    expect(headerLines(pna)).toContain(`set Access-Control-Allow-Private-Network "true" env=${p.privateNetwork}`);
    expect(pna.captures.map((c) => words(c.expr)[0])).toContain("req_novary('Access-Control-Request-Private-Network') == 'true'");
    expect(headerLines(policyView(set, 'exact')).join('\n')).not.toContain('Private-Network');
  });

  it('captures read each header once, and after an internal redirect keep the original Origin', () => {
    const e = envNames('exact');
    expect(policyView(set, 'exact').captures.map((c) => `${words(c.expr)[0]} ${c.assign}`)).toEqual([
      `req_novary('Origin') =~ /^(.+)$/ ${e.origin}=$1`,
      `reqenv('REDIRECT_${e.origin}') =~ /^(.+)$/ ${e.origin}=$1`,
      `req_novary('Access-Control-Request-Method') =~ /^(.+)$/ ${e.acrm}=$1`,
    ]);
  });
});

describe('apache view: proxy mode (docs/contract.md §6)', () => {
  const proxied = (paths: string, url = 'https://api.example/v1') =>
    policyView(one(`    origins: [https://app.example.com]\n    paths: ${paths}\n    upstream: {url: "${url}"}\n`), 'api').proxy!;

  it('one ProxyPassMatch per prefix: slashes after it dropped, no leading dot-segment, the rest appended to the base path', () => {
    const p = proxied('[/api/, /v2]');
    expect(p.passes.map((x) => x.line)).toEqual([
      'ProxyPassMatch "^/api/(?!/*\\.\\.?(?:/|$))/*(.*)$" "https://api.example/v1/$1" retry=0',
      'ProxyPassMatch "^/v2(?!/*\\.\\.?(?:/|$))/*(.*)$" "https://api.example/v1/$1" retry=0',
    ]);
    const re = new RegExp(words(p.passes[1]!.line)[1]!);
    expect('/v2/x/y'.replace(re, '$1')).toBe('x/y');
    expect(re.test('/v2..')).toBe(false);
    expect(re.test('/v2/../x')).toBe(false);
    expect('/v2.x'.replace(re, '$1')).toBe('.x');
  });

  it('the system trust store unless the policy names a CA; verification and the peer name always on', () => {
    const lines = proxied('[/api/]').sectionLines.map((l) => l.line);
    expect(lines).toContain('SSLProxyCACertificateFile "/etc/ssl/certs/ca-certificates.crt"');
    for (const l of ['SSLProxyEngine on', 'SSLProxyVerify require', 'SSLProxyCheckPeerName on', 'ProxyPreserveHost Off']) expect(lines).toContain(l);
    expect(proxied('[/api/]', 'http://127.0.0.1:8080/').sectionLines.map((l) => l.line).filter((l) => l.startsWith('SSL'))).toEqual([]);
  });

  it('Cookie and Authorization unset without credentials only; Set-Cookie Path and Location mapped onto the prefix', () => {
    const p = proxied('["/a+b/"]');
    expect(p.requestUnsets.map((l) => l.line)).toEqual(['RequestHeader unset Cookie env=CORSGEN_API_IN', 'RequestHeader unset Authorization env=CORSGEN_API_IN']);
    expect(p.cookieEdits.map((l) => l.line)[1]).toBe('Header edit* Set-Cookie "(?i)(;\\s*)path=/v1/" "$1Path=/a+b/" env=CORSGEN_API_IN');
    expect(p.locationEdits.map((l) => l.line)).toEqual(['Header edit Location "^/v1/" "/a+b/" env=CORSGEN_API_IN']);
    const creds = policyView(one(`    origins: [https://app.example.com]\n    credentials: true\n    upstream: {url: "https://api.example/"}\n`), 'api').proxy!;
    expect(creds.requestUnsets).toEqual([]);
  });
});
