/**
 * The Kepler two-body problem, the classic test problem for high-order methods: non-polynomial
 * right-hand side, large derivatives near pericentre, and an exact solution.
 *
 *   x'' = -x / |x|^3,  x(0) = (1 - e, 0),  x'(0) = (0, sqrt((1 + e) / (1 - e)))   (period 2π)
 *
 * At eccentric anomaly E the exact state is x = (cos E - e, sqrt(1 - e²) sin E),
 * x' = (-sin E, sqrt(1 - e²) cos E) / (1 - e cos E), reached at time t = E - e sin E (Kepler's equation);
 * choosing E and deriving t avoids solving Kepler's equation. Everything is in fixed point.
 */

import type { Rational } from '../../src/methods/exact.ts';
import { type Fixed, FX_ONE, fxDiv, fxFromRational, fxMul, fxSinCos, fxSqrt } from './fixed-point.ts';

export interface KeplerProblem {
  readonly y0: readonly Fixed[];
  readonly rhs: (y: readonly Fixed[]) => Fixed[];
  /** The time at which the orbit reaches eccentric anomaly E, and the exact state there. */
  at(eccentricAnomaly: Rational): { t: Fixed; y: Fixed[] };
}

export function keplerProblem(eccentricity: Rational): KeplerProblem {
  const e = fxFromRational(eccentricity);
  const root = fxSqrt(FX_ONE - fxMul(e, e));
  const y0: Fixed[] = [FX_ONE - e, 0n, 0n, fxSqrt(fxDiv(FX_ONE + e, FX_ONE - e))];
  const rhs = (y: readonly Fixed[]): Fixed[] => {
    const [x1, x2, v1, v2] = y as [Fixed, Fixed, Fixed, Fixed];
    const r2 = fxMul(x1, x1) + fxMul(x2, x2);
    const r3 = fxMul(r2, fxSqrt(r2));
    return [v1, v2, -fxDiv(x1, r3), -fxDiv(x2, r3)];
  };
  const at = (eccentricAnomaly: Rational) => {
    const E = fxFromRational(eccentricAnomaly);
    const [s, c] = fxSinCos(E);
    const denom = FX_ONE - fxMul(e, c);
    return {
      t: E - fxMul(e, s),
      y: [c - e, fxMul(root, s), -fxDiv(s, denom), fxDiv(fxMul(root, c), denom)],
    };
  };
  return { y0, rhs, at };
}
