/**
 * Stiff methods as data: fully implicit Runge–Kutta tableaus and Rosenbrock (linearly implicit) methods.
 * Like the explicit tableaus in ../types.ts, every method is exact data plus the source it was read from;
 * nothing here is wired into the registry or the code generator yet.
 *
 * Coefficients. Most coefficients are rationals or long decimals and are written exactly as the explicit
 * ones are (a Coefficient string: "p/q", an integer, or a decimal string). Gauss, Radau and ROS3P need
 * square roots (√3, √6, √15); those are written exactly as elements a + b√d of the quadratic field Q(√d),
 * with a and b Coefficient strings and d a positive integer that is not a square (a `SurdCoefficient`).
 * Within one method every surd has the same radicand d, so the whole tableau lies in one field Q(√d) and
 * order conditions can be checked exactly in it. Coefficients that are neither (the cube-root constant γ0
 * of Radau IIA's error estimate) are decimal strings with 60 significant digits.
 */
import type { Coefficient } from '../types.ts';

/** The exact number rational + irrational·√radicand (radicand a positive non-square integer). */
export interface SurdCoefficient {
  readonly rational: Coefficient;
  readonly irrational: Coefficient;
  readonly radicand: number;
}

/** A coefficient of a stiff method: an exact rational/decimal string, or an element of Q(√d). */
export type ExactCoefficient = Coefficient | SurdCoefficient;

/** rational + irrational·√radicand, e.g. surd('1/2', '-1/6', 3) = 1/2 − √3/6. */
export function surd(rational: Coefficient, irrational: Coefficient, radicand: number): SurdCoefficient {
  return { rational, irrational, radicand };
}

/** Linear stability facts (Hairer & Wanner II, Section IV.3). */
export interface StabilityFacts {
  /** 'L': A-stable with R(∞) = 0. 'A': A-stable only. */
  readonly kind: 'A' | 'L';
  /**
   * For the implicit RK methods: the stability function R(z) is the (k, j) Padé approximation of e^z
   * (numerator degree k, denominator degree j). Absent where R is not a Padé approximant (Rosenbrock).
   */
  readonly pade?: readonly [numeratorDegree: number, denominatorDegree: number];
}

/**
 * How an implicit RK method estimates its local error.
 *
 * - 'embedded': weights b̂ on the same stages; err = h Σ_j (b_j − b̂_j) f(t0 + c_j h, Y_j).
 *
 * - 'radau5': Hairer's estimate for Radau IIA of order 5 (Hairer & Wanner II, Section IV.8; radau5.f,
 *   subroutine ESTRAD; SciPy's radau.py). With the stage increments z_i = Y_i − y0,
 *       err = (I − h γ0 J)^{-1} [ γ0 h f(t0, y0) + γ0 Σ_i e_i z_i ],          e = `stageWeights`,
 *   J ≈ ∂f/∂y at (t0, y0) and γ0 = 1/μ, μ the real eigenvalue of A^{-1} (γ0 is the real eigenvalue of A).
 *   Before filtering, the bracket is ŷ1 − y1 for the embedded formula
 *       ŷ1 = y0 + h (γ0 f(t0, y0) + Σ_i b̂_i f(Y_i)),   b̂ = b + γ0 eᵀA,
 *   which has order 3 (`order`). radau5.f, after a rejected or first step, re-evaluates the bracket with
 *   f(t0, y0 + err) in place of f(t0, y0) when the first estimate is too large (an implementation detail).
 */
export type ImplicitErrorEstimate =
  | { readonly kind: 'embedded'; readonly order: number; readonly bHat: readonly ExactCoefficient[] }
  | {
      readonly kind: 'radau5';
      readonly order: number;
      /** γ0, the real eigenvalue of A (a cube-root expression, given to 60 digits). */
      readonly gamma0: Coefficient;
      /** e_i, the weights of the stage increments z_i. */
      readonly stageWeights: readonly ExactCoefficient[];
    };

/**
 * A fully implicit Runge–Kutta method: stages Y_i = y0 + h Σ_j a_ij f(t0 + c_j h, Y_j) (all j, i = 1..s),
 * y1 = y0 + h Σ_j b_j f(t0 + c_j h, Y_j).
 */
export interface ImplicitRungeKuttaMethod {
  readonly family: 'implicit-rk';
  /** Canonical name, as DESolver spells it (e.g. "RadauIIA5"). */
  readonly name: string;
  /** Other accepted names. Matching is case-insensitive. */
  readonly aliases: readonly string[];
  readonly description: string;
  /** Where the coefficients come from (paper, book table, public source they were read from). */
  readonly source: string;
  /** Classical order of y1. */
  readonly order: number;
  /**
   * Stage order q: the simplifying assumption C(q) holds, Σ_j a_ij c_j^{k−1} = c_i^k / k for k = 1..q.
   * 0 means not even c = A·1 (Lobatto IIIB with 2 stages).
   */
  readonly stageOrder: number;
  /** a_sj = b_j for all j (then c_s = 1 and y1 is the last stage value). */
  readonly stifflyAccurate: boolean;
  readonly stability: StabilityFacts;
  /** Nodes c_i. */
  readonly c: readonly ExactCoefficient[];
  /** Full s×s matrix: a[i] has s entries. */
  readonly a: readonly (readonly ExactCoefficient[])[];
  readonly b: readonly ExactCoefficient[];
  /** Present for adaptive methods; absent for fixed-step ones. */
  readonly errorEstimate?: ImplicitErrorEstimate;
}

