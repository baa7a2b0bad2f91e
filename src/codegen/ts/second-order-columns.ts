/**
 * The second-order blocks of the 'columns' layout (src/variational/second-order.ts) as loops over their columns,
 * after the first-order loops of rhs.ts: Ψ (∂²y/∂y0_j∂y0_k) over the pairs j ≤ k of Φ's columns, M (∂²y/∂y0_j∂p_k)
 * over the pairs (j, k) of Φ's and S's, P (∂²y/∂p_j∂p_k) over the pairs j ≤ k of S's. Column c of a block X, the
 * pair (j, k) of columns of U and V, gets in row i
 *
 *   X_ic' = Σ_l J_il X_lc + Σ_{l ≤ m} f_i,lm (U_lj V_mk + U_mj V_lk)     (the second product for l < m only)
 *
 * the sums over J's non-zeros and f_yy's, unrolled; the outer loop (over j) loads U's column j, the inner one
 * (over k) V's column k and X's column c. The parameter terms follow in the outer loop, per parameter q (known
 * here, while j is not): M_i(j,q) += Σ_l f_i,l p_q Φ_lj; P_i(j,q) or P_i(q,j) += Σ_l f_i,l p_q S_lj, twice when
 * j = q (Σ_l f_i,l p_k S_lj + f_i,l p_j S_lk); then P_i(q,r) += f_i,p_q p_r, after the loop. A block with no
 * source term at all (a linear model's Ψ) stays 0: one fill. Code size O(nnz(J) + nnz(f_yy) + nnz(f_yp) +
 * nnz(f_pp)), work per column O(nnz(J) + nnz(f_yy)).
 *
 * TypeScript only: the WebAssembly kernel, the CUDA and WGSL targets do not take second-order systems.
 */
import type { Expr } from '../../expr/ir.ts';
import { pairCount, pairIndex, type SecondDerivative } from '../../variational/second-order.ts';
import type { AugmentedSystem } from '../../variational/system.ts';

/** The second derivatives the loops read: the rhs plan schedules them with f and J (names or literals). */
export function secondOrderExpressions(system: AugmentedSystem): Expr[] {
  const d = system.secondOrder?.derivatives;
  if (d === undefined) return [];
  return [d.yy, d.yp, d.pp].flatMap((rows) => rows.flatMap((row) => row.map((x) => x.e)));
}

/** A row-major block of the augmented vector: n rows of `stride` components from `offset`. */
interface Block {
  readonly offset: number;
  readonly stride: number;
}

/** a * b, folding a literal 1 or -1 (as rhs.ts's column loops print J's products). */
function product(coefficient: string, x: string): string {
  if (coefficient === '1') return x;
  if (coefficient === '-1') return `-${x}`;
  return `${/^-?[\w.]+$/.test(coefficient) ? coefficient : `(${coefficient})`} * ${x}`;
}

const sum = (terms: readonly string[]): string =>
  terms.length === 0 ? '0' : terms.join(' + ').replaceAll('+ -', '- ');

const sortedUnique = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

/**
 * The statements of the second-order blocks (after the first-order ones, in the body of rhs(t, y, p, dy)); `use`
 * prints a use of an expression of J or of the second derivatives (a name or a literal, from the plan).
 */
