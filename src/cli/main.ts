/**
 * The odeforge command line. Its flags and the JSON printed by `solve --json` are a contract other tools
 * rely on: extend them compatibly, never change them.
 *
 *   odeforge generate MODEL.json --method RK45CK --sens y0,params --out generated/NAME.ts
 *   odeforge solve MODEL.json --y0 1,1 --t0 0 --t1 6.28 --rtol 1e-12 --atol 1e-12 [--dt 0.1]
 *                  [--method RK45CK] [--param k=20 ...] [--sens y0|params|y0,params|none] [--json]
 *                  [--t-eval 0,1,2 | linspace:0:2*pi:50] [--format table|json|csv] [--adaptive false]
 *                  [--error-control state|all] [--stiffness error|ignore] [--time-sens] [--batch FILE|-]
 *   (a model with events: --json gains "events", the table lists them; --time-sens: "dydt1", "dydt0")
 *   (times — --t0, --t1, --dt, --t-eval — may be arithmetic: 2*pi, 1/3)
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
  watch,
  writeFileSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { AssemblerNotLoadedError, loadAssembler } from '../codegen/wasm/assemble.ts';
import { COLUMNS_FROM_STATES, compile, generate, generateJavaScript, type Target } from '../compile.ts';
import { IntegrationError, OdeforgeError, OptionError } from '../errors.ts';
import type { ParamValue } from '../model/array-params.ts';
import { paramValues } from '../model/param-values.ts';
import type { SolveResult } from '../runtime/types.ts';
import type { Sensitivity } from '../variational/system.ts';
import { runBatch } from './batch.ts';
import { EXCERPT_CHARACTERS, fileKind, quoted, readModelFile, systemErrorText, visible } from './model-file.ts';
import { type PlotKind, plotSpec, renderPng, renderSvg } from './plot.ts';
import { type ProgressMode, progressBar } from './progress.ts';
import { failureToJson, resultToJson } from './result-json.ts';
import { formatTable } from './table.ts';
import { trajectoryToCsv } from './trajectory.ts';
import { paramValue, splitAssignments, timeList, timeValue } from './values.ts';

/** The commands; `help` is commander's own. */
const COMMANDS = ['generate', 'solve', 'plot'] as const;

/** A flag value that must be a finite number: the whole text, nothing silently dropped. */
function finiteNumber(flag: string) {
  return (text: string): number => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v)) throw new OptionError(flag, `expected a finite number, got ${quoted(text)}`);
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