/**
 * A Rosenbrock (Rosenbrock–Wanner) method, stored in the transformed form of Hairer & Wanner II, Section IV.7
 * (the transformed form used for implementation), the form Hairer's rodas.f and OrdinaryDiffEq.jl's Rodas tableaus use:
 *
 *     (I/(hγ) − J) u_i = f(t0 + c_i h, y0 + Σ_{j<i} a_ij u_j) + Σ_{j<i} (C_ij / h) u_j + d_i h ∂f/∂t(t0, y0),
 *     y1 = y0 + Σ_j m_j u_j,        error estimate  err = Σ_j (m_j − m̂_j) u_j,
 *
 * with J = ∂f/∂y(t0, y0). One LU factorisation of (I/(hγ) − J) per step serves every stage.
 *
 * The classical form (Hairer & Wanner II, Section IV.7) is
 *     k_i = h f(t0 + α_i h, y0 + Σ_{j<i} α_ij k_j) + γ_i h² ∂f/∂t + h J Σ_{j≤i} γ_ij k_j,  y1 = y0 + Σ b_j k_j,
 * with γ_ii = γ, α_i = Σ_{j<i} α_ij, γ_i = Σ_{j≤i} γ_ij. With Γ = (γ_ij) (lower triangular) and u = Γ k:
 *     a = α Γ^{-1},   C = diag(1/γ) − Γ^{-1},   m = b Γ^{-1},   m̂ = b̂ Γ^{-1}  (row vectors),
 *     c_i = α_i,      d_i = γ_i;
 * and back: Γ^{-1} = diag(1/γ) − C, α = a Γ, b = m Γ, b̂ = m̂ Γ.
 */
export interface RosenbrockMethod {
  readonly family: 'rosenbrock';
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly source: string;
  /** Order of y1 (for exact Jacobians). */
  readonly order: number;
  /** The diagonal γ = γ_ii. */
  readonly gamma: ExactCoefficient;
  /** Strictly lower triangular: a[i] has i entries (a[0] is empty). */
  readonly a: readonly (readonly ExactCoefficient[])[];
  /** Strictly lower triangular: C[i] has i entries (C[0] is empty). Sign convention of Hairer & Wanner. */
  readonly C: readonly (readonly ExactCoefficient[])[];
  /** c_i = α_i: the stage times t0 + c_i h. */
  readonly c: readonly ExactCoefficient[];
  /** d_i = γ_i = Σ_{j≤i} γ_ij: the weights of h ∂f/∂t (non-autonomous problems). */
  readonly d: readonly ExactCoefficient[];
  /** Weights of y1 in the transformed form. */
  readonly m: readonly ExactCoefficient[];
  /** Stiffly accurate: m_j = a_sj for j < s and m_s = 1 (y1 is the last stage's argument plus u_s). */
  readonly stifflyAccurate: boolean;
  readonly stability: StabilityFacts;
  /** Embedded weights m̂ (err = Σ (m_j − m̂_j) u_j) and the order of y0 + Σ m̂_j u_j. Absent: fixed-step. */
  readonly errorEstimate?: { readonly order: number; readonly mHat: readonly ExactCoefficient[] };
  /** The method's own continuous extension (dense output). Absent: the driver's cubic Hermite is used. */
  readonly dense?: RosenbrockDenseOutput;
}

/**
 * The continuous extension of a Rosenbrock step from the stage increments u_i it already has (no extra
 * evaluation of f), as in Hairer's rodas.f (CONTRO, coefficients D2j, D3j) and OrdinaryDiffEq.jl (the `H`
 * matrix of its Rodas tableaus, `_ode_interpolant` in rosenbrock_interpolants.jl): with R = H.length rows,
 *
 *     k_j = Σ_i H[j][i] u_i   (j = 1..R),
 *     y(t0 + θh) ≈ (1 − θ) y0 + θ (y1 + (1 − θ)(k_1 + θ (k_2 + θ (… + θ k_R)))),   θ ∈ [0, 1],
 *
 * a polynomial of degree R + 1 in θ that equals y0 at θ = 0 and y1 at θ = 1.
 */
export interface RosenbrockDenseOutput {
  /** H, R×s: H[j] holds the weights of u_1 … u_s in k_{j+1}. */
  readonly H: readonly (readonly ExactCoefficient[])[];
  /** Degree of the polynomial in θ: R + 1. */
  readonly degree: number;
  /** Order of the interpolant: its error at an interior θ is O(h^(order+1)) per step, for smooth problems. */
  readonly order: number;
}

export type StiffMethod = ImplicitRungeKuttaMethod | RosenbrockMethod;
