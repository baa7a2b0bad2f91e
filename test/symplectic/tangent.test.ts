/**
 * The tangent map is the derivative of the discrete map: Φ and S of a run against central differences of runs with
 * perturbed initial values and parameters, at the same fixed step. Also: both layouts of the augmented system
 * agree, and dense output and the evaluation counts.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { SYMPLECTIC_METHODS } from '../../src/methods/symplectic/index.ts';
import { FORCED, KEPLER, KEPLER_Y0 } from './support.ts';

const Y0 = [0.1, 0.5, -0.3, 0.8];
const PARAMS = { m: 1.3, a: 0.4, k: 2 };
const RUN = { t0: 0, t1: 2, dt: 0.05 };

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe.each(SYMPLECTIC_METHODS.map((m) => [m.name] as const))('%s', (method) => {
  it('Φ and S are the central differences of the discrete map (non-autonomous model, all parameters)', () => {
    const solver = compile(FORCED, { method, sensitivities: ['y0', 'params'] });
    const base = solver.solve({ ...RUN, y0: Y0, params: PARAMS });
    const n = Y0.length;
    const names = Object.keys(PARAMS) as (keyof typeof PARAMS)[];
    const plain = compile(FORCED, { method, sensitivities: [] });
    const end = (y0: readonly number[], params: typeof PARAMS) => plain.solve({ ...RUN, y0, params }).y;
    const phi = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const eps = 1e-6 * Math.max(1, Math.abs(Y0[j]!));
      const plus = end(
        Y0.map((v, k) => (k === j ? v + eps : v)),
        PARAMS,
      );
      const minus = end(
        Y0.map((v, k) => (k === j ? v - eps : v)),
        PARAMS,
      );
      for (let i = 0; i < n; i++) phi[i * n + j] = (plus[i]! - minus[i]!) / (2 * eps);
    }
    const sens = new Float64Array(n * names.length);
    names.forEach((name, q) => {
      const eps = 1e-6 * Math.max(1, Math.abs(PARAMS[name]));
      const plus = end(Y0, { ...PARAMS, [name]: PARAMS[name] + eps });
      const minus = end(Y0, { ...PARAMS, [name]: PARAMS[name] - eps });
      for (let i = 0; i < n; i++) sens[i * names.length + q] = (plus[i]! - minus[i]!) / (2 * eps);
    });
    expect(relativeError(base.jacobian!, phi)).toBeLessThan(1e-7);
    expect(relativeError(base.paramJacobian!, sens)).toBeLessThan(1e-7);
  });

  it('gives the same results in the columns layout (to rounding) as unrolled', () => {
    const options = { ...RUN, t1: 20, y0: Y0 };
    const unrolled = compile(FORCED, { method, sensitivities: ['y0', 'params'], layout: 'unrolled' }).solve(options);
    const columns = compile(FORCED, { method, sensitivities: ['y0', 'params'], layout: 'columns' }).solve(options);
    expect(relativeError(columns.y, unrolled.y)).toBeLessThan(1e-12);
    expect(relativeError(columns.jacobian!, unrolled.jacobian!)).toBeLessThan(1e-12);
    expect(relativeError(columns.paramJacobian!, unrolled.paramJacobian!)).toBeLessThan(1e-12);
  });
});

describe('counting and dense output', () => {
  it('counts kicks: 5 a step for ABAs5o6H, 9 for BABs9o7H (its last kick is the next step’s first), 1 for SymplecticEuler', () => {
    const counts = SYMPLECTIC_METHODS.map((m) => {
      const r = compile(KEPLER, { method: m.name, sensitivities: [] }).solve({ t0: 0, t1: 1, y0: KEPLER_Y0, dt: 0.01 });
      return [m.name, r.stats.steps, r.stats.rhsEvals];
    });
    // 1: the driver's F(t0, y0); BABs9o7H's first step evaluates its first kick too
    expect(counts).toEqual([
      ['SymplecticEuler', 100, 1 + 100],
      ['BABs9o7H', 100, 1 + 1 + 9 * 100],
      ['ABAs5o6H', 100, 1 + 5 * 100],
    ]);
  });

  it('interpolates tEval samples (cubic Hermite, F evaluated once per end) without changing the steps', () => {
    const solver = compile(KEPLER, { method: 'BABs9o7H', sensitivities: ['y0'] });
    const plain = solver.solve({ t0: 0, t1: 1, y0: KEPLER_Y0, dt: 0.01 });
    const tEval = [0, 0.005, 0.25, 0.2525, 0.5, 1];
    const sampled = solver.solve({ t0: 0, t1: 1, y0: KEPLER_Y0, dt: 0.01, tEval });
    expect(sampled.y).toEqual(plain.y);
    expect(sampled.jacobian).toEqual(plain.jacobian);
    // the steps ending at 0.01, 0.25, 0.26, 0.5 and 1 have samples: F at both ends, except where it is known — at t0
    // (the driver's) and at 0.25, the end of the step before (1 + 2 + 1 + 2 + 2)
    expect(sampled.stats.rhsEvals - plain.stats.rhsEvals).toBe(8);
    const fine = compile(KEPLER, { method: 'BABs9o7H', sensitivities: ['y0'] });
    tEval.forEach((t, k) => {
      const at = t === 0 ? KEPLER_Y0 : fine.solve({ t0: 0, t1: t, y0: KEPLER_Y0, dt: t / Math.ceil(t / 0.001) }).y;
      const sample = sampled.dense!.y.subarray(4 * k, 4 * k + 4);
      expect(relativeError(sample, at), `t = ${t}`).toBeLessThan(1e-7);
    });
  });
});