export function printSecondOrderColumns(system: AugmentedSystem, use: (e: Expr) => string): string[] {
  const second = system.secondOrder;
  const d = second?.derivatives;
  if (second === undefined || d === undefined) return [];
  const n = system.model.states.length;
  const np = system.sensOffset >= 0 ? system.model.params.length : 0;
  const jRows = system.jacobian.map((row) => row.columns.map((l, t) => ({ l, coefficient: use(row.entries[t]!) })));
  const jLoads = sortedUnique(system.jacobian.flatMap((row) => row.columns));
  const curvatureRows = sortedUnique(d.yy.flatMap((row) => row.flatMap(({ a, c }) => [a, c])));
  const hasCurvature = curvatureRows.length > 0;
  const phi: Block = { offset: system.phiOffset, stride: n };
  const sens: Block = { offset: system.sensOffset, stride: np };
  const lines: string[] = [];

  /** Row i of a block's column: J·X plus the curvature term of U's column j and V's column k. */
  const row = (i: number): string =>
    sum([
      ...jRows[i]!.map(({ l, coefficient }) => product(coefficient, `x${l}`)),
      ...d.yy[i]!.map(({ a, c, e }) => product(use(e), a === c ? `u${a} * v${a}` : `(u${a} * v${c} + u${c} * v${a})`)),
    ]);

  /**
   * The loop over the pairs (j, k) of U's `uCount` and V's `vCount` columns, k ≥ j when `symmetric`, writing
   * column c of X (c counts the pairs in order); `after`: statements at the end of the outer loop, which may read
   * cj (the column of the pair (j, j) when symmetric, (j, 0) otherwise), and `afterLoads` the rows of U they read;
   * `sourced`: whether anything but J·X reaches the block (otherwise it stays 0).
   */
  const pairLoop = (
    comment: string,
    x: Block,
    u: Block,
    uCount: number,
    v: Block,
    vCount: number,
    symmetric: boolean,
    after: string[],
    afterLoads: readonly number[],
    sourced: boolean,
  ): void => {
    lines.push(`// ${comment}`);
    if (!sourced) {
      // No source term: the block starts at 0 and stays there (J·0 = 0 where J is finite, as unrolled).
      lines.push(`dy.fill(0, ${x.offset}, ${x.offset + n * x.stride}); // no second derivative of f reaches it`);
      return;
    }
    lines.push(`for (let j = 0, c = 0; j < ${uCount}; j++) {`);
    if (after.length > 0) lines.push('const cj = c;');
    for (const a of sortedUnique([...curvatureRows, ...afterLoads])) {
      lines.push(`const u${a} = y[${u.offset + a * u.stride} + j]!;`);
    }
    lines.push(`for (let k = ${symmetric ? 'j' : '0'}; k < ${vCount}; k++, c++) {`);
    for (const a of curvatureRows) lines.push(`const v${a} = y[${v.offset + a * v.stride} + k]!;`);
    for (const l of jLoads) lines.push(`const x${l} = y[${x.offset + l * x.stride} + c]!;`);
    for (let i = 0; i < n; i++) lines.push(`dy[${x.offset + i * x.stride} + c] = ${row(i)};`);
    lines.push('}', ...after, '}');
  };

  /** f_yp's entries grouped by (row i, parameter q): Σ_l f_i,l p_q u_l as text, and the rows l it reads. */
  const ypGroups = (): { i: number; q: number; text: string }[] => {
    const groups = new Map<string, { i: number; q: number; terms: string[] }>();
    d.yp.forEach((entries: readonly SecondDerivative[], i) => {
      for (const { a: l, c: q, e } of entries) {
        const key = `${i},${q}`;
        let g = groups.get(key);
        if (g === undefined) {
          g = { i, q, terms: [] };
          groups.set(key, g);
        }
        g.terms.push(product(use(e), `u${l}`));
      }
    });
    return [...groups.values()].map(({ i, q, terms }) => ({ i, q, text: sum(terms) }));
  };
  const ypLoads = sortedUnique(d.yp.flatMap((row) => row.map(({ a }) => a)));

  if (second.hessOffset >= 0) {
    const width = pairCount(n);
    pairLoop(
      `Ψ' = J Ψ + ∂²f/∂y²(Φ_j, Φ_k): one pair j ≤ k of Φ's columns at a time (column c of Ψ)`,
      { offset: second.hessOffset, stride: width },
      phi,
      n,
      phi,
      n,
      true,
      [],
      [],
      hasCurvature,
    );
  }
  if (second.mixedOffset >= 0) {
    const x: Block = { offset: second.mixedOffset, stride: n * np };
    const after = ypGroups().map(
      ({ i, q, text }) => `dy[${x.offset + i * x.stride + q} + cj] += ${text}; // + Σ_l ∂²f_${i}/∂y_l∂p_${q} Φ_lj`,
    );
    pairLoop(
      `M' = J M + ∂²f/∂y²(Φ_j, S_k) + ∂²f/∂y∂p_k Φ_j: Φ's column j with each of S's columns k (column c of M)`,
      x,
      phi,
      n,
      sens,
      np,
      false,
      after,
      ypLoads,
      hasCurvature || after.length > 0,
    );
  }
  if (second.paramHessOffset >= 0) {
    const width = pairCount(np);
    const x: Block = { offset: second.paramHessOffset, stride: width };
    // Σ_l f_i,l p_q S_lj goes to the pair (j, q) or (q, j), whichever is ordered; twice when j = q. The column of
    // (j, q), j ≤ q, is cj + q − j; that of (q, j), q < j, is pairIndex(q, q) − q + j.
    const after = ypGroups().flatMap(({ i, q, text }) => [
      `const g${i}_${q} = ${text};`,
      `dy[${x.offset + i * x.stride} + (j <= ${q} ? cj + ${q} - j : ${pairIndex(np, q, q) - q} + j)] += ` +
        `j === ${q} ? 2 * g${i}_${q} : g${i}_${q}; // + Σ_l ∂²f_${i}/∂y_l∂p_${q} S_lj`,
    ]);
    pairLoop(
      `P' = J P + ∂²f/∂y²(S_j, S_k) + ∂²f/∂y∂p_k S_j + ∂²f/∂y∂p_j S_k: one pair j ≤ k of S's columns at a time`,
      x,
      sens,
      np,
      sens,
      np,
      true,
      after,
      ypLoads,
      hasCurvature || after.length > 0 || d.pp.some((entries) => entries.length > 0),
    );
    d.pp.forEach((entries, i) => {
      for (const { a: q, c: r, e } of entries) {
        lines.push(`dy[${x.offset + i * x.stride + pairIndex(np, q, r)}]! += ${use(e)}; // ∂²f_${i}/∂p_${q}∂p_${r}`);
      }
    });
  }
  return lines;
}
