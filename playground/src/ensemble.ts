/**
 * A small ensemble — COUNT trajectories around the chosen y0 and the model's parameters — on the GPU with the
 * generated WGSL through navigator.gpu, and on the CPU with the generated JavaScript (f64), to compare them.
 *
 * The GPU side is odeforge's own runner (src/ensemble/webgpu-run.ts), the code the Node backend dispatches with:
 * it needs only the shader's source and the model's shape, which the generated module's `info` gives.
 */
import type { EnsembleResult } from '../../src/ensemble/types.ts';
import { createGpuContext, type GpuContext, packConfig, runEnsembleShader } from '../../src/ensemble/webgpu-run.ts';
import type { GeneratedSolver } from './solver.ts';

export const COUNT = 64;

/**
 * The ensemble's tolerances. WGSL computes in f32: tolerances much below 1e-5 end in step-size underflow there,
 * and at 1e-5 the f32 and f64 solutions agree to about 1e-4 (test/wgsl/ensemble.test.ts asks for 1e-3).
 */
export const ENSEMBLE_TOLERANCE = 1e-5;
export const AGREEMENT = 1e-3;

export interface EnsembleProblem {
  readonly t0: number;
  readonly t1: number;
  readonly dt: number | undefined;
  /** COUNT × n initial states and COUNT × p parameters, row-major. */
  readonly y0: Float64Array;
  readonly params: Float64Array;
}

/** A deterministic number in [0, 1) from an integer: the same ensemble on every run. */
function hash01(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** COUNT trajectories: y0 and the default parameters, each entry scaled by a factor in [0.9, 1.1). */
export function ensembleProblem(
  solver: GeneratedSolver,
  t0: number,
  t1: number,
  dt: number | undefined,
  y0: readonly number[],
): EnsembleProblem {
  const spread = (base: ArrayLike<number>, salt: number) => {
    const rows = new Float64Array(COUNT * base.length);
    for (let i = 0; i < rows.length; i++) rows[i] = base[i % base.length]! * (0.9 + 0.2 * hash01(i * 31 + salt));
    return rows;
  };
  return { t0, t1, dt, y0: spread(y0, 1), params: spread(solver.info.paramDefaults, 2) };
}

/** Every trajectory with the generated JavaScript, one solve each (f64), as one ensemble result. */
export function solveOnCpu(solver: GeneratedSolver, problem: EnsembleProblem): EnsembleResult {
  const { states, params } = solver.info;
  const n = states.length;
  const p = params.length;
  const y = new Float64Array(COUNT * n);
  const jacobian = new Float64Array(COUNT * n * n);
  const paramJacobian = new Float64Array(COUNT * n * p);
  let steps = 0;
  let rejected = 0;
  const began = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const r = solver.solve({
      t0: problem.t0,
      t1: problem.t1,
      dt: problem.dt,
      y0: problem.y0.subarray(i * n, (i + 1) * n),
      params: Object.fromEntries(params.map((name, k) => [name, problem.params[i * p + k]!])),
      rtol: ENSEMBLE_TOLERANCE,
      atol: ENSEMBLE_TOLERANCE,
    });
    y.set(r.y, i * n);
    if (r.jacobian) jacobian.set(r.jacobian, i * n * n);
    if (r.paramJacobian) paramJacobian.set(r.paramJacobian, i * n * p);
    steps += r.stats.steps;
    rejected += r.stats.rejected;
  }
  const sens = solver.info.sensitivities;
  return {
    y,
    ...(sens.includes('y0') ? { jacobian } : {}),
    ...(sens.includes('params') ? { paramJacobian } : {}),
    status: Array.from({ length: COUNT }, () => 'ok' as const),
    stats: { trajectories: COUNT, steps, rejected, backend: 'cpu', precision: 'f64', ms: performance.now() - began },
  };
}

/** The page's WebGPU device, or why there is none. Asked once: the answer does not change while the page lives. */
let gpu: Promise<GpuContext | string> | undefined;

export function gpuContext(): Promise<GpuContext | string> {
  gpu ??= (async () => {
    if (new URLSearchParams(location.search).get('webgpu') === 'off') return 'WebGPU turned off (?webgpu=off)';
    if (!('gpu' in navigator) || navigator.gpu === undefined) return 'this browser has no navigator.gpu';
    try {
      return await createGpuContext(navigator.gpu);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  })();
  return gpu;
}

/** Every trajectory with the generated WGSL, on the page's GPU (f32). */
export function solveOnGpu(
  ctx: GpuContext,
  wgsl: string,
  solver: GeneratedSolver,
  problem: EnsembleProblem,
): Promise<EnsembleResult> {
  const { info } = solver;
  const settings = {
    t0: problem.t0,
    t1: problem.t1,
    rtol: ENSEMBLE_TOLERANCE,
    atol: ENSEMBLE_TOLERANCE,
    dt: problem.dt ?? 0,
    maxSteps: 1_000_000,
  };
  return runEnsembleShader(ctx, {
    source: wgsl,
    states: info.states.length,
    params: info.params.length,
    jacobian: info.sensitivities.includes('y0'),
    paramJacobian: info.sensitivities.includes('params'),
    config: packConfig(settings, info.adaptive),
    y0: problem.y0,
    paramValues: problem.params,
    paramDefaults: info.paramDefaults,
  });
}

/** Max over trajectories of ‖a − b‖∞ / ‖b‖∞ for rows of `width` values (as test/wgsl/support.ts measures). */
function normwise(a: Float64Array | undefined, b: Float64Array | undefined, width: number): number {
  if (a === undefined || b === undefined || width === 0) return 0;
  let worst = 0;
  for (let i = 0; i < COUNT; i++) {
    let diff = 0;
    let scale = 0;
    for (let j = i * width; j < (i + 1) * width; j++) {
      diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
      scale = Math.max(scale, Math.abs(b[j]!));
    }
    worst = Math.max(worst, scale === 0 ? diff : diff / scale);
  }
  return worst;
}

/** How far the GPU's results are from the CPU's, per quantity. */
export function agreement(gpu: EnsembleResult, cpu: EnsembleResult, n: number, p: number) {
  return {
    y: normwise(gpu.y, cpu.y, n),
    jacobian: normwise(gpu.jacobian, cpu.jacobian, n * n),
    paramJacobian: normwise(gpu.paramJacobian, cpu.paramJacobian, n * p),
  };
}
