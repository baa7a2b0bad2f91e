/**
 * Second-order sensitivities: the first-order augmented system (src/variational/system.ts, unrolled) with
 * the second-order variational equations appended as more components, their right-hand sides built in the
 * same hash-consed IR, so f, J, the second derivatives of f and the products share nodes (CSE across all).
 *
 *   Ψ_ijk' = Σ_l J_il Ψ_ljk + Σ_{l,m} f_i,lm Φ_lj Φ_mk                                   (y0_j, y0_k; j ≤ k)
 *   M_ijk' = Σ_l J_il M_ljk + Σ_{l,m} f_i,lm Φ_lj S_mk + Σ_l f_i,l p_k Φ_lj                (y0_j, p_k)
 *   P_ijk' = Σ_l J_il P_ljk + Σ_{l,m} f_i,lm S_lj S_mk + Σ_l f_i,l p_k S_lj + Σ_l f_i,l p_j S_lk + f_i,p_j p_k
 *                                                                                       (p_j, p_k; j ≤ k)
 * all zero at t0 (Ψ = ∂²y/∂y0∂y0, M = ∂²y/∂y0∂p, P = ∂²y/∂p∂p). Ψ and P are symmetric in j, k: only j ≤ k
 * is stored and integrated. Layout after [y | Φ | S]: Ψ row by row (n × n(n+1)/2, the pairs j ≤ k in the
 * order (0,0), (0,1), …, (0,n−1), (1,1), …), then M (n × n·p, row-major j, k), then P (n × p(p+1)/2).
 *
 * Structural zeros: a column c of a block (one pair (j,k)) is non-zero in row i only when some state reachable
 * from i in J's dependency graph (i included) has a non-zero source term (the terms past J·X) in that column,
 * exactly as Φ's and S's patterns are found; every other component has the constant-0 right-hand side, and a
 * product J_il X_lc with X_lc structurally zero is left out. The source terms leave out factors that are
 * structural zeros of Φ, S or the second derivatives. f_i,lm is built once per l ≤ m (d(J_il)/dy_m) and used
 * for both (l,m) and (m,l).
 *
 * The 'columns' layout (compile's choice from COLUMNS_FROM_STATES states on, as at first order) builds no
 * component expressions: only f, J, ∂f/∂p and the non-zero second derivatives (secondDerivatives), and the code
 * generator (src/codegen/ts/second-order-columns.ts) loops over the blocks' columns — the pairs j ≤ k of Φ's
 * columns for Ψ, (j, k) of Φ's and S's for M, j ≤ k of S's for P — each column's rows being J·X (J's non-zeros)
 * plus the curvature term over the non-zero f_i,lm (l ≤ m, both orders for l < m); the f_i,l p_q terms, and
 * f_i,p_q p_r, are added per parameter after them. Code size O(nnz(J) + nnz(f_yy) + nnz(f_yp) + nnz(f_pp)) instead
 * of a term per product of every column; every column is computed (no structural zeros past f's), so the
 * results agree with the unrolled layout's to rounding (the sums run in another order), not bit for bit.
 */
import { Differentiator, freeSymbols } from '../diff/derivative.ts';
import { ModelError } from '../errors.ts';
import { type Expr, isConst, type SymNode } from '../expr/ir.ts';
import type { Model } from '../model/model.ts';
import { type AugmentedSystem, statesReaching, transposeRows } from './system.ts';

/** Where the second-order blocks lie in the augmented vector (-1: not integrated). */
export interface SecondOrderBlocks {
  /** Offset of Ψ (∂²y/∂y0_j∂y0_k, j ≤ k; n × n(n+1)/2), or -1 without y0 sensitivities. */
  readonly hessOffset: number;
  /** Offset of M (∂²y/∂y0_j∂p_k; n × n·p), or -1 unless both y0 and parameter sensitivities are asked. */
  readonly mixedOffset: number;
  /** Offset of P (∂²y/∂p_j∂p_k, j ≤ k; n × p(p+1)/2), or -1 without parameter sensitivities. */
  readonly paramHessOffset: number;
  /**
   * The 'columns' layout only: the non-zero second derivatives of f, which the code generator's loops over the
   * blocks' columns read (src/codegen/ts/second-order-columns.ts). The unrolled layout has them in its rhs.
   */
  readonly derivatives?: SecondDerivatives;
}

