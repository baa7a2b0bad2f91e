/**
 * The fully implicit Runge–Kutta family (templates/ts/implicit-rk.ts): every method's order measured with fixed
 * steps against an exact solution — in y and in both sensitivities, which Newton's iteration solves together
 * with the stages —, sensitivities against finite differences of the computed solution on a stiff problem, the
 * statistics, and the failures (singular stage matrix, Newton's iteration not converging).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IMPLICIT_RK_METHODS } from '../../src/methods/implicit/index.ts';

/** y' = −2 a t y²: y = 1/(1/y0 + a t²), ∂y/∂y0 = y²/y0², ∂y/∂a = −t² y². Nonlinear and non-autonomous. */
const RATIONAL = { name: 'rational', states: ['y'], params: { a: 0.8 }, rhs: { y: '-2*a*t*y^2' } };

/** Step counts where each order's error is asymptotic and still far above rounding. */
function stepCounts(order: number): number[] {
  if (order >= 5) return [8, 16, 32, 64];
  if (order >= 3) return [10, 20, 40, 80];
  return [20, 40, 80, 160];
}

describe('implicit Runge–Kutta methods: measured order with fixed steps (exact solution, sensitivities included)', () => {
  it.each(IMPLICIT_RK_METHODS.map((m) => [m.name, m.order] as const))('%s has order %i', (name, order) => {
    const solver = compile(RATIONAL, { method: name, sensitivities: ['y0', 'params'] });
    const [T, y0, a] = [2, 1.3, 0.8];
    const y = 1 / (1 / y0 + a * T * T);
    const exact = [y, (y * y) / (y0 * y0), -T * T * y * y];
    const counts = stepCounts(order);
    const errors: number[][] = [[], [], []];
    for (const steps of counts) {
      // Tight tolerances: Newton's iteration converges to rounding, so only the method's error is left.
      const r = solver.solve({ t0: 0, t1: T, y0: [y0], dt: T / steps, adaptive: false, rtol: 1e-14, atol: 1e-14 });
      expect(r.stats.steps).toBe(steps);
      for (const [i, v] of [r.y[0]!, r.jacobian![0]!, r.paramJacobian![0]!].entries()) {
        errors[i]!.push(Math.abs(v - exact[i]!));
      }
    }
    errors.forEach((e, i) => {
      // Over the whole range (an error that changes sign in between, as RadauIIA5's ∂y/∂a does, passes too)…
      const average = Math.log2(e[0]! / e[e.length - 1]!) / (counts.length - 1);
      expect(average, `component ${i}: errors ${e.map((x) => x.toExponential(2)).join(', ')}`).toBeGreaterThan(
        order - 0.3,
      );
      expect(average).toBeLessThan(order + (i < 2 ? 1 : 2));
      // …and in the last halving, for y and ∂y/∂y0.
      if (i < 2) expect(Math.log2(e[e.length - 2]! / e[e.length - 1]!)).toBeGreaterThan(order - 0.3);
    });
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

describe('sensitivities against finite differences of the computed solution (Robertson to t = 40)', () => {
  it.each(['RadauIIA5', 'LobattoIIIC4'])('%s: ∂y/∂k and ∂y/∂y0', (name) => {
    const solver = compile(ROBERTSON, { method: name, sensitivities: ['y0', 'params'] });
    const stateOnly = compile(ROBERTSON, { method: name, sensitivities: [] });
    const base = { t0: 0, t1: 40, rtol: 1e-11, atol: 1e-16 };
    const y0 = [1, 0, 0];
    const r = solver.solve({ ...base, y0 });
    const at = (y: number[], k: number[]) => stateOnly.solve({ ...base, y0: y, params: byName(k) }).y;
    const fdSens = new Array<number>(9).fill(0);
    for (let q = 0; q < 3; q++) {
      const dk = K[q]! * 1e-4;
      const plus = at(
        y0,
        K.map((v, j) => (j === q ? v + dk : v)),
      );
      const minus = at(
        y0,
        K.map((v, j) => (j === q ? v - dk : v)),
      );
      for (let i = 0; i < 3; i++) fdSens[i * 3 + q] = (plus[i]! - minus[i]!) / (2 * dk);
    }
    const fdPhi = new Array<number>(9).fill(0);
    for (let j = 0; j < 3; j++) {
      const d = 1e-6;
      const plus = at(
        y0.map((v, l) => (l === j ? v + d : v)),
        K,
      );
      const minus = at(
        y0.map((v, l) => (l === j ? v - d : v)),
        K,
      );
      for (let i = 0; i < 3; i++) fdPhi[i * 3 + j] = (plus[i]! - minus[i]!) / (2 * d);
    }
    for (const [got, want] of [
      [r.paramJacobian!, fdSens],
      [r.jacobian!, fdPhi],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        // Relative to each row's largest entry (the rows scale very differently: y2 ~ 1e-5).
        const scale = Math.max(...want.slice(i * 3, i * 3 + 3).map(Math.abs));
        for (let j = 0; j < 3; j++) expect(Math.abs(got[i * 3 + j]! - want[i * 3 + j]!) / scale).toBeLessThan(1e-5);
      }
    }
  });
});

describe('Robertson to t = 4e10', () => {
  it('RadauIIA5 agrees with Rodas5P, and counts its Newton iterations, factorizations and solves', () => {
    const options = { t0: 0, t1: 4e10, y0: [1, 0, 0], rtol: 1e-8, atol: 1e-14 };
    const radau = compile(ROBERTSON, { method: 'RadauIIA5', sensitivities: ['params'] }).solve(options);
    const rodas = compile(ROBERTSON, { method: 'Rodas5P', sensitivities: ['params'] }).solve(options);
    for (let i = 0; i < 3; i++) expect(Math.abs(radau.y[i]! - rodas.y[i]!) / rodas.y[i]!).toBeLessThan(1e-5);
    for (let k = 0; k < 9; k++) {
      const want = rodas.paramJacobian![k]!;
      expect(Math.abs(radau.paramJacobian![k]! - want) / Math.abs(want)).toBeLessThan(1e-5);
    }
    const s = radau.stats;
    expect(s.newtonIterations).toBeGreaterThanOrEqual(s.steps);
    expect(s.jacobianEvals).toBeLessThanOrEqual(s.steps + s.rejected);
    // each iteration solves the state's stage system and the 3 columns of S
    expect(s.linearSolves).toBeGreaterThanOrEqual(4 * s.newtonIterations!);
    expect(s.factorizations).toBeGreaterThanOrEqual(s.jacobianEvals!);
  });
});

describe('failures', () => {
  it('an implicit method without an error estimate needs dt', () => {
    const solver = compile(RATIONAL, { method: 'GaussLegendre4' });
    expect(() => solver.solve({ t0: 0, t1: 1, y0: [1] })).toThrow(/dt: .*GaussLegendre4/);
  });

  it("a stage matrix that is singular for the step asked is 'singular-matrix'", () => {
    // Backward Euler on y' = a y with a·dt = 1: I − h J = 0.
    const solver = compile(
      { name: 'lin', states: ['y'], params: { a: 8 }, rhs: { y: 'a*y' } },
      { method: 'BackwardEuler' },
    );
    expect(() => solver.solve({ t0: 0, t1: 1, y0: [1], dt: 0.125 })).toThrow(
      expect.objectContaining({ reason: 'singular-matrix', t: 0 }),
    );
  });

  it("Newton's iteration that cannot converge at a fixed step is 'newton-failure', with t", () => {
    // Backward Euler on y' = −y⁴·1e3 from y = 10 with h = 1: the simplified iteration (J at y0) diverges.
    const solver = compile(
      { name: 'quartic', states: ['y'], rhs: { y: '-1000*y^4' } },
      {
        method: 'BackwardEuler',
        sensitivities: [],
      },
    );
    try {
      solver.solve({ t0: 0, t1: 2, y0: [10], dt: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ reason: 'newton-failure', t: 0 });
      expect(String(e)).toMatch(/Newton's iteration did not converge on the step from t = 0 to 1/);
    }
  });
});
