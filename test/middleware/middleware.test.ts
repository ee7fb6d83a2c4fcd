// corsMiddleware (docs/contract.md §7) in the real frameworks: Express 5, Connect and node:http. The full
// request matrix runs in test/serve/differential.test.ts (against nginx, Apache and Caddy); here the
// ways an application sets headers, paths, mounting, and the errors of a bad policy file.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsMiddleware } from '../../src/index.js';
import { makeTempDir, removeDir } from '../harness/process.js';
import { corsNames, get, values } from '../serve/client.js';

const APP = 'https://app.example.com';
let dir = '';
let file = '';
const closers: (() => void)[] = [];

beforeAll(() => {
  dir = makeTempDir('middleware');
  file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    `version: 1
policies:
  api:
    origins: [${APP}]
    methods: [GET, PUT]
    exposeHeaders: [X-Request-Id]
    credentials: true
    paths: [/api/]
  other:
    origins: "*"
`,
  );
});

afterAll(() => {
  for (const c of closers) c();
  removeDir(dir);
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => (server.closeAllConnections(), server.close()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('corsMiddleware: loading the policy', () => {
  it('throws one Error listing every error of an invalid file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\npolicies:\n  a:\n    origins: [https://A.example.com/]\n    methods: [TRACE]\n    maxAge: -1\n');
    let error: Error | undefined;
    try {
      corsMiddleware(bad);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(Error);
    const lines = error!.message.split('\n');
    expect(lines[0]).toBe(`cors-gen: ${bad} is not a valid policy:`);
    expect(lines.slice(1).every((l) => l.startsWith(`${bad}:`) && l.includes(': error: '))).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(4); // the origin, the method and maxAge at least
  });

  it('refuses a policy with an upstream, a missing file, and a file of several policies without { policy }', () => {
    const proxy = join(dir, 'proxy.yaml');
    writeFileSync(proxy, `version: 1\npolicies:\n  a:\n    origins: [${APP}]\n    upstream:\n      url: https://api.example.net/\n`);
    expect(() => corsMiddleware(proxy)).toThrow(/has an upstream: the middleware serves your application's own responses/);
    expect(() => corsMiddleware(join(dir, 'missing.yaml'))).toThrow(/cannot be read \(ENOENT\)/);
    expect(() => corsMiddleware(dir)).toThrow(/is not a regular file/);
    expect(() => corsMiddleware(file)).toThrow(/several policies; choose one with --policy/);
    expect(() => corsMiddleware(file, { policy: 'nope' })).toThrow(/no policy "nope"/);
  });
});

describe('corsMiddleware in Express 5', () => {
  let url = '';
  const reached: string[] = [];
  beforeAll(async () => {
    const app = express();
    const api = express.Router();
    // Mounted below /api: Express strips the mount path from req.url, the policy's paths are about the whole path.
    api.use(corsMiddleware(file, { policy: 'api' }));
    api.get('/set', (req, res) => {
      reached.push(req.originalUrl);
      res.set('Access-Control-Allow-Origin', '*').set('access-control-max-age', '999').append('Vary', 'Accept');
      res.json({ readBack: res.get('Access-Control-Allow-Origin') ?? null });
    });
    api.get('/inline', (_req, res) => {
      res.writeHead(201, 'Made', { 'Access-Control-Allow-Credentials': 'false', 'Access-Control-Expose-Headers': 'X-Secret', Vary: 'Cookie' }).end('inline');
    });
    api.get('/tuples', (_req, res) => {
      res.writeHead(200, [['Access-Control-Allow-Origin', 'https://evil.test'], ['X-Kept', 'yes']] as unknown as string[]).end('tuples');
    });
    api.get('/fail', () => {
      throw new Error('boom');
    });
    api.options('/pre', (_req, res) => void (reached.push('preflight reached the app'), res.end()));
    app.use('/api', api);
    app.get('/outside', (_req, res) => {
      res.set('Access-Control-Allow-Origin', 'https://own.example').send('own');
    });
    // Express's own error handler answers /api/fail with a 500.
    url = await listen(app);
  });

  it('adds the policy’s headers, drops the application’s Access-Control-* (set and read back), merges Vary', async () => {
    const res = await get(url, '/api/set', { origin: APP });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ readBack: null });
    expect(corsNames(res).sort()).toEqual(['access-control-allow-credentials', 'access-control-allow-origin', 'access-control-expose-headers']);
    expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
    expect(values(res, 'vary')).toEqual(['Accept, Origin']);
  });

  it('headers passed to writeHead() (object or tuples) are filtered as well, the status and reason kept', async () => {
    const inline = await get(url, '/api/inline', { origin: APP });
    expect(inline.status).toBe(201);
    expect(values(inline, 'access-control-allow-credentials')).toEqual(['true']);
    expect(values(inline, 'access-control-expose-headers')).toEqual(['X-Request-Id']);
    expect(values(inline, 'vary')).toEqual(['Cookie, Origin']);
    const tuples = await get(url, '/api/tuples', { origin: APP });
    expect(values(tuples, 'access-control-allow-origin')).toEqual([APP]);
    expect(values(tuples, 'x-kept')).toEqual(['yes']);
  });

  it('an error response (Express’s 500) carries the headers too; a refused origin gets none', async () => {
    const res = await get(url, '/api/fail', { origin: APP });
    expect(res.status).toBe(500);
    expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
    const refused = await get(url, '/api/set', { origin: 'https://evil.test' });
    expect(corsNames(refused)).toEqual([]);
    expect(values(refused, 'vary')).toEqual(['Accept, Origin']);
  });

  it('answers preflights itself', async () => {
    const ok = await get(url, '/api/pre', { origin: APP, 'access-control-request-method': 'PUT' }, 'OPTIONS');
    const no = await get(url, '/api/pre', { origin: 'https://evil.test', 'access-control-request-method': 'PUT' }, 'OPTIONS');
    expect([ok.status, no.status]).toEqual([204, 403]);
    expect(values(ok, 'access-control-allow-methods')).toEqual(['GET, PUT']);
    expect(corsNames(no)).toEqual([]);
    expect(reached).not.toContain('preflight reached the app');
  });

  it('leaves a path the policy does not govern alone', async () => {
    const app = express();
    app.use(corsMiddleware(file, { policy: 'api' }));
    app.get('/outside', (_req, res) => void res.set('Access-Control-Allow-Origin', 'https://own.example').send('own'));
    app.options('/api-not', (_req, res) => void res.status(200).send('app'));
    const u = await listen(app);
    const res = await get(u, '/outside', { origin: APP });
    expect(values(res, 'access-control-allow-origin')).toEqual(['https://own.example']);
    expect(values(res, 'vary')).toEqual([]);
    const pre = await get(u, '/api-not', { origin: APP, 'access-control-request-method': 'PUT' }, 'OPTIONS');
    expect([pre.status, pre.body]).toEqual([200, 'app']);
  });
});

describe('corsMiddleware in node:http', () => {
  it('works as (req, res, next) with a plain server, every status', async () => {
    const cors = corsMiddleware(file, { policy: 'other' });
    const url = await listen((req, res) =>
      cors(req, res, () => {
        res.setHeader('Access-Control-Allow-Origin', 'https://own.example');
        res.writeHead(Number(req.url!.slice(1)), ['Access-Control-Allow-Headers', 'X-Y', 'Content-Type', 'text/plain']).end('app');
      }),
    );
    for (const status of [200, 404, 500, 503]) {
      const res = await get(url, `/${status}`, { origin: 'https://anyone.test' });
      expect(res.status).toBe(status);
      expect(corsNames(res)).toEqual(['access-control-allow-origin']);
      expect(values(res, 'access-control-allow-origin')).toEqual(['*']);
      expect(values(res, 'vary')).toEqual(['Origin']);
      expect(res.body).toBe('app');
    }
  });
});
