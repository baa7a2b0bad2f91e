/**
 * The generation-time half of a sparse LU of a Newton matrix I − hγJ (the KLU idea, done ahead of time): a
 * fill-reducing ordering of J's structural pattern and the symbolic factorization (the patterns of L and U after
 * fill), so that the generated solver only does the numeric factorization over a fixed set of slots.
 *
 * Pivots are static: the same permutation P is applied to rows and columns (PAPᵀ = LU) and every pivot is the
 * diagonal entry. I − hγJ has a structurally non-zero diagonal and is diagonally dominant for small h; the numeric
 * phase (codegen/linalg/lu.ts) tests each pivot against its column and reports failure, so the driver can reduce
 * h rather than divide by a tiny pivot.
 *
 * Pure functions on patterns, no code printing. A pattern lists, per row, the columns of its structural non-zeros;
 * the diagonal is always taken as present (the identity contributes it).
 */

/** Row i lists the columns j with a structural non-zero A[i][j] (any order; the diagonal is implied). */
export type Pattern = readonly (readonly number[])[];

/** Checks that a pattern is square, with integer indices in range; throws otherwise. */
export function checkPattern(pattern: Pattern): number {
  const n = pattern.length;
  if (n < 1) throw new RangeError('pattern: a Newton matrix has at least one row');
  pattern.forEach((row, i) => {
    for (const j of row) {
      if (!Number.isInteger(j) || j < 0 || j >= n)
        throw new RangeError(`pattern: row ${i} has column ${j} outside 0…${n - 1}`);
    }
  });
  return n;
}

/**
 * A fill-reducing elimination order of the pattern made symmetric (A + Aᵀ): `order[k]` is the original index
 * eliminated k-th.
 *
 * Why this algorithm: exact minimum degree on the explicit elimination graph (Tinney–Walker / Rose), not the
 * quotient graph of AMD. Eliminating v joins its neighbours into a clique, so the graph holds the filled pattern
 * and each step costs O(deg(v)²) set operations; for the Newton matrices of ODE models (n up to some tens of
 * thousands, fill that stays near linear for grid-like couplings) that runs in well under seconds, needs no
 * element absorption or approximate degrees, and gives the exact degree that AMD only bounds (measured: a 128×128
 * 5-point grid, n = 16,384, orders in about 0.6 s). Vertices wait in per-degree buckets, and ties go to the
 * smallest original index, so the order (and the generated code) never depends on hash or insertion order.
 */
export function minimumDegreeOrder(pattern: Pattern): Int32Array {
  const n = checkPattern(pattern);
  // adjacency of A + Aᵀ without the diagonal
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  pattern.forEach((row, i) => {
    for (const j of row) {
      if (j === i) continue;
      adj[i]!.add(j);
      adj[j]!.add(i);
    }
  });

  // Degree buckets: each is a min-heap of vertex indices (smallest first, for deterministic ties). A vertex whose
  // degree changes is pushed again into its new bucket; the stale entry is skipped when popped.
  const degree = new Int32Array(n);
  const buckets: MinHeap[] = [];
  const bucket = (d: number): MinHeap => {
    let b = buckets[d];
    if (b === undefined) {
      b = new MinHeap();
      buckets[d] = b;
    }
    return b;
  };
  for (let v = 0; v < n; v++) {
    degree[v] = adj[v]!.size;
    bucket(degree[v]!).push(v);
  }
  const eliminated = new Uint8Array(n);
  const order = new Int32Array(n);
  let low = 0; // no live vertex has a degree below `low`
  for (let k = 0; k < n; k++) {
    let v = -1;
    for (;;) {
      const b = buckets[low];
      const top = b?.pop();
      if (top === undefined) {
        low++;
        continue;
      }
      // stale entry: the vertex was eliminated or its degree changed after this entry was pushed
      if (eliminated[top] === 1 || degree[top] !== low) continue;
      v = top;
      break;
    }
    order[k] = v;
    eliminated[v] = 1;
    const neighbours = [...adj[v]!];
    // v's neighbours become a clique (the fill of eliminating v), and lose v
    for (const u of neighbours) {
      const au = adj[u]!;
      au.delete(v);
      for (const w of neighbours) if (w !== u) au.add(w);
    }
    for (const u of neighbours) {
      const d = adj[u]!.size;
      if (d !== degree[u]) {
        degree[u] = d;
        bucket(d).push(u);
        if (d < low) low = d;
      }
    }
    adj[v] = new Set();
  }
  return order;
}

