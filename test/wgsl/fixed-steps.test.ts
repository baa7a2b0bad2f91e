/**
 * fixedStepPlan: how many fixed steps the WebGPU shader takes (it is told, not left to count in f32), and
 * the size of the last one. Checked against the f64 TypeScript driver, which counts its fixed steps the same
 * way (t_k = t0 + k·dt).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { fixedStepPlan } from '../../src/ensemble/webgpu.ts';

describe('fixedStepPlan', () => {
  const clock = compile({ name: 'clock', states: ['u'], rhs: { u: '1' } }, { method: 'Euler', sensitivities: [] });

  it.each([
    [0, 1, 0.1],
    [0, 1, 0.3],
    [0, 1, 2],
    [1, 0, 0.25],
    [0, 2 * Math.PI, 0.01],
    [-3, 5, 0.7],
    [0, 1, 1 / 3],
  ])('from %d to %d with dt = %d: the TypeScript driver’s steps, landing on t1', (t0, t1, dt) => {
    const plan = fixedStepPlan(t0, t1, dt, 1e6);
    const r = clock.solve({ t0, t1, y0: [0], dt });
    expect(plan.steps).toBe(r.stats.steps);
    // the steps add up to the span: (steps − 1) dt + last
    expect((plan.steps - 1) * dt + plan.lastStep).toBeCloseTo(Math.abs(t1 - t0), 12);
    expect(plan.lastStep).toBeGreaterThan(0);
    expect(plan.lastStep).toBeLessThanOrEqual(dt * (1 + 1e-9));
  });

  it('far from 0: 1000 steps of 1e-3 from 1000 to 1001, as the f64 driver takes (it counts steps from t0: no sliver)', () => {
    expect(fixedStepPlan(1000, 1001, 1e-3, 1e6).steps).toBe(1000);
    expect(clock.solve({ t0: 1000, t1: 1001, y0: [0], dt: 1e-3 }).stats.steps).toBe(1000);
  });

  it('no span, no steps; past maxSteps, maxSteps + 1 (the shader stops with max-steps)', () => {
    expect(fixedStepPlan(2, 2, 0.1, 100).steps).toBe(0);
    expect(fixedStepPlan(0, 1, 1e-3, 10).steps).toBe(11);
    expect(fixedStepPlan(0, 1e12, 1e-3, 0xffff_fffe).steps).toBe(0xffff_ffff);
  });
});