/** One non-zero second derivative of f_i: with respect to a and c (states or parameters, by the list it is in). */
export interface SecondDerivative {
  readonly a: number;
  readonly c: number;
  readonly e: Expr;
}

/** The structurally non-zero second derivatives of f, row by row (one list per f_i). */
export interface SecondDerivatives {
  /** f_i,ac = ∂²f_i/∂y_a∂y_c for a ≤ c (states a and c). */
  readonly yy: readonly (readonly SecondDerivative[])[];
  /** f_i,a p_c = ∂²f_i/∂y_a∂p_c (state a, parameter c); empty rows without parameter sensitivities. */
  readonly yp: readonly (readonly SecondDerivative[])[];
  /** f_i,p_a p_c = ∂²f_i/∂p_a∂p_c for a ≤ c (parameters); empty rows without parameter sensitivities. */
  readonly pp: readonly (readonly SecondDerivative[])[];
}

/** The number of pairs j ≤ k of m indices, and the index of pair (j, k), j ≤ k, in their order. */
export const pairCount = (m: number): number => (m * (m + 1)) / 2;
export const pairIndex = (m: number, j: number, k: number): number => j * m - (j * (j - 1)) / 2 + (k - j);

/** How many components the second-order blocks add for n states and p parameters (p: 0 without 'params'). */
export function secondOrderSize(n: number, p: number, withY0: boolean): number {
  return (withY0 ? n * pairCount(n) + n * n * p : 0) + n * pairCount(p);
}

/**
 * Refuses, with a ModelError, a second-order system of the 'columns' layout whose second derivatives of f could
 * number more than `limit` (limits.maxUnrolledTerms, which in the unrolled layout counts them among its terms):
 * an f_i that reads r states and s parameters has up to r(r+1)/2 + r·s + s(s+1)/2 (the parameter ones with
 * parameter sensitivities only), each an expression built and printed once and evaluated at every rhs call.
 * Estimated from the symbols each f_i reads, before anything is differentiated.
 */
export function checkSecondDerivativeCount(model: Model, withParams: boolean, limit: number): void {
  const states = new Set(model.states.map((y) => y.id));
  const params = new Set(withParams ? model.params.map((q) => q.id) : []);
  let count = 0;
  for (const f of model.rhs) {
    let r = 0;
    let s = 0;
    for (const id of freeSymbols(f)) {
      if (states.has(id)) r++;
      else if (params.has(id)) s++;
    }
    count += (r * (r + 1)) / 2 + r * s + (s * (s + 1)) / 2;
  }
  if (count > limit) {
    const figure = (x: number) => x.toLocaleString('en-US');
    throw new ModelError(
      { model: model.name },
      `second-order sensitivities need up to ${figure(count)} second derivatives of the right-hand sides (for ` +
        'each, the pairs of states and parameters it reads), which exceeds limits.maxUnrolledTerms = ' +
        `${figure(limit)}; ask for fewer sensitivities, simplify the model or raise the limit`,
    );
  }
}

/**
 * The non-zero second derivatives of f from a first-order system's J and ∂f/∂p: f_i,lm = ∂J_il/∂y_m for l ≤ m
 * (both in J's row i: f_i,lm is zero unless f_i reads y_l and y_m), f_i,l p_q = ∂J_il/∂p_q, and f_i,p_q p_r =
 * ∂(∂f_i/∂p_q)/∂p_r for q ≤ r; the parameter ones only with parameter sensitivities.
 */
