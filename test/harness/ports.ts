import { createServer, type Server } from 'node:net';

// Ports are drawn below the kernel's ephemeral range (32768-60999 on Linux): a port the OS hands to
// an outgoing connection or to a listen(0) of another test can then never collide with a server
// that is about to start on a port chosen here.
const LOW = 20000;
const HIGH = 32000;

function tryListen(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** Distinct free TCP ports on 127.0.0.1 (held together while chosen, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  // Start at a random place so that test files running in parallel rarely try the same ports.
  let candidate = LOW + Math.floor(Math.random() * (HIGH - LOW));
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > HIGH - LOW) throw new Error(`no ${count} free ports between ${LOW} and ${HIGH}`);
    candidate = candidate + 1 >= HIGH ? LOW : candidate + 1;
    const s = await tryListen(candidate);
    if (s) {
      held.push(s);
      ports.push(candidate);
    }
  }
  await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
