/**
 * The Rosenbrock methods: the transformed coefficients (a, C, m, m̂) are mapped back exactly to the classical
 * ones (α, Γ, b, b̂) and the Rosenbrock order conditions (one per rooted tree) are checked up to the claimed
 * order and shown to fail at the next one, for y1 and for the embedded solution. ROS3P lies in Q(√3) and is
 * checked exactly; Rodas4 and Rodas5P are published as ~16-digit decimals, so their residuals (computed exactly
 * from those decimals) must only be tiny. Independently, a hand-rolled Rosenbrock stepper (exact Jacobian and
 * ∂f/∂t) measures the convergence order on a linear non-autonomous and a nonlinear non-autonomous problem.
 */
import { describe, expect, it } from 'vitest';
import type { RosenbrockMethod } from '../../src/methods/implicit/types.ts';
import { RODAS4, RODAS5P, ROS3P, ROSENBROCK_METHODS } from '../../src/methods/rosenbrock/index.ts';
import { rootedTrees } from './rooted-trees.ts';
import {
  classicalRosenbrock,
  isExactlySpelled,
  magnitude,
  rosenbrockCoefficients,
  rosenbrockResiduals,
  type Surd,
  solveDouble,
  stabilityAtInfinity,
  toDouble,
} from './stiff-helpers.ts';

/** Residual bound for the methods published as decimals (Rodas4, Rodas5P); 0 (exact) for ROS3P. */
const DECIMAL_TOLERANCE = 1e-13; // observed: below 6e-15 for both

const cases = ROSENBROCK_METHODS.map((m) => [m.name, m] as const);

function exactlySpelled(m: RosenbrockMethod): boolean {
  return isExactlySpelled(rosenbrockCoefficients(m));
}

function worstByOrder(m: RosenbrockMethod, maxOrder: number): { b: number[]; bHat: number[] } {
  const r = classicalRosenbrock(m);
  const trees = rootedTrees(maxOrder);
  const weights = r.bHat ? [r.b, r.bHat] : [r.b];
  const res = rosenbrockResiduals(r.field, r.alpha, r.beta, weights, trees);
  const worst = res.map((row) => {
    const w = new Array<number>(maxOrder + 1).fill(0);
    row.forEach((x, i) => {
      const o = trees[i]!.order;
      w[o] = Math.max(w[o]!, magnitude(r.field, x));
    });
    return w;
  });
  return { b: worst[0]!, bHat: worst[1] ?? [] };
}

describe('Rosenbrock data', () => {
  it('has Rodas5P, Rodas4 and ROS3P', () => {
    expect(ROSENBROCK_METHODS.map((m) => m.name)).toEqual(['Rodas5P', 'Rodas4', 'ROS3P']);
  });

  it.each(cases)('%s: shapes and a source', (_n, m) => {
    const s = m.m.length;
    expect(m.family).toBe('rosenbrock');
    expect(m.a).toHaveLength(s);
    expect(m.C).toHaveLength(s);
    expect(m.a.map((row) => row.length)).toEqual(m.a.map((_, i) => i));
    expect(m.C.map((row) => row.length)).toEqual(m.C.map((_, i) => i));
    expect(m.c).toHaveLength(s);
    expect(m.d).toHaveLength(s);
    expect(m.errorEstimate?.mHat).toHaveLength(s);
    expect(m.source.length).toBeGreaterThan(40);
  });

  it('ROS3P is exact in Q(√3); the Rodas tableaus are decimals', () => {
    expect(exactlySpelled(ROS3P)).toBe(true);
    expect(exactlySpelled(RODAS4)).toBe(false);
    expect(exactlySpelled(RODAS5P)).toBe(false);
  });
});

