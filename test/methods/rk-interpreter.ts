/**
 * A plain fixed-step explicit Runge–Kutta interpreter for the tests: it runs any tableau with doubles,
 * with either the propagated weights b or the embedded ones b̂, so a measured convergence order can be
 * compared with the declared one. Deliberately simple and independent of the code generator.
 */
import { type DD, DD_ZERO, ddAdd, ddMul } from './double-double.ts';

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

/** A tableau and weights in double-double, for runs whose error must fall far below double rounding. */
export interface DDTableau {
  readonly c: readonly DD[];
  readonly a: readonly (readonly DD[])[];
}

export type RhsDD = (y: readonly DD[]) => DD[];

/**
 * Integrates the autonomous system y' = f(y) with n steps of size h, in double-double.
 */
export function integrateFixedDD(
  tableau: DDTableau,
  weights: readonly DD[],
  f: RhsDD,
  y0: readonly DD[],
  h: DD,
  n: number,
): DD[] {
  const s = tableau.c.length;
  const dim = y0.length;
  let y = y0.slice();
  const k: DD[][] = new Array(s);
  for (let step = 0; step < n; step++) {
    for (let i = 0; i < s; i++) {
      const row = tableau.a[i]!;
      const z: DD[] = new Array(dim);
      for (let d = 0; d < dim; d++) {
        let acc = DD_ZERO;
        for (let j = 0; j < i; j++) {
          const aij = row[j]!;
          if (aij[0] !== 0) acc = ddAdd(acc, ddMul(aij, k[j]![d]!));
        }
        z[d] = ddAdd(y[d]!, ddMul(h, acc));
      }
      k[i] = f(z);
    }
    const next: DD[] = new Array(dim);
    for (let d = 0; d < dim; d++) {
      let acc = DD_ZERO;
      for (let i = 0; i < s; i++) {
        const w = weights[i]!;
        if (w[0] !== 0) acc = ddAdd(acc, ddMul(w, k[i]![d]!));
      }
      next[d] = ddAdd(y[d]!, ddMul(h, acc));
    }
    y = next;
  }
  return y;
}
