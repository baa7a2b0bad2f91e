/**
 * The 'cpu' ensemble backend: the generated TypeScript solver, run for every trajectory, on the process's pool
 * of worker threads (src/ensemble/pool.ts). Each worker evaluates the same transpiled module the in-process
 * solver uses, so a trajectory's result is bit-identical to a single `solve` with the same inputs.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { SolverInfo } from '../runtime/types.ts';
import { abortReason, ensemblePool } from './pool.ts';
import { runSlice, type SliceOutput, type SliceTask, type SolverModule, sliceError } from './slice.ts';
import {
  type AbortSignalLike,
  ENSEMBLE_STATUS,
  type EnsembleOptions,
  type EnsembleProgress,
  type EnsembleResult,
  type EnsembleStatus,
} from './types.ts';

/** Smaller ensembles run on the calling thread: handing them to a worker costs more than it saves. */
export const MIN_ROWS_FOR_WORKERS = 64;
/** The fewest rows a slice has (a slice costs a message each way). */
const MIN_SLICE_ROWS = 32;
/**
 * Slices per worker: more than one, so that threads finishing early take more work and a failure leaves
 * whole slices in the queue to drop.
 */
const SLICES_PER_WORKER = 4;
/** Generated modules kept evaluated on the calling thread, for small ensembles. */
const MODULES_KEPT = 16;

const modules = new Map<string, SolverModule>();

/** The module of `js`, evaluated once per process (least recently used ones dropped beyond MODULES_KEPT). */
function loadModule(key: string, js: string): SolverModule {
  let mod = modules.get(key);
  if (mod === undefined) {
    const m: { exports: Record<string, unknown> } = { exports: {} };
    new Function('module', 'exports', js)(m, m.exports);
    mod = m.exports as unknown as SolverModule;
    if (modules.size >= MODULES_KEPT) modules.delete(modules.keys().next().value!);
  } else modules.delete(key);
  modules.set(key, mod);
  return mod;
}

/**
 * Runs an ensemble whose options src/ensemble/options.ts has checked. `ranges.workers` is the most threads it
 * may occupy at once (default: availableParallelism()). Rejects with the typed error (OptionError,
 * IntegrationError, …) of the first row whose solve threw, naming that row; the other slices are cancelled.
 */
export async function solveEnsembleCpu(
  js: string,
  info: SolverInfo,
  options: EnsembleOptions,
  ranges: {
    count: number;
    workers?: number;
    onProgress?: (progress: EnsembleProgress) => void;
    signal?: AbortSignalLike;
  },
): Promise<EnsembleResult> {
  const n = info.states.length;
  const p = info.params.length;
  const { count } = ranges;
  const workers = ranges.workers ?? availableParallelism();
  const started = performance.now();
  const key = createHash('sha256').update(js).digest('base64url');
  const task = (from: number, to: number): SliceTask => ({
    firstRow: from,
    reasons: ENSEMBLE_STATUS,
    t0: options.t0,
    t1: options.t1,
    rtol: options.rtol,
    atol: options.atol,
    dt: options.dt,
    maxSteps: options.maxSteps,
    // Copies: the pool transfers their buffers to the workers.
    y0: options.y0.slice(from * n, to * n),
    params: options.params?.slice(from * p, to * p),
  });

  const { onProgress, signal } = ranges;
  const report = (done: number) => {
    const elapsedMs = performance.now() - started;
    const fraction = count === 0 ? 1 : done / count;
    onProgress?.({
      done,
      total: count,
      fraction,
      elapsedMs,
      etaMs: fraction > 0 ? (elapsedMs * (1 - fraction)) / fraction : Number.NaN,
    });
  };
  let slices: SliceOutput[];
  if (count < MIN_ROWS_FOR_WORKERS) {
    if (signal?.aborted) throw abortReason(signal);
    const outcome = runSlice(loadModule(key, js), task(0, count), undefined);
    if (!outcome.ok) throw sliceError(outcome.failure, info);
    slices = [outcome.output];
  } else {
    const rows = Math.max(MIN_SLICE_ROWS, Math.ceil(count / (workers * SLICES_PER_WORKER)));
    const tasks: SliceTask[] = [];
    for (let from = 0; from < count; from += rows) tasks.push(task(from, Math.min(count, from + rows)));
    // the last slice's report is the final one below
    const onSliceDone = onProgress === undefined ? undefined : (done: number) => done < count && report(done);
    slices = await ensemblePool().run({ key, js, info, tasks, workers, onSliceDone, signal });
  }
  if (onProgress !== undefined) report(count);

  const concat = (pick: (s: SliceOutput) => Float64Array) => {
    const total = new Float64Array(slices.reduce((a, s) => a + pick(s).length, 0));
    let at = 0;
    for (const s of slices) {
      total.set(pick(s), at);
      at += pick(s).length;
    }
    return total;
  };
  const status: EnsembleStatus[] = slices.flatMap((s) =>
    Array.from(s.status, (c) => ENSEMBLE_STATUS[c] ?? 'non-finite'),
  );
  return {
    y: concat((s) => s.y),
    jacobian: info.sensitivities.includes('y0') ? concat((s) => s.jacobian) : undefined,
    paramJacobian: info.sensitivities.includes('params') ? concat((s) => s.paramJacobian) : undefined,
    ...(info.sensitivityOrder === 2 ? secondOrderFields(info, concat) : {}),
    ...(info.events === undefined ? {} : { eventTimes: concat((s) => s.eventTimes) }),
    status,
    stats: {
      trajectories: count,
      steps: slices.reduce((a, s) => a + s.steps, 0),
      rejected: slices.reduce((a, s) => a + s.rejected, 0),
      backend: 'cpu',
      precision: 'f64',
      ms: performance.now() - started,
    },
  };
}

/** The second-order results of an ensemble of an `order: 2` solver: each block its sensitivities were asked for. */
function secondOrderFields(
  info: SolverInfo,
  concat: (pick: (s: SliceOutput) => Float64Array) => Float64Array,
): Pick<EnsembleResult, 'hessian' | 'paramHessian' | 'mixedHessian'> {
  const withJ = info.sensitivities.includes('y0');
  const withS = info.sensitivities.includes('params');
  return {
    ...(withJ ? { hessian: concat((s) => s.hessian) } : {}),
    ...(withS ? { paramHessian: concat((s) => s.paramHessian) } : {}),
    ...(withJ && withS ? { mixedHessian: concat((s) => s.mixedHessian) } : {}),
  };
}