describe.each(cases)('classical form of %s', (_n, m) => {
  const r = classicalRosenbrock(m);
  const tol = exactlySpelled(m) ? 0 : DECIMAL_TOLERANCE;
  const close = (x: Surd, y: Surd) => magnitude(r.field, r.field.sub(x, y)) <= tol;

  it('Γ has diagonal γ, α is strictly lower triangular', () => {
    for (let i = 0; i < r.Gamma.length; i++) {
      for (let j = 0; j < r.Gamma.length; j++) {
        const g = r.Gamma[i]![j]!;
        if (j > i) expect(r.field.isZero(g)).toBe(true);
        if (j === i) expect(r.field.equals(g, r.gamma)).toBe(true);
        if (j >= i) expect(magnitude(r.field, r.alpha[i]![j]!)).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('c_i = α_i = Σ_j α_ij and d_i = γ_i = Σ_{j≤i} γ_ij', () => {
    r.alpha.forEach((row, i) => {
      const sum = row.reduce((acc, x) => r.field.add(acc, x), r.field.zero);
      expect(close(sum, r.c[i]!), `c_${i + 1}: ${r.field.toNumber(sum)} vs ${r.field.toNumber(r.c[i]!)}`).toBe(true);
    });
    r.Gamma.forEach((row, i) => {
      const sum = row.reduce((acc, x) => r.field.add(acc, x), r.field.zero);
      expect(close(sum, r.d[i]!), `d_${i + 1}: ${r.field.toNumber(sum)} vs ${r.field.toNumber(r.d[i]!)}`).toBe(true);
    });
  });

  it(`stiffly accurate: ${m.stifflyAccurate}`, () => {
    const s = m.m.length;
    const last = m.a[s - 1]!;
    const sa =
      toDouble(m.c[s - 1]!) === 1 &&
      toDouble(m.m[s - 1]!) === 1 &&
      last.every((x, j) => JSON.stringify(x) === JSON.stringify(m.m[j]));
    expect(sa).toBe(m.stifflyAccurate);
  });

  it(`${m.stability.kind}-stability at infinity: R(∞) = 1 − bᵀβ⁻¹1`, () => {
    const rInf = stabilityAtInfinity(r.field, r.beta, r.b);
    if (m.stability.kind === 'L') expect(magnitude(r.field, rInf)).toBeLessThanOrEqual(tol || 0);
    else expect(Math.abs(r.field.toNumber(rInf))).toBeLessThan(1);
  });
});

describe.each(cases)('A-stability of %s on the imaginary axis', (_n, m) => {
  it('|R(iy)| ≤ 1 on a grid (the only pole, z = 1/γ, lies in the right half-plane)', () => {
    const r = classicalRosenbrock(m);
    const beta = r.beta.map((row) => row.map((x) => r.field.toNumber(x)));
    const b = r.b.map((x) => r.field.toNumber(x));
    expect(r.field.toNumber(r.gamma)).toBeGreaterThan(0);
    for (let y = -200; y <= 200; y += 0.5) {
      // x = (I − zβ)^{-1} 1 by forward substitution in complex doubles, z = iy; R = 1 + z bᵀx.
      const xr: number[] = [];
      const xi: number[] = [];
      for (let i = 0; i < beta.length; i++) {
        let sr = 1;
        let si = 0;
        for (let j = 0; j < i; j++) {
          // + z β_ij x_j = iy β_ij (xr + i xi)
          sr -= y * beta[i]![j]! * xi[j]!;
          si += y * beta[i]![j]! * xr[j]!;
        }
        // divide by 1 − iyβ_ii
        const dr = 1;
        const di = -y * beta[i]![i]!;
        const den = dr * dr + di * di;
        xr.push((sr * dr + si * di) / den);
        xi.push((si * dr - sr * di) / den);
      }
      const br = b.reduce((acc, bj, j) => acc + bj * xr[j]!, 0);
      const bi = b.reduce((acc, bj, j) => acc + bj * xi[j]!, 0);
      const R = Math.hypot(1 - y * bi, y * br);
      expect(R, `y = ${y}`).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});

describe('ROS3P stability at infinity', () => {
  it('R(∞) = 1 − √3 ≈ −0.732 exactly: A-stable, not L-stable', () => {
    const r = classicalRosenbrock(ROS3P);
    expect(stabilityAtInfinity(r.field, r.beta, r.b)).toEqual({ a: { num: 1n, den: 1n }, b: { num: -1n, den: 1n } });
  });
});

describe('ROS3P classical coefficients (Lang & Verwer 2001)', () => {
  it('α21 = α31 = 1, α32 = 0, γ21 = −1, γ31 = −γ, b = (2/3, 0, 1/3), b̂ = (1/3, 1/3, 1/3), exactly', () => {
    const r = classicalRosenbrock(ROS3P);
    const num = (x: Surd) => r.field.toNumber(x);
    expect(r.alpha.map((row) => row.map(num))).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(r.field.equals(r.Gamma[1]![0]!, r.field.fromRational({ num: -1n, den: 1n }))).toBe(true);
    expect(r.field.equals(r.Gamma[2]![0]!, r.field.neg(r.gamma))).toBe(true);
    expect(r.b.map((x) => [x.a, x.b])).toEqual([
      [
        { num: 2n, den: 3n },
        { num: 0n, den: 1n },
      ],
      [
        { num: 0n, den: 1n },
        { num: 0n, den: 1n },
      ],
      [
        { num: 1n, den: 3n },
        { num: 0n, den: 1n },
      ],
    ]);
    for (const x of r.bHat!) expect(x).toEqual({ a: { num: 1n, den: 3n }, b: { num: 0n, den: 1n } });
  });
});

describe.each(cases)('Rosenbrock order conditions: %s', (_n, m) => {
  const p = m.order;
  const pHat = m.errorEstimate!.order;
  const worst = worstByOrder(m, p + 1);
  const tol = exactlySpelled(m) ? 0 : DECIMAL_TOLERANCE;

  it(`y1 satisfies every condition up to order ${p}${tol ? ` (|residual| ≤ ${tol})` : ' exactly'}`, () => {
    for (let k = 1; k <= p; k++) expect(worst.b[k]!, `order ${k}`).toBeLessThanOrEqual(tol);
  });
  it(`y1 fails some condition of order ${p + 1}`, () => {
    expect(worst.b[p + 1]!).toBeGreaterThan(1e-6);
  });
  it(`the embedded solution has order exactly ${pHat}`, () => {
    for (let k = 1; k <= pHat; k++) expect(worst.bHat[k]!, `order ${k}`).toBeLessThanOrEqual(tol);
    expect(worst.bHat[pHat + 1]!).toBeGreaterThan(1e-6);
  });
});

describe('the decimal tolerance catches a slip', () => {
  it('changing one Rodas5P coefficient in its 12th digit breaks a condition', () => {
    const C = RODAS5P.C.map((row) => [...row]);
    C[4]![2] = '42.90938336968603'; // 42.90938336958603 with the 11th significant digit changed
    const broken: RosenbrockMethod = { ...RODAS5P, C };
    const w = worstByOrder(broken, 5);
    expect(Math.max(...w.b.slice(1))).toBeGreaterThan(DECIMAL_TOLERANCE);
  });
});

// ---------------------------------------------------------------------------------------------------
// A hand-rolled Rosenbrock stepper in the transformed form (exact Jacobian J and ∂f/∂t, dimension n):
//   (I/(hγ) − J) u_i = f(t0 + c_i h, y0 + Σ a_ij u_j) + Σ (C_ij/h) u_j + d_i h f_t,  y1 = y0 + Σ m_j u_j.

interface Problem {
  readonly f: (t: number, y: number[]) => number[];
  readonly jac: (t: number, y: number[]) => number[][];
  readonly ft: (t: number, y: number[]) => number[];
  readonly exact: (t: number) => number[];
}

function step(m: RosenbrockMethod, pr: Problem, t0: number, y0: number[], h: number): { y1: number[]; yHat: number[] } {
  const s = m.m.length;

  const gamma = toDouble(m.gamma);
  const a = m.a.map((row) => row.map(toDouble));
  const C = m.C.map((row) => row.map(toDouble));
  const c = m.c.map(toDouble);
  const d = m.d.map(toDouble);
  const J = pr.jac(t0, y0);
  const ft = pr.ft(t0, y0);
  const u: number[][] = [];
  for (let i = 0; i < s; i++) {
    const arg = y0.map((yk, k) => yk + a[i]!.reduce((acc, aij, j) => acc + aij * u[j]![k]!, 0));
    const fi = pr.f(t0 + c[i]! * h, arg);
    const rhs = fi.map(
      (fk, k) => fk + C[i]!.reduce((acc, cij, j) => acc + (cij / h) * u[j]![k]!, 0) + d[i]! * h * ft[k]!,
    );
    const W = J.map((row, r) => row.map((x, q) => (r === q ? 1 / (h * gamma) : 0) - x));
    u.push(solveDouble(W, rhs));
  }
  const combine = (w: readonly number[]) => y0.map((yk, k) => yk + w.reduce((acc, wj, j) => acc + wj * u[j]![k]!, 0));
  return { y1: combine(m.m.map(toDouble)), yHat: combine(m.errorEstimate!.mHat.map(toDouble)) };
}

function globalError(m: RosenbrockMethod, pr: Problem, steps: number, tEnd = 1): number {
  const h = tEnd / steps;
  let y = pr.exact(0);
  for (let k = 0; k < steps; k++) y = step(m, pr, k * h, y, h).y1;
  const ye = pr.exact(tEnd);
  return Math.hypot(...y.map((x, k) => x - ye[k]!));
}

/** y' = λ(y − sin t) + cos t, y(0) = 1: y = sin t + e^{λt}. */
const LAMBDA = -2;
const linear: Problem = {
  f: (t, y) => [LAMBDA * (y[0]! - Math.sin(t)) + Math.cos(t)],
  jac: () => [[LAMBDA]],
  ft: (t) => [-LAMBDA * Math.cos(t) - Math.sin(t)],
  exact: (t) => [Math.sin(t) + Math.exp(LAMBDA * t)],
};

/** y' = −2t y², y(0) = 1: y = 1/(1 + t²). */
const nonlinear: Problem = {
  f: (t, y) => [-2 * t * y[0]! * y[0]!],
  jac: (t, y) => [[-4 * t * y[0]!]],
  ft: (_t, y) => [-2 * y[0]! * y[0]!],
  exact: (t) => [1 / (1 + t * t)],
};

const problems = [
  ['linear non-autonomous', linear],
  ['nonlinear non-autonomous', nonlinear],
] as const;

describe.each(cases)('measured order: %s', (_n, m) => {
  it.each(problems)(`global error falls like h^${m.order} (%s)`, (_p, pr) => {
    const n0 = m.order >= 5 ? 8 : 16;
    const e1 = globalError(m, pr, n0);
    const e2 = globalError(m, pr, 2 * n0);
    const rate = Math.log2(e1 / e2);
    expect(e2).toBeGreaterThan(1e-13);
    expect(rate, `errors ${e1}, ${e2}`).toBeGreaterThan(m.order - 0.3);
    expect(rate, `errors ${e1}, ${e2}`).toBeLessThan(m.order + 0.6);
  });

  it.each(problems)(`local error estimate |y1 − ŷ1| falls like h^${m.errorEstimate!.order + 1} (%s)`, (_p, pr) => {
    const t0 = 0.7; // away from t where the leading error term of y1 − ŷ1 changes sign (near 0.3 for Rodas5P)
    const y0 = pr.exact(t0);
    const est = (h: number) => {
      const { y1, yHat } = step(m, pr, t0, y0, h);
      return Math.hypot(...y1.map((x, k) => x - yHat[k]!));
    };
    const h0 = 0.05;
    const rate = Math.log2(est(h0) / est(h0 / 2));
    expect(rate, `${est(h0)} ${est(h0 / 2)}`).toBeGreaterThan(m.errorEstimate!.order + 1 - 0.3);
    expect(rate).toBeLessThan(m.errorEstimate!.order + 1 + 0.6);
  });
});
