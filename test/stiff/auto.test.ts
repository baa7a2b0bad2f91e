/**
 * method: 'auto' (templates/ts/auto.ts): RK45CK (RK87 from rtol 1e-7 down) while the problem is not stiff,
 * Rodas5P (RadauIIA5 from rtol 1e-8 down) while it is. The switch to the stiff method comes from the explicit
 * method's stiffness estimate, the switch back from h·‖J‖∞; the augmented vector runs through both, so the
 * sensitivities are those of the whole computed solution.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';

const ROBERTSON = {
  name: 'robertson',
  states: ['y1', 'y2', 'y3'],
  params: { k1: 0.04, k2: 1e4, k3: 3e7 },
  rhs: { y1: '-k1*y1 + k2*y2*y3', y2: 'k1*y1 - k2*y2*y3 - k3*y2^2', y3: 'k3*y2^2' },
};
const K = [0.04, 1e4, 3e7];
const byName = (k: readonly number[]) => ({ k1: k[0]!, k2: k[1]!, k3: k[2]! });

/** Van der Pol, μ = 1000: slow stiff arcs joined by fast, non-stiff transitions every ≈ 807 time units. */
const VAN_DER_POL = { name: 'vdp', states: ['x', 'y'], params: { mu: 1000 }, rhs: { x: 'y', y: 'mu*(1 - x^2)*y - x' } };

