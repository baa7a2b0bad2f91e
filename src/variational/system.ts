/**
 * The augmented system: the model's state together with its first-order sensitivities, as one ODE that the
 * steppers integrate with the same steps.
 *
 *   y'  = f(t, y, p)
 *   Φ'  = J Φ,          Φ(t0) = I      (J = ∂f/∂y; Φ = ∂y(t)/∂y0)     when 'y0' is asked
 *   S'  = J S + ∂f/∂p,  S(t0) = 0                   (S = ∂y(t)/∂p)      when 'params' is asked
 *
 * Layout of the augmented vector: [y (n) | Φ row-major (n×n) | S row-major (n×p)]. Only structurally
 * non-zero products J_ik Φ_kj are built, and J, ∂f/∂p and f share nodes through the hash-consed IR.
 *
 * Structural sparsity of Φ and S (unrolled layout). Φ_ij(t0) = δ_ij and Φ_ij' = Σ_k J_ik Φ_kj, so Φ_ij is
 * identically zero unless state i reaches state j in J's dependency graph (an edge i → k where f_i reads
 * y_k), or i = j. Likewise S_ik is identically zero unless some state l reachable from i (i itself included)
 * has ∂f_l/∂p_k ≠ 0. Such components get the constant-0 right-hand side, and a product J_ik X_kj whose
 * X_kj is structurally zero is left out of the sum: a diagonal system of n states builds n products for Φ,
 * not n².
 *
 * Why dropping those terms leaves every result bit-identical: a structurally zero component starts at +0 and
 * its derivative is a sum of terms J·(+0) = ±0 — the dropped term — so it stays +0 (stage values and new
 * values are y + h·(…) with y = +0, and +0 + (±0) = +0). In any other sum, a dropped ±0 term can only change
 * the sign of a zero partial sum (x + (±0) = x unless x = −0), so a stage derivative may differ from the full
 * sum in the sign of a zero and in nothing else; the values built from it (y + h·(…), the error norm's |·|,
 * the Hermite samples a0·y0 + a1·y1 + …, whose first terms are never −0) come out the same bits. One
 * exception, the IR's own rule x·0 → 0 (src/expr/ir.ts): where an entry of J is infinite or NaN, J·0 is NaN
 * in the full sum and absent here, so a structurally zero component stays 0 where it would have turned NaN.
 * The 'columns' layout multiplies out every column and keeps those NaNs.
 *
 * Two forms, same mathematics: 'unrolled' builds one expression per component of the augmented vector (best
 * for small systems: everything is straight-line code); 'columns' builds only f, J and ∂f/∂p, and leaves the
 * products JΦ and JS to the code generator, which loops over Φ's and S's columns — code size O(nnz(J))
 * instead of O(n·nnz(J)), and no n² expressions in memory.
 */
import { Differentiator, pushChildren, sparsity } from '../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../expr/ir.ts';
import type { Model } from '../model/model.ts';
import type { SecondOrderBlocks } from './second-order.ts';

/** A sensitivity integrated with the state: 'y0' for ∂y(t)/∂y0 (Φ, n×n), 'params' for ∂y(t)/∂p (S, n×p). */
export type Sensitivity = 'y0' | 'params';
/**
 * How the variational products JΦ and JS are emitted: 'unrolled', one straight-line expression per component
 * (best for small systems), or 'columns', loops over the columns of Φ and S (code size O(nnz(J))).
 */
export type VariationalLayout = 'unrolled' | 'columns';

