/**
 * Second-order sensitivities in the 'columns' layout (src/codegen/ts/second-order-columns.ts): the same results as
 * the unrolled layout to rounding (y, jacobian, paramJacobian, hessian, paramHessian, mixedHessian; the same
 * steps), on Lorenz, the forced pendulum, a model of every function, Lorenz-96 with N = 10 and models that reach
 * only some of the loops' terms; Lorenz-96 N = 10 with parameters against central differences of the Jacobians;
 * and 'auto' choosing the column loops from COLUMNS_FROM_STATES states on, as at first order.
 */
import { describe, expect, it } from 'vitest';
import { COLUMNS_FROM_STATES, compile } from '../../src/compile.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveResult } from '../../src/runtime/types.ts';
import type { Sensitivity } from '../../src/variational/system.ts';
import { FUNCTIONS, LORENZ, normwise, PENDULUM } from './models.ts';

const ring = (n: number) => (i: number) => `x${(((i % n) + n) % n).toString()}`;

/** Lorenz-96 as the bench has it: x_i' = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F. */
function lorenz96(n: number): ModelSpec {
  const x = ring(n);
  const rhs = Object.fromEntries(
    Array.from({ length: n }, (_, i): [string, string] => [
      x(i),
      `(${x(i + 1)} - ${x(i - 2)})*${x(i - 1)} - ${x(i)} + F`,
    ]),
  );
  return { name: `lorenz96-${n}`, states: Array.from({ length: n }, (_, i) => x(i)), params: { F: 8 }, rhs };
}

/**
 * Lorenz-96 with a damping d (∂²f/∂y∂p ≠ 0) and a forcing F·(1 + 0.1·sin(g·t)) (∂²f/∂p∂p ≠ 0 off and on the
 * diagonal, explicit time dependence): every term of the second-order equations.
 */
function forcedLorenz96(n: number): ModelSpec {
  const x = ring(n);
  const rhs = Object.fromEntries(
    Array.from({ length: n }, (_, i): [string, string] => [
      x(i),
      `(${x(i + 1)} - ${x(i - 2)})*${x(i - 1)} - d*${x(i)} + F*(1 + 0.1*sin(g*t))`,
    ]),
  );
  return {
    name: `forced-lorenz96-${n}`,
    states: Array.from({ length: n }, (_, i) => x(i)),
    params: { F: 8, d: 1, g: 2 },
    rhs,
  };
}

const l96y0 = (n: number) => Array.from({ length: n }, (_, i) => 8 + Math.sin(i + 1));

/** Linear in the states, a chain, nonlinear in the parameters: Ψ stays 0; M only from ∂²f/∂y∂p. */
const CHAIN: ModelSpec = {
  name: 'chain',
  states: ['a', 'b', 'c', 'd', 'e', 'f'],
  params: { k: 0.5, q: 1.5 },
  rhs: { a: '-a + q*q', b: 'k*a - b', c: 'k*b - c', d: 'c - d + k*q', e: 'd - e', f: 'e - f*k' },
};

/** Linear in the states and in J: only ∂²f/∂p∂p reaches the second-order blocks (Ψ and M stay 0). */
const PARAM_SQUARES: ModelSpec = {
  name: 'param-squares',
  states: ['a', 'b', 'c', 'd', 'e', 'f'],
  params: { k: 0.5, q: 1.5 },
  rhs: { a: '-a + q*q', b: 'a - b', c: 'b - c + k*q', d: 'c - d', e: 'd - e + sin(k)', f: 'e - f' },
};

/** max |a − b| / max |b|: the normwise relative difference (0 when both are 0). */

const BLOCKS = ['y', 'jacobian', 'paramJacobian', 'hessian', 'mixedHessian', 'paramHessian'] as const;
const COLUMN_LOOP = "one pair j ≤ k of Φ's columns at a time";

