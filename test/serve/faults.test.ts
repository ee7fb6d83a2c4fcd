// serve under faults (issue 11): the upstream down, the upstream resetting mid-body, a client leaving
// mid-body, slow clients. After each, serve still answers, and once the clients are gone its open
// sockets (counted in /proc/<pid>/fd) are back to what it had when it started.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../harness/ports.js';
import { removeDir } from '../harness/process.js';
import { get, rawConnect, values } from './client.js';
import { BIG_BODY_BYTES, startHttpsUpstream, type HttpsUpstream } from './https-upstream.js';
import { startServe, type ServeProcess } from './serve-process.js';
import { makeTestPki, type TestPki } from './test-ca.js';

const APP = 'https://app.example.com';
let pki: TestPki;
let upstream: HttpsUpstream;
let s: ServeProcess;
let down: ServeProcess;
let baseline = 0;

const policy = (url: string) => `version: 1\npolicies:\n  api:\n    origins: [${APP}]\n    credentials: true\n    paths: [/api/]\n    upstream:\n      url: ${url}\n`;

beforeAll(async () => {
  pki = makeTestPki();
  upstream = await startHttpsUpstream(pki);
  const file = join(pki.dir, 'policy.yaml');
  writeFileSync(file, policy(`https://localhost:${upstream.port}/v1/`));
  s = await startServe([file, '--listen', '127.0.0.1:0', '--ca', pki.caFile]);
  baseline = s.sockets();
  // A port nothing listens on (below the ephemeral range, so nothing takes it meanwhile).
  const [closed] = await freePorts(1);
  const downFile = join(pki.dir, 'down.yaml');
  writeFileSync(downFile, policy(`https://localhost:${closed}/v1/`));
  down = await startServe([downFile, '--listen', '127.0.0.1:0', '--ca', pki.caFile]);
});

afterAll(async () => {
  await s?.stop('SIGKILL');
  await down?.stop('SIGKILL');
  await upstream?.close();
  if (pki) removeDir(pki.dir);
});

async function stillServes(p: ServeProcess = s): Promise<void> {
  const res = await get(p.url, '/api/alive', { origin: APP });
  expect(res.status).toBe(p === s ? 200 : 502);
  expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
}

/** Polls until serve holds no more sockets than at start (a leak never gets there). */
async function noLeakedSockets(p: ServeProcess, base: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (p.sockets() > base && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(p.sockets()).toBeLessThanOrEqual(base);
}

describe('serve under faults', () => {
  it('upstream down: 502 with the CORS headers, again and again, and serve keeps running', async () => {
    const base = down.sockets();
    for (let i = 0; i < 20; i++) {
      const res = await get(down.url, `/api/x${i}`, { origin: APP });
      expect(res.status).toBe(502);
      expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
      expect(values(res, 'access-control-allow-credentials')).toEqual(['true']);
    }
    await stillServes(down);
    await noLeakedSockets(down, base);
    expect((await down.waitForRequestLines(21)).filter((l) => l.endsWith('upstream-error 502'))).toHaveLength(21);
  });

  it('upstream resets mid-body: the client sees a truncated response (never a complete one), and serve keeps running', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await get(s.url, '/api/reset-mid-body', { origin: APP });
      expect(res.status).toBe(200);
      expect(res.truncated).toBe(true);
      expect(res.body.length).toBeLessThan(BIG_BODY_BYTES);
    }
    await stillServes();
  });

  it('a client that disconnects mid-body: the upstream request is aborted too, and serve keeps running', async () => {
    const before = upstream.seen.length;
    for (let i = 0; i < 5; i++) {
      const c = await rawConnect(s.port);
      c.write(`POST /api/upload-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${APP}\r\nContent-Length: ${BIG_BODY_BYTES}\r\n\r\n`);
      c.write(Buffer.alloc(100_000, 'x'));
      // Wait until the upstream has the start of the body, then leave.
      while (!upstream.seen.slice(before).some((r) => r.url === `/v1/upload-${i}` && r.bodyBytes > 0)) await new Promise((r) => setTimeout(r, 20));
      c.destroy();
    }
    const deadline = Date.now() + 20_000;
    const aborted = () => upstream.seen.slice(before).filter((r) => r.aborted).length;
    while (aborted() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(aborted()).toBe(5);
    await stillServes();
  });

  it('slow clients (headers never finished, a body never read) do not stop serve from answering others', async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 30; i++) {
      const c = await rawConnect(s.port);
      c.on('error', () => {});
      c.write('GET /api/slow HTTP/1.1\r\nHo');
      slow.push(c);
    }
    // A slow reader too: asks for a large body and reads none of it.
    const reader = await rawConnect(s.port);
    reader.on('error', () => {});
    reader.pause();
    reader.write(`GET /api/big HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${APP}\r\n\r\n`);
    for (let i = 0; i < 10; i++) await stillServes();
    for (const c of [...slow, reader]) c.destroy();
  });

  it('after all of that, no socket is left open beyond those serve started with', async () => {
    await noLeakedSockets(s, baseline);
    await stillServes();
    // The request just made may keep a keep-alive connection to the upstream for a moment.
    await noLeakedSockets(s, baseline);
  });
});
