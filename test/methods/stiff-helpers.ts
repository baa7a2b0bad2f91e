/**
 * Helpers for the stiff-method tests: exact arithmetic in Q(√d) over BigInt rationals, order-condition
 * residuals for full (implicit) RK matrices and for Rosenbrock methods, small linear solvers, and the
 * Padé approximants of e^z.
 */
import {
  parseCoefficient,
  type Rational,
  ONE as RONE,
  ZERO as RZERO,
  add as radd,
  rational,
  rationalToNumber,
  div as rdiv,
  mul as rmul,
  neg as rneg,
  sub as rsub,
} from '../../src/methods/exact.ts';
import type { ExactCoefficient, RosenbrockMethod } from '../../src/methods/implicit/types.ts';
import type { Field, Tree } from './rooted-trees.ts';

/** a + b√d. */
export interface Surd {
  readonly a: Rational;
  readonly b: Rational;
}

export interface SurdField extends Field<Surd> {
  readonly d: bigint;
  neg(x: Surd): Surd;
  div(x: Surd, y: Surd): Surd;
  fromRational(x: Rational): Surd;
  equals(x: Surd, y: Surd): boolean;
  /** The nearest double (to within a few ulps). */
  toNumber(x: Surd): number;
}

export function surdField(d: bigint): SurdField {
  const dr = rational(d);
  const zero: Surd = { a: RZERO, b: RZERO };
  const one: Surd = { a: RONE, b: RZERO };
  const mul = (x: Surd, y: Surd): Surd => ({
    a: radd(rmul(x.a, y.a), rmul(dr, rmul(x.b, y.b))),
    b: radd(rmul(x.a, y.b), rmul(x.b, y.a)),
  });
  const isZero = (x: Surd): boolean => x.a.num === 0n && x.b.num === 0n;
  return {
    d,
    zero,
    one,
    add: (x, y) => ({ a: radd(x.a, y.a), b: radd(x.b, y.b) }),
    sub: (x, y) => ({ a: rsub(x.a, y.a), b: rsub(x.b, y.b) }),
    neg: (x) => ({ a: rneg(x.a), b: rneg(x.b) }),
    mul,
    div: (x, y) => {
      if (isZero(y)) throw new RangeError('division by zero in Q(√d)');
      // 1/(a + b√d) = (a − b√d)/(a² − d b²); the norm is non-zero because d is not a square.
      const norm = rsub(rmul(y.a, y.a), rmul(dr, rmul(y.b, y.b)));
      const conj: Surd = { a: rdiv(y.a, norm), b: rdiv(rneg(y.b), norm) };
      return mul(x, conj);
    },
    reciprocal: (n) => ({ a: rational(1n, n), b: RZERO }),
    isZero,
    fromRational: (x) => ({ a: x, b: RZERO }),
    equals: (x, y) => x.a.num === y.a.num && x.a.den === y.a.den && x.b.num === y.b.num && x.b.den === y.b.den,
    toNumber: (x) => rationalToNumber(x.a) + rationalToNumber(x.b) * Math.sqrt(Number(d)),
  };
}

/** The radicand a method's surds use (1 when it has none; then Q(√1) is only used with b = 0). */
export function radicandOf(coefficients: readonly ExactCoefficient[]): bigint {
  const ds = new Set(coefficients.flatMap((x) => (typeof x === 'string' ? [] : [x.radicand])));
  if (ds.size > 1) throw new Error(`mixed radicands ${[...ds].join(', ')}`);
  return ds.size === 0 ? 2n : BigInt([...ds][0]!);
}

export function toSurd(x: ExactCoefficient, d: bigint): Surd {
  if (typeof x === 'string') return { a: parseCoefficient(x), b: RZERO };
  if (BigInt(x.radicand) !== d) throw new Error(`radicand ${x.radicand}, expected ${d}`);
  return { a: parseCoefficient(x.rational), b: parseCoefficient(x.irrational) };
}

