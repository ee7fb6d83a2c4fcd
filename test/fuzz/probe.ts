// How each real server reads request forms browsers never send (the facts src/model/server-request.ts
// models): npx vite-node test/fuzz/probe.ts [<target>,<target>…] (every registered target without
// one). Prints status, whether the request reached the application, and the Access-Control-Allow-*
// headers received.
import { compilePolicy } from '../harness/policy.js';
import { PATHS_DRIVERS } from '../servers/drivers.js';
import { freePorts } from '../harness/ports.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { removeDir } from '../harness/process.js';
import { sendRaw, startRawUpstream, type WireRequest } from './wire.js';
import { TARGET_NAMES, type TargetName as PathTarget } from '../../src/targets/registry.js';

const FILE = `version: 1
policies:
  ex:
    origins: [https://a.example.com, https://b.example.com, 'https://*.w.example.com']
    credentials: true
    methods: ['*']
    allowHeaders: ['*', Authorization]
    privateNetwork: true
    maxAge: 5
  star:
    origins: "*"
    methods: [GET]
`;
const A = 'https://a.example.com';
const long = (n: number) => `https://${'x'.repeat(n)}.example.com`;
const pf = (target: string, more: [string, string][] = []): WireRequest => ({ method: 'OPTIONS', target, headers: [['Origin', A], ['Access-Control-Request-Method', 'PUT'], ...more] });
const get = (headers: [string, string][], target = '/x', method = 'GET'): WireRequest => ({ method, target, headers });
const B = 'https://b.example.com';
/** [what, site (0: ex, 1: star), request] */
const probes: [string, number, WireRequest][] = [
  ['plain preflight', 0, pf('/x')],
  ['Origin a, b', 0, { method: 'OPTIONS', target: '/x', headers: [['Origin', A], ['Origin', B], ['Access-Control-Request-Method', 'PUT']] }],
  ['Origin evil, a', 0, { method: 'OPTIONS', target: '/x', headers: [['Origin', 'https://evil.test'], ['Origin', A], ['Access-Control-Request-Method', 'PUT']] }],
  ['GET Origin a, a', 0, get([['Origin', A], ['Origin', A]])],
  ['GET Origin "", a', 0, get([['Origin', ''], ['Origin', A]])],
  ['GET star Origin "", ""', 1, get([['Origin', ''], ['Origin', '']])],
  ['GET star Origin a, b', 1, get([['Origin', A], ['Origin', B]])],
  ['spaces around', 0, get([['Origin', `   ${A}   `]])],
  ['tabs around', 0, get([['Origin', `\t${A}\t`]])],
  ['ORIGIN (name case)', 0, get([['ORIGIN', A]])],
  ['Origin upper case', 0, get([['Origin', A.toUpperCase()]])],
  ['wildcard host upper', 0, get([['Origin', 'https://Z.w.example.com']])],
  ['method options', 0, { ...pf('/x'), method: 'options' }],
  ['method get', 0, get([['Origin', A]], '/x', 'get')],
  ['method FOO', 0, get([['Origin', A]], '/x', 'FOO')],
  ['ACRM " put "', 0, { method: 'OPTIONS', target: '/x', headers: [['Origin', A], ['Access-Control-Request-Method', '  put ']] }],
  ['ACRM PUT, DELETE', 0, pf('/x', [['access-control-request-method', 'DELETE']])],
  ['ACRM "", DELETE', 0, { method: 'OPTIONS', target: '/x', headers: [['Origin', A], ['Access-Control-Request-Method', ''], ['Access-Control-Request-Method', 'DELETE']] }],
  ['ACRH a, b', 0, pf('/x', [['Access-Control-Request-Headers', 'a'], ['Access-Control-Request-Headers', 'b']])],
  ['ACRPN TRUE', 0, pf('/x', [['Access-Control-Request-Private-Network', 'TRUE']])],
  ['ACRPN " true "', 0, pf('/x', [['Access-Control-Request-Private-Network', ' true ']])],
  ['ACRPN false, true', 0, pf('/x', [['Access-Control-Request-Private-Network', 'false'], ['Access-Control-Request-Private-Network', 'true']])],
  ['ACRPN true, false', 0, pf('/x', [['Access-Control-Request-Private-Network', 'true'], ['Access-Control-Request-Private-Network', 'false']])],
  ['star Origin 8,100 B', 1, get([['Origin', long(8100)]])],
  ['star Origin 8,200 B', 1, get([['Origin', long(8200)]])],
  ['ACRH 12,000 B', 0, pf('/x', [['Access-Control-Request-Headers', 'x'.repeat(12_000)]])],
  ['target 9,000 B', 0, get([['Origin', A]], `/${'p'.repeat(9000)}`)],
  ...['/../x', '/%2e%2e/x', '/a/../../x', '/x%2Fy', '/x%00', '/x%zz'].map((t): [string, number, WireRequest] => [`path ${t}`, 0, pf(t)]),
];

const targets = (process.argv[2]?.split(',') ?? TARGET_NAMES) as PathTarget[];
const set = compilePolicy(FILE, 'probe.yaml');
const upstream = await startRawUpstream();
for (const target of targets) {
  const ports = await freePorts(2);
  const paths = PATHS_DRIVERS[target];
  const prepared = prepareServerDir(target, set, `${target}-probe`, (d, corsDir) => paths.writeConfig({ dir: d, corsDir, sites: [{ policies: ['ex'], port: ports[0]! }, { policies: ['star'], port: ports[1]! }], upstreamPort: upstream.port }));
  const server = await checkAndStart(paths.driver, prepared, ports);
  try {
    for (const [name, site, req] of probes) {
      const id = `${target}-${name}`;
      const r = await sendRaw(ports[site]!, { ...req, headers: [...req.headers, ['X-Test-Id', id]] }).catch((e) => ({ status: -1, rawHeaders: [String(e)], body: '' }));
      const ac = [];
      for (let i = 0; i < r.rawHeaders.length; i += 2) if (/^access-control-allow-(origin|methods|headers|private)/i.test(r.rawHeaders[i]!)) ac.push(`${r.rawHeaders[i]}=${JSON.stringify(r.rawHeaders[i + 1]!.slice(0, 80))}`);
      console.log(`${target.padEnd(6)} ${name.padEnd(28)} ${r.status} fwd=${upstream.seen.has(id) ? 1 : 0} ${ac.join(' ')} ${JSON.stringify(r.body.slice(0, 40))} ${r.status < 0 ? r.rawHeaders[0] : ''}`);
    }
  } finally {
    await server.stop();
    removeDir(prepared.dir);
  }
}
await upstream.close();
