// Policies are written as YAML text and checked end to end (load → schema → rules), so every
// assertion covers the position a user sees as well as the rule.
import { checkPolicyText } from '../../../src/compile.js';
import { formatDiagnostic, type Diagnostic } from '../../../src/diagnostics.js';

export const FILE = 'p.yaml';

export function diagnostics(text: string, strict = false): Diagnostic[] {
  return checkPolicyText(text, FILE, { strict }).diagnostics;
}

/** Every diagnostic, formatted as the CLI prints it. */
export function lines(text: string, strict = false): string[] {
  return diagnostics(text, strict).map(formatDiagnostic);
}

/** Every diagnostic as "line:column severity [rule]", for assertions on the where and the what. */
export function codes(text: string, strict = false): string[] {
  return diagnostics(text, strict).map((d) => `${d.line}:${d.column} ${d.severity} [${d.rule}]`);
}

/** The messages of the diagnostics of one rule. */
export function messages(text: string, rule: string): string[] {
  return diagnostics(text).filter((d) => d.rule === rule).map((d) => d.message);
}

/**
 * A file with one policy "api" whose body is the given lines (indented by four spaces, so that the
 * body's first line is line 4 and a key on it starts at column 5).
 */
export function policy(...body: string[]): string {
  return ['version: 1', 'policies:', '  api:', ...body.map((l) => `    ${l}`), ''].join('\n');
}

/** Whether the text compiles (no error). */
export function accepted(text: string, strict = false): boolean {
  return checkPolicyText(text, FILE, { strict }).set !== undefined;
}
