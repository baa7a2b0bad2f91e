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
 * Two forms, same mathematics: 'unrolled' builds one expression per component of the augmented vector (best
 * for small systems: everything is straight-line code); 'columns' builds only f, J and ∂f/∂p, and leaves the
 * products JΦ and JS to the code generator, which loops over Φ's and S's columns — code size O(nnz(J))
 * instead of O(n·nnz(J)), and no n² expressions in memory.
 */
import { Differentiator, freeSymbols, sparsity } from '../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../expr/ir.ts';
import type { Model } from '../model/model.ts';

export type Sensitivity = 'y0' | 'params';
export type VariationalLayout = 'unrolled' | 'columns';

export interface AugmentedSystem {
  readonly model: Model;
  readonly sensitivities: readonly Sensitivity[];
  readonly layout: VariationalLayout;
  /** Length of the augmented vector: n, plus n² with 'y0', plus n·p with 'params'. */
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
  /** J = ∂f/∂y as expressions (n×n), and its structural pattern. */
  readonly jacobian: readonly (readonly Expr[])[];
  readonly jacobianPattern: readonly (readonly boolean[])[];
  /** ∂f/∂p as expressions (n×p); empty rows when parameter sensitivities are not asked. */
  readonly paramDerivatives: readonly (readonly Expr[])[];
}

export function buildAugmentedSystem(
  model: Model,
  sensitivities: readonly Sensitivity[],
  layout: VariationalLayout = 'unrolled',
): AugmentedSystem {
  const b = model.builder;
  const diff = new Differentiator(b);
  const n = model.states.length;
  const np = model.params.length;
  // Only symbols an f_i mentions can have a non-zero derivative: skip the rest (structural zeros).
  const free = model.rhs.map(freeSymbols);
  const derivative = (i: number, x: SymNode) => (free[i]!.has(x.id) ? diff.d(model.rhs[i]!, x) : b.zero);
  const J = model.rhs.map((_, i) => model.states.map((y) => derivative(i, y)));
  const withParams = sensitivities.includes('params') && np > 0;
  const fp = model.rhs.map((_, i) => (withParams ? model.params.map((q) => derivative(i, q)) : []));
  const size = n + (sensitivities.includes('y0') ? n * n : 0) + (withParams ? n * np : 0);
  const unrolled = layout === 'unrolled';

  const components: SymNode[] = [...model.states];
  const rhs: Expr[] = [...model.rhs];

  // Σ_k J_ik X_kj over the structurally non-zero J_ik.
  const product = (i: number, column: (k: number) => Expr): Expr[] =>
    J[i]!.flatMap((Jik, k) => (isConst(Jik, 0) ? [] : [b.mul(Jik, column(k))]));

  let phiOffset = -1;
  if (sensitivities.includes('y0')) {
    phiOffset = components.length;
    const phi = (i: number, j: number) => b.sym(`phi_${i}_${j}`, 'aux', phiOffset + i * n + j);
    for (let i = 0; i < n && unrolled; i++) {
      for (let j = 0; j < n; j++) {
        components.push(phi(i, j));
        rhs.push(b.add(...product(i, (k) => phi(k, j))));
      }
    }
  }

  let sensOffset = -1;
  if (withParams) {
    sensOffset = phiOffset >= 0 ? phiOffset + n * n : n;
    const s = (i: number, k: number) => b.sym(`s_${i}_${k}`, 'aux', sensOffset + i * np + k);
    for (let i = 0; i < n && unrolled; i++) {
      for (let k = 0; k < np; k++) {
        components.push(s(i, k));
        rhs.push(b.add(...product(i, (l) => s(l, k)), fp[i]![k]!));
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
    jacobianPattern: sparsity(J),
    paramDerivatives: fp,
  };
}
