/**
 * Plain fixed-step explicit Runge–Kutta interpreters for the tests, in doubles and in fixed point. They run
 * any tableau with either the propagated weights b or the embedded ones b̂, so a measured convergence
 * order can be compared with the declared one. Deliberately simple and independent of the code generator.
 */
import { BITS, type Fixed, fxMul } from './fixed-point.ts';

export type Rhs = (t: number, y: readonly number[]) => number[];

export interface FixedStepTableau {
  readonly c: readonly number[];
  readonly a: readonly (readonly number[])[];
}

/** Integrates y' = f(t, y) from t0 to t1 in n equal steps and returns y(t1). */
export function integrateFixed(
  tableau: FixedStepTableau,
  weights: readonly number[],
  f: Rhs,
  t0: number,
  y0: readonly number[],
  t1: number,
  n: number,
): number[] {
  const s = tableau.c.length;
  const dim = y0.length;
  const h = (t1 - t0) / n;
  let y = y0.slice();
  const k: number[][] = new Array(s);
  const z = new Array<number>(dim);
  for (let step = 0; step < n; step++) {
    const t = t0 + step * h;
    for (let i = 0; i < s; i++) {
      const row = tableau.a[i]!;
      for (let d = 0; d < dim; d++) {
        let acc = 0;
        for (let j = 0; j < i; j++) {
          const aij = row[j]!;
          if (aij !== 0) acc += aij * k[j]![d]!;
        }
        z[d] = y[d]! + h * acc;
      }
      k[i] = f(t + tableau.c[i]! * h, z);
    }
    const next = y.slice();
    for (let d = 0; d < dim; d++) {
      let acc = 0;
      for (let i = 0; i < s; i++) {
        const w = weights[i]!;
        if (w !== 0) acc += w * k[i]![d]!;
      }
      next[d] = y[d]! + h * acc;
    }
    y = next;
  }
  return y;
}

/** Least-squares slope of log(err) against log(h): the observed order of convergence. */
export function observedOrder(stepCounts: readonly number[], errors: readonly number[]): number {
  const xs = stepCounts.map((n) => -Math.log(n));
  const ys = errors.map((e) => Math.log(e));
  const mx = xs.reduce((p, q) => p + q, 0) / xs.length;
  const my = ys.reduce((p, q) => p + q, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

/** A tableau in fixed point, for runs whose error must fall far below double rounding. */
export interface FixedTableau {
  readonly a: readonly (readonly Fixed[])[];
}

/**
 * Integrates the autonomous system y' = f(y) with n steps of size h, in fixed point. Each stage sum
 * Σ_j a_ij k_j is accumulated exactly at double scale and truncated once.
 */
export function integrateFixedPoint(
  tableau: FixedTableau,
  weights: readonly Fixed[],
  f: (y: readonly Fixed[]) => Fixed[],
  y0: readonly Fixed[],
  h: Fixed,
  n: number,
): Fixed[] {
  const s = tableau.a.length;
  const dim = y0.length;
  // Only the non-zero coefficients matter; Feagin's tableaus are sparse.
  const rows = tableau.a.map((row) => row.flatMap((aij, j) => (aij === 0n ? [] : [[j, aij] as const])));
  const wts = weights.flatMap((w, i) => (w === 0n ? [] : [[i, w] as const]));
  let y = y0.slice();
  const k: Fixed[][] = new Array(s);
  for (let step = 0; step < n; step++) {
    for (let i = 0; i < s; i++) {
      const z: Fixed[] = new Array(dim);
      for (let d = 0; d < dim; d++) {
        let acc = 0n;
        for (const [j, aij] of rows[i]!) acc += aij * k[j]![d]!;
        z[d] = y[d]! + fxMul(h, acc >> BITS);
      }
      k[i] = f(z);
    }
    const next: Fixed[] = new Array(dim);
    for (let d = 0; d < dim; d++) {
      let acc = 0n;
      for (const [i, w] of wts) acc += w * k[i]![d]!;
      next[d] = y[d]! + fxMul(h, acc >> BITS);
    }
    y = next;
  }
  return y;
}
