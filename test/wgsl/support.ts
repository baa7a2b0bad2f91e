/**
 * Shared pieces of the WebGPU tests: the models, the policy for a missing adapter, and the comparison with
 * the f64 TypeScript solver.
 *
 * Adapter policy: the GPU tests FAIL when no WebGPU adapter is available, unless ODEFORGE_SKIP_WEBGPU=1.
 * On a machine without a GPU the adapter is Mesa's lavapipe, whose environment must be in place before the
 * test workers start: test/wgsl/global-setup.ts does it when vitest.config.ts lists it as a globalSetup, or
 * `eval "$(bash scripts/webgpu-env.sh)"` before `npx vitest`.
 */
import { beforeAll, describe, expect } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { EnsembleOptions, EnsembleResult } from '../../src/ensemble/types.ts';
import { solveEnsembleWebGpu, webGpuAvailable } from '../../src/ensemble/webgpu.ts';
import { findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { buildAugmentedSystem, type Sensitivity } from '../../src/variational/system.ts';

export const SKIP_WEBGPU = process.env.ODEFORGE_SKIP_WEBGPU === '1';

export const NO_ADAPTER =
  'No WebGPU adapter in this test process. Without a GPU, install lavapipe and export its environment before ' +
  'vitest starts: eval "$(bash scripts/webgpu-env.sh)" (or list test/wgsl/global-setup.ts as a vitest ' +
  'globalSetup). ODEFORGE_SKIP_WEBGPU=1 skips these tests instead.';

/** A describe block whose tests need a WebGPU adapter: skipped with ODEFORGE_SKIP_WEBGPU=1, failing without. */
export function describeGpu(name: string, body: () => void): void {
  (SKIP_WEBGPU ? describe.skip : describe)(name, () => {
    beforeAll(async () => {
      if (!(await webGpuAvailable())) throw new Error(NO_ADAPTER);
    });
    body();
  });
}

export const LORENZ: ModelSpec = {
  name: 'lorenz',
  states: ['x', 'y', 'z'],
  params: { sigma: 10, rho: 28, beta: 8 / 3 },
  rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
};

export const PENDULUM: ModelSpec = {
  name: 'pendulum',
  states: ['theta', 'omega'],
  params: { g: 9.81, L: 1, c: 0.1 },
  rhs: { theta: 'omega', omega: '-(g/L)*sin(theta) - c*omega' },
};

/** Every other function of the model language; u stays in (0, 3) and v in (-2, 2) on the test ranges. */
export const FUNCTIONS: ModelSpec = {
  name: 'functions',
  states: ['u', 'v'],
  params: { a: 0.5, b: 0.8 },
  rhs: {
    u: '-a*u*sqrt(1 + v^2) + 0.3*atan2(v, 1 + u^2) + 0.2*exp(-u)*log(2 + v^2) + 0.1*pow(1 + u*u, 0.3)',
    v: '-b*v + 0.4*min(u, 5) - 0.2*max(v, -10) + 0.1*abs(u)*sign(u) - 0.05*v^3 + tanh(u - 1)/4',
  },
};

/** Explicit time: the forced oscillator x'' = -x + t of DESolver's tests, with a sine forcing added. */
export const FORCED: ModelSpec = {
  name: 'forced',
  states: ['x', 'v'],
  params: { w: 3, f: 0.5 },
  rhs: { x: 'v', v: '-x + t + f*sin(w*t)' },
};

/** A pseudo-random number in [0, 1) from an integer (deterministic across runs). */
export function hash01(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

export interface Agreement {
  /** Max over trajectories of the norm-wise relative difference, ‖gpu − ts‖∞ / ‖ts‖∞, per quantity. */
  readonly y: number;
  readonly jacobian: number;
  readonly paramJacobian: number;
  /** Accepted steps, summed over the trajectories. */
  readonly gpuSteps: number;
  readonly tsSteps: number;
  readonly result: EnsembleResult;
}

function normwise(a: Float64Array, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let j = 0; j < b.length; j++) {
    diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
    scale = Math.max(scale, Math.abs(b[j]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Integrates an ensemble on WebGPU and each trajectory with the f64 TypeScript solver (compile(model).solve),
 * and measures how far apart they are.
 */
export async function compareWithTypeScript(
  spec: ModelSpec,
  methodName: string,
  sensitivities: readonly Sensitivity[],
  options: EnsembleOptions,
): Promise<Agreement> {
  const model = buildModel(spec);
  const method = findMethod(methodName);
  const result = await solveEnsembleWebGpu(buildAugmentedSystem(model, sensitivities), method, options);
  const solver = compile(spec, { method: methodName, sensitivities });
  const n = model.states.length;
  const p = model.params.length;
  const count = options.y0.length / n;
  let y = 0;
  let jacobian = 0;
  let paramJacobian = 0;
  let tsSteps = 0;
  for (let i = 0; i < count; i++) {
    const params = options.params
      ? Object.fromEntries(model.params.map((s, k) => [s.name, options.params![i * p + k]!]))
      : undefined;
    const ref = solver.solve({
      t0: options.t0,
      t1: options.t1,
      y0: options.y0.subarray(i * n, (i + 1) * n),
      params,
      rtol: options.rtol,
      atol: options.atol,
      dt: options.dt,
    });
    tsSteps += ref.stats.steps;
    y = Math.max(y, normwise(result.y.subarray(i * n, (i + 1) * n), ref.y));
    if (ref.jacobian)
      jacobian = Math.max(jacobian, normwise(result.jacobian!.subarray(i * n * n, (i + 1) * n * n), ref.jacobian));
    if (ref.paramJacobian && p > 0) {
      paramJacobian = Math.max(
        paramJacobian,
        normwise(result.paramJacobian!.subarray(i * n * p, (i + 1) * n * p), ref.paramJacobian),
      );
    }
  }
  return { y, jacobian, paramJacobian, gpuSteps: result.stats.steps - result.stats.rejected, tsSteps, result };
}

/** Max over rows of ‖a − b‖∞ / ‖b‖∞ (rows of `width` values). */
export function worstRow(a: ArrayLike<number>, b: ArrayLike<number>, width: number): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let r = 0; r * width < b.length; r++) {
    let diff = 0;
    let scale = 0;
    for (let k = r * width; k < (r + 1) * width; k++) {
      diff = Math.max(diff, Math.abs(a[k]! - b[k]!));
      scale = Math.max(scale, Math.abs(b[k]!));
    }
    w = Math.max(w, scale === 0 ? diff : diff / scale);
  }
  return w;
}

/**
 * The chain rule over two legs, row by row: Φ = Φ2·Φ1 (n×n) and S = Φ2·S1 + S2 (n×p), from the first leg's
 * Jacobians and those of the second leg on its own (started at Φ = I, S = 0). S is left out (undefined) where a
 * leg has none.
 */
export function chainRule(leg1: EnsembleResult, leg2: EnsembleResult, n: number, p: number) {
  const count = leg1.status.length;
  const jacobian = new Float64Array(count * n * n);
  const s1 = leg1.paramJacobian;
  const s2 = leg2.paramJacobian;
  const paramJacobian = s1 && s2 ? new Float64Array(count * n * p) : undefined;
  for (let i = 0; i < count; i++) {
    const phi1 = leg1.jacobian!.subarray(i * n * n);
    const phi2 = leg2.jacobian!.subarray(i * n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += phi2[r * n + k]! * phi1[k * n + c]!;
        jacobian[i * n * n + r * n + c] = sum;
      }
      if (paramJacobian === undefined) continue;
      for (let c = 0; c < p; c++) {
        let sum = s2![i * n * p + r * p + c]!;
        for (let k = 0; k < n; k++) sum += phi2[r * n + k]! * s1![i * n * p + k * p + c]!;
        paramJacobian[i * n * p + r * p + c] = sum;
      }
    }
  }
  return { jacobian, paramJacobian };
}