/** --scale: a size factor, more than zero. */
function positiveNumber(flag: string) {
  return (text: string): number => {
    const v = finiteNumber(flag)(text);
    if (!(v > 0)) throw new OptionError(flag, `must be positive, got ${quoted(text)}`);
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

/** --sens: y0, params, y0,params, or none (the state alone). */
function sensitivities(text: string): Sensitivity[] {
  if (text.trim() === 'none') return [];
  const parts = text.split(',').map((s) => s.trim());
  for (const s of parts) {
    if (s !== 'y0' && s !== 'params')
      throw new OptionError('--sens', `expected y0, params, y0,params or none, got ${quoted(text)}`);
  }
  return parts as Sensitivity[];
}

/** --order: 1 (default) or 2 (second-order sensitivities); anything else is a usage error (exit 2). */
function sensitivityOrder(text: string): 1 | 2 {
  if (text.trim() === '1') return 1;
  if (text.trim() === '2') return 2;
  throw new OptionError('--order', `expected 1 or 2, got ${quoted(text)}`);
}

/** --adaptive true|false. */
function booleanFlag(flag: string) {
  return (text: string): boolean => {
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw new OptionError(flag, `expected true or false, got ${quoted(text)}`);
  };
}

/** A positive time (--dt), possibly written as arithmetic. */
function positiveTime(flag: string) {
  return (text: string): number => {
    const v = timeValue(flag)(text);
    if (!(v > 0)) throw new OptionError(flag, `must be positive, got ${quoted(text)}`);
    return v;
  };
}

/**
 * --param k=20 (repeatable; also k=20,c=1). An array parameter takes a whole array, M=[[0,1],[-20,0]], or an
 * entry, M[1][0]=-20 (or by its result name, M_1_0=-20); paramValues checks them against the model.
 */
function collectParams(text: string, previous: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  // Without a prototype: on a plain object, `out['__proto__'] = 5` sets the prototype instead of a key, so
  // `--param __proto__=5` was silently ignored instead of being an unknown parameter (hardening).
  const out: Record<string, ParamValue> = Object.assign(Object.create(null), previous);
  for (const pair of splitAssignments(text)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*\[\s*\d+\s*\])*)\s*=(.*)$/.exec(pair);
    if (!m) throw new OptionError('--param', `expected NAME=VALUE, got ${quoted(pair)}`);
    const name = m[1]!.replace(/\s+/g, '');
    out[name] = paramValue(`--param ${excerpt(name)}`)(m[2]!);
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
function writeOutput(path: string, text: string | Uint8Array): void {
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

/** The version in package.json, two directories up from this file (src/cli/). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version);
}

/**
 * The target of `generate`: --target when given, else by the --out file's extension (.js and .mjs: JavaScript).
 * A TypeScript target written to a .js file was a silent mistake (TypeScript in a .js file): refused.
 */
function outputTarget(flag: Target | undefined, out: string): Target {
  const javascript = /\.m?js$/i.test(out);
  if (flag === undefined) return javascript ? 'js' : 'ts';
  if (flag === 'ts' && javascript)
    throw new OptionError(
      '--target',
      `ts writes TypeScript, but --out ${quoted(out)} names a JavaScript file: use --target js`,
    );
  return flag;
}

/** solver.js → solver.d.ts, solver.mjs → solver.d.mts. */
function declarationsPath(out: string): string {
  return out.replace(/\.(m?)js$/i, (_, m: string) => `.d.${m}ts`);
}

function byteCount(text: string | Uint8Array): string {
  return `${(typeof text === 'string' ? Buffer.byteLength(text) : text.length).toLocaleString('en-US')} bytes`;
}

/** The flags of `generate`, as commander hands them over. */
interface GenerateFlags {
  method: string;
  sens: Sensitivity[];
  out: string;
  target?: Target;
  precision?: 'f64' | 'f32';
  wasm: 'auto' | 'on' | 'off';
  fma?: 'on' | 'off';
  watch?: boolean;
  order: 1 | 2;
}

/**
 * One generation from the model file to --out (and the .d.ts of a JavaScript target). With `onlyChanges`
 * (--watch) a file whose content would not change is left alone, so that a bundler or test watcher downstream
 * does not rebuild for nothing.
 */
function generateOnce(modelPath: string, o: GenerateFlags, onlyChanges: boolean): void {
  const spec = readModelFile(modelPath);
  const target = outputTarget(o.target, o.out);
  const precisionFlag = o.precision ? ` --precision ${o.precision}` : '';
  const sens = o.sens.length === 0 ? 'none' : o.sens.join(',');
  const options = {
    method: o.method,
    sensitivities: o.sens,
    target,
    precision: o.precision,
    wasm: o.wasm === 'auto' ? ('auto' as const) : o.wasm === 'on',
    fma: o.fma === undefined ? undefined : o.fma === 'on',
    order: o.order,
    command: `odeforge generate ${modelPath} --method ${o.method} --sens ${sens}${o.order === 2 ? ' --order 2' : ''} --target ${target}${precisionFlag}${o.wasm === 'auto' ? '' : ` --wasm ${o.wasm}`}${o.fma === undefined ? '' : ` --fma ${o.fma}`} --out ${o.out}`,
  };
  // JavaScript: the code and its declarations from one generation
  const js = target === 'js' ? generateJavaScript(spec, options) : undefined;
  const source = js?.code ?? generate(spec, options);
  if (o.out === '-') {
    process.stdout.write(source);
    return;
  }
  const outputs: [string, string][] = [[o.out, source]];
  if (js !== undefined) outputs.push([declarationsPath(o.out), js.declarations]);
  for (const [path, content] of outputs) {
    if (onlyChanges && sameContent(path, content)) {
      process.stderr.write(`unchanged ${path}\n`);
      continue;
    }
    writeOutput(path, content);
    process.stderr.write(`wrote ${path} (${byteCount(content)})\n`);
  }
}

/** Whether the file at `path` holds exactly `text` (false when it cannot be read). */
function sameContent(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}

/** How long --watch waits for a burst of file events (an editor's save) to settle. */
const WATCH_SETTLE_MS = 50;

/**
 * generate --watch: generates once, then again whenever the model file changes, until the process is stopped.
 * A bad model is reported (one line on stderr, as without --watch) and the watch goes on; the directory is
 * watched, not the file, so an editor that saves by replacing the file is followed too.
 */
function watchModel(modelPath: string, o: GenerateFlags): void {
  const run = (): void => {
    try {
      generateOnce(modelPath, o, true);
    } catch (e) {
      // the model grew to need a WebAssembly kernel: load the assembler and generate again
      if (e instanceof AssemblerNotLoadedError) return void loadAssembler().then(run);
      if (!(e instanceof OdeforgeError)) throw e;
      printError(e.message);
    }
  };
  // A watch generates many times, and most modules with sensitivities carry a kernel: the assembler is loaded
  // once, before the first.
  void loadAssembler().then(() => {
    run();
    let timer: NodeJS.Timeout | undefined;
    const name = basename(modelPath);
    watch(dirname(modelPath) || '.', (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(run, WATCH_SETTLE_MS);
    });
    process.stderr.write(`watching ${modelPath} (Ctrl-C to stop)\n`);
  });
}

/** The flags of `plot`, as commander hands them over. */
interface PlotFlags {
  y0: number[];
  t0: number;
  t1: number;
  rtol: number;
  atol: number;
  method: string;
  param?: Record<string, ParamValue>;
  sens?: Sensitivity[];
  samples: number;
  states?: string;
  kind: PlotKind;
  out: string;
  scale: number;
}

/**
 * The kernel for the solves of one CLI call: 'auto' from COLUMNS_FROM_STATES states on, none below — a small
 * model's kernel pays back its cost (loading the assembler, ~70 ms, and building it) only over many solves in
 * one process, not in a command that solves once.
 */
function cliKernel(spec: { readonly states?: unknown }): 'auto' | false {
  // (a malformed model is compile's to refuse, with its own message)
  return Array.isArray(spec.states) && spec.states.length < COLUMNS_FROM_STATES ? false : 'auto';
}

/** plot: solve with samples (and the sensitivities the kind needs), then render and write the SVG (or PNG). */
async function plotCommand(modelPath: string, o: PlotFlags): Promise<void> {
  const spec = readModelFile(modelPath);
  const sens = o.sens ?? (o.kind === 'jacobian' ? ['y0', 'params'] : []);
  const solver = compile(spec, { method: o.method, sensitivities: sens, wasm: cliKernel(spec) });
  const names = solver.info.states;
  const chosen = (o.states ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of chosen)
    if (!names.includes(name))
      throw new OptionError('--states', `unknown state ${quoted(name)}; the model has ${names.join(', ')}`);
  let states = chosen.map((name) => names.indexOf(name));
  if (o.kind === 'phase') {
    if (states.length === 0) states = [0, 1];
    if (states.length !== 2 || names.length < 2)
      throw new OptionError('--states', 'a phase portrait needs two states (--states x,v)');
  } else if (states.length === 0) states = names.map((_, i) => i);
  if (o.samples < 2) throw new OptionError('--samples', 'at least 2');
  const tEval = Array.from({ length: o.samples }, (_, i) =>
    i === o.samples - 1 ? o.t1 : o.t0 + ((o.t1 - o.t0) * i) / (o.samples - 1),
  );
  const params = o.param && paramValues(spec, o.param, '--param');
  const r = solver.solve({ t0: o.t0, t1: o.t1, y0: o.y0, params, rtol: o.rtol, atol: o.atol, tEval });
  if (o.kind === 'jacobian' && !r.jacobian && !r.paramJacobian)
    throw new OptionError('--sens', 'the jacobian plot needs sensitivities (y0, params)');
  const svg = await renderSvg(plotSpec(o.kind, solver.info, r, states));
  if (o.out === '-') {
    process.stdout.write(svg);
    return;
  }
  const picture = /\.png$/i.test(o.out) ? await renderPng(svg, o.scale) : svg;
  writeOutput(o.out, picture);
  process.stderr.write(`wrote ${o.out} (${byteCount(picture)})\n`);
}

/** The flags of `solve`, as commander hands them over. */
interface SolveFlags {
  y0?: number[];
  t0: number;
  t1?: number;
  rtol: number;
  atol: number;
  dt?: number;
  maxSteps?: number;
  method: string;
  param?: Record<string, ParamValue>;
  sens: Sensitivity[];
  order: 1 | 2;
  tEval?: number[];
  adaptive?: boolean;
  errorControl?: 'state' | 'all';
  stiffness?: 'error' | 'ignore';
  timeSens?: boolean;
  format?: 'table' | 'json' | 'csv';
  json?: boolean;
  batch?: string;
  progress: ProgressMode;
}

/** The solve options the flags set (a batch line may override each). */
function batchDefaults(o: SolveFlags): Record<string, unknown> {
  const options: Record<string, unknown> = { t0: o.t0, rtol: o.rtol, atol: o.atol, params: o.param };
  if (o.dt !== undefined) options.dt = o.dt;
  if (o.maxSteps !== undefined) options.maxSteps = o.maxSteps;
  if (o.adaptive !== undefined) options.adaptive = o.adaptive;
  if (o.errorControl !== undefined) options.errorControl = o.errorControl;
  if (o.stiffness !== undefined) options.stiffness = o.stiffness;
  if (o.timeSens) options.timeSensitivities = true;
  return options;
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
    .option('--sens <list>', 'sensitivities: y0, params, y0,params or none', sensitivities, ['y0'] as Sensitivity[])
    .option('--order <n>', 'order of the sensitivities: 1, or 2 for the Hessians too', sensitivityOrder, 1)
    .addOption(
      new Option('--target <target>', 'code target (default: js for an --out ending .js or .mjs, else ts)').choices([
        'ts',
        'js',
        'cuda',
        'wgsl',
        'wat',
      ]),
    )
    .addOption(new Option('--precision <p>', 'arithmetic of the CUDA target (WGSL: f32 only)').choices(['f64', 'f32']))
    .addOption(
      new Option('--wasm <mode>', 'WebAssembly SIMD kernel in the TypeScript module (auto: large systems)')
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .addOption(
      new Option(
        '--fma <mode>',
        "the kernel's relaxed-SIMD multiply-add variant, used where the runtime has relaxed SIMD (default on; off: the plain kernel only, the TypeScript step's bits; with --target wat, on prints that variant)",
      ).choices(['on', 'off']),
    )
    .requiredOption('--out <file>', 'output file (- for stdout); with --target js a .d.ts is written beside it')
    .option('--watch', 'stay running: regenerate when the model file changes (write only what changed)')
    .action((modelPath: string, o: GenerateFlags) => {
      if (o.watch) {
        if (o.out === '-') throw new OptionError('--watch', 'needs an --out file, not -');
        watchModel(modelPath, o);
        return;
      }
      generateOnce(modelPath, o, false);
    });

  cli
    .command('plot')
    .description('draw a solve as SVG: trajectories, a phase portrait, or the Jacobians at t1')
    .argument('<model>', 'model JSON file')
    .requiredOption('--y0 <values>', 'initial state, comma-separated', numberList('--y0'))
    .option('--t0 <t>', 'initial time', timeValue('--t0'), 0)
    .requiredOption('--t1 <t>', 'final time', timeValue('--t1'))
    .option('--rtol <tol>', 'relative tolerance', nonNegativeNumber('--rtol'), 1e-8)
    .option('--atol <tol>', 'absolute tolerance', nonNegativeNumber('--atol'), 1e-10)
    .option('--method <name>', 'integration method', 'RK45CK')
    .option('--param <name=value>', 'parameter value (repeatable)', collectParams)
    .option('--sens <list>', 'sensitivities (the jacobian plot): y0, params, y0,params', sensitivities)
    .option('--samples <n>', 'samples of the trajectory', positiveInteger('--samples'), 400)
    .option('--states <names>', 'the states to draw (trajectory), or the two axes (phase), comma-separated')
    .addOption(
      new Option('--kind <kind>', 'what to draw').choices(['trajectory', 'phase', 'jacobian']).default('trajectory'),
    )
    .requiredOption('--out <file>', 'the file to write: SVG, or PNG for a name ending in .png (- for SVG on stdout)')
    .option('--scale <k>', 'PNG pixels per SVG unit', positiveNumber('--scale'), 2)
    .action((modelPath: string, o: PlotFlags) => {
      pendingAction = plotCommand(modelPath, o);
    });

  cli
    .command('solve')
    .description('integrate a model and print the final state with its Jacobians')
    .argument('<model>', 'model JSON file')
    .option('--y0 <values>', 'initial state, comma-separated (required unless --batch)', numberList('--y0'))
    .option('--t0 <t>', 'initial time', timeValue('--t0'), 0)
    .option('--t1 <t>', 'final time (t1 < t0 integrates backward; required unless --batch)', timeValue('--t1'))
    .option('--rtol <tol>', 'relative tolerance', nonNegativeNumber('--rtol'), 1e-6)
    .option('--atol <tol>', 'absolute tolerance', nonNegativeNumber('--atol'), 1e-9)
    .option('--dt <h>', 'first step (adaptive) or step (fixed-step methods), > 0', positiveTime('--dt'))
    .option('--max-steps <n>', 'limit on attempted steps, a positive integer', positiveInteger('--max-steps'))
    .option('--method <name>', 'integration method', 'RK45CK')
    .option('--param <name=value>', 'parameter value (repeatable)', collectParams)
    .option('--sens <list>', 'sensitivities: y0, params, y0,params or none', sensitivities, ['y0'] as Sensitivity[])
    .option(
      '--order <n>',
      'order of the sensitivities: 1, or 2 (JSON: "hessian", "paramHessian", "mixedHessian")',
      sensitivityOrder,
      1,
    )
    .option('--t-eval <times>', 'sample times: t1,t2,… or linspace:START:STOP:COUNT', timeList('--t-eval'))
    .option('--adaptive <bool>', 'false: fixed steps of --dt with an adaptive method', booleanFlag('--adaptive'))
    .addOption(new Option('--error-control <what>', 'what the error norm covers').choices(['state', 'all']))
    .addOption(new Option('--stiffness <what>', 'when an explicit method turns out stiff').choices(['error', 'ignore']))
    .option('--time-sens', 'also ∂y(t1)/∂t1 and ∂y(t1)/∂t0 (JSON: "dydt1", "dydt0")')
    .addOption(
      new Option('--format <format>', 'output: a table, one JSON object, or CSV').choices(['table', 'json', 'csv']),
    )
    .option('--json', 'print one JSON object on stdout (as --format json)')
    .addOption(
      new Option('--progress <when>', 'a progress bar on stderr: auto (on a terminal, after 1 s), on, off')
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .option('--batch <file>', 'JSON Lines of {y0, params, t0, t1, …} (- for stdin): one JSON result per line')
    .action((modelPath: string, o: SolveFlags) => {
      const spec = readModelFile(modelPath);
      const solver = compile(spec, { method: o.method, sensitivities: o.sens, order: o.order, wasm: cliKernel(spec) });
      // Array parameters' values (M=[[…]], M[1][0]=…) as the solver names them (M_1_0)
      if (o.param !== undefined) o.param = paramValues(spec, o.param, '--param');
      if (o.batch !== undefined) {
        actionExitCode = runBatch(solver, o.batch, batchDefaults(o));
        return;
      }
      if (o.y0 === undefined) throw new OptionError('--y0', 'required (the initial state), unless --batch');
      if (o.t1 === undefined) throw new OptionError('--t1', 'required (the final time), unless --batch');
      const format = o.json ? 'json' : (o.format ?? 'table');
      const n = solver.info.states.length;
      const started = performance.now();
      let r: SolveResult;
      const bar = progressBar(o.progress);
      try {
        r = solver.solve({
          ...batchDefaults(o),
          t0: o.t0,
          y0: o.y0,
          t1: o.t1,
          tEval: o.tEval,
          ...(bar ? { onProgress: bar.onProgress } : {}),
        });
        bar?.stop();
      } catch (e) {
        bar?.stop();
        // The result up to the failure on stdout; main() still prints the one line on stderr and exits 1.
        if (format === 'json' && e instanceof IntegrationError)
          process.stdout.write(`${JSON.stringify(failureToJson(e, n, solver.info.method))}\n`);
        throw e;
      }
      const ms = performance.now() - started;
      if (format === 'json') process.stdout.write(`${JSON.stringify(resultToJson(r, n, solver.info.method))}\n`);
      else if (format === 'csv') process.stdout.write(trajectoryToCsv(solver.info, r));
      else process.stdout.write(formatTable(solver.info, r, ms));
    });
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

/** The exit code of a command that succeeded as a whole but not in every part (--batch). */
let actionExitCode = 0;
/** The work of an asynchronous command (plot), which main() returns as a promise of the exit code. */
let pendingAction: Promise<void> | undefined;

/**
 * Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process — or, for a command
 * that works asynchronously (plot), a promise of it.
 */
export function main(argv: readonly string[]): number | Promise<number> {
  actionExitCode = 0;
  pendingAction = undefined;
  try {
    const unknown = unknownCommand(argv);
    if (unknown !== undefined) {
      printError(`unknown command ${quoted(unknown)}: expected ${COMMANDS.map((c) => `'${c}'`).join(' or ')}`);
      return 2;
    }
    program().parse([...argv], { from: 'user' });
    const pending = pendingAction as Promise<void> | undefined;
    if (pending !== undefined)
      return pending.then(
        () => actionExitCode,
        (e: unknown) => (e instanceof AssemblerNotLoadedError ? rerunWithAssembler(argv) : exitCodeOf(e, argv)),
      );
    return actionExitCode;
  } catch (e) {
    if (e instanceof AssemblerNotLoadedError) return rerunWithAssembler(argv);
    return exitCodeOf(e, argv);
  }
}

/**
 * The command again, once wabt is loaded: the CLI defers loading it (bin/odeforge; ~70 ms of every call) until
 * a model's solver needs a WebAssembly kernel, which compile and generate find before anything is written.
 */
async function rerunWithAssembler(argv: readonly string[]): Promise<number> {
  await loadAssembler();
  return main(argv);
}

/** The exit code of an error, after its one line on stderr (see the top of this file). */
function exitCodeOf(e: unknown, argv: readonly string[]): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
    // No command: commander shows the help on stderr (silenced here) and says only '(outputHelp)' (hardening).
    if (e.code === 'commander.help') {
      printError(`missing command: expected 'generate', 'solve' or 'plot' (odeforge --help)`);
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

/**
 * A message as one line of plain text: line breaks (with the spaces around them) become one space, and other
 * characters that would break the line or change how a terminal shows it are escaped (see visible).
 * Hardening: a file name given on the command line or text from a model file could carry them into the line.
 */
function oneLine(s: string): string {
  return visible(s.replace(/\s*[\n\r\u2028\u2029]\s*/g, ' '));
}
