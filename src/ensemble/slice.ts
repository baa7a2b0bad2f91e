/**
 * One slice of a cpu ensemble: consecutive trajectories run with the generated module's `solve`, on a worker
 * thread or on the calling thread. The same function runs in both places (as text in a worker), and a failure
 * comes back as plain data that `sliceError` turns into the typed error on the calling thread, so that neither
 * the error's class nor its message depends on where the slice ran.
 */
import { IntegrationError, OdeforgeError, OptionError } from '../errors.ts';
import type { SolveOptions, SolveResult, SolverInfo } from '../runtime/types.ts';
import { rowEntry } from './options.ts';

/** The exports of a generated solver module that a slice uses. */
export interface SolverModule {
  readonly solve: (options: SolveOptions) => SolveResult;
  readonly info: SolverInfo;
}

export interface SliceTask {
  /** Index, in the whole ensemble, of the slice's first row (for error messages). */
  readonly firstRow: number;
  readonly t0: number;
  readonly t1: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly dt?: number;
  readonly maxSteps?: number;
  readonly y0: Float64Array;
  readonly params?: Float64Array;
  /** ENSEMBLE_STATUS, passed along because runSlice may not reference anything outside itself. */
  readonly reasons: readonly string[];
}

export interface SliceOutput {
  readonly y: Float64Array;
  readonly jacobian: Float64Array;
  readonly paramJacobian: Float64Array;
  /** With second-order sensitivities (else empty): rows × n³, rows × n·p², rows × n²·p, the solver's layouts. */
  readonly hessian: Float64Array;
  readonly paramHessian: Float64Array;
  readonly mixedHessian: Float64Array;
  /** rows × events: the time each event first happened on the row's trajectory, NaN where it did not. */
  readonly eventTimes: Float64Array;
  readonly status: Uint8Array;
  readonly steps: number;
  readonly rejected: number;
  /** Rows run (fewer than the slice's when it was cancelled). */
  readonly rows: number;
  readonly cancelled: boolean;
}

/** An error thrown while running a row, as data that survives structured cloning. */
export interface SliceFailure {
  /** Index of the row in the whole ensemble (firstRow when the module itself failed to load). */
  readonly row: number;
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** OptionError's option. */
  readonly option?: string;
  /** IntegrationError's time and reason. */
  readonly t?: number;
  readonly reason?: string;
  /** The registered-symbol brands it carried, without the 'odeforge.' prefix (e.g. 'OptionError'). */
  readonly brands: readonly string[];
}

export type SliceOutcome =
  | { readonly ok: true; readonly output: SliceOutput }
  | { readonly ok: false; readonly failure: SliceFailure; readonly rows: number };

/**
 * Progress shared with the calling thread: [0] is set to 1 to cancel (checked before each row), [1] counts the
 * rows started by every slice of the ensemble.
 */
export const CANCEL_FLAG = 0;
export const ROWS_STARTED = 1;

/**
 * Runs one slice. Plain JavaScript that references nothing outside itself (it is also run as text in a
 * worker): no helper functions, no imports.
 */