export interface AugmentedSystem {
  readonly model: Model;
  readonly sensitivities: readonly Sensitivity[];
  readonly layout: VariationalLayout;
  /**
   * Length of the augmented vector: n, plus n² with 'y0', plus n·p with 'params' (plus the second-order blocks
   * with `secondOrder`).
   */
  readonly size: number;
  /**
   * Components of the augmented vector with their right-hand sides, in layout order: all of them when
   * unrolled, the n states only in the 'columns' layout.
   */
  readonly components: readonly SymNode[];
  readonly rhs: readonly Expr[];
  /** Offset of Φ in the augmented vector, or -1 when y0 sensitivities are not asked. */
  readonly phiOffset: number;
  /** Offset of S in the augmented vector, or -1 when parameter sensitivities are not asked. */
  readonly sensOffset: number;
  /**
   * J = ∂f/∂y by rows, structurally non-zero entries only (n rows; all empty when no sensitivity is asked and
   * the step does not use J, as nothing reads it then). Sparse because dense it is n² references: 8.6 GB for 32,768 states.
   */
  readonly jacobian: readonly SparseRow[];
  /** ∂f/∂p as expressions (n×p); empty rows when parameter sensitivities are not asked. */
  readonly paramDerivatives: readonly (readonly Expr[])[];
  /**
   * Unrolled layout with y0 sensitivities: for each row i of Φ, the columns j (ascending) where Φ_ij is not
   * structurally zero; every other Φ component has the constant-0 right-hand side. Undefined otherwise (the
   * 'columns' layout treats Φ as dense).
   */
  readonly phiPattern: readonly (readonly number[])[] | undefined;
  /** The same for S (columns: parameters), in the unrolled layout with parameter sensitivities. */
  readonly sensPattern: readonly (readonly number[])[] | undefined;
  /**
   * Second-order sensitivities (src/variational/second-order.ts, compile's `order: 2`): where their blocks lie,
   * after S. Undefined for a first-order system.
   */
  readonly secondOrder?: SecondOrderBlocks;
  /**
   * The columns of Φ and S this system integrates, when only some (columns layout; see columnSlice): Φ is then
   * n × phi.count (columns phi.from … of ∂y/∂y0) and S n × sens.count. Undefined: all of them.
   */
  readonly columnSlice?: ColumnSlice;
}

/** Consecutive columns of a block: from, from + 1, …, from + count − 1. */
export interface ColumnRange {
  readonly from: number;
  readonly count: number;
}

/** Which columns of Φ and of S a system integrates (see AugmentedSystem.columnSlice). */
export interface ColumnSlice {
  readonly phi: ColumnRange;
  readonly sens: ColumnRange;
}

/** The columns of Φ and S a system integrates: all of them unless it is a column slice. */
export function blockColumns(system: AugmentedSystem): ColumnSlice {
  const n = system.model.states.length;
  const np = system.model.params.length;
  return (
    system.columnSlice ?? {
      phi: { from: 0, count: system.phiOffset >= 0 ? n : 0 },
      sens: { from: 0, count: system.sensOffset >= 0 ? np : 0 },
    }
  );
}

/**
 * The same system restricted to some columns of Φ and S: Φ' = JΦ and S' = JS + ∂f/∂p hold column by column, and
 * the state does not depend on them, so a solve of each slice (error control on the state) takes the same steps
 * as the whole and gives its columns of the sensitivities — what the worker threads of `compile(…, { threads })`
 * each integrate. Columns layout, first order only.
 */
export function sliceColumns(system: AugmentedSystem, slice: ColumnSlice): AugmentedSystem {
  if (system.layout !== 'columns' || system.secondOrder !== undefined || system.columnSlice !== undefined) {
    throw new Error('internal: only a whole first-order system of the columns layout is sliced');
  }
  const n = system.model.states.length;
  const all = blockColumns(system);
  const inside = (r: ColumnRange, whole: ColumnRange) =>
    Number.isInteger(r.from) &&
    Number.isInteger(r.count) &&
    r.from >= 0 &&
    r.count >= 0 &&
    r.from + r.count <= whole.count;
  if (!inside(slice.phi, all.phi) || !inside(slice.sens, all.sens)) {
    throw new Error('internal: a column slice outside the blocks');
  }
  const phiOffset = system.phiOffset;
  const sensOffset = system.sensOffset < 0 ? -1 : phiOffset >= 0 ? phiOffset + n * slice.phi.count : n;
  return {
    ...system,
    size: n + n * slice.phi.count + (sensOffset >= 0 ? n * slice.sens.count : 0),
    sensOffset,
    columnSlice: { phi: { ...slice.phi }, sens: { ...slice.sens } },
  };
}