const FRACTION = /^[+-]?\d+(\/[+-]?\d+)?$/;

/** True when every coefficient is spelled as an integer or fraction (or a surd of those): checks are exact. */
export function isExactlySpelled(coefficients: readonly ExactCoefficient[]): boolean {
  return coefficients.every((x) =>
    typeof x === 'string' ? FRACTION.test(x) : FRACTION.test(x.rational) && FRACTION.test(x.irrational),
  );
}

/**
 * Residuals Σ_i w_i Φ_i(t) − 1/γ(t), tree by tree, for a full s×s matrix A (implicit RK: every j, not
 * only j < i). Φ_i(τ) = 1, Φ_i([t1..tm]) = Π_k (A Φ(t_k))_i.
 */
export function implicitResiduals<T>(
  field: Field<T>,
  a: readonly (readonly T[])[],
  weightSets: readonly (readonly T[])[],
  trees: readonly Tree[],
): T[][] {
  const s = a.length;
  const aPhi: T[][] = [];
  const out: T[][] = weightSets.map(() => []);
  for (const tree of trees) {
    const phi: T[] = new Array(s).fill(field.one);
    for (const child of tree.children) {
      const v = aPhi[child]!;
      for (let i = 0; i < s; i++) phi[i] = field.mul(phi[i]!, v[i]!);
    }
    aPhi[tree.id] = matVec(field, a, phi);
    weightSets.forEach((w, k) => {
      out[k]!.push(field.sub(dot(field, w, phi), field.reciprocal(tree.gamma)));
    });
  }
  return out;
}

/**
 * Rosenbrock order conditions (Hairer & Wanner II, Section IV.7, Table 7.1 up to order 4, and the same
 * tree rule beyond): with α (strictly lower) and β = α + Γ (lower, diagonal γ),
 * Φ_j(τ) = 1; Φ_j([u]) = (β Φ(u))_j for a vertex with one child; Φ_j([u1..um]) = Π_k (α Φ(u_k))_j for m ≥ 2.
 * Order p ⇔ Σ_j b_j Φ_j(t) = 1/γ(t) for every tree with at most p vertices (exact Jacobian).
 */
export function rosenbrockResiduals<T>(
  field: Field<T>,
  alpha: readonly (readonly T[])[],
  beta: readonly (readonly T[])[],
  weightSets: readonly (readonly T[])[],
  trees: readonly Tree[],
): T[][] {
  const s = alpha.length;
  const phis: T[][] = [];
  const out: T[][] = weightSets.map(() => []);
  for (const tree of trees) {
    let phi: T[];
    if (tree.children.length === 0) phi = new Array(s).fill(field.one);
    else if (tree.children.length === 1) phi = matVec(field, beta, phis[tree.children[0]!]!);
    else {
      phi = new Array(s).fill(field.one);
      for (const child of tree.children) {
        const v = matVec(field, alpha, phis[child]!);
        for (let i = 0; i < s; i++) phi[i] = field.mul(phi[i]!, v[i]!);
      }
    }
    phis[tree.id] = phi;
    weightSets.forEach((w, k) => {
      out[k]!.push(field.sub(dot(field, w, phi), field.reciprocal(tree.gamma)));
    });
  }
  return out;
}

export function dot<T>(field: Field<T>, x: readonly T[], y: readonly T[]): T {
  let acc = field.zero;
  for (let i = 0; i < x.length; i++) {
    if (!field.isZero(x[i]!) && !field.isZero(y[i]!)) acc = field.add(acc, field.mul(x[i]!, y[i]!));
  }
  return acc;
}

export function matVec<T>(field: Field<T>, m: readonly (readonly T[])[], x: readonly T[]): T[] {
  return m.map((row) => dot(field, row, x));
}

export function matMul<T>(field: Field<T>, x: readonly (readonly T[])[], y: readonly (readonly T[])[]): T[][] {
  const n = y[0]!.length;
  return x.map((row) =>
    Array.from({ length: n }, (_, j) =>
      dot(
        field,
        row,
        y.map((r) => r[j]!),
      ),
    ),
  );
}

