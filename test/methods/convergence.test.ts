/**
 * Empirical convergence orders. Every method integrates the Kepler problem (eccentricity 1/2, from
 * pericentre to eccentric anomaly 2, t ≈ 1.545) with 160, 320, 640 and 1280 fixed steps in 240-bit fixed point,
 * once with the propagated weights b and once with the embedded weights b̂ = b − e; the least-squares
 * slope of log(error) against log(h) must match the declared order within ±0.3.
 *
 * Fixed point rather than doubles because a 14th-order method only shows its order once the error is far
 * below double rounding: over these three halvings RK1412's error falls from ~1e-25 to ~1e-38.
 */
import { describe, expect, it } from 'vitest';
import { exactWeights, parseCoefficient, type Rational, rational } from '../../src/methods/exact.ts';
import { EXPLICIT_METHODS, HEUN, RK87 } from '../../src/methods/index.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';
import { type Fixed, fxFromRational, fxToNumber } from './fixed-point.ts';
import { weightRows } from './helpers.ts';
import { keplerProblem } from './kepler.ts';
import { integrateFixedPoint, observedOrder } from './rk-interpreter.ts';

const TOLERANCE = 0.3;
const problem = keplerProblem(rational(1n, 2n));
const end = problem.at(rational(2n));

/**
 * Step counts 160, 320, 640, 1280 for every method. Fewer steps leave RK1412's b at 14.4 and
 * Dormand–Prince's b at 5.2 (the next term of their error expansions still shows); many more would take
 * RK1412's error below what 240 bits resolve.
 */
const STEPS = [160, 320, 640, 1280];

function globalError(method: Method, weights: readonly Rational[], n: number): number {
  const tableau = { a: method.a.map((row) => row.map((x) => fxFromRational(parseCoefficient(x)))) };
  const y = integrateFixedPoint(tableau, weights.map(fxFromRational), problem.rhs, problem.y0, end.t / BigInt(n), n);
  return Math.max(...y.map((v: Fixed, i) => Math.abs(fxToNumber(v - end.y[i]!))));
}

function measuredOrder(method: Method, weights: readonly Rational[]): number {
  const ns = STEPS;
  return observedOrder(
    ns,
    ns.map((n) => globalError(method, weights, n)),
  );
}

const measured: string[] = [];

describe.each(EXPLICIT_METHODS.map((m) => [m.name, m] as const))('empirical order: %s', (_name, method) => {
  for (const row of weightRows(method)) {
    it(`${row.label} converges with order ${row.order}`, () => {
      const p = measuredOrder(method, row.weights);
      measured.push(`${method.name} ${row.label}: declared ${row.order}, measured ${p.toFixed(2)}`);
      expect(Math.abs(p - row.order), `measured ${p.toFixed(3)}`).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe('the empirical test discriminates', () => {
  it("flags DESolver's RK8713M, which propagates the 7th-order row", () => {
    const desolverRow = exactWeights(RK87).bHat!;
    const p = measuredOrder(RK87, desolverRow);
    measured.push(`RK87 with the 7th-order row propagated (DESolver): measured ${p.toFixed(2)}`);
    expect(Math.abs(p - RK87.order)).toBeGreaterThan(0.5);
  });

  it("flags a Heun tableau with Ralston's weights (c2 = 1, b = [1/4, 3/4], as in one DESolver release)", () => {
    const wrong: Method = { ...HEUN, b: ['1/4', '3/4'] };
    const p = measuredOrder(wrong, wrong.b.map(parseCoefficient));
    measured.push(`Heun with b = [1/4, 3/4]: measured ${p.toFixed(2)}`);
    expect(Math.abs(p - 2)).toBeGreaterThan(0.5);
  });

  it('reports the measured orders', () => {
    console.log(`measured convergence orders (Kepler e = 1/2, 240-bit fixed point):\n  ${measured.join('\n  ')}`);
    expect(measured.length).toBeGreaterThan(EXPLICIT_METHODS.length);
  });
});
