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
 */
import { Differentiator } from '../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../expr/ir.ts';
import { type AugmentedSystem, statesReaching, transposeRows } from './system.ts';

/** Where the second-order blocks lie in the augmented vector (-1: not integrated). */
export interface SecondOrderBlocks {
  /** Offset of Ψ (∂²y/∂y0_j∂y0_k, j ≤ k; n × n(n+1)/2), or -1 without y0 sensitivities. */
  readonly hessOffset: number;
  /** Offset of M (∂²y/∂y0_j∂p_k; n × n·p), or -1 unless both y0 and parameter sensitivities are asked. */
  readonly mixedOffset: number;
  /** Offset of P (∂²y/∂p_j∂p_k, j ≤ k; n × p(p+1)/2), or -1 without parameter sensitivities. */
  readonly paramHessOffset: number;
}

/** The number of pairs j ≤ k of m indices, and the index of pair (j, k), j ≤ k, in their order. */
export const pairCount = (m: number): number => (m * (m + 1)) / 2;
export const pairIndex = (m: number, j: number, k: number): number => j * m - (j * (j - 1)) / 2 + (k - j);

/** How many components the second-order blocks add for n states and p parameters (p: 0 without 'params'). */
export function secondOrderSize(n: number, p: number, withY0: boolean): number {
  return (withY0 ? n * pairCount(n) + n * n * p : 0) + n * pairCount(p);
}

/**
 * The system with the second-order blocks appended. `first` must be the unrolled first-order system of the
 * same sensitivities (its Φ and S components and patterns are read).
 */
export function buildSecondOrderSystem(first: AugmentedSystem): AugmentedSystem & { secondOrder: SecondOrderBlocks } {
  if (first.layout !== 'unrolled') throw new Error('internal: second-order sensitivities need the unrolled layout');
  const model = first.model;
  const b = model.builder;
  const diff = new Differentiator(b);
  const n = model.states.length;
  const withY0 = first.phiOffset >= 0;
  const withParams = first.sensOffset >= 0;
  const np = withParams ? model.params.length : 0;
  const J = first.jacobian;
  const reads = J.map((row) => row.columns);
  const readBy = transposeRows(reads, n);
  const phiSet = (first.phiPattern ?? []).map((row) => new Set(row));
  const sensSet = (first.sensPattern ?? []).map((row) => new Set(row));
  const phi = (l: number, j: number): Expr | undefined =>
    withY0 && phiSet[l]!.has(j) ? b.sym(`phi_${l}_${j}`, 'aux', first.phiOffset + l * n + j) : undefined;
  const sens = (l: number, q: number): Expr | undefined =>
    withParams && sensSet[l]!.has(q) ? b.sym(`s_${l}_${q}`, 'aux', first.sensOffset + l * np + q) : undefined;

  // Second derivatives of f_i, non-zero ones only: f_i,lm for l ≤ m; f_i,l p_q; f_i,p_q p_r for q ≤ r.
  interface Entry {
    readonly a: number;
    readonly c: number;
    readonly e: Expr;
  }
  const fyy: Entry[][] = [];
  const fyp: Entry[][] = [];
  const fpp: Entry[][] = [];
  for (let i = 0; i < n; i++) {
    const row = J[i]!;
    const yy: Entry[] = [];
    const yp: Entry[] = [];
    row.columns.forEach((l, t) => {
      const jl = row.entries[t]!;
      for (const m of row.columns) {
        if (m < l) continue;
        const e = diff.d(jl, model.states[m]!);
        if (!isConst(e, 0)) yy.push({ a: l, c: m, e });
      }
      for (let q = 0; q < np; q++) {
        const e = diff.d(jl, model.params[q]!);
        if (!isConst(e, 0)) yp.push({ a: l, c: q, e });
      }
    });
    const pp: Entry[] = [];
    for (let q = 0; q < np; q++) {
      const fq = first.paramDerivatives[i]![q]!;
      if (isConst(fq, 0)) continue;
      for (let r = q; r < np; r++) {
        const e = diff.d(fq, model.params[r]!);
        if (!isConst(e, 0)) pp.push({ a: q, c: r, e });
      }
    }
    fyy.push(yy);
    fyp.push(yp);
    fpp.push(pp);
  }

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
