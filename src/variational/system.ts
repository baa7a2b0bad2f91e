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
 */
import { Differentiator, sparsity } from '../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../expr/ir.ts';
import type { Model } from '../model/model.ts';

export type Sensitivity = 'y0' | 'params';

export interface AugmentedSystem {
  readonly model: Model;
  readonly sensitivities: readonly Sensitivity[];
  /** All components of the augmented vector, in layout order. */
  readonly components: readonly SymNode[];
  /** Their right-hand sides, same order. */
  readonly rhs: readonly Expr[];
  /** Offset of Φ in the augmented vector, or -1 when y0 sensitivities are not asked. */
  readonly phiOffset: number;
  /** Offset of S in the augmented vector, or -1 when parameter sensitivities are not asked. */
  readonly sensOffset: number;
  /** J = ∂f/∂y as expressions (n×n), and its structural pattern. */
  readonly jacobian: readonly (readonly Expr[])[];
  readonly jacobianPattern: readonly (readonly boolean[])[];
}

export function buildAugmentedSystem(model: Model, sensitivities: readonly Sensitivity[]): AugmentedSystem {
  const b = model.builder;
  const diff = new Differentiator(b);
  const n = model.states.length;
  const np = model.params.length;
  const J = model.rhs.map((f) => model.states.map((y) => diff.d(f, y)));

  const components: SymNode[] = [...model.states];
  const rhs: Expr[] = [...model.rhs];

  // Σ_k J_ik X_kj over the structurally non-zero J_ik.
  const product = (i: number, column: (k: number) => Expr): Expr[] =>
    J[i]!.flatMap((Jik, k) => (isConst(Jik, 0) ? [] : [b.mul(Jik, column(k))]));

  let phiOffset = -1;
  if (sensitivities.includes('y0')) {
    phiOffset = components.length;
    const phi = (i: number, j: number) => b.sym(`phi_${i}_${j}`, 'aux', phiOffset + i * n + j);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        components.push(phi(i, j));
        rhs.push(b.add(...product(i, (k) => phi(k, j))));
      }
    }
  }

  let sensOffset = -1;
  if (sensitivities.includes('params') && np > 0) {
    sensOffset = components.length;
    const s = (i: number, k: number) => b.sym(`s_${i}_${k}`, 'aux', sensOffset + i * np + k);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < np; k++) {
        components.push(s(i, k));
        rhs.push(b.add(...product(i, (l) => s(l, k)), diff.d(model.rhs[i]!, model.params[k]!)));
      }
    }
  }

  return {
    model,
    sensitivities: [...sensitivities],
    components,
    rhs,
    phiOffset,
    sensOffset,
    jacobian: J,
    jacobianPattern: sparsity(J),
  };
}
