/**
 * The odeforge command line. Its flags and the JSON printed by `solve --json` are a contract other tools
 * rely on: extend them compatibly, never change them.
 *
 *   odeforge generate MODEL.json --method RK45CK --sens y0,params --out generated/NAME.ts
 *   odeforge solve MODEL.json --y0 1,1 --t0 0 --t1 6.28 --rtol 1e-12 --atol 1e-12 [--dt 0.1]
 *                  [--method RK45CK] [--param k=20 ...] [--sens y0|params|y0,params] [--json]
 *
 *   odeforge --version
 *
 * Exit codes: 0 success; 2 bad input (model, flag, file, command), one line on stderr; 1 a failed integration,
 * one line saying where and why (with --json, also the result up to there and a `failure` object on stdout).
 * No stack trace for any of these. A value the user typed is quoted in a message as an excerpt (quoted).
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { compile, generate, type Target } from '../compile.ts';
import { IntegrationError, OdeforgeError, OptionError } from '../errors.ts';
import type { SolveResult } from '../runtime/types.ts';
import type { Sensitivity } from '../variational/system.ts';
import { EXCERPT_CHARACTERS, fileKind, quoted, readModelFile, systemErrorText, visible } from './model-file.ts';
import { formatTable } from './table.ts';

/** The commands; `help` is commander's own. */
const COMMANDS = ['generate', 'solve'] as const;

/** A flag value that must be a finite number: the whole text, nothing silently dropped. */
function finiteNumber(flag: string) {
  return (text: string): number => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v)) throw new OptionError(flag, `expected a finite number, got ${quoted(text)}`);
    return v;
  };
}

/** --dt: a step size. The solver takes |dt| (the direction comes from t0 and t1), so -0.1 passed silently. */
function positiveNumber(flag: string) {
  return (text: string): number => {
    const v = finiteNumber(flag)(text);
    if (!(v > 0)) throw new OptionError(flag, `must be positive, got ${quoted(text)}`);
    return v;
  };
}

/** --rtol, --atol: zero is allowed (not both; the solver says so). */
function nonNegativeNumber(flag: string) {
  return (text: string): number => {
    const v = finiteNumber(flag)(text);
    if (v < 0) throw new OptionError(flag, `must be non-negative, got ${quoted(text)}`);
    return v;
  };
}

/** --max-steps: a count. Hardening: 0.5 was taken as a limit, so one step was made before giving up. */
function positiveInteger(flag: string) {
  return (text: string): number => {
    const v = finiteNumber(flag)(text);
    if (!Number.isInteger(v) || v < 1) throw new OptionError(flag, `must be a positive integer, got ${quoted(text)}`);
    return v;
  };
}

function numberList(flag: string) {
  return (text: string): number[] => text.split(',').map((part) => finiteNumber(flag)(part));
}

function sensitivities(text: string): Sensitivity[] {
  const parts = text.split(',').map((s) => s.trim());
  for (const s of parts) {
    if (s !== 'y0' && s !== 'params')
      throw new OptionError('--sens', `expected y0, params or y0,params, got ${quoted(text)}`);
  }
  return parts as Sensitivity[];
}

/** --param k=20 (repeatable; also k=20,c=1). */
function collectParams(text: string, previous: Record<string, number> = {}): Record<string, number> {
  // Without a prototype: on a plain object, `out['__proto__'] = 5` sets the prototype instead of a key, so
  // `--param __proto__=5` was silently ignored instead of being an unknown parameter (hardening).
  const out: Record<string, number> = Object.assign(Object.create(null), previous);
  for (const pair of text.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(pair);
    if (!m) throw new OptionError('--param', `expected NAME=VALUE, got ${quoted(pair)}`);
    out[m[1]!] = finiteNumber(`--param ${excerpt(m[1]!)}`)(m[2]!);
  }
  return out;
}

/** A name as part of a flag (`--param NAME`): its first EXCERPT_CHARACTERS characters, unquoted. */
function excerpt(name: string): string {
  const characters = Array.from(name);
  return characters.length <= EXCERPT_CHARACTERS ? name : `${characters.slice(0, EXCERPT_CHARACTERS).join('')}…`;
}

