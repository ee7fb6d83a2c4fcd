// The rule ids of problems found outside the policy rules: reading the file (src/cli.ts), YAML
// (src/load/document.ts), the schema (src/check/schema.ts) and the file-level bound on regexes
// (src/check/index.ts). They have no Rule object, but
// machine-readable output (--format sarif) describes every rule a diagnostic can name.
import type { Severity } from '../diagnostics.js';

export interface RuleDescription {
  id: string;
  severity: Severity;
  /** One line: what the rule refuses and why. */
  docs: string;
}

export const STRUCTURAL_RULES: readonly RuleDescription[] = [
  { id: 'read-file', severity: 'error', docs: 'The policy file cannot be read (missing, a directory, no permission).' },
  { id: 'yaml-syntax', severity: 'error', docs: 'The file is not valid YAML.' },
  { id: 'duplicate-key', severity: 'error', docs: 'A key is given twice: most YAML readers would silently keep one of them.' },
  { id: 'unknown-key', severity: 'error', docs: 'A key the format does not have: a misspelt key would otherwise be ignored and its default used.' },
  { id: 'type', severity: 'error', docs: 'A value of the wrong type.' },
  { id: 'required', severity: 'error', docs: 'A required key (version, policies, origins, regex) is missing.' },
  { id: 'empty-origins', severity: 'error', docs: 'origins is empty: list at least one origin, or write origins: "*".' },
  { id: 'unsupported-version', severity: 'error', docs: 'A format version other than 1.' },
  { id: 'policy-name', severity: 'error', docs: 'An invalid or reserved policy name (names become config identifiers; "http" and "*-upstream" are taken).' },
  { id: 'max-age', severity: 'error', docs: 'maxAge is not a whole number of seconds from 0 to 86400.' },
  { id: 'too-many-regexes', severity: 'error', docs: 'More than 1,000 regex entries in one file: every server tries regexes one after another on each request; list exact origins and *. wildcards, which are looked up by hash.' },
];
