// Stage 2: schema + semantic rules → diagnostics, all of them at once.
import { byPosition, type Diagnostic } from '../diagnostics.js';
import type { LoadedFile } from '../load/document.js';
import { DANGER_NAMES, type DangerName, type Finding, type PolicyInput } from './rule.js';
import { RULES } from './rules/index.js';
import { schemaFindings } from './schema.js';

export interface CheckOptions {
  /** Warnings become errors. */
  strict?: boolean;
}

function policyInputs(value: unknown): PolicyInput[] {
  const policies = (value as { policies?: unknown } | null)?.policies;
  if (!policies || typeof policies !== 'object' || Array.isArray(policies)) return [];
  return Object.entries(policies as Record<string, unknown>).flatMap(([name, raw]) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
    const r = raw as Record<string, unknown>;
    const allow = Array.isArray(r.dangerouslyAllow) ? r.dangerouslyAllow : [];
    const dangerouslyAllow = new Set(allow.filter((a): a is DangerName => (DANGER_NAMES as readonly unknown[]).includes(a)));
    return [{ name, raw: r, path: ['policies', name], dangerouslyAllow }];
  });
}

export function check(loaded: LoadedFile, options: CheckOptions = {}): Diagnostic[] {
  const findings: Finding[] = [...schemaFindings(loaded.value)];
  for (const policy of policyInputs(loaded.value)) {
    for (const rule of RULES) {
      if (rule.optOut && policy.dangerouslyAllow.has(rule.optOut)) continue;
      for (const f of rule.check(policy)) findings.push({ severity: rule.severity, ...f, rule: rule.id });
    }
  }
  return findings
    .map((f): Diagnostic => {
      const { line, column } = loaded.locate(f.path, f.part);
      const severity = f.severity === 'warning' && options.strict ? 'error' : (f.severity ?? 'error');
      return { file: loaded.file, line, column, severity, rule: f.rule, message: f.message };
    })
    .sort(byPosition);
}
