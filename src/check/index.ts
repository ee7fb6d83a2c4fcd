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
      // An opt-out silences exactly the rule that names it, in the policy that lists it.
      if (rule.optOut && policy.dangerouslyAllow.has(rule.optOut)) continue;
      let found;
      try {
        found = rule.check(policy);
      } catch (e) {
        // A rule is pure and should never throw; if one does, say so at the policy, not as a crash.
        found = [{ path: policy.path, part: 'key' as const, message: `internal error in rule ${rule.id}: ${(e as Error).message}` }];
      }
      for (const f of found) findings.push({ severity: rule.severity, ...f, rule: rule.id });
    }
  }
  const strict = (d: Diagnostic): Diagnostic => (d.severity === 'warning' && options.strict ? { ...d, severity: 'error' } : d);
  return [
    ...(loaded.problems ?? []).map(strict),
    ...findings.map((f): Diagnostic => {
      const { line, column } = loaded.locate(f.path, f.part);
      return strict({ file: loaded.file, line, column, severity: f.severity ?? 'error', rule: f.rule, message: f.message });
    }),
  ].sort(byPosition);
}