/** x·M for a row vector x. */
export function vecMat<T>(field: Field<T>, x: readonly T[], m: readonly (readonly T[])[]): T[] {
  const n = m[0]!.length;
  return Array.from({ length: n }, (_, j) =>
    dot(
      field,
      x,
      m.map((r) => r[j]!),
    ),
  );
}

/** Solves M X = B exactly by Gaussian elimination (M square and invertible); B is n×k. */
export function solve(field: SurdField, m: readonly (readonly Surd[])[], rhs: readonly (readonly Surd[])[]): Surd[][] {
  const n = m.length;
  const aug = m.map((row, i) => [...row, ...rhs[i]!]);
  for (let col = 0; col < n; col++) {
    const pivot = aug.findIndex((row, r) => r >= col && !field.isZero(row[col]!));
    if (pivot < 0) throw new Error('singular matrix');
    [aug[col], aug[pivot]] = [aug[pivot]!, aug[col]!];
    const p = aug[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col || field.isZero(aug[r]![col]!)) continue;
      const factor = field.div(aug[r]![col]!, p[col]!);
      aug[r] = aug[r]!.map((x, j) => field.sub(x, field.mul(factor, p[j]!)));
    }
  }
  return aug.map((row, i) => row.slice(n).map((x) => field.div(x, row[i]!)));
}

export function identity(field: SurdField, n: number): Surd[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? field.one : field.zero)));
}

export function inverse(field: SurdField, m: readonly (readonly Surd[])[]): Surd[][] {
  return solve(field, m, identity(field, m.length));
}

/** Stability function R(z) = 1 + z bᵀ (I − zA)^{-1} 1 of a RK method (or of a Rosenbrock method with A = β). */
export function stabilityFunction(
  field: SurdField,
  a: readonly (readonly Surd[])[],
  b: readonly Surd[],
  z: Surd,
): Surd {
  const n = a.length;
  const m = a.map((row, i) => row.map((x, j) => field.sub(i === j ? field.one : field.zero, field.mul(z, x))));
  const x = solve(
    field,
    m,
    a.map(() => [field.one]),
  ).map((r) => r[0]!);
  return field.add(field.one, field.mul(z, dot(field, b, x.slice(0, n))));
}

/** R(∞) = 1 − bᵀ A^{-1} 1 (A invertible). */
export function stabilityAtInfinity(field: SurdField, a: readonly (readonly Surd[])[], b: readonly Surd[]): Surd {
  const x = solve(
    field,
    a,
    a.map(() => [field.one]),
  ).map((r) => r[0]!);
  return field.sub(field.one, dot(field, b, x));
}

function factorial(n: number): bigint {
  let f = 1n;
  for (let i = 2n; i <= BigInt(n); i++) f *= i;
  return f;
}

/**
 * The (k, j) Padé approximation P(z)/Q(z) of e^z (Hairer & Wanner II, Theorem IV.3.11): coefficients of
 * P and Q by increasing power.
 */
export function pade(k: number, j: number): { p: Rational[]; q: Rational[] } {
  const kj = factorial(k + j);
  const p = Array.from({ length: k + 1 }, (_, i) =>
    rational(factorial(k + j - i) * factorial(k), kj * factorial(i) * factorial(k - i)),
  );
  const q = Array.from({ length: j + 1 }, (_, i) =>
    rational((i % 2 === 0 ? 1n : -1n) * factorial(k + j - i) * factorial(j), kj * factorial(i) * factorial(j - i)),
  );
  return { p, q };
}

export function polyAt(coefficients: readonly Rational[], z: Rational): Rational {
  let acc = RZERO;
  for (let i = coefficients.length - 1; i >= 0; i--) acc = radd(rmul(acc, z), coefficients[i]!);
  return acc;
}

