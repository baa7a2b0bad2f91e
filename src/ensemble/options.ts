/**
 * Checks of an ensemble's options and backend options, shared by every backend: all of it happens before any
 * work starts, and every refusal is an OptionError that names the option (and, for a bad value in y0 or
 * params, its row and entry). What passes comes back normalised: Float64Arrays, the backend's precision and
 * worker count resolved.
 */
import { availableParallelism } from 'node:os';
import { OptionError } from '../errors.ts';
import { checkOptionKeys, closest, quoteValue } from '../options.ts';
import type { SolverInfo } from '../runtime/types.ts';
import type { AbortSignalLike, EnsembleBackend, EnsembleOptions, EnsembleProgress } from './types.ts';

export const ENSEMBLE_OPTION_KEYS = ['t0', 't1', 'y0', 'params', 'rtol', 'atol', 'dt', 'maxSteps'] as const;
export const ENSEMBLE_BACKEND_OPTION_KEYS = [
  'backend',
  'precision',
  'workers',
  'onProgress',
  'signal',
  'keepOnDevice',
  'resumeOnDevice',
  'webgpu',
] as const;
export const ENSEMBLE_BACKENDS: readonly EnsembleBackend[] = ['cpu', 'cuda', 'webgpu'];
/** A bound on `workers` that no machine reaches, so that a typo (10000) cannot start thousands of threads. */
export const MAX_WORKERS = 1024;

export interface CheckedEnsemble {
  /** The number of trajectories (rows of y0). */
  readonly count: number;
  /** The options with y0 and params as Float64Arrays (the caller's own arrays when they already were). */
  readonly options: EnsembleOptions;
  readonly backend: EnsembleBackend;
  readonly precision: 'f64' | 'f32';
  /** 'cpu' backend: the most worker threads the ensemble may occupy at once. */
  readonly workers: number;
  readonly onProgress?: (progress: EnsembleProgress) => void;
  readonly signal?: AbortSignalLike;
}

/**
 * Validates `solveEnsemble`'s arguments for a solver; returns the trajectory count and the normalised options.
 * Throws OptionError (synchronously) on the first problem.
 */