describe("method 'auto'", () => {
  it.each([
    [1e-6, 'RK45CK', 'Rodas5P'],
    [1e-7, 'RK87', 'Rodas5P'],
    [1e-8, 'RK87', 'RadauIIA5'],
    [1e-10, 'RK87', 'RadauIIA5'],
  ])('Robertson at rtol %s: starts with %s, switches to %s early, agrees with it alone', (rtol, first, stiff) => {
    const options = { t0: 0, t1: 4e10, y0: [1, 0, 0], rtol, atol: 1e-14 };
    const auto = compile(ROBERTSON, { method: 'auto', sensitivities: ['params'] }).solve(options);
    const rodas = compile(ROBERTSON, { method: stiff, sensitivities: ['params'] }).solve(options);
    const switches = auto.stats.switches!;
    expect(switches.map((s) => s.method)).toEqual([first, stiff]);
    expect(switches[0]!.t).toBe(0);
    expect(switches[1]!.t).toBeGreaterThan(0);
    // (measured 0.15–0.4; RK87's stiffness estimate unscaled switched only at t = 3.8 at 1e-8, never at 1e-10)
    expect(switches[1]!.t).toBeLessThan(1);
    const tolerance = Math.max(1e-6, 100 * rtol);
    for (let i = 0; i < 3; i++) expect(Math.abs(auto.y[i]! - rodas.y[i]!) / rodas.y[i]!).toBeLessThan(tolerance);
    for (let k = 0; k < 9; k++) {
      const want = rodas.paramJacobian![k]!;
      expect(Math.abs(auto.paramJacobian![k]! - want) / Math.abs(want)).toBeLessThan(10 * tolerance);
    }
    expect(auto.stats.jacobianEvals).toBeGreaterThan(0);
  });

  it.each([
    [1e-7, 'Rodas5P'],
    [1e-8, 'RadauIIA5'],
  ])('Van der Pol μ = 1000, rtol %s: back to RK87 through each fast transition, then %s again', (rtol, stiff) => {
    const options = { t0: 0, t1: 1000, y0: [2, 0], rtol, atol: 1e-10 };
    const auto = compile(VAN_DER_POL, { method: 'auto', sensitivities: [] }).solve(options);
    const rodas = compile(VAN_DER_POL, { method: stiff, sensitivities: [] }).solve(options);
    expect(auto.stats.switches!.map((s) => s.method)).toEqual(['RK87', stiff, 'RK87', stiff]);
    // the explicit stretch covers the transition near t ≈ 807
    const [, , back, again] = auto.stats.switches!;
    expect(back!.t).toBeGreaterThan(790);
    expect(again!.t).toBeLessThan(820);
    for (let i = 0; i < 2; i++)
      expect(Math.abs(auto.y[i]! - rodas.y[i]!)).toBeLessThan(100 * rtol * Math.abs(rodas.y[i]!) + 1e-9);
  });

  const lorenz = {
    name: 'lorenz',
    states: ['x', 'y', 'z'],
    params: { sigma: 10, rho: 28, beta: 8 / 3 },
    rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
  };

  it('a problem that is not stiff, rtol 1e-6: stays with RK45CK and gives its very result', () => {
    const options = { t0: 0, t1: 2, y0: [1, 1, 1], rtol: 1e-6, atol: 1e-6 };
    const auto = compile(lorenz, { method: 'auto', sensitivities: ['y0'] }).solve(options);
    const rk = compile(lorenz, { method: 'RK45CK', sensitivities: ['y0'] }).solve(options);
    expect(auto.stats.switches).toEqual([{ t: 0, method: 'RK45CK' }]);
    expect(Array.from(auto.y)).toEqual(Array.from(rk.y));
    expect(Array.from(auto.jacobian!)).toEqual(Array.from(rk.jacobian!));
    expect(auto.stats.steps).toBe(rk.stats.steps);
  });

  it.each([1e-7, 1e-9, 1e-11])(
    'a problem that is not stiff, rtol %s: RK87 throughout, as accurate as RK87 alone',
    (rtol) => {
      // Not the same bits as RK87 alone: the first step is chosen for auto's order, and RK87's h·ρ is read against
      // 0.6 of its boundary (AutoMethod.tightDetection).
      const options = { t0: 0, t1: 2, y0: [1, 1, 1], rtol, atol: rtol };
      const auto = compile(lorenz, { method: 'auto', sensitivities: ['y0'] }).solve(options);
      const rk87 = compile(lorenz, { method: 'RK87', sensitivities: ['y0'] }).solve(options);
      const rk45 = compile(lorenz, { method: 'RK45CK', sensitivities: ['y0'] }).solve(options);
      const exact = compile(lorenz, { method: 'RK87', sensitivities: ['y0'] }).solve({
        ...options,
        rtol: 1e-14,
        atol: 1e-14,
      });
      expect(auto.stats.switches).toEqual([{ t: 0, method: 'RK87' }]);
      const error = (r: typeof auto) =>
        Math.max(...Array.from(r.jacobian!, (v, i) => Math.abs(v - exact.jacobian![i]!) / 20));
      expect(error(auto)).toBeLessThan(3 * error(rk87) + 1e-13);
      expect(Math.abs(auto.stats.steps - rk87.stats.steps)).toBeLessThan(0.1 * rk87.stats.steps);
      // and fewer evaluations than RK45CK at the same tolerance
      expect(auto.stats.rhsEvals).toBeLessThan(rk45.stats.rhsEvals);
    },
  );

  it("stiffness: 'ignore' keeps the explicit method", () => {
    const r = compile(ROBERTSON, { method: 'auto', sensitivities: [] }).solve({
      t0: 0,
      t1: 1,
      y0: [1, 0, 0],
      stiffness: 'ignore',
    });
    expect(r.stats.switches).toEqual([{ t: 0, method: 'RK45CK' }]);
  });

  it('sensitivities through the switch against finite differences (Robertson to t = 40)', () => {
    const solver = compile(ROBERTSON, { method: 'auto', sensitivities: ['params'] });
    const stateOnly = compile(ROBERTSON, { method: 'Rodas5P', sensitivities: [] });
    const r = solver.solve({ t0: 0, t1: 40, y0: [1, 0, 0], rtol: 1e-10, atol: 1e-16 });
    expect(r.stats.switches!.length).toBe(2);
    const at = (k: number[]) =>
      stateOnly.solve({ t0: 0, t1: 40, y0: [1, 0, 0], params: byName(k), rtol: 1e-12, atol: 1e-18 }).y;
    for (let q = 0; q < 3; q++) {
      const dk = K[q]! * 1e-4;
      const plus = at(K.map((v, j) => (j === q ? v + dk : v)));
      const minus = at(K.map((v, j) => (j === q ? v - dk : v)));
      for (let i = 0; i < 3; i++) {
        const fd = (plus[i]! - minus[i]!) / (2 * dk);
        const row = [0, 1, 2].map((j) => Math.abs(r.paramJacobian![i * 3 + j]!));
        expect(Math.abs(r.paramJacobian![i * 3 + q]! - fd) / Math.max(...row)).toBeLessThan(1e-5);
      }
    }
  });
});
