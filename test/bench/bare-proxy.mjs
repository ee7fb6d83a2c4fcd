// The baseline of the serve benchmark: a bare Node.js reverse proxy of the same shape as
// `cors-gen serve` (node:http server, one keep-alive agent to one upstream, headers copied minus the
// hop-by-hop ones, Host rewritten, bodies piped both ways), with no CORS and no logging.
// Usage: node bare-proxy.mjs <listen-port> <upstream-port>
import { Agent, createServer, request } from 'node:http';

const [port, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000, scheduling: 'lifo' });
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

const server = createServer((req, res) => {
  const headers = ['Host', `127.0.0.1:${upstreamPort}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (!HOP.has(req.rawHeaders[i].toLowerCase())) headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const up = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent }, (r) => {
    const out = [];
    for (let i = 0; i < r.rawHeaders.length; i += 2) if (!HOP.has(r.rawHeaders[i].toLowerCase())) out.push(r.rawHeaders[i], r.rawHeaders[i + 1]);
    res.writeHead(r.statusCode, r.statusMessage, out);
    r.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => console.log(`bare proxy listening on http://127.0.0.1:${port}/`));
process.on('SIGTERM', () => server.close(() => (agent.destroy(), process.exit(0))));
