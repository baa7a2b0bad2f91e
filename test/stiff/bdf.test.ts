/**
 * The BDF family (templates/ts/bdf.ts): variable order and step, sensitivities by the same Newton iteration as
 * the state. Its global error follows the tolerance (measured against an exact solution, sensitivities
 * included), its sensitivities are the derivatives of its solution (finite differences), its dense output is the
 * history's polynomial, and on Robertson it agrees with the other stiff families.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';

/** y' = −2 a t y²: y = 1/(1/y0 + a t²), ∂y/∂y0 = y²/y0², ∂y/∂a = −t² y². */
const RATIONAL = { name: 'rational', states: ['y'], params: { a: 0.8 }, rhs: { y: '-2*a*t*y^2' } };
const [T, Y0, A] = [2, 1.3, 0.8];
const exact = (t: number) => {
  const y = 1 / (1 / Y0 + A * t * t);
  return [y, (y * y) / (Y0 * Y0), -t * t * y * y];
};

describe('BDF', () => {
  it('global errors of y, ∂y/∂y0 and ∂y/∂p follow the tolerance (errorControl: all)', () => {
    const solver = compile(RATIONAL, { method: 'BDF', sensitivities: ['y0', 'params'] });
    const want = exact(T);
    let last = Number.POSITIVE_INFINITY;
    for (const tol of [1e-6, 1e-8, 1e-10]) {
      const r = solver.solve({ t0: 0, t1: T, y0: [Y0], rtol: tol, atol: tol, errorControl: 'all' });
      const got = [r.y[0]!, r.jacobian![0]!, r.paramJacobian![0]!];
      const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i]!) / Math.abs(want[i]!)));
      // measured: 2.9e-6, 1.3e-7, 2.6e-9 (Newton stops at a tenth of the tolerance; with SciPy's √rtol it was
      // 2.5e-6, 5.3e-8, 1.3e-9 for 1.6–1.9× the evaluations)
      expect(worst).toBeLessThan(50 * tol);
      expect(worst).toBeLessThan(last);
      last = worst;
      expect(r.stats.newtonIterations).toBeGreaterThanOrEqual(r.stats.steps);
    }
  });

  it('with fixed steps it stays at order 1 (NDF1), and converges at that order', () => {
    const solver = compile(RATIONAL, { method: 'BDF', sensitivities: ['y0', 'params'] });
    const errors: number[] = [];
    for (const steps of [50, 100, 200]) {
      const r = solver.solve({ t0: 0, t1: T, y0: [Y0], dt: T / steps, adaptive: false, rtol: 1e-12, atol: 1e-12 });
      expect(r.stats.steps).toBe(steps);
      errors.push(Math.abs(r.paramJacobian![0]! - exact(T)[2]!));
    }
    const order = Math.log2(errors[1]! / errors[2]!);
    expect(order).toBeGreaterThan(0.9);
    expect(order).toBeLessThan(1.2);
  });

  it('dense output: the history polynomial at tEval, state and sensitivities, to the tolerance', () => {
    const solver = compile(RATIONAL, { method: 'BDF', sensitivities: ['y0', 'params'] });
    const tEval = Array.from({ length: 41 }, (_, i) => (i * T) / 40);
    const r = solver.solve({ t0: 0, t1: T, y0: [Y0], rtol: 1e-9, atol: 1e-9, errorControl: 'all', tEval });
    const d = r.dense!;
    tEval.forEach((t, i) => {
      const want = exact(t);
      expect(Math.abs(d.y[i]! - want[0]!)).toBeLessThan(1e-7);
      expect(Math.abs(d.jacobian![i]! - want[1]!)).toBeLessThan(1e-7);
      expect(Math.abs(d.paramJacobian![i]! - want[2]!)).toBeLessThan(1e-7);
    });
    // the last sample is the solution at t1
    expect(d.y[40]).toBeCloseTo(r.y[0]!, 14);
  });
});