type Case = { model: ModelSpec; y0: number[]; t1: number };
const CASES: Case[] = [
  { model: LORENZ, y0: [1, 1, 1], t1: 1 },
  { model: PENDULUM, y0: [1, 0.2], t1: 3 },
  { model: FUNCTIONS, y0: [1, 0.5, 0.8], t1: 1 },
  { model: lorenz96(10), y0: l96y0(10), t1: 0.5 },
  { model: forcedLorenz96(10), y0: l96y0(10), t1: 0.5 },
  { model: CHAIN, y0: [1, 0.5, -0.5, 0.2, 0.1, -1], t1: 2 },
  { model: PARAM_SQUARES, y0: [1, 0.5, -0.5, 0.2, 0.1, -1], t1: 2 },
];

describe("second-order sensitivities: the 'columns' layout against the unrolled one", () => {
  for (const { model, y0, t1 } of CASES) {
    it(`${model.name}: every block agrees to rounding, with the same steps`, () => {
      for (const sensitivities of [['y0', 'params'], ['y0'], ['params']] as Sensitivity[][]) {
        const solve = (layout: 'unrolled' | 'columns') => {
          const solver = compile(model, { sensitivities, order: 2, layout });
          expect(solver.source.includes(COLUMN_LOOP)).toBe(layout === 'columns' && sensitivities.includes('y0'));
          return solver.solve({ t0: 0, t1, y0, rtol: 1e-10, atol: 1e-10 });
        };
        const unrolled = solve('unrolled');
        const columns = solve('columns');
        expect(columns.stats.steps).toBe(unrolled.stats.steps);
        for (const key of BLOCKS) {
          const want = unrolled[key];
          if (want === undefined) {
            expect(columns).not.toHaveProperty(key);
            continue;
          }
          const got = columns[key]!;
          expect(normwise(got, want), `${sensitivities.join(',')}: ${key}`).toBeLessThan(1e-12);
          // a component the unrolled layout finds structurally zero is exactly 0 here too
          for (let i = 0; i < want.length; i++) if (want[i] === 0) expect(Math.abs(got[i]!)).toBeLessThan(1e-300);
        }
      }
    });
  }

  it('a model linear in the states: Ψ exactly 0 (one fill); one linear in J too: M exactly 0', () => {
    const chain = compile(CHAIN, { sensitivities: ['y0', 'params'], order: 2, layout: 'columns' });
    expect(chain.source).toMatch(/no second derivative of f reaches it/);
    const r = chain.solve({ t0: 0, t1: 2, y0: [1, 0.5, -0.5, 0.2, 0.1, -1] });
    expect(r.hessian!.every((v) => v === 0)).toBe(true);
    expect(r.mixedHessian!.some((v) => v !== 0)).toBe(true);
    const squares = compile(PARAM_SQUARES, { sensitivities: ['y0', 'params'], order: 2, layout: 'columns' });
    const s = squares.solve({ t0: 0, t1: 2, y0: [1, 0.5, -0.5, 0.2, 0.1, -1] });
    expect(s.hessian!.every((v) => v === 0)).toBe(true);
    expect(s.mixedHessian!.every((v) => v === 0)).toBe(true);
    expect(s.paramHessian!.some((v) => v !== 0)).toBe(true);
  });
});

