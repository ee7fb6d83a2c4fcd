// The certificates an https upstream is verified against (docs/contract.md §6): the policy's `ca` (or
// --ca), else the system trust store. Node's own default is the Mozilla bundle compiled into it, not
// the system's, so the distribution's bundle file is read when there is one (the same file the
// nginx and Apache targets use on Debian and Ubuntu); Node's bundle is the fallback.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Parsed } from './upstream-url.js';

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** A CA file larger than this is refused (the Debian bundle is about 220 KiB). */
const MAX_CA_BYTES = 16 * 1024 * 1024;

export function readCaFile(path: string): Parsed<string[]> {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_CA_BYTES) return { kind: 'error', message: `the CA file ${JSON.stringify(path)} is larger than 16 MiB` };
    text = buf.toString('latin1');
  } catch (e) {
    return { kind: 'error', message: `the CA file ${JSON.stringify(path)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  try {
    for (const b of blocks) new X509Certificate(b);
  } catch {
    return { kind: 'error', message: `the CA file ${JSON.stringify(path)} holds a certificate that does not parse` };
  }
  if (blocks.length === 0) return { kind: 'error', message: `the CA file ${JSON.stringify(path)} holds no PEM certificate` };
  return { kind: 'ok', value: blocks };
}

export function systemTrustStore(): string[] {
  for (const file of SYSTEM_BUNDLES) {
    const r = readCaFile(file);
    if (r.kind === 'ok') return r.value;
  }
  return [...rootCertificates];
}
