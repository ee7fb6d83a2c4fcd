// Unit tests of the Caddy view model: every decision the Caddy target makes, without a server.
import { describe, expect, it } from 'vitest';
import { caddy } from '../../../src/targets/caddy/index.js';
import {
  buildCaddyView,
  buildPolicyView,
  caddyRegex,
  caddyToken,
  CEL_LIMIT,
  celString,
  inChunks,
  type CaddyHeaderField,
  type CaddyPolicyView,
} from '../../../src/targets/caddy/view.js';
import { normalizePolicy, type RawPolicy } from '../../../src/model/normalize.js';
import { CORS_RESPONSE_HEADERS, type Policy, type PolicySet } from '../../../src/model/types.js';
import { policyPlan } from '../../../src/plan/index.js';

const ORIGIN = '"{http.request.header.Origin}"';
const policy = (name: string, raw: RawPolicy): Policy => normalizePolicy(name, raw);
const view = (name: string, raw: RawPolicy): CaddyPolicyView => buildPolicyView(policyPlan(policy(name, raw)));

const record = (fs: CaddyHeaderField[]) => Object.fromEntries(fs.map((f) => [f.field, f.value]));

/**
 * The headers an allowed request of each kind carries: `actual` the top-level block (preflights
 * get it too), `preflight` that block with the preflight handle's unconditional block applied
 * (sets replace, `-Field` deletes); `preflight-<x>` a conditional block of the handle.
 */
function fields(v: CaddyPolicyView, what: string): Record<string, string> | undefined {
  const top = v.headers.length > 0 ? record(v.headers[0]!.fields) : undefined;
  if (what === 'actual') return top;
  if (what !== 'preflight') {
    const block = v.preflight.headers.find((h) => h.matcher === `@cors-${v.name}-${what}`);
    return block && record(block.fields);
  }
  const own = v.preflight.headers.find((h) => h.matcher === (v.preflight.vars || v.preflight.responds.length > 1 ? `@cors-${v.name}-ok` : ''));
  const out: Record<string, string> = { ...top };
  for (const f of own?.fields ?? []) {
    if (f.field.startsWith('-')) delete out[f.field.slice(1)];
    else out[f.field] = f.value;
  }
  return out;
}

function matcher(v: CaddyPolicyView, suffix: string) {
  return v.matchers.find((m) => m.name === `cors-${v.name}-${suffix}`);
}

