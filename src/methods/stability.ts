/**
 * Where an explicit Runge–Kutta method stops being stable on the negative real axis: the largest x > 0 with
 * |R(−s)| ≤ 1 for all s in (0, x], where R(z) = 1 + z bᵀ(I − zA)⁻¹𝟙 is the method's stability function.
 * A step with h·ρ beyond it (ρ: a local estimate of the dominant eigenvalue's size) is limited by stability,
 * not accuracy — the signature of stiffness that the solvers report.
 */
import { numericTableau } from './numeric.ts';
import type { ExplicitRungeKuttaMethod } from './types.ts';

/** R(z) for real z: for explicit methods (I − zA)⁻¹𝟙 is a forward substitution. */
export function stabilityFunction(method: ExplicitRungeKuttaMethod, z: number): number {
  const { a, b } = numericTableau(method);
  const g: number[] = [];
  for (let i = 0; i < b.length; i++) {
    let s = 1;
    for (let j = 0; j < i; j++) s += z * a[i]![j]! * g[j]!;
    g.push(s);
  }
  return 1 + z * b.reduce((acc, bi, i) => acc + bi * g[i]!, 0);
}

const boundaries = new WeakMap<ExplicitRungeKuttaMethod, number>();

/** The real stability boundary, found by scanning then bisecting |R(−x)| = 1 (once per method object). */
export function realStabilityBoundary(method: ExplicitRungeKuttaMethod): number {
  let x = boundaries.get(method);
  if (x === undefined) {
    x = findBoundary(method);
    boundaries.set(method, x);
  }
  return x;
}

function findBoundary(method: ExplicitRungeKuttaMethod): number {
  const unstable = (x: number) => Math.abs(stabilityFunction(method, -x)) > 1 + 1e-12;
  let lo = 0;
  let hi = 0.01;
  while (!unstable(hi)) {
    lo = hi;
    hi += 0.01;
    if (hi > 100) return Number.POSITIVE_INFINITY;
  }
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (unstable(mid)) hi = mid;
    else lo = mid;
  }
  return lo;
}

/**
 * The stage whose input z and slope F(t + h, z) the stiffness estimate compares with yNew and F(t + h, yNew):
 * the last stage at c = 1 that is not itself F(t + h, yNew) (the FSAL stage). -1 for fixed-step methods,
 * which have no controller to hold back, and for methods without such a stage.
 */
export function stiffnessStage(method: ExplicitRungeKuttaMethod): number {
  if (!method.errorEstimate) return -1;
  const { c } = numericTableau(method);
  const last = method.fsal ? c.length - 2 : c.length - 1;
  for (let i = last; i > 0; i--) if (c[i] === 1) return i;
  return -1;
}
