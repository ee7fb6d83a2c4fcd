// Errors as data: every problem with a policy file is a Diagnostic pointing at a YAML node.
import { escapeControls } from './text/escape.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: Severity;
  rule: string;
  /** Which of the rule's messages (its `meta.messages` key); the rule id where a rule has one message. */
  messageId?: string;
  message: string;
}

/**
 * The one place where a diagnostic's text is made safe to print (docs/contract.md §3): the message (its
 * user data, quoted where the rule renders it) and the file path, escaped so that neither can end
 * the line, forge another, or send escape sequences to a terminal. Idempotent.
 */
export function safeDiagnostic(d: Diagnostic): Diagnostic {
  return { ...d, file: escapeControls(d.file), message: escapeControls(d.message) };
}

export function formatDiagnostic(d: Diagnostic): string {
  const s = safeDiagnostic(d);
  return `${s.file}:${s.line}:${s.column}: ${s.severity}: ${s.message} [${s.rule}]`;
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