export function runSlice(mod: SolverModule, task: SliceTask, progress: Int32Array | undefined): SliceOutcome {
  const { solve, info } = mod;
  const n = info.states.length;
  const p = info.params.length;
  const count = task.y0.length / n;
  const withJ = info.sensitivities.includes('y0');
  const withS = info.sensitivities.includes('params');
  const y = new Float64Array(count * n).fill(Number.NaN);
  const jacobian = new Float64Array(withJ ? count * n * n : 0).fill(Number.NaN);
  const paramJacobian = new Float64Array(withS ? count * n * p : 0).fill(Number.NaN);
  const second = info.sensitivityOrder === 2;
  const hessian = new Float64Array(second && withJ ? count * n * n * n : 0).fill(Number.NaN);
  const paramHessian = new Float64Array(second && withS ? count * n * p * p : 0).fill(Number.NaN);
  const mixedHessian = new Float64Array(second && withJ && withS ? count * n * n * p : 0).fill(Number.NaN);
  const eventNames = info.events ?? [];
  const eventTimes = new Float64Array(count * eventNames.length).fill(Number.NaN);
  const status = new Uint8Array(count);
  let steps = 0;
  let rejected = 0;
  let r = 0;
  for (; r < count; r++) {
    if (progress !== undefined) {
      if (Atomics.load(progress, 0) !== 0) break;
      Atomics.add(progress, 1, 1);
    }
    const params: Record<string, number> = {};
    if (task.params) for (let q = 0; q < p; q++) params[info.params[q]!] = task.params[r * p + q]!;
    let result: SolveResult;
    try {
      try {
        result = solve({
          t0: task.t0,
          t1: task.t1,
          y0: task.y0.subarray(r * n, (r + 1) * n),
          params,
          rtol: task.rtol,
          atol: task.atol,
          dt: task.dt,
          maxSteps: task.maxSteps,
        });
      } catch (e) {
        // An integration that stopped early is a status, not a failure of the ensemble.
        const partial = (e as { partial?: SolveResult }).partial;
        const reason = (e as { reason?: string }).reason;
        if (partial === undefined || reason === undefined) throw e;
        status[r] = Math.max(1, task.reasons.indexOf(reason));
        result = partial;
      }
      y.set(result.y, r * n);
      if (withJ) jacobian.set(result.jacobian!, r * n * n);
      if (withS) paramJacobian.set(result.paramJacobian!, r * n * p);
      if (hessian.length > 0) hessian.set(result.hessian!, r * n * n * n);
      if (paramHessian.length > 0) paramHessian.set(result.paramHessian!, r * n * p * p);
      if (mixedHessian.length > 0) mixedHessian.set(result.mixedHessian!, r * n * n * p);
      // each event's first time (a terminal one's is where the trajectory ended)
      for (const event of result.events ?? []) {
        const at = r * eventNames.length + eventNames.indexOf(event.name);
        if (Number.isNaN(eventTimes[at]!)) eventTimes[at] = event.t;
      }
    } catch (e) {
      const error = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as Record<PropertyKey, unknown>;
      const brands: string[] = [];
      for (const s of Object.getOwnPropertySymbols(error)) {
        const key = Symbol.keyFor(s);
        if (key?.startsWith('odeforge.') && error[s] === true) brands.push(key.slice('odeforge.'.length));
      }
      const failure: SliceFailure = {
        row: task.firstRow + r,
        name: typeof error.name === 'string' ? error.name : 'Error',
        message: typeof error.message === 'string' ? error.message : String(e),
        stack: typeof error.stack === 'string' ? error.stack : undefined,
        option: typeof error.option === 'string' ? error.option : undefined,
        t: typeof error.t === 'number' ? error.t : undefined,
        reason: typeof error.reason === 'string' ? error.reason : undefined,
        brands,
      };
      return { ok: false, failure, rows: r + 1 };
    }
    steps += result.stats.steps + result.stats.rejected;
    rejected += result.stats.rejected;
  }
  const output = {
    y,
    jacobian,
    paramJacobian,
    hessian,
    paramHessian,
    mixedHessian,
    eventTimes,
    status,
    steps,
    rejected,
    rows: r,
    cancelled: r < count,
  };
  return { ok: true, output };
}

/**
 * The error a failed row stands for, rebuilt on the calling thread: structured cloning keeps neither the class
 * nor the registered-symbol brand that `instanceof OptionError` tests. A refused y0 or parameter value names
 * the row (and the entry) in the whole ensemble.
 */
export function sliceError(failure: SliceFailure, info: SolverInfo): Error {
  const { row, brands } = failure;
  const is = (brand: string) => brands.includes(brand);
  if (is('OptionError')) {
    const option = failure.option ?? 'options';
    const problem = failure.message.startsWith(`${option}: `)
      ? failure.message.slice(option.length + 2)
      : failure.message;
    const param = /^params\.(.+)$/.exec(option)?.[1];
    if (param !== undefined) {
      return new OptionError('params', `${rowEntry(row, info.params.indexOf(param), info.params)}: ${problem}`);
    }
    const entry = /^(y0|params)\[(\d+)\]$/.exec(option);
    if (entry !== null) {
      const names = entry[1] === 'y0' ? info.states : info.params;
      return new OptionError(entry[1]!, `${rowEntry(row, Number(entry[2]), names)}: ${problem}`);
    }
    if (option === 'y0' || option === 'params') return new OptionError(option, `row ${row}: ${problem}`);
    // Any other option is the same for every row: the message is the module's own.
    return new OptionError(option, problem);
  }
  const message = `trajectory ${row}: ${failure.message}`;
  let error: Error;
  if (is('IntegrationError')) {
    error = new IntegrationError(
      message,
      failure.t ?? Number.NaN,
      (failure.reason ?? 'non-finite') as IntegrationError['reason'],
      undefined,
    );
  } else if (is('OdeforgeError')) {
    error = new OdeforgeError(message);
  } else {
    error = new Error(message);
    error.name = failure.name;
  }
  // Where it was thrown, which is in the worker when it ran there.
  if (failure.stack !== undefined)
    error.stack = `${error.name}: ${message}\n${failure.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