/** One row of a sparse matrix of expressions: entries[t] is the entry in column columns[t], ascending. */
export interface SparseRow {
  readonly columns: readonly number[];
  readonly entries: readonly Expr[];
}

/** For each row, the columns (ascending) where a structural pattern is set. */
export function patternRows(pattern: readonly (readonly boolean[])[]): number[][] {
  return pattern.map((row) => row.flatMap((set, k) => (set ? [k] : [])));
}

/** The transpose of adjacency rows over `size` columns: for each k, the i (ascending) whose row holds k. */
export function transposeRows(rows: readonly (readonly number[])[], size: number): number[][] {
  const out: number[][] = Array.from({ length: size }, () => []);
  rows.forEach((row, i) => {
    for (const k of row) out[k]!.push(i);
  });
  return out;
}

/**
 * The states i from which one of `targets` is reachable in J's dependency graph, targets included: a
 * breadth-first search backwards along `readBy` (readBy[k]: the i whose f_i reads y_k). Marks each state found
 * with `stamp` in `mark` (so `mark[i] === stamp` tests membership afterwards; use a new stamp per search and
 * no allocation per search is needed) and returns them in the order found.
 */
export function statesReaching(
  readBy: readonly (readonly number[])[],
  targets: Iterable<number>,
  mark: Int32Array,
  stamp: number,
): number[] {
  const found: number[] = [];
  for (const t of targets) {
    if (mark[t] === stamp) continue;
    mark[t] = stamp;
    found.push(t);
  }
  for (let head = 0; head < found.length; head++) {
    for (const i of readBy[found[head]!]!) {
      if (mark[i] === stamp) continue;
      mark[i] = stamp;
      found.push(i);
    }
  }
  return found;
}

/**
 * Which components of a block X (Φ: one column per state; S: one column per parameter) are not
 * structurally zero, row by row: X_ic is non-zero when some state reachable from i (i included) is a seed of
 * column c. Column by column, each a backwards search from the column's seeds.
 */
function blockPattern(readBy: readonly (readonly number[])[], seeds: readonly (readonly number[])[]): number[][] {
  const n = readBy.length;
  const rows: number[][] = Array.from({ length: n }, () => []);
  const mark = new Int32Array(n).fill(-1);
  seeds.forEach((targets, c) => {
    // Columns in ascending order: every row's list comes out sorted.
    for (const i of statesReaching(readBy, targets, mark, c)) rows[i]!.push(c);
  });
  return rows;
}

/**
 * Lists of integers, one per row, in one array: row i is items[start[i] … start[i + 1]). Two typed arrays instead
 * of an array per row: a 128×128 Brusselator has 32,768 rows.
 */
class RowLists {
  readonly start: Int32Array;
  items = new Int32Array(1024);
  private count = 0;

  constructor(rows: number) {
    this.start = new Int32Array(rows + 1);
  }

  add(value: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(2 * this.items.length);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.count++] = value;
  }

  /** Ends row i (the values added since the previous row), sorted ascending (insertion sort: rows are short). */
  endRow(i: number): void {
    const items = this.items;
    for (let k = this.start[i]! + 1; k < this.count; k++) {
      const v = items[k]!;
      let j = k - 1;
      while (j >= this.start[i]! && items[j]! > v) {
        items[j + 1] = items[j]!;
        j--;
      }
      items[j + 1] = v;
    }
    this.start[i + 1] = this.count;
  }
}

/**
 * For each right-hand side f_i, the states (`states`, when asked) and the parameters (`params`, when asked) it
 * reads, each in ascending order: what freeSymbols finds, sorted, in one walk per row with marks by node id
 * instead of two Sets per row.
 */
