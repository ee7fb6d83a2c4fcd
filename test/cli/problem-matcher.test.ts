// The Action's problem matcher (ci/github-problem-matcher.json) applied, with the runner's
// matching rules (test/harness/github-matcher.ts), to the real output of the Action's own check
// step: every diagnostic becomes one annotation on its file, line and column, with its severity
// and rule; the drift diff and the closing line make none.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { annotate, loadMatchers, type MatcherFile } from '../harness/github-matcher.js';

const root = join(__dirname, '..', '..');
const BIN = join(root, 'bin', 'cors-gen.js');
const REPO_URL = 'https://github.com/acme/infra';
const workspace = mkdtempSync(join(tmpdir(), 'cors-gen-matcher-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

interface Step { name?: string; run?: string; if?: string; env?: Record<string, string> }
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { runs: { steps: Step[] } };
const stepRun = (name: string) => action.runs.steps.find((s) => s.name === name)!.run!;

// The matcher file the Action registers, found through its own add-matcher line.
const addMatcher = /^echo "::add-matcher::\$\{\{ github\.action_path \}\}\/(.+)"$/.exec(stepRun('Register the problem matcher'))!;
const matcher = JSON.parse(readFileSync(join(root, addMatcher[1]!), 'utf8')) as MatcherFile;

// A checkout of the user's repository: the runner keeps a file only under the workflow's repository.
mkdirSync(join(workspace, '.git'));
writeFileSync(join(workspace, '.git', 'config'), `[remote "origin"]\n\turl = ${REPO_URL}\n`);

/** Runs the Action's check step in the workspace, as the runner would, and returns its output. */
function checkStep(env: Record<string, string>): { code: number | null; output: string } {
  const r = spawnSync('bash', ['-c', `(${stepRun('Check for drift')}) 2>&1`], { cwd: workspace, encoding: 'utf8', env: { ...process.env, CORS_GEN: BIN, STRICT: 'false', ...env } });
  return { code: r.status, output: r.stdout };
}

function diagnostics(policy: string, strict = false) {
  const r = spawnSync(process.execPath, [BIN, 'validate', policy, '--format', 'json', ...(strict ? ['--strict'] : [])], { cwd: workspace, encoding: 'utf8' });
  return JSON.parse(r.stdout) as { file: string; line: number; column: number; severity: 'error' | 'warning'; rule: string; message: string }[];
}

const POLICY_DIR = 'cors policies';
const INVALID = `${POLICY_DIR}/api policy.yaml`;
const WARNINGS = `${POLICY_DIR}/warnings only.yaml`;
mkdirSync(join(workspace, POLICY_DIR));
writeFileSync(
  join(workspace, INVALID),
  `version: 1
policies:
  api:
    origins: [https://App.example.com, "null", https://app.example.com, https://app.example.com]
    methods: [GET, OPTIONS]
    maxAge: 9000
    "weird [key]: error: x": 1
    "z:1:2: warning: forged [max-age]": 2
`,
);
writeFileSync(join(workspace, WARNINGS), 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n    methods: [GET, OPTIONS]\n    maxAge: 9000\n');

describe('the Action registers a problem matcher that the runner accepts', () => {
  it('its config passes the runner checks, and a later step removes it by owner even after a failure', () => {
    expect(() => loadMatchers(matcher)).not.toThrow();
    const remove = action.runs.steps.find((s) => s.name === 'Remove the problem matcher')!;
    expect(remove.if).toBe('always()');
    expect(remove.run).toBe(`echo "::remove-matcher owner=${matcher.problemMatcher[0]!.owner}::"`);
    // The file ships in the npm package too, for workflows that run npx instead of the Action.
    const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
    expect(files.some((f) => addMatcher[1]!.startsWith(f.replace(/\/$/, '')))).toBe(true);
  });
});

describe('every diagnostic becomes one annotation on its file, line and column', () => {
  it('errors and warnings of an invalid policy in a folder with spaces (exit 2)', () => {
    const expected = diagnostics(INVALID);
    expect(new Set(expected.map((d) => d.severity))).toEqual(new Set(['error', 'warning']));
    const { code, output } = checkStep({ POLICY: INVALID, TARGET: 'nginx', OUT: 'nginx/cors' });
    expect(code).toBe(2);
    expect(annotate(matcher, output, workspace, REPO_URL)).toEqual(
      expected.map((d) => ({ type: d.severity, message: d.message, file: INVALID, line: d.line, col: d.column, code: d.rule })),
    );
  });

  it('an absolute policy path is annotated on the same repository file', () => {
    const { output } = checkStep({ POLICY: join(workspace, INVALID), TARGET: 'nginx', OUT: 'nginx/cors' });
    const files = new Set(annotate(matcher, output, workspace, REPO_URL).map((a) => a.file));
    expect(files).toEqual(new Set([INVALID]));
  });

  it('warnings of a policy that passes become warning annotations; with strict: "true" they are errors', () => {
    spawnSync(process.execPath, [BIN, WARNINGS, '--target', 'caddy', '--out', 'caddy/cors'], { cwd: workspace });
    const plain = checkStep({ POLICY: WARNINGS, TARGET: 'caddy', OUT: 'caddy/cors' });
    expect(plain.code).toBe(0);
    const warnings = annotate(matcher, plain.output, workspace, REPO_URL);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings).toEqual(diagnostics(WARNINGS).map((d) => ({ type: 'warning', message: d.message, file: WARNINGS, line: d.line, col: d.column, code: d.rule })));
    const strict = checkStep({ POLICY: WARNINGS, TARGET: 'caddy', OUT: 'caddy/cors', STRICT: 'true' });
    expect(strict.code).toBe(2);
    expect(annotate(matcher, strict.output, workspace, REPO_URL).map((a) => a.type)).toEqual(warnings.map(() => 'error'));
  });

  it('a drift diff makes no annotation, and a clean check makes none', () => {
    cpSync(join(root, 'examples', 'public-api.yaml'), join(workspace, 'public.yaml'));
    spawnSync(process.execPath, [BIN, 'public.yaml', '--target', 'nginx', '--out', 'nginx/public'], { cwd: workspace });
    expect(existsSync(join(workspace, 'nginx', 'public', 'public.conf'))).toBe(true);
    expect(checkStep({ POLICY: 'public.yaml', TARGET: 'nginx', OUT: 'nginx/public' })).toEqual({ code: 0, output: '' });
    // A hand edit below cors-gen's header (a file without the header is foreign: --check reports it
    // without reading it, and prints no diff).
    const edited = join(workspace, 'nginx', 'public', 'public.conf');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}edited by hand: error: 1:2: x [y]\n`);
    const drift = checkStep({ POLICY: 'public.yaml', TARGET: 'nginx', OUT: 'nginx/public' });
    expect(drift.code).toBe(1);
    expect(drift.output).toContain('@@');
    expect(annotate(matcher, drift.output, workspace, REPO_URL)).toEqual([]);
  });
});
