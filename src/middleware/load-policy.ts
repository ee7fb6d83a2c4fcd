// The middleware's policy: read and checked once, when the middleware is made. An invalid file
// throws one Error listing every diagnostic, one per line (as the CLI prints them).
import { readFileSync, statSync } from 'node:fs';
import { checkPolicyText } from '../compile.js';
import { formatDiagnostic } from '../diagnostics.js';
import type { Policy } from '../model/types.js';
import { choosePolicy } from '../serve/config.js';

const MAX_POLICY_BYTES = 16 * 1024 * 1024;

export function loadMiddlewarePolicy(file: string, name: string | undefined): Policy {
  let text: string;
  try {
    // Like the CLI: a regular file of bounded size (docs/contract.md §1; at least 16 MiB is accepted).
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error(`cors-gen: the policy file ${JSON.stringify(file)} is not a regular file`);
    if (stat.size > MAX_POLICY_BYTES) throw new Error(`cors-gen: the policy file ${JSON.stringify(file)} is larger than 16 MiB`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (!('code' in (e as object))) throw e;
    throw new Error(`cors-gen: the policy file ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { set, diagnostics } = checkPolicyText(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!set || errors.length > 0) {
    throw new Error(`cors-gen: ${file} is not a valid policy:\n${errors.map(formatDiagnostic).join('\n')}`);
  }
  const chosen = choosePolicy(set, file, name);
  if (chosen.kind === 'error') throw new Error(`cors-gen: ${chosen.message}`);
  if (chosen.value.upstream !== null) {
    throw new Error(
      `cors-gen: policy ${JSON.stringify(chosen.value.name)} has an upstream: the middleware serves your application's own responses; run it as a proxy with cors-gen serve or the generated configs`,
    );
  }
  return chosen.value;
}
