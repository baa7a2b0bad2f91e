/**
 * `compile(…, { threads })` (src/threads/columns.ts): a solve split by the columns of Φ and S across worker
 * threads must give the single-threaded solver's results bit for bit — the slices take the same steps because
 * the steps depend on the state alone. Checked through compile, and through splitSolve with a `whole` that
 * fails, so that the split path itself (not the single-threaded fallback) is what gives the result. Plus the
 * solves that do not split, failures, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { lorenz96, lorenz96Y0 } from '../../bench/models.ts';
import { evaluableModule } from '../../src/codegen/ts/evaluable.ts';
import { emitSolverModule } from '../../src/codegen/ts/module.ts';
import { compile, generate } from '../../src/compile.ts';
import { IntegrationError, OptionError } from '../../src/errors.ts';
import { findMethod } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import type { SolveOptions, SolveResult } from '../../src/runtime/types.ts';
import { columnSlices, splitRange, splitSolve } from '../../src/threads/columns.ts';
import { buildAugmentedSystem, type Sensitivity, sliceColumns } from '../../src/variational/system.ts';

/** A chain of 7 states with 5 parameters, so that S has columns to split too. */
const chain: ModelSpec = {
  name: 'chain',
  states: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  params: { k1: 0.7, k2: 1.3, k3: 0.4, k4: 2.1, k5: 0.9 },
  rhs: {
    a: '-k1*a + k5*g*b',
    b: 'k1*a - k2*b*b',
    c: 'k2*b*b - k3*sin(c)',
    d: 'k3*sin(c) - k4*d + 0.1*a',
    e: 'k4*d - k1*e*c',
    f: 'k1*e*c - k5*f',
    g: 'k5*f - k5*g*b + cos(a)',
  },
};
const chainY0 = [1, 0.5, 0.2, 0.1, 0.3, 0.4, 0.6];

function expectSameBits(a: SolveResult, b: SolveResult): void {
  expect(b.t).toBe(a.t);
  expect(Array.from(b.y)).toEqual(Array.from(a.y));
  expect(b.stats).toEqual(a.stats);
  // toEqual on arrays compares with Object.is per element: bit identity up to NaN payloads
  expect(b.jacobian === undefined ? undefined : Array.from(b.jacobian)).toEqual(
    a.jacobian === undefined ? undefined : Array.from(a.jacobian),
  );
  expect(b.paramJacobian === undefined ? undefined : Array.from(b.paramJacobian)).toEqual(
    a.paramJacobian === undefined ? undefined : Array.from(a.paramJacobian),
  );
}

describe('the column ranges', () => {
  it('split a count into consecutive ranges that differ by at most one', () => {
    expect(splitRange(7, 3)).toEqual([
      { from: 0, count: 3 },
      { from: 3, count: 2 },
      { from: 5, count: 2 },
    ]);
    expect(splitRange(0, 2)).toEqual([
      { from: 0, count: 0 },
      { from: 0, count: 0 },
    ]);
    for (let count = 0; count < 30; count++) {
      for (let parts = 1; parts < 8; parts++) {
        const r = splitRange(count, parts);
        expect(r.reduce((s, x) => s + x.count, 0)).toBe(count);
        expect(Math.max(...r.map((x) => x.count)) - Math.min(...r.map((x) => x.count))).toBeLessThanOrEqual(1);
        for (let k = 1; k < r.length; k++) expect(r[k]!.from).toBe(r[k - 1]!.from + r[k - 1]!.count);
        expect(r[0]!.from).toBe(0);
      }
    }
  });
});

