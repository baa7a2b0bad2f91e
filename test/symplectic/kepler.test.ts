/**
 * Long-time behaviour on Kepler's problem (e = 0.6): the symplectic methods keep the energy error bounded over
 * 10^4 periods where Dormand–Prince, at the same number of force evaluations, lets it grow linearly; and their
 * tangent map stays symplectic, ΦᵀΩΦ = Ω, to rounding.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { Sensitivity } from '../../src/variational/system.ts';
import { FORCED, KEPLER, KEPLER_Y0, keplerEnergy, squaredNorm, symplecticDefect } from './support.ts';

const PERIOD = 2 * Math.PI;
/** Force evaluations per period for every method: 120 steps of ABAs5o6H, 100 of Dormand–Prince (6 a step, FSAL). */
const EVALS_PER_PERIOD = 600;

/** The largest energy error in the first and in the last tenth of the steps, and the result. */
function energyRun(method: string, kicks: number, periods: number, sensitivities: Sensitivity[]) {
  const solver = compile(KEPLER, { method, sensitivities });
  const steps = Math.round(EVALS_PER_PERIOD / kicks) * periods;
  const h0 = keplerEnergy(KEPLER_Y0);
  let k = 0;
  let first = 0;
  let last = 0;
  const r = solver.solve({
    t0: 0,
    t1: periods * PERIOD,
    y0: KEPLER_Y0,
    dt: (periods * PERIOD) / steps,
    adaptive: false,
    maxSteps: 10 * steps,
    onStep: (_t, y) => {
      k++;
      const err = Math.abs(keplerEnergy(y) - h0);
      if (k <= steps / 10) first = Math.max(first, err);
      else if (k > steps - steps / 10) last = Math.max(last, err);
    },
  });
  expect(r.stats.steps).toBe(steps);
  return { first, last, r };
}

describe("Kepler's problem, e = 0.6, over 10^4 periods", () => {
  it('ABAs5o6H: the energy error stays bounded and Φ symplectic, while Dormand–Prince drifts at equal cost', () => {
    const symplectic = energyRun('ABAs5o6H', 5, 10_000, ['y0']);
    expect(symplectic.r.stats.rhsEvals).toBe(1 + EVALS_PER_PERIOD * 10_000);
    expect(symplectic.first).toBeLessThan(1e-5);
    // bounded: the last tenth's largest error is the first tenth's (an oscillation, no trend; measured ratio 1.00)
    expect(symplectic.last).toBeLessThan(1.1 * symplectic.first);
    const phi = symplectic.r.jacobian!;
    // Φ grows linearly (the period depends on the energy), to ~10^6 here: the defect is relative to ‖Φ‖²
    expect(symplecticDefect(phi, [0, 1], [2, 3])).toBeLessThan(1e-10 * squaredNorm(phi));

    const dopri = energyRun('Dormand-Prince', 6, 10_000, []);
    expect(dopri.r.stats.rhsEvals).toBe(1 + EVALS_PER_PERIOD * 10_000);
    // a linear drift makes the last tenth's error about 10 times the first's (measured 10.2)
    expect(dopri.last).toBeGreaterThan(5 * dopri.first);
    expect(dopri.last).toBeGreaterThan(100 * symplectic.last);
  });

  it.each([
    ['BABs9o7H', 9],
    ['SymplecticEuler', 1],
  ] as const)('%s over 10^3 periods: the energy error bounded, Φ symplectic', (method, kicks) => {
    const run = energyRun(method, kicks, 1000, ['y0']);
    // (BABs9o7H's steps fall on other points of the orbit as its phase error accumulates, so the largest error of a
    // stretch varies a little: measured 1.19 times the first tenth's in the last; a drift would make it 10)
    expect(run.last).toBeLessThan(2 * run.first);
    expect(symplecticDefect(run.r.jacobian!, [0, 1], [2, 3])).toBeLessThan(1e-10 * squaredNorm(run.r.jacobian!));
  });
});

describe('the tangent map of a non-autonomous system with two degrees of freedom, states interleaved', () => {
  it.each(['SymplecticEuler', 'ABAs5o6H', 'BABs9o7H'])('%s: ΦᵀΩΦ = Ω to rounding', (method) => {
    const solver = compile(FORCED, { method, sensitivities: ['y0'] });
    const r = solver.solve({ t0: 0, t1: 20, y0: [0.1, 0.5, -0.3, 0.8], dt: 0.02 });
    const phi = r.jacobian!;
    // states p2, q1, p1, q2: the pairs (q2, p2) and (q1, p1)
    expect(symplecticDefect(phi, [3, 1], [0, 2])).toBeLessThan(1e-12 * Math.max(1, squaredNorm(phi)));
    expect(squaredNorm(phi)).toBeGreaterThan(1);
  });
});