/** A file given with --out that cannot be written: bad input like a missing model file (exit 2). */
class OutputFileError extends OdeforgeError {
  override name = 'OutputFileError';
}

/**
 * Writes the generated module, creating missing directories one at a time. Hardening: an --out that is a
 * directory, or under a file or a read-only place, was an internal error (exit 70, the Node error's text); and
 * Node 20's mkdirSync(…, { recursive: true }) never returns for a path under /proc (it retries ENOENT
 * forever), so `--out /proc/x/y.ts` hung.
 */
function writeOutput(path: string, text: string): void {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why: Record<string, string> = {
      EISDIR: 'it is a directory',
      ENOENT: 'a part of the path does not exist and cannot be created',
      // O_NONBLOCK on a FIFO that no one reads (or a device without its hardware).
      ENXIO: 'it is not a regular file (a FIFO or device with no reader)',
    };
    throw new OutputFileError(`cannot write --out ${quoted(path)}: ${why[code] ?? systemErrorText(e)}`);
  };
  refuseNonRegular(path);
  const missing: string[] = [];
  for (let dir = dirname(path); !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail(e);
    }
  }
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
    refuseNonRegular(path, fstatSync(fd));
    ftruncateSync(fd, 0);
    writeFileSync(fd, text);
  } catch (e) {
    if (e instanceof OutputFileError) throw e;
    fail(e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * An --out that exists and is not a regular file (a FIFO, a device, a socket) is refused: writing to a FIFO
 * without a reader blocked forever, and a device is no place for a module. Checked on the path before it is
 * opened, and on the opened descriptor (`stats`) against a file swapped in between; it is not truncated
 * before that. A directory is left to open(), which says EISDIR.
 */
function refuseNonRegular(path: string, stats?: Stats): void {
  let s = stats;
  if (s === undefined) {
    try {
      s = statSync(path);
    } catch {
      return; // absent (to be created) or unreachable: open() says which
    }
  }
  if (!s.isFile() && !s.isDirectory()) {
    throw new OutputFileError(`cannot write --out ${quoted(path)}: it is not a regular file (it is ${fileKind(s)})`);
  }
}

/** Row-major n×m as nested rows. */
function nested(flat: Float64Array, rows: number): number[][] {
  const cols = rows === 0 ? 0 : flat.length / rows;
  return Array.from({ length: rows }, (_, i) => Array.from(flat.subarray(i * cols, (i + 1) * cols)));
}

export function resultToJson(r: SolveResult, n: number, method: string): Record<string, unknown> {
  const out: Record<string, unknown> = { t: r.t, y: Array.from(r.y) };
  if (r.jacobian) out.jacobian = nested(r.jacobian, n);
  if (r.paramJacobian) out.paramJacobian = nested(r.paramJacobian, n);
  out.stats = r.stats;
  out.method = method;
  return out;
}

/**
 * The `solve --json` object of a failed integration: the result up to where it stopped, as far as the solver
 * computed it (IntegrationError.partial), and `failure` saying where and why.
 */
export function failureToJson(e: IntegrationError, n: number, method: string): Record<string, unknown> {
  const out = isSolveResult(e.partial) ? resultToJson(e.partial, n, method) : { t: e.t, method };
  out.failure = { reason: e.reason, t: e.t, message: e.message };
  return out;
}

/** IntegrationError.partial is `unknown` (generated modules are not typed against this one): check its shape. */
function isSolveResult(x: unknown): x is SolveResult {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.t === 'number' && r.y instanceof Float64Array && typeof r.stats === 'object' && r.stats !== null;
}

/** The version in package.json, two directories up from this file (src/cli/). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version);
}

function program(): Command {
  const cli = new Command('odeforge')
    .description('Generate ODE solvers that return the state and its exact Jacobians in one pass')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .showSuggestionAfterError(false)
    .allowExcessArguments(false)
    .version(packageVersion(), '-V, --version', 'print the version');

  cli
    .command('generate')
    .description('write a standalone TypeScript solver module for a model')
    .argument('<model>', 'model JSON file')
    .option('--method <name>', 'integration method', 'RK45CK')
    .option('--sens <list>', 'sensitivities: y0, params or y0,params', sensitivities, ['y0'] as Sensitivity[])
    .addOption(new Option('--target <target>', 'code target').choices(['ts', 'cuda', 'wgsl', 'wat']).default('ts'))
    .addOption(new Option('--precision <p>', 'arithmetic of the CUDA target (WGSL: f32 only)').choices(['f64', 'f32']))
    .addOption(
      new Option('--wasm <mode>', 'WebAssembly SIMD kernel in the TypeScript module (auto: large systems)')
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .requiredOption('--out <file>', 'output file')
    .action(
      (
        modelPath: string,
        o: {
          method: string;
          sens: Sensitivity[];
          out: string;
          target: Target;
          precision?: 'f64' | 'f32';
          wasm: 'auto' | 'on' | 'off';
        },
      ) => {
        const spec = readModelFile(modelPath);
        const precisionFlag = o.precision ? ` --precision ${o.precision}` : '';
        const source = generate(spec, {
          method: o.method,
          sensitivities: o.sens,
          target: o.target,
          precision: o.precision,
          wasm: o.wasm === 'auto' ? 'auto' : o.wasm === 'on',
          command: `odeforge generate ${modelPath} --method ${o.method} --sens ${o.sens.join(',')} --target ${o.target}${precisionFlag}${o.wasm === 'auto' ? '' : ` --wasm ${o.wasm}`} --out ${o.out}`,
        });
        writeOutput(o.out, source);
      },
    );

  cli
    .command('solve')
    .description('integrate a model and print the final state with its Jacobians')
    .argument('<model>', 'model JSON file')
    .requiredOption('--y0 <values>', 'initial state, comma-separated', numberList('--y0'))
    .option('--t0 <t>', 'initial time', finiteNumber('--t0'), 0)
    .requiredOption('--t1 <t>', 'final time (t1 < t0 integrates backward)', finiteNumber('--t1'))
    .option('--rtol <tol>', 'relative tolerance', nonNegativeNumber('--rtol'), 1e-6)
    .option('--atol <tol>', 'absolute tolerance', nonNegativeNumber('--atol'), 1e-9)
    .option('--dt <h>', 'first step (adaptive) or step (fixed-step methods), > 0', positiveNumber('--dt'))
    .option('--max-steps <n>', 'limit on attempted steps, a positive integer', positiveInteger('--max-steps'))
    .option('--method <name>', 'integration method', 'RK45CK')
    .option('--param <name=value>', 'parameter value (repeatable)', collectParams)
    .option('--sens <list>', 'sensitivities: y0, params or y0,params', sensitivities, ['y0'] as Sensitivity[])
    .option('--json', 'print one JSON object on stdout')
    .action(
      (
        modelPath: string,
        o: {
          y0: number[];
          t0: number;
          t1: number;
          rtol: number;
          atol: number;
          dt?: number;
          maxSteps?: number;
          method: string;
          param?: Record<string, number>;
          sens: Sensitivity[];
          json?: boolean;
        },
      ) => {
        const spec = readModelFile(modelPath);
        const solver = compile(spec, { method: o.method, sensitivities: o.sens });
        const n = solver.info.states.length;
        const started = performance.now();
        let r: SolveResult;
        try {
          r = solver.solve({
            t0: o.t0,
            t1: o.t1,
            y0: o.y0,
            params: o.param,
            rtol: o.rtol,
            atol: o.atol,
            dt: o.dt,
            maxSteps: o.maxSteps,
          });
        } catch (e) {
          // The result up to the failure on stdout; main() still prints the one line on stderr and exits 1.
          if (o.json && e instanceof IntegrationError)
            process.stdout.write(`${JSON.stringify(failureToJson(e, n, solver.info.method))}\n`);
          throw e;
        }
        const ms = performance.now() - started;
        if (o.json) process.stdout.write(`${JSON.stringify(resultToJson(r, n, solver.info.method))}\n`);
        else process.stdout.write(formatTable(solver.info, r, ms));
      },
    );
  return cli;
}

/**
 * The command word the user typed when it names no command, else undefined. The first argument that is not a
 * flag is the command (the program's own flags take no value); after `help`, the next one. Checked before
 * commander parses: it handles --help first, so `odeforge ensemble --help` printed the help and exited 0.
 */
function unknownCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const word = words[0] === 'help' ? words[1] : words[0];
  return word === undefined || word === 'help' || (COMMANDS as readonly string[]).includes(word) ? undefined : word;
}

/**
 * Commander's messages quote what the user typed whole ("unknown option '…'", "argument '…' is invalid"): the
 * value between the first and the last quote of its known forms becomes an excerpt (quoted), so a value with
 * quotes of its own is cut as one.
 */
function commanderMessage(e: CommanderError): string {
  const m = e.message.replace(/^error: /, '');
  const forms: Partial<Record<string, RegExp>> = {
    'commander.unknownOption': /^(unknown option )'(.*)'()$/s,
    'commander.unknownCommand': /^(unknown command )'(.*)'()$/s,
    'commander.invalidArgument': /^(.*? argument )'(.*)'( is invalid\..*)$/s,
  };
  const parts = forms[e.code]?.exec(m);
  return parts ? `${parts[1]}${quoted(parts[2]!)}${parts[3]}` : m;
}

/** Quoted runs longer than this are excerpted in any message, as a last guard (see shortenQuotedRuns). */
const LONG_QUOTED_RUN = 200;

/**
 * Every single-quoted run of more than LONG_QUOTED_RUN characters, as an excerpt. A guard for messages from
 * outside the CLI that quote a value whole (an unknown parameter named on the command line); values quoted by
 * the CLI itself are excerpts already, and much shorter.
 */
function shortenQuotedRuns(message: string): string {
  return message.replace(/'([^']*)'/g, (run, inner: string) => (inner.length > LONG_QUOTED_RUN ? quoted(inner) : run));
}

