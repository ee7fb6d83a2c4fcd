// Temporary probe: how each real server reads odd request forms.
import { compilePolicy } from '../harness/policy.js';
import { PATHS_DRIVERS } from '../servers/paths.drivers.js';
import { freePorts } from '../harness/ports.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { removeDir } from '../harness/process.js';
import { sendRaw, startRawUpstream, type WireRequest } from './wire.js';
import type { PathTarget } from '../../src/model/paths.js';

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
const pr = (t: string): WireRequest => ({ method: 'OPTIONS', target: t, headers: [['Origin', A], ['Access-Control-Request-Method', 'PUT']] });
const probes: [string, WireRequest][] = ['/../x', '/%2e%2e/x', '/a/../../x', '/a/%2e%2e/%2e%2e/x', '/..', '/a/../..', '/star/../../x', '/x%2Fy', '/x%00', '/x%zz', '//../x'].map((t) => [t, pr(t)]);

const targets = (process.argv[2] ?? 'nginx,apache,caddy').split(',') as PathTarget[];
const set = compilePolicy(FILE, 'probe.yaml');
const upstream = await startRawUpstream();
for (const target of targets) {
  const ports = await freePorts(1);
  const paths = PATHS_DRIVERS[target];
  const prepared = prepareServerDir(target, set, `${target}-probe`, (d, corsDir) => paths.writeConfig({ dir: d, corsDir, sites: [{ policies: ['ex'], port: ports[0]! }], upstreamPort: upstream.port }));
  const server = await checkAndStart(paths.driver, prepared, ports);
  try {
    for (const [name, req] of probes) {
      const id = `${target}-${name}`;
      const r = await sendRaw(ports[0]!, { ...req, headers: [...req.headers, ['X-Test-Id', id]] }).catch((e) => ({ status: -1, rawHeaders: [String(e)], body: '' }));
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
