/**
 * The 'cpu' ensemble backend: the generated TypeScript solver, run for every trajectory, spread over all
 * cores with worker threads. Each worker evaluates the same transpiled module the in-process solver uses, so a
 * trajectory's result is bit-identical to a single `solve` with the same inputs.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SolveOptions, SolveResult, SolverInfo } from '../runtime/types.ts';
import { ENSEMBLE_STATUS, type EnsembleOptions, type EnsembleResult, type EnsembleStatus } from './types.ts';

/** What a worker (or the main thread, for small ensembles) returns for its slice of trajectories. */
interface Slice {
  y: Float64Array;
  jacobian: Float64Array;
  paramJacobian: Float64Array;
  status: Uint8Array;
  steps: number;
  rejected: number;
}

interface SliceTask {
  /** CommonJS text of the generated module. */
  js: string;
  t0: number;
  t1: number;
  rtol?: number;
  atol?: number;
  dt?: number;
  maxSteps?: number;
  y0: Float64Array;
  params?: Float64Array;
  /** ENSEMBLE_STATUS, passed along because runSlice may not reference anything outside itself. */
  reasons: readonly string[];
}

/**
 * Runs one slice. Written as plain JavaScript inside a function so that the very same code runs in a worker
 * (as text) and on the main thread; it must not reference anything outside itself.
 */
function runSlice(task: SliceTask): Slice {
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  new Function('module', 'exports', task.js)(mod, mod.exports);
  const solve = mod.exports.solve as (o: SolveOptions) => SolveResult;
  const info = mod.exports.info as SolverInfo;
  const n = info.states.length;
  const p = info.params.length;
  const count = task.y0.length / n;
  const withJ = info.sensitivities.includes('y0');
  const withS = info.sensitivities.includes('params');
  const out: Slice = {
    y: new Float64Array(count * n).fill(Number.NaN),
    jacobian: new Float64Array(withJ ? count * n * n : 0).fill(Number.NaN),
    paramJacobian: new Float64Array(withS ? count * n * p : 0).fill(Number.NaN),
    status: new Uint8Array(count),
    steps: 0,
    rejected: 0,
  };
  for (let r = 0; r < count; r++) {
    const params: Record<string, number> = {};
    if (task.params) for (let q = 0; q < p; q++) params[info.params[q]!] = task.params[r * p + q]!;
    let result: SolveResult;
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
      const partial = (e as { partial?: SolveResult }).partial;
      const reason = (e as { reason?: string }).reason;
      if (partial === undefined || reason === undefined) throw e;
      out.status[r] = Math.max(1, task.reasons.indexOf(reason));
      result = partial;
    }
    out.y.set(result.y, r * n);
    if (withJ) out.jacobian.set(result.jacobian!, r * n * n);
    if (withS) out.paramJacobian.set(result.paramJacobian!, r * n * p);
    out.steps += result.stats.steps + result.stats.rejected;
    out.rejected += result.stats.rejected;
  }
  return out;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const runSlice = ${runSlice.toString()};
const out = runSlice(workerData);
parentPort.postMessage(out, [out.y.buffer, out.jacobian.buffer, out.paramJacobian.buffer, out.status.buffer]);
`;

function runInWorker(task: SliceTask): Promise<Slice> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: task });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`ensemble worker exited with code ${code}`));
    });
  });
}

/** Fewer trajectories than this per core are not worth a worker's start-up (~30 ms). */
const MIN_PER_WORKER = 32;

export async function solveEnsembleCpu(
  js: string,
  info: SolverInfo,
  options: EnsembleOptions,
  ranges: { count: number; workers?: number },
): Promise<EnsembleResult> {
  const n = info.states.length;
  const p = info.params.length;
  const { count } = ranges;
  const workers = Math.max(1, Math.min(ranges.workers ?? availableParallelism(), Math.floor(count / MIN_PER_WORKER)));
  const started = performance.now();
  const base = {
    js,
    reasons: ENSEMBLE_STATUS,
    t0: options.t0,
    t1: options.t1,
    rtol: options.rtol,
    atol: options.atol,
    dt: options.dt,
    maxSteps: options.maxSteps,
  };
  const bounds = Array.from({ length: workers + 1 }, (_, w) => Math.round((w * count) / workers));
  const tasks: SliceTask[] = bounds.slice(0, -1).map((from, w) => ({
    ...base,
    y0: options.y0.slice(from * n, bounds[w + 1]! * n),
    params: options.params?.slice(from * p, bounds[w + 1]! * p),
  }));
  const slices = workers === 1 ? [runSlice(tasks[0]!)] : await Promise.all(tasks.map(runInWorker));

  const concat = (pick: (s: Slice) => Float64Array) => {
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