/**
 * The structure of L and U for PAPᵀ = LU with diagonal pivots, column by column (compressed sparse column, in
 * the permuted numbering). Column j of U holds rows k < j (the diagonal is separate: always present), column j of
 * L rows i > j (L's unit diagonal is not stored). Row lists are ascending.
 */
export interface SymbolicLu {
  readonly n: number;
  /** order[k]: the original index at position k. */
  readonly order: Int32Array;
  /** position[i]: where original index i went (the inverse of order). */
  readonly position: Int32Array;
  readonly uStart: Int32Array;
  readonly uRows: Int32Array;
  readonly lStart: Int32Array;
  readonly lRows: Int32Array;
  /** Whether PAPᵀ has a structural non-zero at (permuted) row i, column j: a slot that is input, not fill. */
  inMatrix(i: number, j: number): boolean;
}

/** Non-zeros of L and U together (U's diagonal included, L's unit diagonal not): the slots a numeric LU needs. */
export function luNonZeros(s: SymbolicLu): number {
  return s.uRows.length + s.lRows.length + s.n;
}

/**
 * The symbolic factorization of the pattern under `order` (the same permutation for rows and columns). Column j
 * of L\U is the solution of a triangular system with the first j columns of L, so its pattern is the set of
 * vertices reachable from column j of A in the graph of L (edge k → i for each L[i][k] ≠ 0, k < j) — Gilbert and
 * Peierls' result, found by a depth-first search per column. Exact for the unsymmetric pattern (no cancellation
 * assumed), in time proportional to the floating-point work of the numeric factorization.
 */
export function symbolicLu(pattern: Pattern, order: ArrayLike<number>): SymbolicLu {
  const n = checkPattern(pattern);
  const ord = Int32Array.from(order as ArrayLike<number>);
  const position = new Int32Array(n).fill(-1);
  if (ord.length !== n) throw new RangeError(`order: length ${ord.length}, expected ${n}`);
  ord.forEach((v, k) => {
    if (v < 0 || v >= n || position[v] !== -1) throw new RangeError(`order: not a permutation of 0…${n - 1}`);
    position[v] = k;
  });

  // Columns of PAPᵀ (permuted row indices), diagonal added, and a row-wise set to answer inMatrix.
  const columns: number[][] = Array.from({ length: n }, (_, j) => [j]);
  pattern.forEach((row, i) => {
    const pi = position[i]!;
    for (const j of new Set(row)) if (j !== i) columns[position[j]!]!.push(pi);
  });
  const entries = new Set<number>();
  columns.forEach((rows, j) => {
    for (const i of rows) entries.add(i * n + j);
  });

  const uStart = new Int32Array(n + 1);
  const lStart = new Int32Array(n + 1);
  const uRows: number[] = [];
  const lRows: number[] = [];
  const mark = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const edge = new Int32Array(n);
  const reach: number[] = [];
  for (let j = 0; j < n; j++) {
    reach.length = 0;
    // depth-first search from each row of A's column j through the columns of L already known (k < j)
    for (const start of columns[j]!) {
      if (mark[start] === j) continue;
      mark[start] = j;
      reach.push(start);
      if (start >= j) continue;
      let top = 0;
      stack[0] = start;
      edge[0] = lStart[start]!;
      while (top >= 0) {
        const k = stack[top]!;
        const end = lStart[k + 1]!;
        let p = edge[top]!;
        while (p < end && mark[lRows[p]!] === j) p++;
        if (p === end) {
          top--;
          continue;
        }
        edge[top] = p + 1;
        const i = lRows[p]!;
        mark[i] = j;
        reach.push(i);
        if (i < j) {
          top++;
          stack[top] = i;
          edge[top] = lStart[i]!;
        }
      }
    }
    reach.sort((a, b) => a - b);
    for (const i of reach) {
      if (i < j) uRows.push(i);
      else if (i > j) lRows.push(i);
    }
    uStart[j + 1] = uRows.length;
    lStart[j + 1] = lRows.length;
  }
  return {
    n,
    order: ord,
    position,
    uStart,
    uRows: Int32Array.from(uRows),
    lStart,
    lRows: Int32Array.from(lRows),
    inMatrix: (i, j) => entries.has(i * n + j),
  };
}

/** A binary min-heap of integers (a degree bucket of minimumDegreeOrder). */
class MinHeap {
  private readonly items: number[] = [];
  push(x: number): void {
    const a = this.items;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= x) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = x;
  }
  pop(): number | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