export function checkEnsembleOptions(
  info: SolverInfo,
  options: unknown,
  backendOptions: unknown = {},
): CheckedEnsemble {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionError('options', `expected an object of ensemble options, got ${quoteValue(options)}`);
  }
  const o = checkOptionKeys(options, ENSEMBLE_OPTION_KEYS, 'options');
  const b = checkOptionKeys(backendOptions, ENSEMBLE_BACKEND_OPTION_KEYS, 'backend options');

  const n = info.states.length;
  const p = info.params.length;
  const y0 = rows('y0', o.y0, info.states);
  if (y0.length % n !== 0) {
    throw new OptionError(
      'y0',
      `length ${y0.length} is not a multiple of the ${n} state${n === 1 ? '' : 's'} (${info.states.join(', ')})`,
    );
  }
  const count = y0.length / n;
  const params = o.params === undefined ? undefined : rows('params', o.params, info.params);
  if (params !== undefined && params.length !== count * p) {
    throw new OptionError('params', `expected ${count}×${p} = ${count * p} values, got ${params.length}`);
  }

  const t0 = finite('t0', o.t0);
  const t1 = finite('t1', o.t1);
  const rtol = nonNegative('rtol', o.rtol);
  const atol = nonNegative('atol', o.atol);
  if (rtol === 0 && atol === 0) throw new OptionError('rtol', 'rtol and atol cannot both be zero');
  // The sign of dt is ignored, as by solve(): t0 and t1 give the direction.
  const dt = o.dt === undefined ? undefined : finite('dt', o.dt);
  if (dt === 0) throw new OptionError('dt', 'must be non-zero');
  if (dt === undefined && !info.adaptive) {
    throw new OptionError('dt', `a fixed-step integration with ${info.method} needs dt`);
  }
  const maxSteps = o.maxSteps;
  if (maxSteps !== undefined && !(typeof maxSteps === 'number' && Number.isInteger(maxSteps) && maxSteps >= 1)) {
    throw new OptionError('maxSteps', `must be a positive integer, got ${quoteValue(maxSteps)}`);
  }

  const backend = b.backend ?? 'cpu';
  if (!ENSEMBLE_BACKENDS.includes(backend as EnsembleBackend)) {
    throw new OptionError(
      'backend',
      `expected ${choices(ENSEMBLE_BACKENDS)}, got ${quoteValue(backend)}${hint(backend, ENSEMBLE_BACKENDS)}`,
    );
  }
  const precision = b.precision ?? (backend === 'webgpu' ? 'f32' : 'f64');
  if (precision !== 'f64' && precision !== 'f32') {
    throw new OptionError('precision', `expected 'f64' or 'f32', got ${quoteValue(precision)}`);
  }
  // Second-order sensitivities (compile's `order: 2`): the CPU workers and the CUDA kernel integrate them, in
  // double precision.
  if (info.sensitivityOrder === 2) {
    if (backend === 'webgpu') {
      throw new OptionError(
        'backend',
        "order 2 ensembles run on the 'cpu' and 'cuda' backends (f64); the 'webgpu' backend is not available yet",
      );
    }
    if (precision !== 'f64') {
      throw new OptionError(
        'precision',
        `order 2 ensembles compute in 'f64' only; '${precision}' is not available yet`,
      );
    }
  }
  // The GPU kernels integrate to t1 and know nothing of events: a result that ignored them would be wrong.
  if (backend !== 'cpu' && info.events !== undefined && info.events.length > 0) {
    throw new OptionError(
      'backend',
      `the '${backend}' backend does not locate events, and model '${info.model}' has ${info.events.join(', ')}: use the 'cpu' backend`,
    );
  }
  if (backend === 'cpu' && precision === 'f32') {
    throw new OptionError('precision', "the cpu backend computes in 'f64' only");
  }
  if (backend === 'webgpu' && precision === 'f64') {
    throw new OptionError('precision', "WebGPU computes in 'f32' only (WGSL has no f64)");
  }
  // Device-resident state (the 'cuda' backend): booleans, and only where there is a device to keep it on.
  for (const option of ['keepOnDevice', 'resumeOnDevice'] as const) {
    const v = b[option];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new OptionError(option, `expected true or false, got ${quoteValue(v)}`);
    if (v && backend !== 'cuda') {
      throw new OptionError(option, `keeps the state in GPU memory: the 'cuda' backend only (backend is '${backend}')`);
    }
  }
  // (the 'webgpu' backend's own options are checked by its runner, against the solver's outputs)
  if (b.webgpu !== undefined && backend !== 'webgpu') {
    throw new OptionError('webgpu', `options of the 'webgpu' backend (backend is '${backend}')`);
  }
  if (b.workers !== undefined && backend !== 'cpu') {
    throw new OptionError('workers', `only the 'cpu' backend runs on worker threads (backend is '${backend}')`);
  }
  const workers = b.workers ?? availableParallelism();
  if (!(typeof workers === 'number' && Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) {
    throw new OptionError('workers', `must be an integer from 1 to ${MAX_WORKERS}, got ${quoteValue(workers)}`);
  }

  if (b.onProgress !== undefined && typeof b.onProgress !== 'function')
    throw new OptionError('onProgress', `expected a function, got ${quoteValue(b.onProgress)}`);
  const signal = b.signal as { aborted?: unknown } | undefined;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean'))
    throw new OptionError('signal', `expected an AbortSignal, got ${quoteValue(signal)}`);

  return {
    count,
    options: { t0, t1, y0, params, rtol, atol, dt, maxSteps: maxSteps as number | undefined },
    backend: backend as EnsembleBackend,
    precision,
    workers,
    onProgress: b.onProgress as CheckedEnsemble['onProgress'],
    signal: b.signal as AbortSignalLike | undefined,
  };
}

/**
 * The message prefix that locates a value of a row-major array: `row 3000, entry 0 (x)`. Also used to name the
 * row of a trajectory whose solve refused a value, so a message does not depend on how rows were sliced.
 */
export function rowEntry(row: number, entry: number, names: readonly string[]): string {
  const name = names[entry];
  return `row ${row}, entry ${entry}${name === undefined ? '' : ` (${name})`}`;
}

/** y0 or params: a Float64Array as is, a plain array of numbers copied once; every value finite. */
function rows(option: string, value: unknown, names: readonly string[]): Float64Array {
  let array: Float64Array;
  if (value instanceof Float64Array) array = value;
  else if (Array.isArray(value)) {
    array = new Float64Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v !== 'number') throw badValue(option, i, names, v);
      array[i] = v;
    }
  } else {
    const kind = ArrayBuffer.isView(value) ? `a ${value.constructor.name}` : quoteValue(value);
    throw new OptionError(option, `expected a Float64Array or an array of numbers (row-major), got ${kind}`);
  }
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i]!)) throw badValue(option, i, names, array[i]);
  }
  return array;
}

function badValue(option: string, index: number, names: readonly string[], value: unknown): OptionError {
  // A length that is not a multiple of the row width is refused after this; the row named is then a guess
  // that still points at the right index.
  const width = Math.max(1, names.length);
  const where = rowEntry(Math.floor(index / width), index % width, names);
  return new OptionError(option, `${where}: must be a finite number, got ${quoteValue(value)}`);
}

function finite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(option, `must be a finite number, got ${quoteValue(value)}`);
  }
  return value;
}

function nonNegative(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const v = finite(option, value);
  if (v < 0) throw new OptionError(option, `must be non-negative, got ${v}`);
  return v;
}

function choices(list: readonly string[]): string {
  const quoted = list.map((c) => `'${c}'`);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function hint(value: unknown, known: readonly string[]): string {
  const near = typeof value === 'string' ? closest(value, known) : undefined;
  return near === undefined ? '' : ` (did you mean '${near}'?)`;
}
