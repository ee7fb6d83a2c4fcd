// The servers' own access logs, to count the requests (preflights above all) that reach the server
// under test. The drivers in test/servers write the configuration without an access log; these
// functions add one to what a driver wrote (failing loudly if the driver's text changed shape), and
// read it back as { port, method, path, status } lines.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import type { TargetName } from '../../src/targets/types.js';
import type { Site } from '../harness/suite.js';

export interface LogLine {
  port: number;
  method: string;
  path: string;
  status: number;
}

export interface AccessLog {
  read(): LogLine[];
}

function replaceOnce(text: string, anchor: string, replacement: string, what: string): string {
  const at = text.indexOf(anchor);
  if (at < 0 || text.indexOf(anchor, at + 1) >= 0) throw new Error(`cannot add an access log to the ${what}: ${JSON.stringify(anchor)} is not there exactly once`);
  return text.slice(0, at) + replacement + text.slice(at + anchor.length);
}

const pathOf = (uri: string) => uri.split('?')[0]!;

/** Adds an access log to the configuration a driver wrote at `configPath` (before handOver). */
export function addAccessLog(target: TargetName, o: { dir: string; configPath: string; sites: Site[] }): AccessLog {
  let text = readFileSync(o.configPath, 'utf8');
  let read: () => LogLine[];
  const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '') : []);
  const spaced = (path: string) => () =>
    lines(path).map((l) => {
      const [port, method, uri, status] = l.split(' ');
      return { port: Number(port), method: method!, path: pathOf(uri!), status: Number(status) };
    });
  switch (target) {
    case 'nginx': {
      const log = join(o.dir, 'browser-access.log');
      text = replaceOnce(
        text,
        '    access_log off;\n',
        `    log_format cors_gen_browser '$server_port $request_method $request_uri $status';\n    access_log ${log} cors_gen_browser;\n`,
        'nginx configuration',
      );
      read = spaced(log);
      break;
    }
    case 'apache': {
      const log = join(o.dir, 'browser-access.log');
      // mod_log_config is compiled into Debian's apache2; unbuffered, one line per request. "%<m":
      // the method the client sent, also when an ErrorDocument redirected the request internally
      // (plain %m then says GET for a refused preflight).
      text += `LogFormat "%{local}p %<m %<U%<q %>s" cors_gen_browser\nCustomLog "${log}" cors_gen_browser\n`;
      read = spaced(log);
      break;
    }
    case 'caddy': {
      const logOf = (port: number) => join(o.dir, `browser-access-${port}.log`);
      for (const s of o.sites) {
        // After the import, which docs/contract.md §4 puts first in the site block.
        const head = `http://127.0.0.1:${s.port} {\n\timport cors-${s.policy}\n`;
        text = replaceOnce(text, head, `${head}\tlog {\n\t\toutput file ${logOf(s.port)}\n\t\tformat json\n\t}\n`, 'Caddyfile');
      }
      read = () =>
        o.sites.flatMap((s) =>
          lines(logOf(s.port)).map((l) => {
            const j = JSON.parse(l) as { request: { method: string; uri: string }; status: number };
            return { port: s.port, method: j.request.method, path: pathOf(j.request.uri), status: j.status };
          }),
        );
      break;
    }
    default:
      throw new Error(`no access log for ${target as string}`);
  }
  writeFileSync(o.configPath, text);
  return { read: () => read() };
}

let sentinels = 0;

/**
 * The log lines of `port` once every request answered so far is in the log: sends a request of its
 * own (not from the browser) and waits until the log has it.
 */
export async function settledLog(log: AccessLog, port: number): Promise<LogLine[]> {
  const path = `/status/200/log-sentinel-${++sentinels}`;
  await new Promise<void>((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
  const deadline = Date.now() + 5_000;
  for (;;) {
    const all = log.read();
    if (all.some((l) => l.port === port && l.path === path)) {
      await new Promise((r) => setTimeout(r, 100));
      return log.read().filter((l) => l.port === port);
    }
    if (Date.now() > deadline) throw new Error(`the access log never showed ${path} on port ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Preflights (OPTIONS) to `path` in the settled log of `port`. */
export async function preflightsAt(log: AccessLog, port: number, path: string): Promise<number> {
  return (await settledLog(log, port)).filter((l) => l.method === 'OPTIONS' && l.path === path).length;
}
