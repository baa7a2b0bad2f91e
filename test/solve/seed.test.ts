import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { SEED_MODEL, SEED_PROBLEM, seedExactJacobian, seedExactParamJacobian } from '../../src/examples.ts';
import { maxRelativeError } from '../helpers/fd.ts';

const ADAPTIVE = ['RK45CK', 'Dormand-Prince', 'RK87', 'RK108', 'RK1412'];

describe("the seed problem y' = [[0,1],[-20,0]] y", () => {
  it('RK45CK reproduces expm(2πM) to 1e-10 with the seed settings', () => {
    const solver = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0', 'params'] });
    const r = solver.solve(SEED_PROBLEM);
    expect(r.t).toBe(SEED_PROBLEM.t1);
    const exact = seedExactJacobian(SEED_PROBLEM.t1);
    expect(maxRelativeError(r.jacobian!, exact)).toBeLessThan(1e-10);
    // The state is the Jacobian applied to y0 = [1, 1].
    expect(maxRelativeError(r.y, [exact[0]! + exact[1]!, exact[2]! + exact[3]!])).toBeLessThan(1e-10);
    expect(maxRelativeError(r.paramJacobian!, seedExactParamJacobian(SEED_PROBLEM.t1, [1, 1]))).toBeLessThan(1e-9);
    // Same step sequence as the hand-written C anchor (../shared/anchors/seed_rk45ck.c): 1491 steps.
    expect(r.stats.steps).toBeGreaterThan(1400);
    expect(r.stats.steps).toBeLessThan(1600);
  });

  it.each(ADAPTIVE)('%s matches expm(2πM) and dy/dk at tight tolerance', (method) => {
    const solver = compile(SEED_MODEL, { method, sensitivities: ['y0', 'params'] });
    const r = solver.solve({ ...SEED_PROBLEM, rtol: 1e-11, atol: 1e-11 });
    expect(maxRelativeError(r.jacobian!, seedExactJacobian(SEED_PROBLEM.t1))).toBeLessThan(1e-8);
    expect(maxRelativeError(r.paramJacobian!, seedExactParamJacobian(SEED_PROBLEM.t1, [1, 1]))).toBeLessThan(1e-7);
  });

  it('a parameter given by name overrides the default', () => {
    const solver = compile(SEED_MODEL, { sensitivities: ['y0', 'params'] });
    const r = solver.solve({ ...SEED_PROBLEM, params: { k: 5 } });
    expect(maxRelativeError(r.jacobian!, seedExactJacobian(SEED_PROBLEM.t1, 5))).toBeLessThan(1e-10);
    expect(maxRelativeError(r.paramJacobian!, seedExactParamJacobian(SEED_PROBLEM.t1, [1, 1], 5))).toBeLessThan(1e-9);
  });

  it('dense output follows the exact solution and Jacobian between steps', () => {
    const solver = compile(SEED_MODEL, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] });
    const tEval = Array.from({ length: 41 }, (_, i) => (i * SEED_PROBLEM.t1) / 40);
    const r = solver.solve({ ...SEED_PROBLEM, rtol: 1e-12, atol: 1e-12, tEval });
    const d = r.dense!;
    expect(Array.from(d.t)).toEqual(tEval);
    tEval.forEach((t, i) => {
      const J = seedExactJacobian(t);
      expect(maxRelativeError(d.y.subarray(2 * i, 2 * i + 2), [J[0]! + J[1]!, J[2]! + J[3]!])).toBeLessThan(1e-8);
      expect(maxRelativeError(d.jacobian!.subarray(4 * i, 4 * i + 4), J)).toBeLessThan(1e-8);
      expect(
        maxRelativeError(d.paramJacobian!.subarray(2 * i, 2 * i + 2), seedExactParamJacobian(t, [1, 1])),
      ).toBeLessThan(1e-7);
    });
    // The last sample is the end point itself.
    expect(maxRelativeError(d.y.subarray(80, 82), r.y)).toBeLessThan(1e-14);
  });
});

describe('public test problems (DESolver suite, REFERENCES.md)', () => {
  const forced = { name: 'forced', states: ['x', 'v'], rhs: { x: 'v', v: '-x + t' } };

  it.each([
    [Math.PI / 4, [0.7853981633974483, -0.41421356237309503]],
    [2 * Math.PI, [7.283185307179586, 0]],
    [-2 * Math.PI, [-5.283185307179586, 0]],
  ])(
    'forced oscillator reaches the published value at t = %f, with Jacobian [[cos t, sin t], [-sin t, cos t]]',
    (t1, expected) => {
      const solver = compile(forced, { method: 'RK45CK' });
      const r = solver.solve({ t0: 0, t1, y0: [1, 0], rtol: 1e-12, atol: 1e-12 });
      expect(maxRelativeError(r.y, expected)).toBeLessThan(1e-9);
      expect(maxRelativeError(r.jacobian!, [Math.cos(t1), Math.sin(t1), -Math.sin(t1), Math.cos(t1)])).toBeLessThan(
        1e-9,
      );
    },
  );

  it("y' = -y from e: y(1) = 1 and dy(1)/dy0 = 1/e", () => {
    const solver = compile({ name: 'decay', states: ['y'], rhs: { y: '-y' } }, { method: 'Dormand-Prince' });
    const r = solver.solve({ t0: 0, t1: 1, y0: [Math.E], rtol: 1e-13, atol: 1e-13 });
    expect(r.y[0]).toBeCloseTo(1, 12);
    expect(r.jacobian![0]).toBeCloseTo(1 / Math.E, 12);
  });

  it("x' = -sqrt(x/t) with Heun, h = 0.1, matches DESolver's published values", () => {
    const solver = compile({ name: 'sqrt-decay', states: ['x'], rhs: { x: '-sqrt(x/t)' } }, { method: 'Heun' });
    const r = solver.solve({ t0: 1, t1: 1.2, y0: [1], dt: 0.1, tEval: [1.1] });
    expect(r.dense!.y[0]).toBeCloseTo(0.9047733, 6);
    expect(r.y[0]).toBeCloseTo(0.81824429, 7);
  });
});

describe('backward integration', () => {
  it.each(ADAPTIVE)('%s: forward then backward returns to y0, and the Jacobians compose to I', (method) => {
    const pendulum = {
      name: 'pendulum',
      states: ['theta', 'omega'],
      params: { g: 9.81 },
      rhs: { theta: 'omega', omega: '-g*sin(theta)' },
    };
    const solver = compile(pendulum, { method });
    const fwd = solver.solve({ t0: 0, t1: 3, y0: [1, 0.5], rtol: 1e-12, atol: 1e-12 });
    const back = solver.solve({ t0: 3, t1: 0, y0: fwd.y, rtol: 1e-12, atol: 1e-12 });
    expect(back.t).toBe(0);
    expect(maxRelativeError(back.y, [1, 0.5])).toBeLessThan(1e-8);
    const [a, b, c, d] = fwd.jacobian!;
    const [e, f, g, h] = back.jacobian!;
    const product = [e! * a! + f! * c!, e! * b! + f! * d!, g! * a! + h! * c!, g! * b! + h! * d!];
    expect(maxRelativeError(product, [1, 0, 0, 1])).toBeLessThan(1e-7);
  });
});
