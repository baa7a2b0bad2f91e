/**
 * Empirical order of convergence of every method, measured on the generated solvers themselves (fixed steps,
 * step halving, problems with known solutions). The propagated solution must show the declared order: the
 * reference library's RK87 propagates its 7th-order row, which this test would catch (measured ≈ 6.9).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { embeddedWeights } from '../../src/methods/exact.ts';
import { ALL_METHODS, RK87 } from '../../src/methods/index.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';
import type { ModelSpec } from '../../src/model/model.ts';

interface Problem {
  readonly model: ModelSpec;
  readonly y0: readonly number[];
  readonly t1: number;
  readonly exact: readonly number[];
  /** Step counts over [0, t1], doubling. */
  readonly steps: readonly number[];
}

// Kepler orbit, eccentricity 0.6, five periods: it comes back to y0 exactly. Non-linear enough to excite
// every order condition, with error constants large enough to see orders up to 14 above rounding.
const e = 0.6;
const keplerY0 = [1 - e, 0, 0, Math.sqrt((1 + e) / (1 - e))];
const KEPLER: Problem = {
  model: {
    name: 'kepler',
    states: ['q1', 'q2', 'p1', 'p2'],
    rhs: { q1: 'p1', q2: 'p2', p1: '-q1/(q1*q1 + q2*q2)^1.5', p2: '-q2/(q1*q1 + q2*q2)^1.5' },
  },
  y0: keplerY0,
  t1: 5 * 2 * Math.PI,
  exact: keplerY0,
  steps: [32, 64, 128, 256, 512, 1024, 2048].map((n) => 5 * n),
};

// y' = -2 t y², y(0) = 1: y = 1/(1 + t²). Gentle enough for low orders to reach their asymptotic regime.
const RATIONAL: Problem = {
  model: { name: 'rational', states: ['y'], rhs: { y: '-2*t*y^2' } },
  y0: [1],
  t1: 3,
  exact: [1 / 10],
  steps: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
};

/**
 * Least-squares slope of log2(error) against log2(1/h) over the (at most three) finest step sizes whose error
 * is in [1e-10, 1e-2]: the ones closest to the asymptotic regime without touching rounding.
 */
function observedOrder(problem: Problem, method: string | Method): { order: number; points: number } {
  const solver = compile(problem.model, { method, sensitivities: [] });
  const xs: number[] = [];
  const ys: number[] = [];
  for (const n of problem.steps) {
    const r = solver.solve({ t0: 0, t1: problem.t1, y0: problem.y0, dt: problem.t1 / n, adaptive: false });
    const err = Math.max(...r.y.map((v, i) => Math.abs(v - problem.exact[i]!)));
    // Above 1e-2 the method is not yet in its asymptotic regime; below 1e-10 rounding takes over.
    if (err <= 1e-2 && err >= 1e-10) {
      xs.push(Math.log2(n));
      ys.push(Math.log2(err));
    }
  }
  xs.splice(0, xs.length - 3);
  ys.splice(0, ys.length - 3);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return { order: -sxy / sxx, points: xs.length };
}

describe('empirical order of convergence of the generated solvers', () => {
  // (The implicit Runge–Kutta methods' orders are measured in test/stiff/implicit-rk.test.ts, at tolerances that
  // make Newton's iteration converge to rounding: here the default tolerances would stop it earlier. BDF changes
  // its order as it goes: test/stiff/bdf.test.ts. The symplectic methods need separable models: test/symplectic.)
  const methods = ALL_METHODS.filter(
    (m) => m.family !== 'implicit-rk' && m.family !== 'bdf' && m.family !== 'auto' && m.family !== 'symplectic',
  );
  it.each(methods.map((m) => [m.name, m.order] as const))('%s has order %i', (name, declared) => {
    const problem = declared >= 5 ? KEPLER : RATIONAL;
    const { order, points } = observedOrder(problem, name);
    expect(points).toBeGreaterThanOrEqual(2);
    // Optimised high-order pairs converge faster than their order before the asymptotic regime (RK87 shows
    // ≈ 8.6 here), so the upper bound is looser than the lower one.
    expect(order).toBeGreaterThan(declared - 0.35);
    expect(order).toBeLessThan(declared + 1.5);
  });

  it("catches DESolver's RK87 mistake: propagating the 7th-order row measures below 8", () => {
    const seventh: Method = {
      ...RK87,
      name: 'RK87-propagating-7th',
      b: embeddedWeights(RK87).map(String),
      fsal: false,
    };
    const { order } = observedOrder(KEPLER, seventh);
    expect(order).toBeLessThan(8 - 0.35);
    expect(order).toBeGreaterThan(7 - 0.35);
  });
});