/** A Rosenbrock method in classical form, recovered exactly from the transformed one. */
export interface ClassicalRosenbrock {
  readonly field: SurdField;
  readonly gamma: Surd;
  /** Γ = (γ_ij), lower triangular with diagonal γ. */
  readonly Gamma: Surd[][];
  readonly alpha: Surd[][];
  readonly beta: Surd[][];
  readonly b: Surd[];
  readonly bHat?: Surd[];
  readonly c: Surd[];
  readonly d: Surd[];
}

export function rosenbrockCoefficients(method: RosenbrockMethod): readonly ExactCoefficient[] {
  return [
    method.gamma,
    ...method.a.flat(),
    ...method.C.flat(),
    ...method.c,
    ...method.d,
    ...method.m,
    ...(method.errorEstimate?.mHat ?? []),
  ];
}

/** Γ^{-1} = diag(1/γ) − C, α = aΓ, β = α + Γ, b = mΓ, b̂ = m̂Γ. */
export function classicalRosenbrock(method: RosenbrockMethod): ClassicalRosenbrock {
  const field = surdField(radicandOf(rosenbrockCoefficients(method)));
  const s = method.m.length;
  const conv = (x: ExactCoefficient) => toSurd(x, field.d);
  const square = (rows: readonly (readonly ExactCoefficient[])[]): Surd[][] =>
    Array.from({ length: s }, (_, i) => Array.from({ length: s }, (_, j) => (j < i ? conv(rows[i]![j]!) : field.zero)));
  const gamma = conv(method.gamma);
  const inverseGamma = field.div(field.one, gamma);
  const C = square(method.C);
  const gammaInv = C.map((row, i) => row.map((x, j) => field.sub(i === j ? inverseGamma : field.zero, x)));
  const Gamma = inverse(field, gammaInv);
  const alpha = matMul(field, square(method.a), Gamma);
  const beta = alpha.map((row, i) => row.map((x, j) => field.add(x, Gamma[i]![j]!)));
  const b = vecMat(field, method.m.map(conv), Gamma);
  const bHat = method.errorEstimate ? vecMat(field, method.errorEstimate.mHat.map(conv), Gamma) : undefined;
  return { field, gamma, Gamma, alpha, beta, b, bHat, c: method.c.map(conv), d: method.d.map(conv) };
}

/** |x| as a double, for reporting and tolerance checks. */
export function magnitude(field: SurdField, x: Surd): number {
  if (field.isZero(x)) return 0;
  return Math.max(Math.abs(field.toNumber(x)), Number.MIN_VALUE);
}

// ---------------------------------------------------------------------------------------------------
// Double-precision linear algebra for the convergence tests.

/** Solves M x = r in doubles (partial pivoting); M is consumed. */
export function solveDouble(m: number[][], r: number[]): number[] {
  const n = r.length;
  for (let col = 0; col < n; col++) {
    let p = col;
    for (let i = col + 1; i < n; i++) if (Math.abs(m[i]![col]!) > Math.abs(m[p]![col]!)) p = i;
    [m[col], m[p]] = [m[p]!, m[col]!];
    [r[col], r[p]] = [r[p]!, r[col]!];
    for (let i = col + 1; i < n; i++) {
      const f = m[i]![col]! / m[col]![col]!;
      if (f === 0) continue;
      for (let j = col; j < n; j++) m[i]![j]! -= f * m[col]![j]!;
      r[i]! -= f * r[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let acc = r[i]!;
    for (let j = i + 1; j < n; j++) acc -= m[i]![j]! * x[j]!;
    x[i] = acc / m[i]![i]!;
  }
  return x;
}

export function toDouble(x: ExactCoefficient): number {
  if (typeof x === 'string') return rationalToNumber(parseCoefficient(x));
  return (
    rationalToNumber(parseCoefficient(x.rational)) +
    rationalToNumber(parseCoefficient(x.irrational)) * Math.sqrt(x.radicand)
  );
}