describe('second-order sensitivities, columns: Lorenz-96 (N = 10) against central differences of the Jacobians', () => {
  const n = 10;
  const model = forcedLorenz96(n);
  const defaults = model.params as Record<string, number>;
  const names = Object.keys(defaults);
  const p = names.length;
  const y0 = l96y0(n);
  const t1 = 0.5;
  const tight = { rtol: 1e-12, atol: 1e-12 };

  it('hessian, mixedHessian and paramHessian within 1e-6 (relative, normwise); Ψ and P exactly symmetric', () => {
    const second = compile(model, { sensitivities: ['y0', 'params'], order: 2 });
    expect(second.source).toContain(COLUMN_LOOP); // 'auto', from COLUMNS_FROM_STATES states on
    const r = second.solve({ t0: 0, t1, y0, ...tight });
    const first = compile(model, { sensitivities: ['y0', 'params'] });
    const solve1 = (y: number[], params: Record<string, number> = defaults): SolveResult =>
      first.solve({ t0: 0, t1, y0: y, params, ...tight });
    const h = 1e-4;
    const hess = new Float64Array(n * n * n);
    for (let k = 0; k < n; k++) {
      const step = h * Math.max(1, Math.abs(y0[k]!));
      const plus = solve1(y0.map((v, j) => (j === k ? v + step : v))).jacobian!;
      const minus = solve1(y0.map((v, j) => (j === k ? v - step : v))).jacobian!;
      for (let ij = 0; ij < n * n; ij++) hess[ij * n + k] = (plus[ij]! - minus[ij]!) / (2 * step);
    }
    const mixed = new Float64Array(n * n * p);
    const param = new Float64Array(n * p * p);
    names.forEach((name, k) => {
      const step = h * Math.max(1, Math.abs(defaults[name]!));
      const plus = solve1(y0, { ...defaults, [name]: defaults[name]! + step });
      const minus = solve1(y0, { ...defaults, [name]: defaults[name]! - step });
      for (let ij = 0; ij < n * n; ij++) mixed[ij * p + k] = (plus.jacobian![ij]! - minus.jacobian![ij]!) / (2 * step);
      for (let ij = 0; ij < n * p; ij++)
        param[ij * p + k] = (plus.paramJacobian![ij]! - minus.paramJacobian![ij]!) / (2 * step);
    });
    expect(normwise(r.hessian!, hess)).toBeLessThan(1e-6);
    expect(normwise(r.mixedHessian!, mixed)).toBeLessThan(1e-6);
    expect(normwise(r.paramHessian!, param)).toBeLessThan(1e-6);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) expect(r.hessian![(i * n + j) * n + k]).toBe(r.hessian![(i * n + k) * n + j]);
      for (let j = 0; j < p; j++)
        for (let k = 0; k < p; k++)
          expect(r.paramHessian![(i * p + j) * p + k]).toBe(r.paramHessian![(i * p + k) * p + j]);
    }
    // the state and the first-order sensitivities are those of order 1
    const one = solve1(y0);
    expect(r.stats.steps).toBe(one.stats.steps);
    expect(normwise(r.y, one.y)).toBeLessThan(1e-14);
    expect(normwise(r.jacobian!, one.jacobian!)).toBeLessThan(1e-13);
    expect(normwise(r.paramJacobian!, one.paramJacobian!)).toBeLessThan(1e-13);
  });
});

describe('second-order sensitivities, columns: the size limit on the second derivatives', () => {
  it('an f_i reading r states has up to r(r+1)/2 of them: refused past limits.maxUnrolledTerms', () => {
    const states = ['a', 'b', 'c', 'd', 'e', 'f'];
    const dense: ModelSpec = {
      name: 'dense',
      states,
      params: { k: 0.1 },
      rhs: Object.fromEntries(states.map((x): [string, string] => [x, `-k*${x}*(${states.join(' + ')})`])),
    };
    // 6 rows of 6·7/2 = 21 pairs of states: 126; with the parameter, 6·(21 + 6 + 1) = 168
    const options = { order: 2, layout: 'columns' } as const;
    expect(() => compile(dense, { ...options, limits: { maxUnrolledTerms: 125 } })).toThrow(
      /up to 126 second derivatives.*limits\.maxUnrolledTerms = 125/,
    );
    expect(() => compile(dense, { ...options, limits: { maxUnrolledTerms: 126 } })).not.toThrow();
    expect(() =>
      compile(dense, { ...options, sensitivities: ['y0', 'params'], limits: { maxUnrolledTerms: 167 } }),
    ).toThrow(/up to 168 second derivatives/);
  });
});

describe("second-order sensitivities: the layout 'auto' chooses", () => {
  it(`column loops from COLUMNS_FROM_STATES (${COLUMNS_FROM_STATES}) states on, as at first order; 'unrolled' stays available`, () => {
    const below = lorenz96(COLUMNS_FROM_STATES - 1);
    const at = lorenz96(COLUMNS_FROM_STATES);
    expect(compile(below, { order: 2 }).source).not.toContain(COLUMN_LOOP);
    expect(compile(at, { order: 2 }).source).toContain(COLUMN_LOOP);
    expect(compile(at, { order: 2, layout: 'unrolled' }).source).not.toContain(COLUMN_LOOP);
    expect(compile(below, { order: 2, layout: 'columns' }).source).toContain(COLUMN_LOOP);
  });
});