/**
 * Every argument the user typed (or its value after '='), where a message quotes it whole, as an excerpt. For
 * messages from outside the CLI (the method registry, the solver); exact, so a value with a quote in it is cut
 * as one.
 */
function shortenTypedValues(message: string, argv: readonly string[]): string {
  let out = message;
  for (const arg of argv) {
    for (const value of [arg, arg.slice(arg.indexOf('=') + 1)]) {
      if (value.length > EXCERPT_CHARACTERS) out = out.split(`'${value}'`).join(quoted(value));
    }
  }
  return out;
}

/** Writes the one line of an error on stderr, every value the user typed in it excerpted. */
function printError(message: string, argv: readonly string[] = []): void {
  process.stderr.write(`odeforge: ${oneLine(shortenQuotedRuns(shortenTypedValues(message, argv)))}\n`);
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export function main(argv: readonly string[]): number {
  try {
    const unknown = unknownCommand(argv);
    if (unknown !== undefined) {
      printError(`unknown command ${quoted(unknown)}: expected ${COMMANDS.map((c) => `'${c}'`).join(' or ')}`);
      return 2;
    }
    program().parse([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      // No command: commander shows the help on stderr (silenced here) and says only '(outputHelp)' (hardening).
      if (e.code === 'commander.help') {
        printError(`missing command: expected 'generate' or 'solve' (odeforge --help)`);
        return 2;
      }
      printError(commanderMessage(e).replace(/\s+/g, ' ').trim());
      return 2;
    }
    if (e instanceof IntegrationError) {
      printError(e.message, argv);
      return 1;
    }
    if (e instanceof OdeforgeError) {
      printError(e.message, argv);
      return 2;
    }
    printError(`internal error: ${String((e as Error)?.message ?? e)}`, argv);
    return 70;
  }
}

/**
 * A message as one line of plain text: line breaks (with the spaces around them) become one space, and other
 * characters that would break the line or change how a terminal shows it are escaped (see visible).
 * Hardening: a file name given on the command line or text from a model file could carry them into the line.
 */
function oneLine(s: string): string {
  return visible(s.replace(/\s*[\n\r\u2028\u2029]\s*/g, ' '));
}
