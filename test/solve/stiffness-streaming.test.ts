import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IntegrationError } from '../../src/errors.ts';
import { SEED_MODEL, SEED_PROBLEM } from '../../src/examples.ts';
import { DORMAND_PRINCE, RK4 } from '../../src/methods/index.ts';
import { realStabilityBoundary } from '../../src/methods/stability.ts';

// Robertson's chemical kinetics: the classic stiff test problem (eigenvalues from ~-1e4 down to ~-1e7·b).
const ROBERTSON = {
  name: 'robertson',
  states: ['a', 'b', 'c'],
  rhs: { a: '-0.04*a + 1e4*b*c', b: '0.04*a - 1e4*b*c - 3e7*b*b', c: '3e7*b*b' },
};
const VAN_DER_POL = { name: 'vdp', states: ['x', 'v'], params: { mu: 1000 }, rhs: { x: 'v', v: 'mu*(1 - x*x)*v - x' } };

describe('stiffness', () => {
  it('real stability boundaries match the textbook values (RK4 ≈ 2.785, Dormand–Prince ≈ 3.307)', () => {
    expect(realStabilityBoundary(RK4)).toBeCloseTo(2.7853, 3);
    expect(realStabilityBoundary(DORMAND_PRINCE)).toBeCloseTo(3.3066, 3);
  });

  it.each([
    ['RK45CK', ROBERTSON, [1, 0, 0]],
    ['Dormand-Prince', ROBERTSON, [1, 0, 0]],
    ['RK87', VAN_DER_POL, [2, 0]],
    ['AHE', VAN_DER_POL, [2, 0]],
  ] as const)(
    '%s grinding on %s.name stops with reason "stiff" and suggests a method for stiff problems',
    (method, model, y0) => {
      const solver = compile(model, { method, sensitivities: [] });
      let error: unknown;
      try {
        solver.solve({ t0: 0, t1: 1000, y0: [...y0], rtol: 1e-6, atol: 1e-8 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IntegrationError);
      const e = error as IntegrationError;
      expect(e.reason).toBe('stiff');
      expect(e.message).toMatch(/appears stiff.*method for stiff problems \(Rodas5P, RadauIIA5, BDF, or auto\)/);
      expect(e.t).toBeGreaterThan(0);
      expect((e.partial as { stats: { steps: number } }).stats.steps).toBeGreaterThanOrEqual(1000);
    },
  );

  it("stiffness: 'ignore' carries on (here to maxSteps)", () => {
    const solver = compile(ROBERTSON, { method: 'RK45CK', sensitivities: [] });
    let reason: string | undefined;
    try {
      solver.solve({ t0: 0, t1: 1000, y0: [1, 0, 0], rtol: 1e-6, atol: 1e-8, stiffness: 'ignore', maxSteps: 20_000 });
    } catch (e) {
      reason = (e as IntegrationError).reason;
    }
    expect(reason).toBe('max-steps');
  });

  it('with sensitivities, the stiff Jacobian stays finite and the failure is reported as stiffness', () => {
    const solver = compile(ROBERTSON, { method: 'RK108', sensitivities: ['y0'] });
    let error: IntegrationError | undefined;
    try {
      solver.solve({ t0: 0, t1: 1000, y0: [1, 0, 0], rtol: 1e-6, atol: 1e-8 });
    } catch (e) {
      error = e as IntegrationError;
    }
    expect(error?.reason).toBe('stiff');
    const partial = error!.partial as { jacobian: Float64Array };
    expect(partial.jacobian.every((v) => Number.isFinite(v) && Math.abs(v) < 1e6)).toBe(true);
  });

  it('a long non-stiff integration is not mistaken for a stiff one', () => {
    const lorenz = compile(
      {
        name: 'lorenz',
        states: ['x', 'y', 'z'],
        params: { s: 10, r: 28, b: 8 / 3 },
        rhs: { x: 's*(y-x)', y: 'x*(r-z)-y', z: 'x*y-b*z' },
      },
      { method: 'Dormand-Prince' },
    );
    const r = lorenz.solve({ t0: 0, t1: 100, y0: [1, 1, 1], rtol: 1e-6, atol: 1e-6 });
    expect(r.stats.steps).toBeGreaterThan(2000);
  });
});

describe('streaming long trajectories', () => {
  const solver = compile(SEED_MODEL, { sensitivities: ['y0'] });

  it('onStep sees every accepted step, in order, ending at t1', () => {
    const times: number[] = [];
    const r = solver.solve({ ...SEED_PROBLEM, onStep: (t, aug) => times.push(t + 0 * aug[0]!) });
    expect(times).toHaveLength(r.stats.steps);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(times[times.length - 1]).toBe(SEED_PROBLEM.t1);
  });

  it('onSample streams the tEval samples instead of keeping them, with the same values', () => {
    const tEval = Array.from({ length: 101 }, (_, i) => (i * SEED_PROBLEM.t1) / 100);
    const kept = solver.solve({ ...SEED_PROBLEM, tEval });
    const streamed: number[] = [];
    const r = solver.solve({ ...SEED_PROBLEM, tEval, onSample: (_, aug) => streamed.push(...aug) });
    expect(r.dense).toBeUndefined();
    // Augmented vector: [x, v, Φ00, Φ01, Φ10, Φ11] per sample.
    const states = streamed.filter((_, i) => i % 6 < 2);
    expect(states).toEqual(Array.from(kept.dense!.y));
  });

  it('refuses to keep more samples than the limit, pointing at onSample', () => {
    expect(() => solver.solve({ ...SEED_PROBLEM, tEval: new Float64Array(10_000_000) })).toThrow(/onSample/);
  });
});
