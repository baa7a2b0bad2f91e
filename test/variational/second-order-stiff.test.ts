/**
 * Second-order sensitivities through the stiff families (Rosenbrock, implicit Runge–Kutta, BDF, auto), the
 * symplectic methods and the CPU ensembles. The stiff families' block solves take the second-order columns last,
 * coupled to the state and the first-order columns through L = ∂/∂[y, Φ, S] of the second-order right-hand sides
 * (src/codegen/ts/second-order-newton.ts); the symplectic drifts and kicks move the rows of Ψ with their states.
 *
 * Checked against an independent reference (RK87 at rtol 1e-12 on non-stiff models with parameters and explicit
 * time dependence), against central differences of each method's own Jacobians (Robertson, stiff; Kepler with a
 * symplectic method), by the measured order of Rodas5P's Hessian with fixed steps (an inexact ∂F/∂Y in the
 * Rosenbrock step would lower it), and by symmetry.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import { FUNCTIONS, LORENZ, normwise, PENDULUM } from './models.ts';

const ROBERTSON: ModelSpec = {
  name: 'robertson',
  states: ['y1', 'y2', 'y3'],
  params: { k1: 0.04, k2: 1e4, k3: 3e7 },
  rhs: { y1: '-k1*y1 + k2*y2*y3', y2: 'k1*y1 - k2*y2*y3 - k3*y2^2', y3: 'k3*y2^2' },
};

const STIFF_METHODS = ['Rodas5P', 'Rodas4', 'ROS3P', 'RadauIIA5', 'LobattoIIIC4', 'BDF', 'auto'];

describe('second-order sensitivities with the stiff families', () => {
  const cases: [ModelSpec, number[], number][] = [
    [PENDULUM, [1, 0.2], 3],
    [FUNCTIONS, [1, 0.5, 0.8], 1],
  ];
  for (const [model, y0, t1] of cases) {
    const options = { t0: 0, t1, y0, rtol: 1e-12, atol: 1e-12 };
    const reference = compile(model, { method: 'RK87', sensitivities: ['y0', 'params'], order: 2 }).solve(options);
    it.each(STIFF_METHODS)(
      `${model.name}, %s at rtol 1e-11: hessian, mixedHessian, paramHessian against RK87`,
      (method) => {
        const r = compile(model, { method, sensitivities: ['y0', 'params'], order: 2 }).solve({
          ...options,
          rtol: 1e-11,
          atol: 1e-11,
          errorControl: 'all',
        });
        // measured 1e-13 – 1e-11 for the one-step methods, 1e-10 – 1e-9 for BDF (whose global error is a few times
        // the tolerance)
        const bound = method === 'BDF' ? 1e-8 : 1e-9;
        expect(normwise(r.jacobian!, reference.jacobian!)).toBeLessThan(bound);
        expect(normwise(r.hessian!, reference.hessian!)).toBeLessThan(bound);
        expect(normwise(r.mixedHessian!, reference.mixedHessian!)).toBeLessThan(bound);
        expect(normwise(r.paramHessian!, reference.paramHessian!)).toBeLessThan(bound);
        // symmetric in the two derivatives, to rounding (j ≤ k is integrated, the other half copied)
        const n = y0.length;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            for (let k = 0; k < n; k++)
              expect(r.hessian![i * n * n + j * n + k]).toBe(r.hessian![i * n * n + k * n + j]);
      },
    );
  }

  it.each(['Rodas5P', 'RadauIIA5', 'BDF'])(
    'Robertson to t = 40, %s: ∂²y/∂p∂p against central differences of its own ∂y/∂p',
    (method) => {
      const solver = compile(ROBERTSON, { method, sensitivities: ['params'], order: 2 });
      const options = { t0: 0, t1: 40, y0: [1, 0, 0], rtol: 1e-10, atol: 1e-16, errorControl: 'all' as const };
      const r = solver.solve(options);
      const K = [0.04, 1e4, 3e7];
      const at = (k: number[]) =>
        solver.solve({ ...options, rtol: 1e-12, atol: 1e-18, params: { k1: k[0]!, k2: k[1]!, k3: k[2]! } });
      for (let q = 0; q < 3; q++) {
        const dk = K[q]! * 1e-4;
        const plus = at(K.map((v, j) => (j === q ? v + dk : v)));
        const minus = at(K.map((v, j) => (j === q ? v - dk : v)));
        for (let i = 0; i < 3; i++) {
          // each entry against the largest of its row, in the parameters' own scale (k spans 9 decades)
          const row = [0, 1, 2].flatMap((a) =>
            [0, 1, 2].map((b) => Math.abs(r.paramHessian![i * 9 + a * 3 + b]! * K[a]! * K[b]!)),
          );
          const scale = Math.max(...row);
          for (let j = 0; j < 3; j++) {
            const fd = (plus.paramJacobian![i * 3 + j]! - minus.paramJacobian![i * 3 + j]!) / (2 * dk);
            const got = r.paramHessian![i * 9 + j * 3 + q]!;
            // measured 1.3e-8
            expect((Math.abs(got - fd) * K[j]! * K[q]!) / scale).toBeLessThan(1e-6);
          }
        }
      }
    },
  );

  it('Rodas5P with fixed steps: the Hessian converges at order 5, as y does (∂F/∂Y is exact in its stages)', () => {
    const solver = compile(PENDULUM, { method: 'Rodas5P', sensitivities: ['y0', 'params'], order: 2 });
    const exact = compile(PENDULUM, { method: 'RK87', sensitivities: ['y0', 'params'], order: 2 }).solve({
      t0: 0,
      t1: 3,
      y0: [1, 0.2],
      rtol: 1e-13,
      atol: 1e-13,
    });
    const error = (steps: number) => {
      const r = solver.solve({ t0: 0, t1: 3, y0: [1, 0.2], adaptive: false, dt: 3 / steps });
      return normwise(r.hessian!, exact.hessian!) + normwise(r.paramHessian!, exact.paramHessian!);
    };
    const [coarse, fine] = [error(40), error(80)];
    const order = Math.log2(coarse / fine);
    expect(order).toBeGreaterThan(4.5);
    expect(order).toBeLessThan(6);
  });
});

describe('second-order sensitivities in CPU ensembles', () => {
  // 3 rows run on the calling thread, 70 on the workers (from 64 rows on)
  it.each([
    ['Dormand-Prince', 3],
    ['Rodas5P', 3],
    ['RK45CK', 70],
  ] as const)('%s, %i trajectories: each row is the solver’s own result, bit for bit', async (method, count) => {
    const solver = compile(LORENZ, { method, sensitivities: ['y0', 'params'], order: 2 });
    const y0 = Array.from({ length: count * 3 }, (_, k) => [1, 1, 1][k % 3]! + 0.01 * k);
    const params = Array.from({ length: count * 3 }, (_, k) => [10, 28, 8 / 3][k % 3]! * (1 + 0.001 * k));
    const options = { t0: 0, t1: 0.5, rtol: 1e-9, atol: 1e-9 };
    const r = await solver.solveEnsemble({ ...options, y0, params }, { backend: 'cpu' });
    expect(r.hessian).toHaveLength(count * 27);
    expect(r.paramHessian).toHaveLength(count * 27);
    expect(r.mixedHessian).toHaveLength(count * 27);
    for (const row of [0, count - 1]) {
      const one = solver.solve({
        ...options,
        y0: y0.slice(3 * row, 3 * row + 3),
        params: { sigma: params[3 * row]!, rho: params[3 * row + 1]!, beta: params[3 * row + 2]! },
      });
      expect(Array.from(r.hessian!.subarray(27 * row, 27 * row + 27))).toEqual(Array.from(one.hessian!));
      expect(Array.from(r.paramHessian!.subarray(27 * row, 27 * row + 27))).toEqual(Array.from(one.paramHessian!));
      expect(Array.from(r.mixedHessian!.subarray(27 * row, 27 * row + 27))).toEqual(Array.from(one.mixedHessian!));
    }
  });

  it('an order-2 solver with y0 sensitivities only has no parameter blocks in its ensembles', async () => {
    const solver = compile(LORENZ, { sensitivities: ['y0'], order: 2 });
    const r = await solver.solveEnsemble({ t0: 0, t1: 0.1, y0: [1, 1, 1, 2, 2, 2] }, { backend: 'cpu' });
    expect(r.hessian).toHaveLength(54);
    expect(r.paramHessian).toBeUndefined();
    expect(r.mixedHessian).toBeUndefined();
  });
});

describe('second-order sensitivities with the symplectic methods', () => {
  /** Kepler with e = 0.6 and the gravitational parameter as a parameter (separable: T(p) + V(q; mu)). */
  const KEPLER = {
    name: 'kepler',
    states: ['qx', 'qy', 'px', 'py'],
    params: { mu: 1 },
    rhs: { qx: 'px', qy: 'py', px: '-mu*qx/(qx^2 + qy^2)^1.5', py: '-mu*qy/(qx^2 + qy^2)^1.5' },
    hamiltonian: { positions: ['qx', 'qy'], momenta: ['px', 'py'] },
  } as ModelSpec;
  const y0 = [0.4, 0, 0, 2];
  const span = { t0: 0, t1: 2 };

  it('ABAs5o6H: the Hessians are the second derivatives of its own map (central differences of its Jacobians)', () => {
    const solver = compile(KEPLER, { method: 'ABAs5o6H', sensitivities: ['y0', 'params'], order: 2 });
    const options = { ...span, y0, dt: 0.01 };
    const r = solver.solve(options);
    const d = 1e-5;
    for (let k = 0; k < 4; k++) {
      const plus = solver.solve({ ...options, y0: y0.map((v, j) => (j === k ? v + d : v)) });
      const minus = solver.solve({ ...options, y0: y0.map((v, j) => (j === k ? v - d : v)) });
      const fd = Array.from(plus.jacobian!, (v, i) => (v - minus.jacobian![i]!) / (2 * d));
      // column k of each Φ_ij: H[i][j][k]
      const got = Array.from({ length: 16 }, (_, ij) => r.hessian![ij * 4 + k]!);
      expect(normwise(got, fd)).toBeLessThan(1e-6);
    }
    const plus = solver.solve({ ...options, params: { mu: 1 + d } });
    const minus = solver.solve({ ...options, params: { mu: 1 - d } });
    const fdMu = Array.from(plus.paramJacobian!, (v, i) => (v - minus.paramJacobian![i]!) / (2 * d));
    expect(normwise(r.paramHessian!, fdMu)).toBeLessThan(1e-6);
    const fdMixed = Array.from(plus.jacobian!, (v, i) => (v - minus.jacobian![i]!) / (2 * d));
    expect(normwise(r.mixedHessian!, fdMixed)).toBeLessThan(1e-6);
  });

  it.each([
    ['BABs9o7H', 0.004],
    ['ABAs5o6H', 0.004],
  ])('%s at dt = %s against RK87 at rtol 1e-12', (method, dt) => {
    const r = compile(KEPLER, { method, sensitivities: ['y0', 'params'], order: 2 }).solve({ ...span, y0, dt });
    const reference = compile(KEPLER, { method: 'RK87', sensitivities: ['y0', 'params'], order: 2 }).solve({
      ...span,
      y0,
      rtol: 1e-12,
      atol: 1e-12,
    });
    // measured at dt = 0.004: 1e-9 (ABAs5o6H), 3e-11 (BABs9o7H); both fall 16× per halving of dt
    expect(normwise(r.hessian!, reference.hessian!)).toBeLessThan(1e-8);
    expect(normwise(r.paramHessian!, reference.paramHessian!)).toBeLessThan(1e-8);
    expect(normwise(r.mixedHessian!, reference.mixedHessian!)).toBeLessThan(1e-8);
  });
});
