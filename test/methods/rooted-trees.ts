/**
 * Rooted trees and Runge–Kutta order conditions (Butcher): a method with weights w has order p when
 * Σ_i w_i Φ_i(t) = 1/γ(t) for every rooted tree t with at most p nodes. Φ(t) is the elementary weight
 * vector: Φ_i(t) = Π over the root's subtrees u of (A Φ(u))_i; γ(t) = |t| Π γ(u).
 *
 * The arithmetic is generic so that rational tableaus are checked exactly (BigInt rationals) and
 * Feagin's 60-digit decimal tableaus with BigInt fixed-point numbers far beyond double precision.
 */

export interface Tree {
  readonly id: number;
  readonly order: number;
  /** Ids of the root's subtrees, non-increasing. */
  readonly children: readonly number[];
  /** The density γ(t). */
  readonly gamma: bigint;
}

/** Every rooted tree with at most maxOrder nodes, by increasing order (1, 1, 2, 4, 9, 20, 48, 115, ...). */
export function rootedTrees(maxOrder: number): Tree[] {
  const trees: Tree[] = [];
  for (let order = 1; order <= maxOrder; order++) {
    const existing = trees.length;
    // Multisets of existing trees whose orders sum to order - 1, as non-increasing id sequences.
    const emit = (remaining: number, maxId: number, acc: number[]): void => {
      if (remaining === 0) {
        let gamma = BigInt(order);
        for (const id of acc) gamma *= trees[id]!.gamma;
        trees.push({ id: trees.length, order, children: acc.slice(), gamma });
        return;
      }
      for (let id = maxId; id >= 0; id--) {
        const sub = trees[id]!;
        if (sub.order > remaining) continue;
        acc.push(id);
        emit(remaining - sub.order, id, acc);
        acc.pop();
      }
    };
    emit(order - 1, existing - 1, []);
  }
  return trees;
}

/** The arithmetic the order conditions need. */
export interface Field<T> {
  readonly zero: T;
  readonly one: T;
  add(x: T, y: T): T;
  sub(x: T, y: T): T;
  mul(x: T, y: T): T;
  /** 1/n for a positive integer n. */
  reciprocal(n: bigint): T;
  isZero(x: T): boolean;
}

/** Residuals Σ w_i Φ_i(t) − 1/γ(t) for each weight vector and each tree, computed once per tree. */
export function orderConditionResiduals<T>(
  field: Field<T>,
  a: readonly (readonly T[])[],
  weightSets: readonly (readonly T[])[],
  trees: readonly Tree[],
): T[][] {
  const s = a.length;
  // aPhi[id] = A Φ(t) for tree id, memoised: each tree's Φ is built from its subtrees' A Φ.
  const aPhi: T[][] = [];
  const residuals: T[][] = weightSets.map(() => []);
  for (const tree of trees) {
    const phi: T[] = new Array(s).fill(field.one);
    for (const child of tree.children) {
      const v = aPhi[child]!;
      for (let i = 0; i < s; i++) phi[i] = field.mul(phi[i]!, v[i]!);
    }
    const ap: T[] = new Array(s);
    for (let i = 0; i < s; i++) {
      let acc = field.zero;
      const row = a[i]!;
      for (let j = 0; j < i; j++) {
        const aij = row[j]!;
        if (!field.isZero(aij) && !field.isZero(phi[j]!)) acc = field.add(acc, field.mul(aij, phi[j]!));
      }
      ap[i] = acc;
    }
    aPhi[tree.id] = ap;
    weightSets.forEach((w, k) => {
      let acc = field.zero;
      for (let i = 0; i < s; i++) {
        if (!field.isZero(w[i]!)) acc = field.add(acc, field.mul(w[i]!, phi[i]!));
      }
      residuals[k]!.push(field.sub(acc, field.reciprocal(tree.gamma)));
    });
  }
  return residuals;
}
