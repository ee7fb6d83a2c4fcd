// The command line (contract §3). Exit codes: 0 success, 1 drift found by --check, 2 invalid policy,
// bad usage or an error of the environment (src/env/). Never a stack trace; on exit 2 nothing is
// written and stdout stays empty (except for --format json, which asks for the diagnostics there).
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { checkPolicyText, generate } from './compile.js';
import { explain } from './explain.js';
import { writeStarterPolicy } from './init.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from './diagnostics.js';
import { drift, RefusedNames, writeOutput } from './output/files.js';
import { readPolicyFile } from './load/read-policy.js';
import { EnvironmentError } from './env/errors.js';
import { guardStreams, isStreamError, streamFailed } from './env/streams.js';
import { dashValueProblem } from './cli-argv.js';
import { escapeControls } from './text/escape.js';
import { normalizeFetchMethod } from './model/fetch.js';
import { TARGET_NAMES, type TargetName } from './targets/types.js';
import { VERSION } from './version.js';
import type { PolicySet } from './model/types.js';

export const EXIT = { ok: 0, drift: 1, invalid: 2 } as const;

class UsageError extends Error {}

interface CommonOptions {
  format: 'text' | 'json';
  strict?: boolean;
}

interface GenerateOptions extends CommonOptions {
  target?: TargetName;
  out?: string;
  check?: boolean;
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

function readPolicy(file: string): { text?: string; diagnostics: Diagnostic[] } {
  const read = readPolicyFile(file);
  if (read.ok) return { text: read.text, diagnostics: [] };
  return { diagnostics: [{ file, line: 1, column: 1, severity: 'error', rule: 'read-file', messageId: 'read-file', message: `the policy file ${read.problem}` }] };
}

function report(diagnostics: Diagnostic[], options: CommonOptions, jsonOnStdout: boolean): void {
  if (options.format === 'json' && jsonOnStdout) {
    out(`${JSON.stringify(diagnostics.map(({ file, line, column, severity, rule, messageId, message }) => ({ file, line, column, severity, rule, messageId: messageId ?? rule, message })), null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) err(`${formatDiagnostic(d)}\n`);
}

/** Loads and checks the policy; returns the model, or the exit code after reporting. */
function load(file: string, options: CommonOptions, jsonOnSuccess: boolean): { exit: number } | { set: PolicySet } {
  const read = readPolicy(file);
  const checked = read.text === undefined ? { diagnostics: read.diagnostics } : checkPolicyText(read.text, file, { strict: options.strict });
  const failed = hasErrors(checked.diagnostics) || !('set' in checked) || !checked.set;
  report(checked.diagnostics, options, failed || jsonOnSuccess);
  return failed ? { exit: EXIT.invalid } : { set: checked.set! };
}

function runValidate(file: string, options: CommonOptions): number {
  const r = load(file, options, true);
  return 'exit' in r ? r.exit : EXIT.ok;
}

interface ExplainOptions {
  origin: string;
  method: string;
  header: string[];
  credentials?: boolean;
  policy?: string;
}

function runExplain(file: string, options: ExplainOptions): number {
  const r = load(file, { format: 'text' }, false);
  if ('exit' in r) return r.exit;
  const names = r.set.policies.map((p) => p.name);
  const policy = options.policy ? r.set.policies.find((p) => p.name === options.policy) : r.set.policies.length === 1 ? r.set.policies[0] : undefined;
  if (!policy) {
    throw new UsageError(options.policy ? `no policy "${options.policy}" in ${file} (it has ${names.join(', ')})` : `${file} has several policies; choose one with --policy <${names.join('|')}>`);
  }
  const headers = options.header.map((h) => {
    const colon = h.indexOf(':');
    return colon < 0 ? { name: h.trim() } : { name: h.slice(0, colon).trim(), value: h.slice(colon + 1).trim() };
  });
  out(explain(policy, { origin: options.origin, method: normalizeFetchMethod(options.method), writtenMethod: options.method, headers, credentials: !!options.credentials }).text);
  return EXIT.ok;
}

function runInit(file: string): number {
  writeStarterPolicy(file);
  err(`wrote ${escapeControls(file)}; generate with: cors-gen ${escapeControls(file)} --target nginx\n`);
  return EXIT.ok;
}

function runGenerate(file: string, options: GenerateOptions): number {
  if (!options.target) throw new UsageError(`missing required option --target <${TARGET_NAMES.join('|')}>`);
  if (options.check && !options.out) throw new UsageError('--check needs --out <dir>: it compares that directory with what the policy generates');
  const r = load(file, options, false);
  if ('exit' in r) return r.exit;
  const files = generate(r.set, options.target);

  if (!options.out) {
    for (const f of files) out(`# ==> ${f.path}: ${f.includeHint}\n${f.contents}\n`);
    return EXIT.ok;
  }
  const dir = resolve(options.out);
  const shown = escapeControls(options.out);
  if (options.check) {
    const found = drift(dir, files, options.out);
    if (!found.differs) return EXIT.ok;
    out(found.diff);
    for (const note of found.notes) err(`cors-gen: ${escapeControls(note)}\n`);
    err(`cors-gen: ${shown} differs from what ${escapeControls(file)} generates; run cors-gen ${escapeControls(file)} --target ${options.target} --out ${shown}\n`);
    return EXIT.drift;
  }
  const result = writeOutput(dir, files, options.out);
  for (const name of result.written) err(`wrote ${shown.replace(/\/+$/, '')}/${name}\n`);
  for (const name of result.removed) err(`removed stale ${shown.replace(/\/+$/, '')}/${escapeControls(name)}\n`);
  return EXIT.ok;
}

export function buildProgram(): Command {
  const program = new Command('cors-gen')
    .description('Compile a YAML CORS policy into nginx, Apache httpd and Caddy configuration.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .showHelpAfterError('(run cors-gen --help for usage)')
    .usage('<policy.yaml> --target <nginx|apache|caddy> [--out <dir>] [--check]\n       cors-gen <command> [options]')
    .addHelpText(
      'after',
      `
Examples:
  cors-gen policy.yaml --target nginx                      print the nginx files
  cors-gen policy.yaml --target caddy --out caddy/cors     write them (atomically)
  cors-gen policy.yaml --target caddy --out caddy/cors --check   exit 1 with a diff on drift
  cors-gen validate policy.yaml --format json              diagnostics as JSON
  cors-gen explain policy.yaml --origin https://app.example.com --method PUT --header Content-Type:application/json

Exit codes: 0 success, 1 drift found by --check, 2 invalid policy, bad usage, or a file,
directory or output stream that cannot be read or written.`,
    );
  const format = () => new Option('--format <format>', 'diagnostics as text on stderr, or a JSON array on stdout').choices(['text', 'json']).default('text');

  program
    .command('generate <policy>', { isDefault: true })
    .description('generate the configuration of one target (the default command: cors-gen <policy> --target <t>)')
    .addOption(new Option('-t, --target <target>', 'the server to generate for').choices([...TARGET_NAMES]))
    .option('-o, --out <dir>', 'write the files below <dir> (atomically; removes stale cors-gen files) instead of printing them')
    .option('--check', 'with --out: write nothing; exit 1 and print a unified diff when <dir> differs from what the policy generates')
    .option('--strict', 'treat warnings as errors')
    .addOption(format())
    .action((policy: string, options: GenerateOptions) => {
      process.exitCode = runGenerate(policy, options);
    });

  program
    .command('validate <policy>')
    .description('check the policy only; print every problem')
    .option('--strict', 'treat warnings as errors')
    .addOption(format())
    .action((policy: string, options: CommonOptions) => {
      process.exitCode = runValidate(policy, options);
    });

  program
    .command('explain <policy>')
    .description('show what the generated config answers to a browser request, and whether the browser accepts it')
    .requiredOption('--origin <origin>', "the page's origin, e.g. https://app.example.com")
    .option('--method <method>', 'the request method', 'GET')
    .option('--header <header>', 'a request header the script sets, "Name" or "Name: value" (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--credentials', "the request is made with credentials (credentials: 'include')")
    .option('--policy <name>', 'the policy to use when the file has several')
    .action((policy: string, options: ExplainOptions) => {
      process.exitCode = runExplain(policy, options);
    });

  program
    .command('init [file]')
    .description('write a commented starter policy (default: cors-policy.yaml)')
    .action((file: string | undefined) => {
      process.exitCode = runInit(file ?? 'cors-policy.yaml');
    });

  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run cors-gen --help for usage)');
  return program;
}

export function main(argv: string[]): void {
  // A failing stdout ends with one line and exit 2; `cors-gen … | head` keeps the run's exit code.
  guardStreams();
  try {
    const program = buildProgram();
    const dashValue = dashValueProblem(program, argv.slice(2));
    if (dashValue) throw new UsageError(dashValue);
    program.parse(argv);
  } catch (e) {
    if (e instanceof EnvironmentError) {
      err(`${e.line()}\n`);
      process.exitCode = EXIT.invalid;
    } else if (e instanceof RefusedNames) {
      for (const one of e.errors) err(`${one.line()}\n`);
      process.exitCode = EXIT.invalid;
    } else if (isStreamError(e)) {
      streamFailed(e);
    } else if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are already printed.
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    } else if (e instanceof UsageError) {
      err(`cors-gen: ${escapeControls(e.message)}\n`);
      process.exitCode = EXIT.invalid;
    } else {
      err(`cors-gen: internal error: ${(e as Error).message}\nPlease report this with the policy file that caused it.\n`);
      process.exitCode = 70;
    }
  }
}

main(process.argv);
