// --format sarif: the diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange
// Format), the file GitHub code scanning and other tools ingest. Built from the Diagnostic objects
// and the rule registry only, so it follows whatever the checks report.
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, Severity } from '../diagnostics.js';
import { RULES } from '../check/rules/index.js';
import { STRUCTURAL_RULES, type RuleDescription } from '../check/structural-rules.js';
import { HOMEPAGE, VERSION } from '../version.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The README section that documents every rule id (README.md "Safety rules"). */
export const RULES_HELP_URI = `${HOMEPAGE.replace(/#.*$/, '')}#safety-rules`;
const SOURCE_ROOT = '%SRCROOT%';

/** Every rule a diagnostic can name, structural problems first, then the policy rules. */
export function ruleDescriptions(): RuleDescription[] {
  return [...STRUCTURAL_RULES, ...RULES.map(({ id, severity, docs }) => ({ id, severity, docs }))];
}

const level = (s: Severity): 'error' | 'warning' => (s === 'error' ? 'error' : 'warning');

/** A diagnostic's file as a SARIF artifact location: relative paths against the working directory. */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(/[\\/]/).map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT };
}

export function sarifLog(diagnostics: readonly Diagnostic[], cwd: string = process.cwd()): object {
  const rules = ruleDescriptions();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cors-gen',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: HOMEPAGE,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.docs },
              help: { text: `${r.docs} See ${RULES_HELP_URI} (rule ${r.id}).`, markdown: `${r.docs} See [Safety rules](${RULES_HELP_URI}) (rule \`${r.id}\`).` },
              helpUri: RULES_HELP_URI,
              defaultConfiguration: { level: level(r.severity) },
            })),
          },
        },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(cwd.endsWith(sep) ? cwd : cwd + sep).href } },
        columnKind: 'utf16CodeUnits',
        results: diagnostics.map((d) => ({
          ruleId: d.rule,
          // A rule id this table does not know (a newer check) still makes a valid result.
          ...(index.has(d.rule) ? { ruleIndex: index.get(d.rule) } : {}),
          level: level(d.severity),
          message: { text: d.message },
          locations: [{ physicalLocation: { artifactLocation: artifactLocation(d.file), region: { startLine: d.line, startColumn: d.column } } }],
        })),
      },
    ],
  };
}
