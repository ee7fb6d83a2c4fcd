// serve's time-outs (src/serve/limits.ts), in-process with short limits so that each fires within
// the test: an upstream that never answers, a client that never finishes its headers, a connection
// that stays idle, a shutdown whose request in flight never ends. Only outcomes are asserted, never
// durations.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareServe } from '../../src/serve/config.js';
import { LIMITS, type Limits } from '../../src/serve/limits.js';
import { startServer, type RunningServe } from '../../src/serve/server.js';
import { compilePolicy } from '../harness/policy.js';
import { get, rawConnect, values } from './client.js';

const APP = 'https://app.example.com';
const SHORT: Limits = { ...LIMITS, upstreamIdleMs: 300, clientHeadersMs: 300, clientRequestMs: 600, clientIdleMs: 400, clientKeepAliveMs: 200, checkIntervalMs: 100, drainMs: 300 };

/** An upstream that accepts connections and never answers. */
let blackHole: Server;
const held = new Set<Socket>();
let holePort = 0;

beforeAll(async () => {
  blackHole = createServer((s) => {
    held.add(s);
    s.on('close', () => held.delete(s));
    s.resume();
  });
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  holePort = (blackHole.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => blackHole.close(r));
});

function start(limits: Limits = SHORT): { running: RunningServe; out: string[] } {
  const set = compilePolicy(`version: 1\npolicies:\n  api:\n    origins: [${APP}]\n    credentials: true\n`);
  const config = prepareServe(set, 'p.yaml', { listen: '127.0.0.1:0', upstream: `http://127.0.0.1:${holePort}/` });
  if (config.kind === 'error') throw new Error(config.message);
  const out: string[] = [];
  return { running: startServer(config.value, { out: (l) => out.push(l), err: (l) => out.push(l) }, limits), out };
}

const closed = (s: Socket) => new Promise<string>((resolve) => {
  let got = '';
  s.setEncoding('utf8').on('data', (d: string) => (got += d));
  s.on('close', () => resolve(got));
});

describe('serve: time-outs', () => {
  it('an upstream that never answers: 502 with the CORS headers of an allowed request', async () => {
    const { running } = start();
    const port = (await running.listening)!;
    const res = await get(`http://127.0.0.1:${port}`, '/slow', { origin: APP });
    expect(res.status).toBe(502);
    expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
    expect(res.body).toBe('Bad gateway: the upstream failed (ETIMEDOUT).\n');
    running.shutdown();
    expect(await running.done).toBe(0);
  });

  it('a client that never finishes its headers, and one that never sends anything, are disconnected', async () => {
    // The socket's idle time-out must not beat the headers time-out, which Node checks only every
    // checkIntervalMs (as in LIMITS, where they are 60 s and 20 s): on a loaded machine 100 ms
    // between the two was a race that sometimes closed the socket without the 408.
    const { running } = start({ ...SHORT, clientIdleMs: 3_000, clientRequestMs: 3_000 });
    const port = (await running.listening)!;
    const partial = await rawConnect(port);
    partial.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrig');
    const silent = await rawConnect(port);
    const [partialGot] = await Promise.all([closed(partial), closed(silent)]);
    expect(partialGot).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    running.shutdown();
    expect(await running.done).toBe(0);
  });

  it('a shutdown whose request in flight never ends closes it after the drain time and exits 0', async () => {
    // The upstream and idle time-outs out of the way: only the drain can end this request.
    const { running, out } = start({ ...SHORT, upstreamIdleMs: 600_000, clientIdleMs: 600_000 });
    const port = (await running.listening)!;
    const inFlight = get(`http://127.0.0.1:${port}`, '/never', { origin: APP }).catch((e: Error) => e);
    while (held.size === 0) await new Promise((r) => setTimeout(r, 10));
    running.shutdown();
    expect(await running.done).toBe(0);
    const res = await inFlight;
    expect(res instanceof Error ? 'connection closed' : res.status).toBe('connection closed');
    expect(out.join('\n')).toContain('shutting down');
  });
});
