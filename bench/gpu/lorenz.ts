/**
 * The GPU ensemble problem of ../shared/docs/REFERENCES.md (B1 of the DiffEqGPU paper): Lorenz σ = 10, β = 8/3,
 * ρ_i = 21·i/(N−1), u0 = (1, 0, 0), t ∈ [0, 1]. σ and β are literals in the model, as in the hand-written
 * anchors (lorenz_ensemble.cu, lorenz_webgpu.mjs), so the only per-trajectory input besides u0 is ρ.
 *
 * Also: the variants measured, their inputs, and an independent f64 reference in plain JavaScript (classic RK4
 * with the 3×3 variational equations written by hand) for the correctness checks.
 */
import type { EnsembleOptions } from '../../src/ensemble/types.ts';
import type { ModelSpec } from '../../src/model/model.ts';

export const LORENZ_GPU: ModelSpec = {
  name: 'lorenz_gpu',
  states: ['x', 'y', 'z'],
  params: { rho: 28 },
  rhs: { x: '10*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - 2.6666666666666665*z' },
};

export const T1 = 1;
export const DT = 1e-3;
export const TOL = 1e-8;

export type MethodName = 'RK4' | 'Dormand-Prince';

export interface Variant {
  /** Key in the results. */
  readonly id: string;
  readonly label: string;
  readonly method: MethodName;
  readonly precision: 'f32' | 'f64';
  /** With the 3×3 Jacobian ∂y(1)/∂y0 (sensitivities ['y0']) or the state only (sensitivities []). */
  readonly jacobian: boolean;
  /** The name lorenz_ensemble.cu prints for the same computation. */
  readonly anchor: string;
}

export const CUDA_VARIANTS: readonly Variant[] = [
  {
    id: 'rk4_f32_state',
    label: 'RK4 dt=1e-3, f32, state',
    method: 'RK4',
    precision: 'f32',
    jacobian: false,
    anchor: 'rk4_fixed_f32_state',
  },
  {
    id: 'rk4_f64_state',
    label: 'RK4 dt=1e-3, f64, state',
    method: 'RK4',
    precision: 'f64',
    jacobian: false,
    anchor: 'rk4_fixed_f64_state',
  },
  {
    id: 'rk4_f32_jac',
    label: 'RK4 dt=1e-3, f32, state + 3×3 Jacobian',
    method: 'RK4',
    precision: 'f32',
    jacobian: true,
    anchor: 'rk4_fixed_f32_var3x3',
  },
  {
    id: 'rk4_f64_jac',
    label: 'RK4 dt=1e-3, f64, state + 3×3 Jacobian',
    method: 'RK4',
    precision: 'f64',
    jacobian: true,
    anchor: 'rk4_fixed_f64_var3x3',
  },
  {
    id: 'dp5_f64_jac',
    label: 'Dormand–Prince 1e-8, f64, state + 3×3 Jacobian',
    method: 'Dormand-Prince',
    precision: 'f64',
    jacobian: true,
    anchor: 'dp5_adaptive_f64_var3x3',
  },
];

/** WebGPU is f32 only: RK4 with and without the Jacobian; `anchor` is what lorenz_webgpu.mjs prints. */
export const WGSL_VARIANTS: readonly Variant[] = [
  {
    id: 'wgsl_rk4_f32_state',
    label: 'RK4 dt=1e-3, f32, state',
    method: 'RK4',
    precision: 'f32',
    jacobian: false,
    anchor: 'webgpu_rk4_fixed_f32_state',
  },
  {
    id: 'wgsl_rk4_f32_jac',
    label: 'RK4 dt=1e-3, f32, state + 3×3 Jacobian',
    method: 'RK4',
    precision: 'f32',
    jacobian: true,
    anchor: 'webgpu_rk4_fixed_f32_var3x3',
  },
];

export function rhoOf(i: number, count: number): number {
  return count > 1 ? (21 * i) / (count - 1) : 0;
}

/** The ensemble's inputs for trajectories `indices` (all of 0..count−1 when absent). */
export function ensembleOptions(count: number, indices?: readonly number[]): EnsembleOptions {
  const rows = indices ?? null;
  const k = rows ? rows.length : count;
  const y0 = new Float64Array(k * 3);
  const params = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    y0[r * 3] = 1;
    params[r] = rhoOf(rows ? rows[r]! : r, count);
  }
  return { t0: 0, t1: T1, y0, params, dt: DT, rtol: TOL, atol: TOL };
}

/** A few trajectories spread over ρ ∈ [0, 21] for the correctness checks. */
export function checkIndices(count: number): number[] {
  const picks = [0, 1, count >> 2, count >> 1, (3 * count) >> 2, count - 2, count - 1];
  return [...new Set(picks.filter((i) => i >= 0 && i < count))].sort((a, b) => a - b);
}

/**
 * f64 classic RK4 of the Lorenz system with Φ' = JΦ (Φ(0) = I), `steps` steps of `dt`, written out by hand
 * (independent of odeforge's generated code). Returns [x, y, z, Φ row-major (9)].
 */
export function referenceRk4(rho: number, dt: number, steps: number): Float64Array {
  const s = 10;
  const b = 8 / 3;
  const f = (u: Float64Array, d: Float64Array): void => {
    const x = u[0]!;
    const y = u[1]!;
    const z = u[2]!;
    d[0] = s * (y - x);
    d[1] = x * (rho - z) - y;
    d[2] = x * y - b * z;
    for (let c = 0; c < 3; c++) {
      const p0 = u[3 + c]!;
      const p1 = u[6 + c]!;
      const p2 = u[9 + c]!;
      d[3 + c] = -s * p0 + s * p1;
      d[6 + c] = (rho - z) * p0 - p1 - x * p2;
      d[9 + c] = y * p0 + x * p1 - b * p2;
    }
  };
  const M = 12;
  const u = new Float64Array(M);
  u[0] = 1;
  u[3] = 1;
  u[7] = 1;
  u[11] = 1;
  const k1 = new Float64Array(M);
  const k2 = new Float64Array(M);
  const k3 = new Float64Array(M);
  const k4 = new Float64Array(M);
  const tmp = new Float64Array(M);
  for (let n = 0; n < steps; n++) {
    f(u, k1);
    for (let j = 0; j < M; j++) tmp[j] = u[j]! + 0.5 * dt * k1[j]!;
    f(tmp, k2);
    for (let j = 0; j < M; j++) tmp[j] = u[j]! + 0.5 * dt * k2[j]!;
    f(tmp, k3);
    for (let j = 0; j < M; j++) tmp[j] = u[j]! + dt * k3[j]!;
    f(tmp, k4);
    for (let j = 0; j < M; j++) u[j] = u[j]! + (dt / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + k4[j]!);
  }
  return u;
}

/**
 * The independent reference of a variant for trajectory ρ: RK4 dt = 1e-3 (the same algorithm, so only rounding
 * differs) for the RK4 variants; RK4 dt = 1e-5 (error ≲ 1e-11, i.e. the exact solution for a 1e-8 tolerance)
 * for Dormand–Prince.
 */
export function independentReference(method: MethodName, rho: number): { what: string; values: Float64Array } {
  if (method === 'RK4') return { what: 'hand RK4 f64, dt=1e-3', values: referenceRk4(rho, DT, Math.round(T1 / DT)) };
  return { what: 'hand RK4 f64, dt=1e-5 (≈ exact)', values: referenceRk4(rho, 1e-5, 100_000) };
}

/** max |a − b| / max(1, |b|), the measure lorenz_webgpu.mjs prints. */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    m = Math.max(m, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
  }
  return m;
}