export function secondDerivatives(first: AugmentedSystem): SecondDerivatives {
  const model = first.model;
  const diff = new Differentiator(model.builder);
  const np = first.sensOffset >= 0 ? model.params.length : 0;
  const yy: SecondDerivative[][] = [];
  const yp: SecondDerivative[][] = [];
  const pp: SecondDerivative[][] = [];
  first.jacobian.forEach((row, i) => {
    const rowYy: SecondDerivative[] = [];
    const rowYp: SecondDerivative[] = [];
    row.columns.forEach((l, t) => {
      const jl = row.entries[t]!;
      for (const m of row.columns) {
        if (m < l) continue;
        const e = diff.d(jl, model.states[m]!);
        if (!isConst(e, 0)) rowYy.push({ a: l, c: m, e });
      }
      for (let q = 0; q < np; q++) {
        const e = diff.d(jl, model.params[q]!);
        if (!isConst(e, 0)) rowYp.push({ a: l, c: q, e });
      }
    });
    const rowPp: SecondDerivative[] = [];
    for (let q = 0; q < np; q++) {
      const fq = first.paramDerivatives[i]![q]!;
      if (isConst(fq, 0)) continue;
      for (let r = q; r < np; r++) {
        const e = diff.d(fq, model.params[r]!);
        if (!isConst(e, 0)) rowPp.push({ a: q, c: r, e });
      }
    }
    yy.push(rowYy);
    yp.push(rowYp);
    pp.push(rowPp);
  });
  return { yy, yp, pp };
}

/**
 * The system with the second-order blocks appended, in the layout of `first`, the first-order system of the same
 * sensitivities: unrolled, one right-hand side per component of the blocks (Φ's and S's components and patterns
 * are read); 'columns', the blocks' offsets and f's second derivatives only (`secondOrder.derivatives`), the
 * products left to the code generator's loops, as Φ's and S's are.
 */