const ROBERTSON = {
  name: 'robertson',
  states: ['y1', 'y2', 'y3'],
  params: { k1: 0.04, k2: 1e4, k3: 3e7 },
  rhs: { y1: '-k1*y1 + k2*y2*y3', y2: 'k1*y1 - k2*y2*y3 - k3*y2^2', y3: 'k3*y2^2' },
};
const K = [0.04, 1e4, 3e7];
const byName = (k: readonly number[]) => ({ k1: k[0]!, k2: k[1]!, k3: k[2]! });

describe('BDF on Robertson', () => {
  it('∂y/∂k and ∂y/∂y0 at t = 40 against finite differences of its own solution', () => {
    const solver = compile(ROBERTSON, { method: 'BDF', sensitivities: ['y0', 'params'] });
    const stateOnly = compile(ROBERTSON, { method: 'BDF', sensitivities: [] });
    // errorControl 'all' for the sensitivities; the finite differences need a tight state solution.
    const r = solver.solve({ t0: 0, t1: 40, y0: [1, 0, 0], rtol: 1e-10, atol: 1e-16, errorControl: 'all' });
    const at = (y: number[], k: number[]) =>
      stateOnly.solve({ t0: 0, t1: 40, y0: y, params: byName(k), rtol: 1e-12, atol: 1e-18 }).y;
    for (let q = 0; q < 3; q++) {
      const dk = K[q]! * 1e-4;
      const plus = at(
        [1, 0, 0],
        K.map((v, j) => (j === q ? v + dk : v)),
      );
      const minus = at(
        [1, 0, 0],
        K.map((v, j) => (j === q ? v - dk : v)),
      );
      for (let i = 0; i < 3; i++) {
        const fd = (plus[i]! - minus[i]!) / (2 * dk);
        const row = [0, 1, 2].map((j) => Math.abs(r.paramJacobian![i * 3 + j]!));
        expect(Math.abs(r.paramJacobian![i * 3 + q]! - fd) / Math.max(...row)).toBeLessThan(1e-4);
      }
    }
  });

  it('to t = 4e10: agrees with Rodas5P; J is reused across steps', () => {
    const options = { t0: 0, t1: 4e10, y0: [1, 0, 0], rtol: 1e-8, atol: 1e-14 };
    const bdf = compile(ROBERTSON, { method: 'BDF', sensitivities: ['params'] }).solve(options);
    const rodas = compile(ROBERTSON, { method: 'Rodas5P', sensitivities: ['params'] }).solve(options);
    for (let i = 0; i < 3; i++) expect(Math.abs(bdf.y[i]! - rodas.y[i]!) / rodas.y[i]!).toBeLessThan(1e-5);
    for (let k = 0; k < 9; k++) {
      const want = rodas.paramJacobian![k]!;
      // measured: 2.2e-5 at most (BDF's global error at rtol 1e-8)
      expect(Math.abs(bdf.paramJacobian![k]! - want) / Math.abs(want)).toBeLessThan(1e-4);
    }
    expect(bdf.stats.jacobianEvals).toBeLessThan(bdf.stats.steps / 5);
    expect(bdf.stats.factorizations).toBeLessThan(bdf.stats.steps);
  });

  it("to t = 4e10 with errorControl: 'all' (regression: updates at rounding level were taken for divergence)", () => {
    // Before, at t ≈ 3e10 Newton's second update, as small as the first (both at rounding level, 1e-11 of κ),
    // read as a contraction of 1 — divergence — at every h down to underflow: 'newton-failure'.
    const options = { t0: 0, t1: 4e10, y0: [1, 0, 0], rtol: 1e-8, atol: 1e-14, errorControl: 'all' as const };
    const bdf = compile(ROBERTSON, { method: 'BDF', sensitivities: ['params'] }).solve(options);
    const rodas = compile(ROBERTSON, { method: 'Rodas5P', sensitivities: ['params'] }).solve(options);
    for (let k = 0; k < 9; k++) {
      const want = rodas.paramJacobian![k]!;
      expect(Math.abs(bdf.paramJacobian![k]! - want) / Math.abs(want)).toBeLessThan(1e-5);
    }
  });
});
