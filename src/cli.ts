// The command line (docs/contract.md §3). Exit codes: 0 success, 1 drift found by --check, 2 invalid policy,
// bad usage or an error of the environment (src/env/). Never a stack trace; on exit 2 nothing is
// written and stdout stays empty (except for --format json or sarif, which ask for the diagnostics
// there).
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { checkPolicyText, generate } from './compile.js';
import { explain, explainUngoverned, governedLine, policyForPath } from './explain.js';
import { writeStarterPolicy } from './init.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from './diagnostics.js';
import { sarifLog } from './format/sarif.js';
import { drift, RefusedNames, writeOutput } from './output/files.js';
import { readPolicyFile } from './load/read-policy.js';
import { EnvironmentError } from './env/errors.js';
import { guardStreams, isStreamError, streamFailed } from './env/streams.js';
import { dashValueProblem } from './cli-argv.js';
import { escapeControls } from './text/escape.js';
import { normalizeFetchMethod } from './model/fetch.js';
import { TARGET_NAMES, type TargetName } from './targets/types.js';
import { VERSION } from './version.js';
import { DEFAULT_TIMEOUT_SECONDS } from './verify/defaults.js';
import type { VerifyCliOptions } from './verify/command.js';
import type { PolicySet } from './model/types.js';
import type { ServeOptions } from './serve/index.js';
import { serveCommand, verifyCommand } from './lazy.js';

export const EXIT = { ok: 0, drift: 1, invalid: 2 } as const;

class UsageError extends Error {}

interface CommonOptions {
  format: 'text' | 'json' | 'sarif';
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
  if (options.format === 'sarif' && jsonOnStdout) {
    out(`${JSON.stringify(sarifLog(diagnostics), null, 2)}\n`);
    return;
  }
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
  path: string;
}

function runExplain(file: string, options: ExplainOptions): number {
  const r = load(file, { format: 'text' }, false);
  if ('exit' in r) return r.exit;
  const names = r.set.policies.map((p) => p.name);
  const headers = options.header.map((h) => {
    const colon = h.indexOf(':');
    return colon < 0 ? { name: h.trim() } : { name: h.slice(0, colon).trim(), value: h.slice(colon + 1).trim() };
  });
  const req = { origin: options.origin, method: normalizeFetchMethod(options.method), writtenMethod: options.method, headers, credentials: !!options.credentials };
  if (options.policy) {
    const policy = r.set.policies.find((p) => p.name === options.policy);
    if (!policy) throw new UsageError(`no policy ${JSON.stringify(escapeControls(options.policy))} in ${escapeControls(file)} (it has ${names.join(', ')})`);
    out(explain(policy, req).text);
    return EXIT.ok;
  }
  // Without --policy, the path decides (docs/contract.md §2a): the policy with the longest matching prefix.
  if (!options.path.startsWith('/')) throw new UsageError(`--path must start with /: ${JSON.stringify(escapeControls(options.path))}`);
  const choice = policyForPath(r.set.policies, options.path);
  switch (choice.kind) {
    case 'none':
      out(explainUngoverned(options.path, req).text);
      return EXIT.ok;
    case 'governed':
      out(`${governedLine(options.path, choice.policy, choice.prefix)}${explain(choice.policy, req).text}`);
      return EXIT.ok;
    case 'ambiguous':
      throw new UsageError(`${escapeControls(file)} has several policies for ${escapeControls(options.path)} (${choice.names.join(', ')}); choose one with --policy <${names.join('|')}>`);
    case 'servers-differ':
      throw new UsageError(`the servers read the path ${JSON.stringify(escapeControls(options.path))} differently (${choice.readings}); give it as the server routes it, or choose --policy`);
  }
}

function runInit(file: string): number {
  writeStarterPolicy(file);
  err(`wrote ${escapeControls(file)}; generate with: cors-gen ${escapeControls(file)} --target nginx\n`);
  return EXIT.ok;
}

