// GitHub Actions problem matchers as the runner applies them (actions/runner,
// src/Runner.Worker/IssueMatcher.cs and Handlers/OutputManager.cs), for single-pattern matchers:
// - the config is checked: an owner, a default severity of "", error, warning or notice, group
//   numbers below the pattern's group count, a message group;
// - a line that starts (after leading blanks) with "::" is a workflow command, not matched;
// - colour codes (ESC [ … m) are removed first; the regex is searched, not anchored, with
//   RegexOptions.ECMAScript (JavaScript's semantics: \d is [0-9]) and case-sensitively;
// - an empty or whitespace message drops the match; severity "" or error (any case) is an error,
//   warning a warning, anything else drops the match; line and column are plain digits; the code
//   is trimmed;
// - a relative file is taken against the workspace and kept (as a path relative to the
//   repository, with /) only when it exists under the workflow's repository: a directory whose
//   .git/config holds the repository's URL.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface MatcherFile {
  problemMatcher: { owner: string; severity?: string; pattern: { regexp: string; file?: number; line?: number; column?: number; severity?: number; code?: number; message?: number; fromPath?: number; loop?: boolean }[] }[];
}

export interface Annotation {
  type: 'error' | 'warning';
  message: string;
  file?: string;
  line?: number;
  col?: number;
  code?: string;
}

const GROUPS = ['file', 'line', 'column', 'severity', 'code', 'message', 'fromPath'] as const;

/** Throws what the runner's Validate() would; returns the compiled matchers. */
export function loadMatchers(config: MatcherFile) {
  const owners = new Set<string>();
  return config.problemMatcher.map((m) => {
    if (!m.owner) throw new Error('Owner must not be empty');
    if (owners.has(m.owner.toLowerCase())) throw new Error(`Duplicate owner name '${m.owner}'`);
    owners.add(m.owner.toLowerCase());
    if (!['', 'ERROR', 'WARNING', 'NOTICE'].includes((m.severity ?? '').toUpperCase())) throw new Error(`unexpected default severity '${m.severity}'`);
    if (m.pattern.length !== 1) throw new Error('this emulation covers single-pattern matchers only');
    const p = m.pattern[0]!;
    const regex = new RegExp(p.regexp); // no flags: ECMAScript semantics, case-sensitive
    const groupCount = new RegExp(`${p.regexp}|`).exec('')!.length; // groups + the whole match
    for (const g of GROUPS) {
      const n = p[g];
      if (n !== undefined && (n < 0 || n >= groupCount)) throw new Error(`The property '${g}' is set outside the range of groups`);
    }
    if (p.message === undefined) throw new Error("At least one pattern must set 'message'");
    return { owner: m.owner, defaultSeverity: m.severity ?? '', pattern: p, regex };
  });
}

function repositoryRoot(file: string, repositoryUrl: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const config = join(dir, '.git', 'config');
    if (existsSync(config)) {
      const lines = readFileSync(config, 'utf8').split('\n').map((l) => l.trim().toLowerCase());
      return lines.includes(`url = ${repositoryUrl}`.toLowerCase()) ? dir : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The annotations the runner makes from a step's output lines (stdout and stderr alike). */
export function annotate(config: MatcherFile, output: string, workspace: string, repositoryUrl: string): Annotation[] {
  const matchers = loadMatchers(config);
  const annotations: Annotation[] = [];
  for (const raw of output.split(/\r?\n/)) {
    if (raw.trimStart().startsWith('::')) continue;
    const line = raw.replace(/\x1b\[[0-9;]*m?/g, '');
    for (const m of matchers) {
      const match = m.regex.exec(line);
      if (!match) continue;
      const group = (n: number | undefined) => (n === undefined ? undefined : match[n]);
      const message = group(m.pattern.message);
      const severity = group(m.pattern.severity) || m.defaultSeverity;
      if (!message || message.trim() === '') continue;
      const type = severity === '' || severity.toLowerCase() === 'error' ? 'error' : severity.toLowerCase() === 'warning' ? 'warning' : undefined;
      if (!type) continue;
      const a: Annotation = { type, message };
      const lineText = group(m.pattern.line);
      if (lineText && /^[0-9]+$/.test(lineText)) a.line = Number(lineText);
      const colText = group(m.pattern.column);
      if (colText && /^[0-9]+$/.test(colText)) a.col = Number(colText);
      const code = group(m.pattern.code);
      if (code && code.trim() !== '') a.code = code.trim();
      const file = group(m.pattern.file);
      if (file && file.trim() !== '') {
        const full = resolve(isAbsolute(file) ? file : join(workspace, file));
        const root = existsSync(full) ? repositoryRoot(full, repositoryUrl) : undefined;
        if (root) a.file = relative(root, full).split(sep).join('/');
      }
      annotations.push(a);
      break; // the first matcher that makes an issue takes the line
    }
  }
  return annotations;
}
