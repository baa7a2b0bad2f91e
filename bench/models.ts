/** The benchmark's models and the finite-difference Jacobian that the variational solvers are compared with. */
import type { ModelSpec } from '../src/model/model.ts';

/** Lorenz-96: dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F, indices cyclic. States x0 … x{n-1}. */
export function lorenz96(n: number, forcing = 8): ModelSpec {
  const name = (i: number) => `x${(((i % n) + n) % n).toString()}`;
  const rhs: Record<string, string> = {};
  for (let i = 0; i < n; i++) rhs[name(i)] = `(${name(i + 1)} - ${name(i - 2)})*${name(i - 1)} - ${name(i)} + F`;
  return { name: `lorenz96-${n}`, states: Array.from({ length: n }, (_, i) => name(i)), params: { F: forcing }, rhs };
}

/**
 * y0_i = F + sin(i + 1): off the equilibrium x_i = F everywhere, so the flow is busy from t = 0 and the step
 * count (~70–80 at rtol 1e-8 over [0, 0.5]) hardly depends on N. bench/reference/lorenz96.c uses the same.
 */
export function lorenz96Y0(n: number, forcing = 8): number[] {
  return Array.from({ length: n }, (_, i) => forcing + Math.sin(i + 1));
}

/**
 * ∂y(t1)/∂y0 by central differences, row-major: 2n solves of the state, plus the unperturbed one (the state is
 * wanted too, and a fair comparison with a one-pass solver includes it): 2n + 1 in all.
 */
export function centralDifferences(
  solveState: (y0: readonly number[]) => ArrayLike<number>,
  y0: readonly number[],
  delta: number,
): Float64Array {
  const n = y0.length;
  solveState(y0);
  const J = new Float64Array(n * n);
  const shifted = [...y0];
  for (let j = 0; j < n; j++) {
    shifted[j] = y0[j]! + delta;
    const plus = Float64Array.from(solveState(shifted));
    shifted[j] = y0[j]! - delta;
    const minus = solveState(shifted);
    shifted[j] = y0[j]!;
    for (let i = 0; i < n; i++) J[i * n + j] = (plus[i]! - minus[i]!) / (2 * delta);
  }
  return J;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    e = d > e || Number.isNaN(d) ? d : e;
  }
  return e;
}
