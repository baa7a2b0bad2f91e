/** Separable Hamiltonian models for the symplectic methods' tests, with their energies. */
import type { ModelSpec } from '../../src/model/model.ts';

/** H = |p|²/2 − μ/|q|, e = 0.6 from pericentre: period 2π, q0 = (1 − e, 0), p0 = (0, sqrt((1 + e)/(1 − e))). */
export const KEPLER: ModelSpec = {
  name: 'kepler',
  states: ['qx', 'qy', 'px', 'py'],
  params: { mu: 1 },
  rhs: { qx: 'px', qy: 'py', px: '-mu*qx/(qx^2 + qy^2)^1.5', py: '-mu*qy/(qx^2 + qy^2)^1.5' },
  hamiltonian: { positions: ['qx', 'qy'], momenta: ['px', 'py'] },
};
const e = 0.6;
export const KEPLER_Y0: readonly number[] = [1 - e, 0, 0, Math.sqrt((1 + e) / (1 - e))];
export function keplerEnergy(y: ArrayLike<number>): number {
  return 0.5 * (y[2]! * y[2]! + y[3]! * y[3]!) - 1 / Math.hypot(y[0]!, y[1]!);
}

/** The pendulum H = p²/2 − ω² cos q: non-linear, so the general order conditions show. */
export const PENDULUM: ModelSpec = {
  name: 'pendulum',
  states: ['q', 'p'],
  params: { w2: 1 },
  rhs: { q: 'p', p: '-w2*sin(q)' },
  hamiltonian: { positions: ['q'], momenta: ['p'] },
};

/** The harmonic oscillator H = (p² + q²)/2: exact solution (q cos t + p sin t, p cos t − q sin t). */
export const HARMONIC: ModelSpec = {
  name: 'harmonic',
  states: ['q', 'p'],
  rhs: { q: 'p', p: '-q' },
  hamiltonian: { positions: ['q'], momenta: ['p'] },
};

/**
 * A forced, non-autonomous separable Hamiltonian with two degrees of freedom, H = T(p) + V(q, t) with
 * T = (p1² + p2²)/(2m) + 0.05·p1²·p2 and V = −k cos q1 + q2⁴/4 + 0.2·q1·q2 − a·q1·cos(1.5 t): the kicks read the time,
 * the drifts a parameter; states interleaved and the hamiltonian's lists out of the states' order.
 */
export const FORCED: ModelSpec = {
  name: 'forced',
  states: ['p2', 'q1', 'p1', 'q2'],
  params: { m: 1.3, a: 0.4, k: 2 },
  rhs: {
    q1: 'p1/m + 0.1*p1*p2',
    q2: 'p2/m + 0.05*p1^2',
    p1: '-k*sin(q1) - 0.2*q2 + a*cos(1.5*t)',
    p2: '-q2^3 - 0.2*q1',
  },
  hamiltonian: { positions: ['q2', 'q1'], momenta: ['p2', 'p1'] },
};

/**
 * max |ΦᵀΩΦ − Ω| for Φ (n×n, row-major) and the symplectic form Ω of the pairs (positions[i], momenta[i]), given
 * as state indices: Ω[q][p] = 1, Ω[p][q] = −1.
 */
export function symplecticDefect(
  phi: ArrayLike<number>,
  positions: readonly number[],
  momenta: readonly number[],
): number {
  const n = positions.length + momenta.length;
  const omega = new Float64Array(n * n);
  positions.forEach((q, i) => {
    omega[q * n + momenta[i]!] = 1;
    omega[momenta[i]! * n + q] = -1;
  });
  let worst = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) s += phi[i * n + a]! * omega[i * n + j]! * phi[j * n + b]!;
      worst = Math.max(worst, Math.abs(s - omega[a * n + b]!));
    }
  }
  return worst;
}

/** max |Φ_ij|² over Φ's entries: the scale of the rounding in ΦᵀΩΦ. */
export function squaredNorm(phi: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < phi.length; i++) m = Math.max(m, Math.abs(phi[i]!));
  return m * m;
}

/** Least-squares slope of log2(error) against log2(steps). */
export function slope(steps: readonly number[], errors: readonly number[]): number {
  const xs = steps.map(Math.log2);
  const ys = errors.map(Math.log2);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return -sxy / sxx;
}
