import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { OptionError } from '../../src/errors.ts';

const LORENZ = {
  name: 'lorenz',
  states: ['x', 'y', 'z'],
  params: { sigma: 10, rho: 28, beta: 8 / 3 },
  rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
};

describe("solveEnsemble on the 'cpu' backend", () => {
  const solver = compile(LORENZ, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] });
  const count = 200; // enough for worker threads on a 2-core machine
  const y0 = new Float64Array(count * 3).map((_, i) => (i % 3 === 0 ? 1 + (i / 3) * 1e-3 : i % 3 === 1 ? 0 : 0.5));
  const params = new Float64Array(count * 3).map((_, i) => [10, (21 * Math.floor(i / 3)) / (count - 1), 8 / 3][i % 3]!);
  const options = { t0: 0, t1: 1, y0, params, rtol: 1e-9, atol: 1e-9 };

  it('gives every trajectory exactly what a single solve gives', async () => {
    const r = await solver.solveEnsemble(options);
    expect(r.stats.trajectories).toBe(count);
    expect(r.status.every((s) => s === 'ok')).toBe(true);
    for (const i of [0, 77, count - 1]) {
      const single = solver.solve({
        t0: 0,
        t1: 1,
        y0: y0.subarray(3 * i, 3 * i + 3),
        params: { sigma: params[3 * i]!, rho: params[3 * i + 1]!, beta: params[3 * i + 2]! },
        rtol: 1e-9,
        atol: 1e-9,
      });
      expect(Array.from(r.y.subarray(3 * i, 3 * i + 3))).toEqual(Array.from(single.y));
      expect(Array.from(r.jacobian!.subarray(9 * i, 9 * i + 9))).toEqual(Array.from(single.jacobian!));
      expect(Array.from(r.paramJacobian!.subarray(9 * i, 9 * i + 9))).toEqual(Array.from(single.paramJacobian!));
    }
  });

  it('reports failing trajectories in status and keeps going', async () => {
    const blowup = compile({ name: 'blowup', states: ['x'], params: { a: 1 }, rhs: { x: 'a*x^2' } });
    const r = await blowup.solveEnsemble({
      t0: 0,
      t1: 1.5,
      y0: Float64Array.of(1, 0.1, -1),
      params: Float64Array.of(1, 1, 1),
    });
    expect(r.status[0]).not.toBe('ok');
    expect(r.status.slice(1)).toEqual(['ok', 'ok']);
    expect(r.y[1]).toBeCloseTo(0.1 / (1 - 0.15), 6);
  });

  it('checks the shapes of y0 and params', async () => {
    expect(() => solver.solveEnsemble({ ...options, y0: new Float64Array(4) })).toThrow(OptionError);
    expect(() => solver.solveEnsemble({ ...options, params: new Float64Array(5) })).toThrow(/params: expected 200×3/);
    expect(() => solver.solveEnsemble(options, { backend: 'tpu' as 'cpu' })).toThrow(/backend/);
  });
});
