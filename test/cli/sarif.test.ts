// --format sarif (docs/contract.md §3): the CLI's real output is a SARIF 2.1.0 log that the OASIS JSON
// schema accepts (the schema file ships in the npm package @microsoft/jest-sarif; validated with
// ajv's draft-04 class and its format checks), with every diagnostic as a located result and
// every rule described with help text and a help URI into the README.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../src/check/rules/index.js';
import { STRUCTURAL_RULES } from '../../src/check/structural-rules.js';

const root = join(__dirname, '..', '..');
const BIN = join(root, 'bin', 'cors-gen.js');
const work = mkdtempSync(join(tmpdir(), 'cors-gen-sarif-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const require = createRequire(import.meta.url);
// CommonJS packages whose default export TypeScript's NodeNext typing sees as a namespace.
const Ajv04 = (require('ajv-draft-04') as typeof import('ajv-draft-04')).default;
const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
// The schema's language pattern (^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$) is not valid with the
// u flag, so patterns compile as draft-04 validators always compiled them, without it.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: { id: string; helpUri: string; help: { text: string }; shortDescription: { text: string }; defaultConfiguration: { level: string } }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number } } }[];
    }[];
  }[];
}

function parseValid(stdout: string): SarifLog {
  const log = JSON.parse(stdout) as SarifLog;
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? [], 'SARIF 2.1.0 schema errors').toEqual([]);
  expect(valid).toBe(true);
  return log;
}

// Errors and warnings, in a folder and a file whose names hold spaces.
const BAD = `version: 1
policies:
  api:
    origins: [https://App.example.com, "null", https://app.example.com, https://app.example.com]
    methods: [GET, OPTIONS]
    maxAge: 9000
    allowedHeaders: [X-Token]
`;

describe('--format sarif', () => {
  const dir = join(work, 'cors policies');
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'my policy.yaml'), BAD);
  const file = 'cors policies/my policy.yaml';

  it('an invalid policy: exit 2, stdout holds only a schema-valid SARIF log, one located result per diagnostic', () => {
    const r = run('validate', file, '--format', 'sarif');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const log = parseValid(r.stdout);
    const json = JSON.parse(run('validate', file, '--format', 'json').stdout) as { line: number; column: number; severity: string; rule: string; message: string }[];
    expect(json.some((d) => d.severity === 'error') && json.some((d) => d.severity === 'warning')).toBe(true);

    expect(log.version).toBe('2.1.0');
    const [sarifRun] = log.runs;
    expect(sarifRun!.tool.driver.name).toBe('cors-gen');
    expect(sarifRun!.tool.driver.version).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    expect(sarifRun!.originalUriBaseIds['%SRCROOT%']!.uri).toBe(`${pathToFileURL(work).href}/`);
    expect(sarifRun!.results.map((x) => ({
      line: x.locations[0]!.physicalLocation.region.startLine,
      column: x.locations[0]!.physicalLocation.region.startColumn,
      severity: x.level,
      rule: x.ruleId,
      message: x.message.text,
    }))).toEqual(json.map(({ line, column, severity, rule, message }) => ({ line, column, severity, rule, message })));
    for (const x of sarifRun!.results) {
      expect(x.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'cors%20policies/my%20policy.yaml', uriBaseId: '%SRCROOT%' });
      expect(sarifRun!.tool.driver.rules[x.ruleIndex]!.id).toBe(x.ruleId);
    }
  });

  it('every rule is described: id, default level, help text and a help URI into the README rules section', () => {
    const log = parseValid(run('validate', file, '--format', 'sarif').stdout);
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id).sort()).toEqual([...STRUCTURAL_RULES.map((r) => r.id), ...RULES.map((r) => r.id)].sort());
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/^## Safety rules$/m);
    for (const rule of rules) {
      expect(rule.helpUri).toMatch(/^https:\/\/[^#]+#safety-rules$/);
      expect(rule.help.text).toContain(rule.shortDescription.text);
      expect(['error', 'warning']).toContain(rule.defaultConfiguration.level);
      // The README documents the id where the help URI points.
      expect(readme, rule.id).toContain(`\`${rule.id}\``);
    }
  });

  it('a clean policy: exit 0 and a valid log with no results (code scanning then closes old alerts)', () => {
    writeFileSync(join(work, 'good.yaml'), 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n');
    const r = run('validate', 'good.yaml', '--format', 'sarif');
    expect(r.code).toBe(0);
    expect(parseValid(r.stdout).runs[0]!.results).toEqual([]);
  });

  it('a failing generate run prints the log on stdout instead of any configuration; an absolute path becomes a file: URI', () => {
    const r = run(join(dir, 'my policy.yaml'), '--target', 'nginx', '--format', 'sarif');
    expect(r.code).toBe(2);
    const log = parseValid(r.stdout);
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    for (const x of log.runs[0]!.results) expect(x.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: pathToFileURL(join(dir, 'my policy.yaml')).href });
  });

  it('a file that cannot be read is a result too', () => {
    const r = run('validate', 'missing.yaml', '--format', 'sarif');
    expect(r.code).toBe(2);
    expect(parseValid(r.stdout).runs[0]!.results.map((x) => x.ruleId)).toEqual(['read-file']);
  });
});

describe('rule ids', () => {
  // A check that reports a new id without describing it would leave SARIF results without a rule.
  it('every rule id the source reports is a policy rule or a described structural rule', () => {
    const known = new Set([...STRUCTURAL_RULES.map((r) => r.id), ...RULES.map((r) => r.id)]);
    const reported = new Set<string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'generated') walk(p);
        } else if (p.endsWith('.ts')) {
          const text = readFileSync(p, 'utf8');
          for (const m of text.matchAll(/\brule: '([a-z0-9-]+)'|\bat\([^,()]+(?:\([^)]*\))?[^,()]*, '([a-z0-9-]+)'/g)) reported.add((m[1] ?? m[2])!);
        }
      }
    };
    walk(join(root, 'src'));
    expect(reported.size).toBeGreaterThan(5);
    expect([...reported].filter((id) => !known.has(id))).toEqual([]);
  });
});