describe('compile with threads', () => {
  const cases: { name: string; spec: ModelSpec; y0: number[]; sensitivities: Sensitivity[]; threads: number }[] = [
    {
      name: 'Lorenz-96 N = 12, y0, 2 threads',
      spec: lorenz96(12),
      y0: lorenz96Y0(12),
      sensitivities: ['y0'],
      threads: 2,
    },
    {
      name: 'Lorenz-96 N = 13, y0, 3 threads',
      spec: lorenz96(13),
      y0: lorenz96Y0(13),
      sensitivities: ['y0'],
      threads: 3,
    },
    { name: 'chain, y0 + params, 2 threads', spec: chain, y0: chainY0, sensitivities: ['y0', 'params'], threads: 2 },
    { name: 'chain, params only, 4 threads', spec: chain, y0: chainY0, sensitivities: ['params'], threads: 4 },
  ];
  for (const c of cases) {
    it(`${c.name}: the same bits as one thread, for every explicit method tried`, () => {
      for (const method of ['RK45CK', 'Dormand-Prince', 'RK4']) {
        const one = compile(c.spec, { sensitivities: c.sensitivities, method });
        const many = compile(c.spec, { sensitivities: c.sensitivities, method, threads: c.threads });
        const o: SolveOptions = { t0: 0, t1: 0.6, y0: c.y0, rtol: 1e-9, atol: 1e-9, dt: 0.01 };
        expectSameBits(one.solve(o), many.solve(o));
        // and again (the workers are reused), backward and with other parameters
        const back: SolveOptions = { ...o, t0: 0.4, t1: -0.3, params: { [Object.keys(c.spec.params ?? {})[0]!]: 1.1 } };
        expectSameBits(one.solve(back), many.solve(back));
      }
    });
  }

  it('solves that do not split (onStep, errorControl all) give the single-threaded results, and so do tEval samples', () => {
    const one = compile(chain, { sensitivities: ['y0', 'params'] });
    const many = compile(chain, { sensitivities: ['y0', 'params'], threads: 2 });
    const o: SolveOptions = { t0: 0, t1: 1, y0: chainY0, rtol: 1e-8, atol: 1e-8 };
    const tEval = [0.25, 0.5, 1];
    const a = one.solve({ ...o, tEval });
    const b = many.solve({ ...o, tEval });
    expectSameBits(a, b);
    expect(Array.from(b.dense!.jacobian!)).toEqual(Array.from(a.dense!.jacobian!));
    let steps = 0;
    expectSameBits(
      one.solve({ ...o, errorControl: 'all' }),
      many.solve({ ...o, errorControl: 'all', onStep: () => steps++ }),
    );
    expect(steps).toBeGreaterThan(0);
  });

  it('a failure is the single-threaded solver’s error', () => {
    const many = compile(lorenz96(12), { threads: 2 });
    const o: SolveOptions = { t0: 0, t1: 5, y0: lorenz96Y0(12), rtol: 1e-10, atol: 1e-10, maxSteps: 20 };
    expect(() => many.solve(o)).toThrow(IntegrationError);
    expect(() => many.solve({ ...o, y0: [1, 2] })).toThrow(OptionError);
    // a function under a misspelt key cannot be sent to a worker: the whole module's check names the key
    expect(() => many.solve({ ...o, onstep: () => {} } as SolveOptions)).toThrow(/onstep.*did you mean 'onStep'/);
    // and the solver still works afterwards
    expect(many.solve({ ...o, maxSteps: 100_000 }).jacobian).toHaveLength(144);
  });

  it('refuses what cannot be split, naming the option', () => {
    const bad = (options: Record<string, unknown>, spec: ModelSpec = lorenz96(12)) => {
      try {
        compile(spec, options);
      } catch (e) {
        expect(e).toBeInstanceOf(OptionError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    for (const threads of [0, 1.5, -2, 'two', 1000]) expect(bad({ threads })).toMatch(/threads/);
    expect(bad({ threads: 2, method: 'Rodas5P' })).toMatch(/threads.*Rodas5P/);
    expect(bad({ threads: 2, order: 2 })).toMatch(/threads.*order 2/);
    expect(bad({ threads: 2, sensitivities: [] })).toMatch(/threads.*no sensitivities/);
    expect(bad({ threads: 2 }, lorenz96(4))).toMatch(/threads.*layout is 'unrolled'/);
    expect(() => generate(lorenz96(12), { threads: 2 } as never)).toThrow(/threads.*unknown option/);
    // one thread is the plain solver, whatever the model
    expect(compile(lorenz96(4), { threads: 1 }).solve({ t0: 0, t1: 0.1, y0: lorenz96Y0(4) }).jacobian).toHaveLength(16);
  });
});

describe('splitSolve', () => {
  it('assembles the columns of the slices (with a whole-module fallback that would fail)', () => {
    const spec = chain;
    const model = buildModel(spec);
    const sens: Sensitivity[] = ['y0', 'params'];
    const method = findMethod('RK45CK');
    const system = buildAugmentedSystem(model, sens, 'columns');
    const modules = columnSlices(7, 5, 3).map((slice) => ({
      slice,
      js: evaluableModule(emitSolverModule(sliceColumns(system, slice), method)),
    }));
    const evaluate = (js: string) => {
      const m = { exports: {} as { solve(o: SolveOptions): SolveResult } };
      new Function('module', 'exports', js)(m, m.exports);
      return m.exports.solve;
    };
    const whole = () => {
      throw new Error('the whole module was asked');
    };
    const solve = splitSolve(
      whole,
      { slice: modules[0]!.slice, solve: evaluate(modules[0]!.js) },
      modules.slice(1),
      7,
      5,
    );
    const o: SolveOptions = { t0: 0, t1: 0.8, y0: chainY0, rtol: 1e-9, atol: 1e-9 };
    // (the slices here have no kernel: the reference's plain kernel gives the TypeScript step's bits)
    const reference = compile(spec, { sensitivities: sens, layout: 'columns', fma: false }).solve(o);
    expectSameBits(reference, solve(o));
    // tEval: each slice samples its own columns on the same steps
    const tEval = [0.1, 0.4, 0.8];
    const sampled = compile(spec, { sensitivities: sens, layout: 'columns', fma: false }).solve({ ...o, tEval });
    const split = solve({ ...o, tEval });
    expectSameBits(sampled, split);
    expect(Array.from(split.dense!.t)).toEqual(tEval);
    expect(Array.from(split.dense!.y)).toEqual(Array.from(sampled.dense!.y));
    expect(Array.from(split.dense!.jacobian!)).toEqual(Array.from(sampled.dense!.jacobian!));
    expect(Array.from(split.dense!.paramJacobian!)).toEqual(Array.from(sampled.dense!.paramJacobian!));
    // a slice's own result: n × (its columns), the columns of the whole
    const first = evaluate(modules[1]!.js)(o);
    const { phi, sens: s } = modules[1]!.slice;
    expect(first.jacobian).toHaveLength(7 * phi.count);
    expect(first.paramJacobian).toHaveLength(7 * s.count);
    for (let i = 0; i < 7; i++) {
      for (let c = 0; c < phi.count; c++)
        expect(first.jacobian![i * phi.count + c]).toBe(reference.jacobian![i * 7 + phi.from + c]);
    }
  });
});