function symbolsRead(model: Model, withStates: boolean, withParams: boolean): { states: RowLists; params: RowLists } {
  const n = model.states.length;
  const states = new RowLists(n);
  const params = new RowLists(n);
  if (!withStates && !withParams) return { states, params };
  const size = model.builder.size;
  // slot[id]: k + 1 for the state y_k, -(q + 1) for the parameter p_q, 0 for any other node
  const slot = new Int32Array(size);
  if (withStates) for (let k = 0; k < n; k++) slot[model.states[k]!.id] = k + 1;
  if (withParams) for (let k = 0; k < model.params.length; k++) slot[model.params[k]!.id] = -(k + 1);
  const mark = new Int32Array(size);
  const stack: Expr[] = [];
  for (let i = 0; i < n; i++) {
    const stamp = i + 1;
    stack.push(model.rhs[i]!);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (mark[node.id] === stamp) continue;
      mark[node.id] = stamp;
      if (node.kind === 'sym') {
        const at = slot[node.id]!;
        if (at > 0) states.add(at - 1);
        else if (at < 0) params.add(-at - 1);
      } else pushChildren(node, stack);
    }
    states.endRow(i);
    params.endRow(i);
  }
  return { states, params };
}

export function buildAugmentedSystem(
  model: Model,
  sensitivities: readonly Sensitivity[],
  layout: VariationalLayout = 'unrolled',
  /** Build J even without sensitivities (the implicit and Rosenbrock steps use it). */
  withJacobian = false,
): AugmentedSystem {
  const b = model.builder;
  const diff = new Differentiator(b);
  const n = model.states.length;
  const np = model.params.length;
  const withParams = sensitivities.includes('params') && np > 0;
  const needsJ = sensitivities.includes('y0') || withParams || withJacobian;
  // Only symbols an f_i mentions can have a non-zero derivative: the rest are structural zeros, not computed.
  const { states: stateReads, params: paramReads } = symbolsRead(model, needsJ, withParams);
  // Row i of J: the states f_i reads, in ascending order (the order of the sums below), minus those whose
  // derivative still comes out as the structural zero (the rule every product here follows: +0 only).
  const J: SparseRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (!needsJ) {
      J[i] = { columns: [], entries: [] };
      continue;
    }
    const [from, to] = [stateReads.start[i]!, stateReads.start[i + 1]!];
    // (arrays of the row's final size: `[]` grown by push reserves 17 places, for the system's lifetime)
    const columns: number[] = new Array(to - from);
    const entries: Expr[] = new Array(to - from);
    let count = 0;
    for (let t = from; t < to; t++) {
      const k = stateReads.items[t]!;
      const d = diff.d(model.rhs[i]!, model.states[k]!);
      if (isConst(d, 0)) continue;
      columns[count] = k;
      entries[count++] = d;
    }
    columns.length = count;
    entries.length = count;
    J[i] = { columns, entries };
  }
  const fp: Expr[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (!withParams) {
      fp[i] = [];
      continue;
    }
    const row: Expr[] = new Array(np).fill(b.zero);
    for (let t = paramReads.start[i]!; t < paramReads.start[i + 1]!; t++) {
      const q = paramReads.items[t]!;
      row[q] = diff.d(model.rhs[i]!, model.params[q]!);
    }
    fp[i] = row;
  }
  const size = n + (sensitivities.includes('y0') ? n * n : 0) + (withParams ? n * np : 0);
  const unrolled = layout === 'unrolled';

  const components: SymNode[] = [...model.states];
  const rhs: Expr[] = [...model.rhs];
  const reads = J.map((row) => row.columns);
  const readBy = unrolled ? transposeRows(reads, n) : [];

  /**
   * Row i of X' = J X for a block X stored row by row (Φ or S), with `pattern` its structural pattern: for
   * each column c in the pattern of row i, Σ_k J_ik X_kc over the k where neither factor is a structural zero
   * (in ascending k, the order the full sum has); `extra(c)` is added last. Columns outside the pattern get 0.
   */
  const blockRow = (
    i: number,
    width: number,
    pattern: readonly (readonly number[])[],
    x: (k: number, c: number) => SymNode,
    extra: (c: number) => Expr | undefined,
  ): void => {
    const ks = reads[i]!;
    // One cursor per k into pattern[k]: the columns come in ascending order, so each list is walked once.
    const cursor = new Array<number>(ks.length).fill(0);
    const columns = pattern[i]!;
    let next = 0;
    for (let c = 0; c < width; c++) {
      components.push(x(i, c));
      if (columns[next] !== c) {
        rhs.push(b.zero);
        continue;
      }
      next++;
      const terms: Expr[] = [];
      for (let t = 0; t < ks.length; t++) {
        const k = ks[t]!;
        const row = pattern[k]!;
        let at = cursor[t]!;
        while (at < row.length && row[at]! < c) at++;
        cursor[t] = at;
        if (row[at] === c) terms.push(b.mul(J[i]!.entries[t]!, x(k, c)));
      }
      const last = extra(c);
      if (last !== undefined) terms.push(last);
      rhs.push(b.addAll(terms));
    }
  };

  let phiOffset = -1;
  let phiPattern: number[][] | undefined;
  if (sensitivities.includes('y0')) {
    phiOffset = components.length;
    const phi = (i: number, j: number) => b.sym(`phi_${i}_${j}`, 'aux', phiOffset + i * n + j);
    if (unrolled) {
      // Column j of Φ: the states that reach j.
      const pattern = blockPattern(
        readBy,
        model.states.map((_, j) => [j]),
      );
      phiPattern = pattern;
      for (let i = 0; i < n; i++) blockRow(i, n, pattern, phi, () => undefined);
    }
  }

  let sensOffset = -1;
  let sensPattern: number[][] | undefined;
  if (withParams) {
    sensOffset = phiOffset >= 0 ? phiOffset + n * n : n;
    const s = (i: number, k: number) => b.sym(`s_${i}_${k}`, 'aux', sensOffset + i * np + k);
    if (unrolled) {
      // Column k of S: the states that reach one whose f reads p_k.
      const pattern = blockPattern(readBy, transposeRows(patternRows(sparsity(fp)), np));
      sensPattern = pattern;
      for (let i = 0; i < n; i++) {
        // ∂f_i/∂p_k is non-zero only inside the pattern (i reaches itself), so nothing is lost outside it.
        blockRow(i, np, pattern, s, (k) => fp[i]![k]!);
      }
    }
  }

  return {
    model,
    sensitivities: [...sensitivities],
    layout,
    size,
    components,
    rhs,
    phiOffset,
    sensOffset,
    jacobian: J,
    paramDerivatives: fp,
    phiPattern,
    sensPattern,
  };
}

/** A stretch of the augmented right-hand side as the printers emit it. */
export type RhsSegment =
  | { readonly kind: 'one'; readonly index: number }
  /** Components start … end − 1, all constant +0: one loop (or fill) instead of a line each. */
  | { readonly kind: 'zeros'; readonly start: number; readonly end: number };

/**
 * The components of `rhs` in order, with every run of at least `minRun` consecutive constant-+0 right-hand
 * sides (structurally zero Φ and S components, mostly) as one segment. The stage vectors these are written
 * into are reused, so a zero component must still be written; a run of them is written by one loop.
 */
export function rhsSegments(rhs: readonly Expr[], minRun: number): RhsSegment[] {
  const out: RhsSegment[] = [];
  let i = 0;
  while (i < rhs.length) {
    let end = i;
    while (end < rhs.length && isConst(rhs[end]!, 0)) end++;
    if (end - i >= minRun) {
      out.push({ kind: 'zeros', start: i, end });
      i = end;
      continue;
    }
    // A short run of zeros, each on its own line, then the non-zero component after it.
    for (const last = Math.min(end + 1, rhs.length); i < last; i++) out.push({ kind: 'one', index: i });
  }
  return out;
}
