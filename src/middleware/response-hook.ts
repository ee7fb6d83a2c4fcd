// Contract §2 on responses the application writes: whatever it sets, when the headers go out they
// carry exactly the policy's Access-Control-* headers and a Vary that lists Origin. Node writes
// headers through writeHead() (res.write()/res.end() without it call writeHead() themselves), so
// hooking it sees every response; setHeader()/appendHeader() drop Access-Control-* at once, so the
// application never reads back a CORS header it set.
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isCorsHeader, mergeVary } from '../serve/cors-headers.js';

type HeaderArg = OutgoingHttpHeaders | OutgoingHttpHeader[] | readonly [string, string | string[]][] | undefined;

function varyValues(v: ReturnType<ServerResponse['getHeader']>): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

export function hookResponse(res: ServerResponse, cors: readonly [string, string][]): void {
  const setHeader = res.setHeader;
  const appendHeader = res.appendHeader;
  const writeHead = res.writeHead;
  res.setHeader = function (name, value) {
    return isCorsHeader(name) ? this : setHeader.call(this, name, value);
  };
  res.appendHeader = function (name, value) {
    return isCorsHeader(name) ? this : appendHeader.call(this, name, value);
  };
  res.writeHead = function (this: ServerResponse, status: number, reason?: string | HeaderArg, headers?: HeaderArg) {
    const inline = typeof reason === 'string' ? headers : reason;
    // Headers given to writeHead() join those already set, as Node itself merges them.
    if (Array.isArray(inline)) {
      if (inline.length > 0 && Array.isArray(inline[0])) for (const [k, v] of inline as [string, string | string[]][]) this.appendHeader(k, v);
      else for (let i = 0; i + 1 < inline.length; i += 2) this.appendHeader(String(inline[i]), inline[i + 1] as string);
    } else if (inline) {
      for (const [k, v] of Object.entries(inline)) if (v !== undefined) this.setHeader(k, v);
    }
    for (const name of this.getHeaderNames()) if (isCorsHeader(name)) this.removeHeader(name);
    for (const [k, v] of cors) setHeader.call(this, k, v);
    setHeader.call(this, 'Vary', mergeVary(varyValues(this.getHeader('vary'))));
    return (writeHead as (this: ServerResponse, s: number, r?: string) => ServerResponse).call(this, status, typeof reason === 'string' ? reason : undefined);
  } as ServerResponse['writeHead'];
}
