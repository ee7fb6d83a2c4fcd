// Stage 2: schema + semantic rules → diagnostics, all of them at once.
import { byPosition, type Diagnostic } from '../diagnostics.js';
import type { LoadedFile } from '../load/document.js';
import { messageOf } from './messages.js';
import { DANGER_NAMES, regexEntries, type DangerName, type Finding, type PolicyInput, type Rule, type RuleFinding } from './rule.js';
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

/**
 * Most regex entries in one file. Each is analyzed with a few hundred matches (regex-samples.ts),
 * and nginx, Apache and Caddy try them one after another on every request: a file with more is
 * refused rather than checked for minutes (docs/contract.md §1: bounded time whatever the file holds).
 */
export const MAX_REGEXES = 1000;

/** A rule's findings with their messages rendered; a rule that throws is reported, not a crash. */
function run(rule: Rule, at: Finding['path'], findings: () => RuleFinding[]): Finding[] {
  try {
    return findings().map((f) => ({ severity: rule.severity, path: f.path, ...(f.part ? { part: f.part } : {}), ...(f.severity ? { severity: f.severity } : {}), ...messageOf(rule, f), rule: rule.id }));
  } catch (e) {
    // A rule is pure and should never throw; if one does, say so where it looked, not as a crash.
    return [{ severity: 'error', path: at, part: 'key', rule: rule.id, message: `internal error in rule ${rule.id}: ${(e as Error).message}` }];
  }
}

export function check(loaded: LoadedFile, options: CheckOptions = {}): Diagnostic[] {
  const findings: Finding[] = [...schemaFindings(loaded.value)];
  let regexBudget = MAX_REGEXES;
  let tooMany = false;
  const inputs: PolicyInput[] = [];
  for (const input of policyInputs(loaded.value)) {
    const regexes = regexEntries(input);
    const policy = { ...input, regexBudget };
    if (regexes.length > regexBudget && !tooMany) {
      tooMany = true;
      findings.push({
        rule: 'too-many-regexes',
        path: [...input.path, 'origins', regexes[regexBudget]!.index],
        message: `more than ${MAX_REGEXES} regex entries in the file; every server tries them one after another on each request: list exact origins or use *. wildcards, which are looked up by hash`,
      });
    }
    regexBudget = Math.max(0, regexBudget - regexes.length);
    for (const rule of RULES) {
      // An opt-out silences exactly the rule that names it, in the policy that lists it.
      if (rule.optOut && policy.dangerouslyAllow.has(rule.optOut)) continue;
      findings.push(...run(rule, policy.path, () => rule.check(policy)));
    }
    inputs.push(policy);
  }
  for (const rule of RULES) if (rule.checkFile) findings.push(...run(rule, ['policies'], () => rule.checkFile!(inputs)));
  const strict = (d: Diagnostic): Diagnostic => (d.severity === 'warning' && options.strict ? { ...d, severity: 'error' } : d);
  return [
    ...(loaded.problems ?? []).map(strict),
    ...findings.map((f): Diagnostic => {
      const { line, column } = loaded.locate(f.path, f.part);
      return strict({ file: loaded.file, line, column, severity: f.severity ?? 'error', rule: f.rule, messageId: f.messageId ?? f.rule, message: f.message });
    }),
  ].sort(byPosition);
}