function runServe(file: string, options: ServeOptions): number {
  const r = load(file, { format: 'text' }, false);
  if ('exit' in r) return r.exit;
  const { prepareServe, runServer } = serveCommand();
  const config = prepareServe(r.set, file, options);
  if (config.kind === 'error') throw new UsageError(config.message);
  void runServer(config.value, { out: (l) => out(`${l}\n`), err: (l) => err(`${l}\n`) }).then((code) => (process.exitCode = code));
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

/** `cors-gen verify`: bad usage throws before anything is sent; the run itself ends asynchronously. */
function runVerify(file: string, options: VerifyCliOptions): void {
  const r = load(file, { format: options.format }, false);
  if ('exit' in r) {
    process.exitCode = r.exit;
    return;
  }
  const { planVerify, runVerifyPlan } = verifyCommand();
  const plan = planVerify(r.set, file, options);
  if (typeof plan === 'string') throw new UsageError(plan);
  runVerifyPlan(plan, { out, err }).then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      err(`cors-gen: internal error: ${e.message}\nPlease report this with the policy file that caused it.\n`);
      process.exitCode = 70;
    },
  );
}

export function buildProgram(): Command {
  const program = new Command('cors-gen')
    .description('Compile a YAML CORS policy into nginx, Apache httpd and Caddy configuration.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .showHelpAfterError('(run cors-gen --help for usage)')
    .usage(`<policy.yaml> --target <${TARGET_NAMES.join('|')}> [--out <dir>] [--check]\n       cors-gen <command> [options]`)
    .addHelpText(
      'after',
      `
Examples:
  cors-gen policy.yaml --target nginx                      print the nginx files
  cors-gen policy.yaml --target caddy --out caddy/cors     write them (atomically)
  cors-gen policy.yaml --target caddy --out caddy/cors --check   exit 1 with a diff on drift
  cors-gen validate policy.yaml --format json              diagnostics as JSON
  cors-gen validate policy.yaml --format sarif > cors.sarif   for code scanning (SARIF 2.1.0)
  cors-gen explain policy.yaml --origin https://app.example.com --method PUT --header Content-Type:application/json
  cors-gen verify policy.yaml --policy api --url https://staging.example.com   check a deployed server
  cors-gen serve policy.yaml --upstream https://api.example.net/   try the policy as a proxy on 127.0.0.1:8080

Exit codes: 0 success, 1 drift found by --check, 2 invalid policy, bad usage, or a file,
directory or output stream that cannot be read or written.
verify: 0 every answer conforms, 1 a deviation, 2 invalid policy or bad usage, 3 server not reached.`,
    );
  const format = () => new Option('--format <format>', 'diagnostics as text on stderr, or on stdout as a JSON array or a SARIF 2.1.0 log').choices(['text', 'json', 'sarif']).default('text');

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
    .option('--policy <name>', 'the policy to use (default: the one that governs --path)')
    .option('--path <path>', "the request's path: picks the policy whose paths prefix is the longest that matches", '/')
    .action((policy: string, options: ExplainOptions) => {
      process.exitCode = runExplain(policy, options);
    });

  program
    .command('verify <policy>')
    .description('send a running server a bounded set of CORS requests (OPTIONS, GET, HEAD only) and compare every answer with the policy')
    .requiredOption('--url <url>', 'the server: http(s)://host[:port]')
    .option('--policy <name>', 'the policy to verify when the file has several')
    .option('--path <path>', "a path to probe (repeatable; default: the policy's paths)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addOption(new Option('--format <format>', 'FAIL lines and a count as text, or the results as JSON on stdout').choices(['text', 'json']).default('text'))
    .option('--timeout <seconds>', 'time-out per request', String(DEFAULT_TIMEOUT_SECONDS))
    .option('--ca <file>', 'PEM file of the CA to trust for an https:// --url (default: the system store)')
    .action((policy: string, options: VerifyCliOptions) => runVerify(policy, options));

  program
    .command('serve <policy>')
    .description('run one policy as a local CORS proxy in front of its upstream (try it in a browser, nothing else to install)')
    .option('--policy <name>', 'the policy to run when the file has several')
    .option('--listen <host:port>', 'the address to listen on', '127.0.0.1:8080')
    .option('--upstream <URL>', "the one URL to forward to, in place of the policy's upstream.url")
    .option('--ca <file>', "a CA file to verify an https upstream with, in place of the policy's upstream.ca")
    .action((policy: string, options: ServeOptions) => {
      process.exitCode = runServe(policy, options);
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
