/**
 * The Kepler two-body problem in double-double, the classic test problem for high-order methods:
 * non-polynomial right-hand side, large derivatives near pericentre, and an exact solution.
 *
 *   x'' = -x / |x|^3,  x(0) = (1 - e, 0),  x'(0) = (0, sqrt((1 + e) / (1 - e)))   (period 2π)
 *
 * At eccentric anomaly E the exact state is x = (cos E - e, sqrt(1 - e²) sin E),
 * x' = (-sin E, sqrt(1 - e²) cos E) / (1 - e cos E), reached at time t = E - e sin E (Kepler's equation).
 * Picking E and deriving t avoids solving Kepler's equation.
 */
import { type DD, dd, ddAdd, ddDiv, ddMul, ddNeg, ddSqrt, ddSub } from './double-double.ts';

const ONE = dd(1);

/** sin and cos of a double-double by their Taylor series (|x| <= 4 keeps every term tame). */
export function ddSinCos(x: DD): [DD, DD] {
  if (Math.abs(x[0]) > 4) throw new RangeError('ddSinCos: argument too large for the plain series');
  const x2 = ddMul(x, x);
  let sin = x;
  let cos = ONE;
  let termSin = x; // x^(2k+1)/(2k+1)!
  let termCos = ONE; // x^(2k)/(2k)!
  for (let k = 1; k < 40; k++) {
    termSin = ddDiv(ddMul(termSin, ddNeg(x2)), dd((2 * k) * (2 * k + 1)));
    termCos = ddDiv(ddMul(termCos, ddNeg(x2)), dd((2 * k - 1) * (2 * k)));
    sin = ddAdd(sin, termSin);
    cos = ddAdd(cos, termCos);
  }
  return [sin, cos];
}

export interface KeplerProblem {
  readonly y0: readonly DD[];
  readonly rhs: (y: readonly DD[]) => DD[];
  /** The time at which the orbit reaches eccentric anomaly E, and the exact state there. */
  at(eccentricAnomaly: number): { t: DD; y: DD[] };
}

export function keplerProblem(eccentricity: number): KeplerProblem {
  const e = dd(eccentricity);
  const root = ddSqrt(ddSub(ONE, ddMul(e, e)));
  const y0: DD[] = [ddSub(ONE, e), dd(0), dd(0), ddSqrt(ddDiv(ddAdd(ONE, e), ddSub(ONE, e)))];
  const rhs = (y: readonly DD[]): DD[] => {
    const [x1, x2, v1, v2] = y as [DD, DD, DD, DD];
    const r2 = ddAdd(ddMul(x1, x1), ddMul(x2, x2));
    const r3 = ddMul(r2, ddSqrt(r2));
    return [v1, v2, ddDiv(ddNeg(x1), r3), ddDiv(ddNeg(x2), r3)];
  };
  const at = (eccentricAnomaly: number) => {
    const E = dd(eccentricAnomaly);
    const [s, c] = ddSinCos(E);
    const denom = ddSub(ONE, ddMul(e, c));
    return {
      t: ddSub(E, ddMul(e, s)),
      y: [ddSub(c, e), ddMul(root, s), ddDiv(ddNeg(s), denom), ddDiv(ddMul(root, c), denom)],
    };
  };
  return { y0, rhs, at };
}