describe('caddy view: names', () => {
  const set: PolicySet = {
    version: 1,
    policies: [
      policy('api', { origins: ['https://app.example.com'] }),
      policy('a-very-long-policy-name-abcdefgh', { origins: ['https://*.example.com'], credentials: true }),
      policy('public', { origins: '*' }),
    ],
  };
  const v = buildCaddyView(set);

  it('has one file with the contract snippet names, in policy order', () => {
    expect(v.file).toBe('cors.caddy');
    expect(v.policies.map((p) => [p.snippet, p.upstreamSnippet])).toEqual([
      ['cors-api', 'cors-api-upstream'],
      ['cors-a-very-long-policy-name-abcdefgh', 'cors-a-very-long-policy-name-abcdefgh-upstream'],
      ['cors-public', 'cors-public-upstream'],
    ]);
  });

  it('namespaces every matcher, regexp name and variable per policy', () => {
    for (const p of v.policies) {
      const prefix = `cors-${p.name}-`;
      for (const m of p.matchers) {
        expect(m.name.startsWith(prefix)).toBe(true);
        for (const c of [...m.conditions, ...m.notConditions]) {
          const re = /header_regexp (\S+) /.exec(c);
          if (re) expect(re[1]!.startsWith(prefix)).toBe(true);
          for (const named of c.matchAll(/header_regexp\("([^"]+)"/g)) expect(named[1]!.startsWith(prefix)).toBe(true);
          const vars = /vars (\S+) /.exec(c);
          if (vars) expect(vars[1]).toBe(`${prefix}ok`);
        }
      }
      for (const x of [...p.vars, ...(p.preflight.vars ? [p.preflight.vars] : [])]) expect(x.variable).toBe(`${prefix}ok`);
    }
    const names = v.policies.flatMap((p) => p.matchers.map((m) => m.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it('refers only to matchers it defines', () => {
    for (const p of v.policies) {
      const defined = new Set(p.matchers.map((m) => `@${m.name}`));
      const inner = [...p.preflight.headers.map((h) => h.matcher), ...p.preflight.responds.map((r) => r.matcher)].filter((m) => m !== '');
      for (const ref of [...p.headers.map((h) => h.matcher), ...p.vars.map((x) => x.matcher), p.preflight.matcher, ...inner, p.notPreflightMatcher]) {
        expect(defined.has(ref), ref).toBe(true);
      }
    }
  });

  it('rejects a policy name that is not a Caddy-safe identifier', () => {
    expect(() => view('Bad Name', { origins: '*' })).toThrow(/policy name/);
  });
});

describe('caddy view: origins', () => {
  const v = view('mixed', {
    origins: [
      'https://app.example.com',
      'https://*.example.com',
      'http://localhost:*',
      'http://[::1]:8080',
      { regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$' },
      'https://app.example.com',
    ],
  });

  it('looks exact origins up in a CEL list, *.host suffixes by shape and list, and other regexes one by one after them, ORed', () => {
    const O = '{http.request.header.Origin}';
    const lastTwo = `${O}.substring(${O}.lastIndexOf(".", ${O}.lastIndexOf(".") - 1) + 1)`;
    const allowed = matcher(v, 'allowed')!;
    expect(allowed.conditions).toEqual([]);
    expect(allowed.hasNotBlock).toBe(true);
    expect(allowed.notConditions).toEqual([
      `not expression \`${O} in ["https://app.example.com","http://[::1]:8080"]\``,
      `not expression \`${O}.matches("^https://([a-z0-9]([a-z0-9-]\\x7b0,61}[a-z0-9])?\\\\.)+[^.]+(\\\\.[^.]+)\\x7b1}$") && ${lastTwo} in ["example.com"]\``,
      `not expression \`${O}.matches("^http://localhost(:[0-9]\\x7b1,5})?$")\``,
      `not expression \`${O}.matches("^https://pr-[0-9]+\\\\.preview\\\\.example\\\\.net$")\``,
    ]);
  });

  it('a lookup with a regex runs once, into a variable, that the headers and the preflight answer test', () => {
    expect(v.vars).toEqual([{ matcher: '@cors-mixed-allowed', variable: 'cors-mixed-ok', value: 'yes' }]);
    expect(v.headers.map((h) => h.matcher)).toEqual(['@cors-mixed-ok']);
    expect(v.preflight.vars).toBeNull();
    expect(matcher(v, 'ok')!.conditions).toEqual(['vars cors-mixed-ok yes']);
  });

  it('a lookup of one hashed list is the header matcher itself, and is repeated inside the preflight handle only', () => {
    const one = view('one', { origins: ['https://a.example', 'https://b.example'] });
    expect(matcher(one, 'allowed')!.conditions).toEqual(['expression `{http.request.header.Origin} in ["https://a.example","https://b.example"]`']);
    expect(one.vars).toEqual([]);
    expect(one.headers.map((h) => h.matcher)).toEqual(['@cors-one-allowed']);
    expect(one.preflight.vars).toEqual({ matcher: '@cors-one-allowed', variable: 'cors-one-ok', value: 'yes' });
  });

  it('answers preflights 204 when allowed and 403 when refused', () => {
    expect(v.preflight.matcher).toBe('@cors-mixed-preflight');
    expect(v.preflight.responds).toEqual([
      { matcher: '@cors-mixed-ok', status: 204 },
      { matcher: '', status: 403 },
    ]);
  });

  it('recognises a preflight by OPTIONS and a non-empty Origin and Access-Control-Request-Method, method first', () => {
    const cel =
      '{http.request.method} == "OPTIONS" && header_regexp("cors-mixed-acrm", "Access-Control-Request-Method", ".") && header_regexp("cors-mixed-origin", "Origin", ".")';
    expect(matcher(v, 'preflight')!.conditions).toEqual([`expression \`${cel}\``]);
    expect(matcher(v, 'not-preflight')!.conditions).toEqual([`not expression \`${cel}\``]);
  });

  it('removes all seven CORS headers of the application and always adds Vary: Origin', () => {
    expect(v.headerDown).toEqual(CORS_RESPONSE_HEADERS.map((h) => `-${h}`));
    expect(v.vary).toEqual({ field: '+Vary', value: 'Origin' });
  });
});

describe('caddy view: header values', () => {
  it('sends the policy lists on preflights and expose headers only on actual responses', () => {
    const v = view('exact', {
      origins: ['https://app.example.com'],
      methods: ['GET', 'POST', 'PUT'],
      allowHeaders: ['Content-Type', 'X-Custom'],
      exposeHeaders: ['X-Request-Id', 'X-Total'],
    });
    expect(fields(v, 'preflight')).toEqual({
      'Access-Control-Allow-Origin': ORIGIN,
      'Access-Control-Allow-Methods': '"GET, POST, PUT"',
      'Access-Control-Allow-Headers': '"Content-Type, X-Custom"',
    });
    expect(fields(v, 'actual')).toEqual({
      'Access-Control-Allow-Origin': ORIGIN,
      'Access-Control-Expose-Headers': '"X-Request-Id, X-Total"',
    });
    expect(fields(v, 'preflight-pna')).toBeUndefined();
    expect(matcher(v, 'preflight-pna')).toBeUndefined();
  });

  it('omits empty lists and a missing maxAge, and keeps maxAge 0', () => {
    const none = view('bare', { origins: ['https://app.example.com'], methods: [] });
    expect(fields(none, 'preflight')).toEqual({ 'Access-Control-Allow-Origin': ORIGIN });
    expect(fields(none, 'actual')).toEqual({ 'Access-Control-Allow-Origin': ORIGIN });
    const zero = view('zero', { origins: ['https://app.example.com'], methods: [], maxAge: 0 });
    expect(fields(zero, 'preflight')!['Access-Control-Max-Age']).toBe('0');
  });

  it('sends the default methods when none are written', () => {
    expect(fields(view('d', { origins: ['https://a.example'] }), 'preflight')!['Access-Control-Allow-Methods']).toBe('"GET, HEAD, POST"');
  });

  it('adds Access-Control-Allow-Credentials on preflights and actual responses with credentials', () => {
    const v = view('creds', { origins: ['https://app.example.com'], credentials: true, maxAge: 600 });
    expect(fields(v, 'preflight')!['Access-Control-Allow-Credentials']).toBe('true');
    expect(fields(v, 'preflight')!['Access-Control-Max-Age']).toBe('600');
    expect(fields(v, 'actual')!['Access-Control-Allow-Credentials']).toBe('true');
  });

  it('allows the private network only when the request asks for it with exactly "true"', () => {
    const v = view('pna', { origins: ['https://app.example.com'], privateNetwork: true });
    const m = matcher(v, 'preflight-pna')!;
    expect(m.conditions).toEqual(['vars cors-pna-ok yes', 'header_regexp cors-pna-acrpn Access-Control-Request-Private-Network ^true$']);
    expect(fields(v, 'preflight-pna')).toEqual({ 'Access-Control-Allow-Private-Network': 'true' });
    expect(fields(v, 'preflight')!['Access-Control-Allow-Private-Network']).toBeUndefined();
  });
});

describe('caddy view: credentials and "*" in methods / allowHeaders', () => {
  const ACRM = '{http.request.header.Access-Control-Request-Method}';
  const ACRH = '{http.request.header.Access-Control-Request-Headers}';

  it('reflects the request method alone, and the request headers after Authorization', () => {
    const v = view('cs', { origins: ['https://app.example.com'], credentials: true, methods: ['*'], allowHeaders: ['*', 'Authorization'] });
    expect(fields(v, 'preflight')!['Access-Control-Allow-Methods']).toBe(`"${ACRM}"`);
    expect(fields(v, 'preflight')!['Access-Control-Allow-Headers']).toBeUndefined();
    expect(fields(v, 'preflight-acrh')).toEqual({ 'Access-Control-Allow-Headers': `"Authorization, ${ACRH}"` });
    expect(fields(v, 'preflight-no-acrh')).toEqual({ 'Access-Control-Allow-Headers': 'Authorization' });
    expect(matcher(v, 'preflight-acrh')!.conditions.at(-1)).toBe('header_regexp cors-cs-acrh Access-Control-Request-Headers .');
    expect(matcher(v, 'preflight-no-acrh')!.conditions.at(-1)).toBe('not header_regexp cors-cs-acrh Access-Control-Request-Headers .');
  });

  it('appends the reflected value after the listed names, without a dangling comma', () => {
    const v = view('mix', { origins: ['https://app.example.com'], credentials: true, methods: ['GET', '*'], allowHeaders: ['X-Custom', '*'] });
    expect(fields(v, 'preflight')!['Access-Control-Allow-Methods']).toBe(`"GET, ${ACRM}"`);
    expect(fields(v, 'preflight-acrh')).toEqual({ 'Access-Control-Allow-Headers': `"X-Custom, ${ACRH}"` });
    expect(fields(v, 'preflight-no-acrh')).toEqual({ 'Access-Control-Allow-Headers': 'X-Custom' });
  });

  it('sends no Access-Control-Allow-Headers at all when nothing is listed and nothing is requested', () => {
    const v = view('only', { origins: ['https://app.example.com'], credentials: true, allowHeaders: ['*'] });
    expect(fields(v, 'preflight-acrh')).toEqual({ 'Access-Control-Allow-Headers': `"${ACRH}"` });
    expect(matcher(v, 'preflight-no-acrh')).toBeUndefined();
    expect(fields(v, 'preflight-no-acrh')).toBeUndefined();
  });

  it('sends "*" literally without credentials', () => {
    const v = view('open', { origins: ['https://app.example.com'], methods: ['*'], allowHeaders: ['*', 'Authorization'] });
    expect(fields(v, 'preflight')!['Access-Control-Allow-Methods']).toBe('"*"');
    expect(fields(v, 'preflight')!['Access-Control-Allow-Headers']).toBe('"*, Authorization"');
    expect(matcher(v, 'preflight-acrh')).toBeUndefined();
  });
});

describe('caddy view: origins "*"', () => {
  it('needs no origin lookup, answers every non-empty Origin with "*" and never refuses a preflight', () => {
    const v = view('public', { origins: '*', methods: ['GET', 'HEAD'], exposeHeaders: ['X-Request-Id'] });
    expect(v.vars).toEqual([]);
    expect(fields(v, 'preflight')).toEqual({ 'Access-Control-Allow-Origin': '"*"', 'Access-Control-Allow-Methods': '"GET, HEAD"' });
    expect(fields(v, 'actual')).toEqual({ 'Access-Control-Allow-Origin': '"*"', 'Access-Control-Expose-Headers': 'X-Request-Id' });
    expect(matcher(v, 'ok')).toBeUndefined();
    expect(v.preflight.vars).toBeNull();
    expect(v.preflight.responds).toEqual([{ matcher: '', status: 204 }]);
    for (const m of v.matchers) for (const c of [...m.conditions, ...m.notConditions]) expect(c).not.toMatch(/^(not )?vars /);
    expect(matcher(v, 'allowed')!.conditions).toEqual(['header_regexp cors-public-origin Origin .']);
  });

  it('reflects the Origin if "*" ever comes with credentials (what the evaluator says)', () => {
    const v = view('pc', { origins: '*', credentials: true });
    expect(fields(v, 'preflight')!['Access-Control-Allow-Origin']).toBe(ORIGIN);
  });
});

describe('caddy tokens and regexes', () => {
  it('leaves origins bare and quotes anything else', () => {
    expect(caddyToken('https://app.example.com')).toBe('https://app.example.com');
    expect(caddyToken('http://[::1]:8080')).toBe('http://[::1]:8080');
    expect(caddyToken('null')).toBe('null');
    expect(caddyToken('600')).toBe('600');
    expect(caddyToken('X-Request-Id')).toBe('X-Request-Id');
    expect(caddyToken('GET, POST')).toBe('"GET, POST"');
    expect(caddyToken('*')).toBe('"*"');
    expect(caddyToken('{http.request.header.Origin}')).toBe('"{http.request.header.Origin}"');
    // Inside "…" Caddy keeps backslashes (except before a quote): \. stays \.
    expect(caddyToken('~^https://a\\.b{1,5}$')).toBe('"~^https://a\\.b{1,5}$"');
  });

  it('falls back to backticks, which keep every byte, when double quotes cannot carry the value', () => {
    expect(caddyToken('~^a"b$')).toBe('`~^a"b$`');
    expect(caddyToken('~^ab\\')).toBe('`~^ab\\`');
  });

  it('refuses what no Caddyfile token can carry', () => {
    expect(() => caddyToken('')).toThrow();
    expect(() => caddyToken('a\nb')).toThrow();
    expect(() => caddyToken('"`')).toThrow();
    expect(() => caddyToken('~^a{$HOME}$')).toThrow(/environment variable/);
  });

  it('writes a { before $ as \\x7b so that Caddy never substitutes an environment variable', () => {
    expect(caddyRegex('^https://a\\.example\\.com$')).toBe('^https://a\\.example\\.com$');
    expect(caddyRegex('^https://x{1,5}$')).toBe('^https://x{1,5}$');
    expect(caddyRegex('^a{$')).toBe('^a\\x7b$');
    expect(caddyRegex('^a\\{$')).toBe('^a\\x7b$');
    expect(caddyRegex('^a[{$]$')).toBe('^a[\\x7b$]$');
    expect(caddyRegex('^a\\\\{$')).toBe('^a\\\\\\x7b$');
    for (const [re, yes, no] of [
      ['^a{$', 'a{', 'a'],
      ['^a\\{$', 'a{', 'a\\'],
      ['^a[{$]$', 'a$', 'a'],
      ['^a\\\\{$', 'a\\{', 'a{'],
    ] as const) {
      const rewritten = new RegExp(caddyRegex(re));
      expect(rewritten.test(yes)).toBe(new RegExp(re).test(yes));
      expect(rewritten.test(no)).toBe(new RegExp(re).test(no));
      expect(caddyRegex(re)).not.toContain('{$');
    }
  });
});

describe('caddy CEL lists', () => {
  it('writes { and ` as \\x escapes, so that Caddy sees no placeholder, environment variable or token end', () => {
    expect(celString('^a{1,3}`"\\$')).toBe('"^a\\x7b1,3}\\x60\\"\\\\$"');
    expect(() => celString('a\nb')).toThrow();
  });
  it('cuts a long list into expressions below cel-go’s 100,000 code points, keeping every value once and in order', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `https://tenant-${i}.customers.example.com`);
    const chunks = inChunks('{x}', values);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(CEL_LIMIT);
    expect(chunks.flatMap((c) => JSON.parse(c.slice('{x} in '.length)) as string[])).toEqual(values);
    expect(inChunks('{x}', [])).toEqual([]);
  });
});

describe('caddy target: rendering', () => {
  const set: PolicySet = {
    version: 1,
    policies: [
      policy('api', { origins: ['https://app.example.com', 'https://*.example.com'], credentials: true, allowHeaders: ['*', 'Authorization'] }),
      policy('public', { origins: '*' }),
    ],
  };

  it('renders one deterministic file with both snippets of every policy', () => {
    const [file, ...rest] = caddy.render(set);
    expect(rest).toEqual([]);
    expect(file!.path).toBe('cors.caddy');
    expect(caddy.render(set)[0]!.body).toBe(file!.body);
    for (const name of ['api', 'public']) {
      expect(file!.body).toContain(`\n(cors-${name}) {\n`);
      expect(file!.body).toContain(`\n(cors-${name}-upstream) {\n`);
    }
    expect(file!.body).not.toContain('{$');
    expect(file!.includeHint).toContain('import DIR/cors.caddy');
  });

  it('lays the view out as a Caddyfile: matchers, vars, header ops, one preflight handle', () => {
    const body = caddy.render(set)[0]!.body;
    expect(body).toContain('\t@cors-api-allowed {\n\t\tnot {\n\t\t\tnot expression `{http.request.header.Origin} in ["https://app.example.com"]`\n');
    expect(body).toContain('\tvars @cors-api-allowed cors-api-ok yes\n\theader @cors-api-ok {\n');
    expect(body).toContain('\theader +Vary Origin\n');
    expect(body).toContain('\thandle @cors-api-preflight {\n\t\theader @cors-api-ok {\n');
    expect(body).toContain('\t\trespond @cors-api-ok 204\n\t\trespond 403\n\t}\n');
    expect(body).toContain('\theader_down -Access-Control-Allow-Private-Network\n');
    // The "*" policy has no origin lookup at all.
    const publicPart = body.slice(body.indexOf('(cors-public)'));
    expect(publicPart).not.toContain('expression `{http.request.header.Origin}');
    expect(publicPart).not.toContain('respond 403');
    expect(publicPart).toContain('\thandle @cors-public-preflight {\n\t\theader {\n');
  });

  it('says where to import each snippet and how to keep preflights away from basicauth', () => {
    const body = caddy.render(set)[0]!.body;
    expect(body).toContain('import cors-api    as the first line of the site block');
    expect(body).toContain('import cors-api-upstream    inside every reverse_proxy { } of that site');
    expect(body).toContain('basicauth @cors-api-not-preflight');
  });
});

describe('caddy view: proxy mode (docs/contract.md §6)', () => {
  const proxied = (raw: RawPolicy) => buildCaddyView({ version: 1, policies: [policy('api', raw)] }).policies[0]!;

  it('forwards the cleaned rest after each prefix, longest first, to the base path with the query', () => {
    const set: PolicySet = {
      version: 1,
      policies: [
        policy('api', { origins: ['https://app.example.com'], paths: ['/api/', '/api/v2/'], upstream: { url: 'https://api.example.net/v1/' } }),
        policy('site', { origins: '*' }),
      ],
    };
    const v = buildCaddyView(set).policies[0]!;
    expect(v.forwards.map((f) => f.matcher)).toEqual(['@cors-api-forward-0', '@cors-api-forward-1']);
    expect(matcher(v, 'forward-0')!.conditions).toEqual(['vars cors-api-in yes', 'path_regexp cors-api-fwd-0 "(?i)^/api/v2/([^%?#]*)$"']);
    expect(matcher(v, 'forward-1')!.conditions).toEqual(['vars cors-api-in yes', 'path_regexp cors-api-fwd-1 "(?i)^/api/([^%?#]*)$"']);
    expect(v.forwards[0]!.rewrite).toBe('"/v1/{re.cors-api-fwd-0.1}?{http.request.uri.query}"');
    expect(v.unforwardable).toBe('handle @cors-api-in {');
    expect(buildCaddyView(set).policies[1]!.forwards).toEqual([]);
  });

  it('sets Host and SNI, verifies against ca, drops Cookie and Authorization without credentials, strips the upstream CORS headers', () => {
    const v = proxied({ origins: ['https://app.example.com'], upstream: { url: 'https://api.example.net:8443/v1/', ca: '/etc/ssl/internal.pem' } });
    const [f] = v.forwards;
    expect(f!.address).toBe('https://api.example.net:8443');
    expect(f!.lines).toContain('header_up Host api.example.net:8443');
    expect(f!.lines).toContain('header_up -Cookie');
    expect(f!.lines).toContain('header_up -Authorization');
    for (const h of CORS_RESPONSE_HEADERS) expect(f!.lines).toContain(`header_down -${h}`);
    expect(f!.transport).toEqual(['tls_server_name api.example.net', 'tls_trusted_ca_certs "/etc/ssl/internal.pem"']);
    expect(matcher(v, 'forward-0')!.conditions).toEqual(['path_regexp cors-api-fwd-0 "(?i)^/([^%?#]*)$"']);
    expect(v.unforwardable).toBe('handle {');
  });

  it('keeps Cookie and Authorization with credentials; an http upstream has no TLS transport; no ca means Go’s system store', () => {
    const v = proxied({ origins: ['https://app.example.com'], credentials: true, upstream: { url: 'http://127.0.0.1:8080/' } });
    expect(v.forwards[0]!.lines.filter((l) => l.startsWith('header_up -'))).toEqual([]);
    expect(v.forwards[0]!.transport).toEqual([]);
    const https = proxied({ origins: ['https://app.example.com'], upstream: { url: 'https://api.example.net/' } });
    expect(https.forwards[0]!.transport).toEqual(['tls_server_name api.example.net']);
    expect(https.forwards[0]!.lines).toContain('header_up Host api.example.net');
  });

  it('maps redirects and cookie paths under the base path onto the prefix, with or without the default port', () => {
    const v = proxied({ origins: ['https://app.example.com'], upstream: { url: 'https://api.example.net/v1/' } });
    const lines = v.forwards[0]!.lines;
    expect(lines).toContain('header_down Location "^((?i:https://api\\.example\\.net)(:443)?)?/v1/" "/"');
    expect(lines).toContain('header_down Set-Cookie "(?i);[ \\t]*domain=[^;]*" "; Domain="');
    expect(lines).toContain('header_down Set-Cookie "(?i:;[ \\t]*path=)/v1/" "; Path=/"');
  });

  it('tells in the file how to import a proxy-mode policy', () => {
    const body = caddy.render({ version: 1, policies: [policy('api', { origins: ['https://app.example.com'], upstream: { url: 'https://api.example.net/v1/' } })] })[0]!;
    expect(body.body).toContain('forwards every request it governs that is not a preflight to\n# https://api.example.net/v1/ itself');
    expect(body.body).toContain('the system trust store');
    expect(body.body).not.toContain('import cors-api-upstream    inside');
    expect(body.includeHint).toContain('import cors-<policy> alone');
  });
});
