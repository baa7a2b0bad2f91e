/**
 * The odeforge command line. Its flags and the JSON printed by `solve --json` are a contract other tools
 * rely on: extend them compatibly, never change them.
 *
 *   odeforge generate MODEL.json --method RK45CK --sens y0,params --out generated/NAME.ts
 *   odeforge solve MODEL.json --y0 1,1 --t0 0 --t1 6.28 --rtol 1e-12 --atol 1e-12 [--dt 0.1]
 *                  [--method RK45CK] [--param k=20 ...] [--sens y0|params|y0,params] [--json]
 *
 * Exit codes: 0 success; 2 bad input (model, flag, file), one line on stderr; 1 a failed integration, one
 * line saying where and why. No stack trace for any of these.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { compile, generate, type Target } from '../compile.ts';
import { IntegrationError, OdeforgeError, OptionError } from '../errors.ts';
import type { SolveResult } from '../runtime/types.ts';
import type { Sensitivity } from '../variational/system.ts';
import { readModelFile, visible } from './model-file.ts';
import { formatTable } from './table.ts';

/** A flag value that must be a finite number: the whole text, nothing silently dropped. */
function finiteNumber(flag: string) {
  return (text: string): number => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v)) throw new OptionError(flag, `expected a finite number, got '${text}'`);
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
      throw new OptionError('--sens', `expected y0, params or y0,params, got '${text}'`);
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
    if (!m) throw new OptionError('--param', `expected NAME=VALUE, got '${pair}'`);
    out[m[1]!] = finiteNumber(`--param ${m[1]}`)(m[2]!);
  }
  return out;
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
      ENOTDIR: 'a part of the path is not a directory',
      ENOENT: 'a part of the path does not exist and cannot be created',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EROFS: 'read-only file system',
    };
    throw new OutputFileError(`cannot write --out '${path}': ${why[code] ?? (e as Error).message}`);
  };
  const missing: string[] = [];
  for (let dir = dirname(path); !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail(e);
    }
  }
  try {
    writeFileSync(path, text);
  } catch (e) {
    fail(e);
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

function program(): Command {
  const cli = new Command('odeforge')
    .description('Generate ODE solvers that return the state and its exact Jacobians in one pass')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .showSuggestionAfterError(false)
    .allowExcessArguments(false);

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
    .option('--rtol <tol>', 'relative tolerance', finiteNumber('--rtol'), 1e-6)
    .option('--atol <tol>', 'absolute tolerance', finiteNumber('--atol'), 1e-9)
    .option('--dt <h>', 'first step (adaptive) or step (fixed-step methods)', finiteNumber('--dt'))
    .option('--max-steps <n>', 'limit on attempted steps', finiteNumber('--max-steps'))
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
        const started = performance.now();
        const r = solver.solve({
          t0: o.t0,
          t1: o.t1,
          y0: o.y0,
          params: o.param,
          rtol: o.rtol,
          atol: o.atol,
          dt: o.dt,
          maxSteps: o.maxSteps,
        });
        const ms = performance.now() - started;
        if (o.json)
          process.stdout.write(`${JSON.stringify(resultToJson(r, solver.info.states.length, solver.info.method))}\n`);
        else process.stdout.write(formatTable(solver.info, r, ms));
      },
    );
  return cli;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export function main(argv: readonly string[]): number {
  try {
    program().parse([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      // No command: commander shows the help on stderr (silenced here) and says only '(outputHelp)' (hardening).
      if (e.code === 'commander.help') {
        process.stderr.write(`odeforge: missing command: expected 'generate' or 'solve' (odeforge --help)\n`);
        return 2;
      }
      // Commander's invalid-argument errors wrap ours; print the innermost message on one line.
      process.stderr.write(
        `odeforge: ${oneLine(
          e.message
            .replace(/^error: /, '')
            .replace(/\s+/g, ' ')
            .trim(),
        )}\n`,
      );
      return 2;
    }
    if (e instanceof IntegrationError) {
      process.stderr.write(`odeforge: ${oneLine(e.message)}\n`);
      return 1;
    }
    if (e instanceof OdeforgeError) {
      process.stderr.write(`odeforge: ${oneLine(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`odeforge: internal error: ${oneLine(String((e as Error)?.message ?? e))}\n`);
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
