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
 * Why this algorithm: approximate minimum degree on the quotient graph (Amestoy, Davis and Duff, "An approximate
 * minimum degree ordering algorithm", SIAM J. Matrix Anal. Appl. 17(4), 1996), without supervariables. Eliminating
 * a vertex p does not form the clique of its neighbours: it turns p into an *element* whose member list L_p stands
 * for that clique, and the elements p touched are absorbed into it. Each variable keeps its adjacent variables and
 * elements, so memory stays near the size of A, and its degree is bounded from above, as AMD does, by
 * |A_i| + |L_p \ i| + Σ |L_e \ L_p| over its other elements — exact external degrees would need the unions that
 * make exact minimum degree slow. The explicit-graph minimum degree this replaced did O(deg²) set insertions per
 * step and took 7 s on a 128×128 periodic Brusselator's Newton matrix (n = 32,768); this takes a fraction of a
 * second there with fill within a few per cent (test/linalg/lu.test.ts measures both on grids).
 * Vertices wait in per-degree buckets and ties go to the smallest original index, so the order (and the generated
 * code) never depends on hash or insertion order.
 */
export function minimumDegreeOrder(pattern: Pattern): Int32Array {
  const n = checkPattern(pattern);
  // A + Aᵀ without the diagonal, duplicates removed: the adjacent variables of each vertex
  const sets: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  pattern.forEach((row, i) => {
    for (const j of row) {
      if (j === i) continue;
      sets[i]!.add(j);
      sets[j]!.add(i);
    }
  });
  const variables: number[][] = sets.map((s) => [...s].sort((x, y) => x - y));
  const elements: number[][] = Array.from({ length: n }, () => []);
  /** Members of each element (a former pivot), all of them live variables while the element is. */
  const members: number[][] = Array.from({ length: n }, () => []);
  const VARIABLE = 0;
  const ELEMENT = 1;
  const ABSORBED = 2;
  const status = new Uint8Array(n);
  const degree = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  /** |L_e \ L_p| for the elements met while eliminating p (valid where wStamp[e] === k). */
  const w = new Int32Array(n);
  const wStamp = new Int32Array(n).fill(-1);

  const buckets: MinHeap[] = [];
  const push = (v: number): void => {
    let b = buckets[degree[v]!];
    if (b === undefined) {
      b = new MinHeap();
      buckets[degree[v]!] = b;
    }
    b.push(v);
    if (degree[v]! < low) low = degree[v]!;
  };
  let low = 0; // no live vertex has a degree below `low`
  for (let v = 0; v < n; v++) {
    degree[v] = variables[v]!.length;
    push(v);
  }
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    let p = -1;
    for (;;) {
      const top = buckets[low]?.pop();
      if (top === undefined) {
        low++;
        continue;
      }
      // stale entry: the vertex was eliminated or its degree changed after this entry was pushed
      if (status[top] !== VARIABLE || degree[top] !== low) continue;
      p = top;
      break;
    }
    order[k] = p;
    // L_p: p's live variables and the members of its elements, which p absorbs
    mark[p] = k;
    const lp: number[] = [];
    for (const v of variables[p]!) {
      if (status[v] === VARIABLE && mark[v] !== k) {
        mark[v] = k;
        lp.push(v);
      }
    }
    for (const e of elements[p]!) {
      if (status[e] !== ELEMENT) continue;
      for (const v of members[e]!) {
        if (v !== p && mark[v] !== k) {
          mark[v] = k;
          lp.push(v);
        }
      }
      status[e] = ABSORBED;
      members[e] = [];
    }
    status[p] = ELEMENT;
    members[p] = lp;
    variables[p] = [];
    elements[p] = [];
    // |L_e \ L_p| of every element next to L_p: |L_e| less one per member of L_p it holds
    for (const i of lp) {
      for (const e of elements[i]!) {
        if (status[e] !== ELEMENT) continue;
        if (wStamp[e] !== k) {
          wStamp[e] = k;
          w[e] = members[e]!.length;
        }
        w[e]!--;
      }
    }
    // Prune and re-bound the degree of each variable of L_p.
    const external = lp.length - 1;
    const left = n - k - 1;
    for (const i of lp) {
      let bound = external;
      const own: number[] = [p];
      for (const e of elements[i]!) {
        if (status[e] !== ELEMENT) continue;
        if (w[e] === 0) {
          status[e] = ABSORBED; // aggressive absorption: L_e ⊆ L_p, so p stands for it
          members[e] = [];
          continue;
        }
        own.push(e);
        bound += w[e]!;
      }
      elements[i] = own;
      // variables also in L_p are adjacent through p from now on
      const vars = variables[i]!.filter((v) => status[v] === VARIABLE && mark[v] !== k);
      variables[i] = vars;
      bound += vars.length;
      const d = Math.min(left, degree[i]! + external, bound);
      if (d !== degree[i]) {
        degree[i] = d;
        push(i);
      }
    }
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
 *
 * A structurally symmetric pattern (most Newton matrices: diffusion, networks, mass-action kinetics with
 * reversible steps) takes a faster path with the same result: the pattern of U is that of Lᵀ, and row i of L is
 * the union of the paths of the elimination tree from each k < i with A[i][k] ≠ 0 up to i (Liu, "The role of
 * elimination trees in sparse factorization", SIAM J. Matrix Anal. Appl. 11(1), 1990), in time proportional to the
 * non-zeros of L rather than to the work (a 128×128 Brusselator: 0.2 s instead of 1.4 s). `algorithm: 'reach'`
 * forces the general search (the tests compare the two).
 */
export function symbolicLu(
  pattern: Pattern,
  order: ArrayLike<number>,
  algorithm: 'auto' | 'reach' = 'auto',
): SymbolicLu {
  const n = checkPattern(pattern);
  const ord = Int32Array.from(order as ArrayLike<number>);
  const position = new Int32Array(n).fill(-1);
  if (ord.length !== n) throw new RangeError(`order: length ${ord.length}, expected ${n}`);
  ord.forEach((v, k) => {
    if (v < 0 || v >= n || position[v] !== -1) throw new RangeError(`order: not a permutation of 0…${n - 1}`);
    position[v] = k;
  });

  // Columns of PAPᵀ (permuted row indices), diagonal added.
  const columns: number[][] = Array.from({ length: n }, (_, j) => [j]);
  pattern.forEach((row, i) => {
    const pi = position[i]!;
    for (const j of new Set(row)) if (j !== i) columns[position[j]!]!.push(pi);
  });
  if (algorithm === 'auto' && isSymmetric(columns)) {
    return { n, order: ord, position, ...symmetricSymbolic(columns) };
  }

  const uStart = new Int32Array(n + 1);
  const lStart = new Int32Array(n + 1);
  const uRows: number[] = [];
  const lRows: number[] = [];
  const mark = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const edge = new Int32Array(n);
  const reach = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let count = 0;
    // depth-first search from each row of A's column j through the columns of L already known (k < j)
    for (const start of columns[j]!) {
      if (mark[start] === j) continue;
      mark[start] = j;
      reach[count++] = start;
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
        reach[count++] = i;
        if (i < j) {
          top++;
          stack[top] = i;
          edge[top] = lStart[i]!;
        }
      }
    }
    const found = reach.subarray(0, count).sort(); // a typed array sorts numerically
    for (const i of found) {
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
  };
}

/** Whether the column lists (each with its diagonal) describe a structurally symmetric matrix. */
function isSymmetric(columns: readonly (readonly number[])[]): boolean {
  const rows = columns.map((c) => new Set(c));
  return columns.every((c, j) => c.every((i) => rows[i]!.has(j)));
}

/**
 * L's and U's patterns of a structurally symmetric matrix given by its columns (permuted numbering), through the
 * elimination tree: parent[k] is the first i > k with L[i][k] ≠ 0, found with path-compressed ancestors; row i of
 * L is then collected by climbing from each k < i in A's row i until a node already marked for row i.
 */
function symmetricSymbolic(columns: readonly (readonly number[])[]): {
  uStart: Int32Array;
  uRows: Int32Array;
  lStart: Int32Array;
  lRows: Int32Array;
} {
  const n = columns.length;
  const parent = new Int32Array(n).fill(-1);
  const ancestor = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (const start of columns[i]!) {
      // A is symmetric: column i's rows k < i are row i's columns k < i
      for (let k = start; k !== -1 && k < i; ) {
        const next = ancestor[k]!;
        ancestor[k] = i;
        if (next === -1) parent[k] = i;
        k = next;
      }
    }
  }
  // Row patterns of L (= column patterns of U), each collected then sorted.
  const mark = new Int32Array(n).fill(-1);
  const uStart = new Int32Array(n + 1);
  const lCount = new Int32Array(n);
  let uRows = new Int32Array(4 * n);
  let used = 0;
  for (let i = 0; i < n; i++) {
    mark[i] = i;
    const from = used;
    for (const start of columns[i]!) {
      for (let k = start; k < i && mark[k] !== i; k = parent[k]!) {
        mark[k] = i;
        if (used === uRows.length) {
          const grown = new Int32Array(2 * uRows.length);
          grown.set(uRows);
          uRows = grown;
        }
        uRows[used++] = k;
        lCount[k]!++;
      }
    }
    uRows.subarray(from, used).sort();
    uStart[i + 1] = used;
  }
  // L column by column: row i joins column k for each k in row i's pattern, rows ascending as i is.
  const lStart = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) lStart[k + 1] = lStart[k]! + lCount[k]!;
  const lRows = new Int32Array(used);
  const next = lStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let p = uStart[i]!; p < uStart[i + 1]!; p++) lRows[next[uRows[p]!]!++] = i;
  }
  return { uStart, uRows: uRows.slice(0, used), lStart, lRows };
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