export function buildSecondOrderSystem(first: AugmentedSystem): AugmentedSystem & { secondOrder: SecondOrderBlocks } {
  const model = first.model;
  const b = model.builder;
  const n = model.states.length;
  const withY0 = first.phiOffset >= 0;
  const withParams = first.sensOffset >= 0;
  const np = withParams ? model.params.length : 0;
  const J = first.jacobian;
  const { yy: fyy, yp: fyp, pp: fpp } = secondDerivatives(first);
  if (first.layout === 'columns') {
    // Only f, J, ∂f/∂p and these: the code generator loops over the blocks' columns (src/codegen/ts/rhs.ts).
    const hessOffset = withY0 ? first.size : -1;
    const mixedOffset = withY0 && withParams ? first.size + n * pairCount(n) : -1;
    const paramHessOffset = withParams ? first.size + (withY0 ? n * pairCount(n) + n * n * np : 0) : -1;
    const size = first.size + secondOrderSize(n, np, withY0);
    const derivatives = { yy: fyy, yp: fyp, pp: fpp };
    return { ...first, size, secondOrder: { hessOffset, mixedOffset, paramHessOffset, derivatives } };
  }
  const reads = J.map((row) => row.columns);
  const readBy = transposeRows(reads, n);
  const phiSet = (first.phiPattern ?? []).map((row) => new Set(row));
  const sensSet = (first.sensPattern ?? []).map((row) => new Set(row));
  const phi = (l: number, j: number): Expr | undefined =>
    withY0 && phiSet[l]!.has(j) ? b.sym(`phi_${l}_${j}`, 'aux', first.phiOffset + l * n + j) : undefined;
  const sens = (l: number, q: number): Expr | undefined =>
    withParams && sensSet[l]!.has(q) ? b.sym(`s_${l}_${q}`, 'aux', first.sensOffset + l * np + q) : undefined;

  const product = (terms: Expr[], ...factors: (Expr | undefined)[]): void => {
    if (factors.some((f) => f === undefined)) return;
    terms.push(b.mulAll(factors as Expr[]));
  };
  /** Σ_{l,m} f_i,lm U_lj V_mk over the stored l ≤ m (both orders for l < m). */
  const curvature = (
    terms: Expr[],
    i: number,
    u: (l: number) => Expr | undefined,
    v: (m: number) => Expr | undefined,
  ): void => {
    for (const { a: l, c: m, e } of fyy[i]!) {
      product(terms, e, u(l), v(m));
      if (l !== m) product(terms, e, u(m), v(l));
    }
  };

  const components: SymNode[] = [...first.components];
  const rhs: Expr[] = [...first.rhs];
  const mark = new Int32Array(n).fill(-1);
  let stamp = 0;
  /**
   * Appends a block of `width` columns (stored row by row): source(i, c) gives row i's terms past J·X in
   * column c; x(l, c) is the component symbol.
   */
  const block = (width: number, x: (l: number, c: number) => SymNode, source: (i: number, c: number) => Expr[]) => {
    const sources: Expr[][][] = Array.from({ length: n }, () => []);
    const patterns: boolean[][] = Array.from({ length: n }, () => new Array<boolean>(width).fill(false));
    for (let c = 0; c < width; c++) {
      const seeds: number[] = [];
      for (let i = 0; i < n; i++) {
        const terms = source(i, c);
        sources[i]![c] = terms;
        if (terms.length > 0) seeds.push(i);
      }
      for (const i of statesReaching(readBy, seeds, mark, stamp++)) patterns[i]![c] = true;
    }
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < width; c++) {
        components.push(x(i, c));
        if (!patterns[i]![c]) {
          rhs.push(b.zero);
          continue;
        }
        const terms: Expr[] = [];
        reads[i]!.forEach((l, t) => {
          if (patterns[l]![c]) terms.push(b.mul(J[i]!.entries[t]!, x(l, c)));
        });
        terms.push(...sources[i]![c]!);
        rhs.push(b.addAll(terms));
      }
    }
  };

  let hessOffset = -1;
  let mixedOffset = -1;
  let paramHessOffset = -1;
  if (withY0) {
    hessOffset = components.length;
    const width = pairCount(n);
    const pairs: [number, number][] = [];
    for (let j = 0; j < n; j++) for (let k = j; k < n; k++) pairs.push([j, k]);
    const at = hessOffset;
    block(
      width,
      (l, c) => b.sym(`psi_${l}_${pairs[c]![0]}_${pairs[c]![1]}`, 'aux', at + l * width + c),
      (i, c) => {
        const [j, k] = pairs[c]!;
        const terms: Expr[] = [];
        curvature(
          terms,
          i,
          (l) => phi(l, j),
          (m) => phi(m, k),
        );
        return terms;
      },
    );
    if (withParams) {
      mixedOffset = components.length;
      const at2 = mixedOffset;
      block(
        n * np,
        (l, c) => b.sym(`mix_${l}_${Math.floor(c / np)}_${c % np}`, 'aux', at2 + l * n * np + c),
        (i, c) => {
          const j = Math.floor(c / np);
          const k = c % np;
          const terms: Expr[] = [];
          curvature(
            terms,
            i,
            (l) => phi(l, j),
            (m) => sens(m, k),
          );
          for (const { a: l, c: q, e } of fyp[i]!) if (q === k) product(terms, e, phi(l, j));
          return terms;
        },
      );
    }
  }
  if (withParams) {
    paramHessOffset = components.length;
    const width = pairCount(np);
    const pairs: [number, number][] = [];
    for (let j = 0; j < np; j++) for (let k = j; k < np; k++) pairs.push([j, k]);
    const at = paramHessOffset;
    block(
      width,
      (l, c) => b.sym(`pp_${l}_${pairs[c]![0]}_${pairs[c]![1]}`, 'aux', at + l * width + c),
      (i, c) => {
        const [j, k] = pairs[c]!;
        const terms: Expr[] = [];
        curvature(
          terms,
          i,
          (l) => sens(l, j),
          (m) => sens(m, k),
        );
        for (const { a: l, c: q, e } of fyp[i]!) {
          if (q === k) product(terms, e, sens(l, j));
          if (q === j) product(terms, e, sens(l, k));
        }
        for (const { a: q, c: r, e } of fpp[i]!) if (q === j && r === k) terms.push(e);
        return terms;
      },
    );
  }
  const secondOrder = { hessOffset, mixedOffset, paramHessOffset };
  return { ...first, size: components.length, components, rhs, secondOrder };
}
