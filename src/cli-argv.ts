// Contract §3: an option value that begins with `-` is a value only in the `--opt=value` form, so
// `--out --check` is bad usage rather than a directory named "--check". Commander itself takes any
// next argument as the value of an option that requires one; this check runs before it.
import type { Command } from 'commander';

/** The flags (long and short) of every option that takes a value, in the program and its commands. */
function valueFlags(program: Command): Set<string> {
  const flags = new Set<string>();
  for (const cmd of [program, ...program.commands]) {
    for (const o of cmd.options) {
      if (!o.required && !o.optional) continue;
      if (o.long) flags.add(o.long);
      if (o.short) flags.add(o.short);
    }
  }
  return flags;
}

/** A usage problem with the arguments (after the node binary and script), or null. */
export function dashValueProblem(program: Command, args: readonly string[]): string | null {
  const flags = valueFlags(program);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (!flags.has(a)) continue;
    const next = args[i + 1];
    if (next === undefined) return null; // commander says the value is missing
    if (next.startsWith('-') && next !== '-') {
      return `option ${a} needs a value, and ${JSON.stringify(next)} is read as an option; to give a value that begins with "-", write ${a.startsWith('--') ? `${a}=${next}` : `${a}${next}`}`;
    }
    i++;
  }
  return null;
}
