/**
 * Numerical faults of the generated driver (templates/ts/driver.ts): NaN or ±Infinity at t0, runs of
 * non-finite step attempts, fixed steps far from 0, steps too small to move t, and what a failed integration
 * keeps of its samples.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IntegrationError } from '../../src/errors.ts';
import { SEED_MODEL, SEED_PROBLEM } from '../../src/examples.ts';

interface Partial {
  t: number;
  y: Float64Array;
  stats: { steps: number; rejected: number; rhsEvals: number };
  dense?: { t: Float64Array; y: Float64Array; jacobian?: Float64Array };
}

function failed(f: () => unknown): IntegrationError & { partial: Partial } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IntegrationError);
    return e as IntegrationError & { partial: Partial };
  }
  throw new Error('expected an IntegrationError');
}

const oneState = (rhs: string, options: Parameters<typeof compile>[1] = {}) =>
  compile({ name: 'm', states: ['x'], rhs: { x: rhs } }, options);

describe('NaN or ±Infinity at t0 fails at once as non-finite', () => {
  it.each([
    ['log(x) at x = -1, adaptive', 'log(x)', {}, { y0: [-1] }, /dx\/dt = NaN/],
    [
      'log(x) at x = -1, RK4 with y0 sensitivities',
      'log(x)',
      { method: 'RK4', sensitivities: ['y0'] },
      { y0: [-1], dt: 0.1 },
      /dx\/dt = NaN/,
    ],
    ['0/0', '0/0', {}, { y0: [1] }, /dx\/dt = NaN/],
    ['x*1e3 at x = 1e308 (overflow)', 'x*1e3', {}, { y0: [1e308] }, /dx\/dt = Infinity/],
    // F(t0, y0) = 0 is finite; its derivative 1/(2√x), in Φ's equation, is not: the whole vector is checked.
    [
      'sqrt(x) at x = 0, in the sensitivities only',
      'sqrt(x)',
      { sensitivities: ['y0'] },
      { y0: [0] },
      /d\(∂x\/∂x\(t0\)\)\/dt = Infinity/,
    ],
  ] as const)('%s', (_, rhs, compileOptions, problem, component) => {
    const solver = oneState(rhs, compileOptions as Parameters<typeof compile>[1]);
    const e = failed(() => solver.solve({ t0: 0, t1: 1, ...problem }));
    expect(e.reason).toBe('non-finite');
    expect(e.t).toBe(0);
    expect(e.partial.t).toBe(0);
    // the one evaluation of F(t0, y0), no step
    expect(e.partial.stats).toEqual({ steps: 0, rejected: 0, rhsEvals: 1 });
    expect(e.message).toMatch(/^integration failed at t = 0: non-finite value at t = 0: /);
    expect(e.message).toMatch(component);
  });

  it('Lorenz-96 with N = 100 and a NaN from one state: at once, not after maxSteps rejections', () => {
    const n = 100;
    const states = Array.from({ length: n }, (_, i) => `x${i}`);
    const rhs = Object.fromEntries(
      states.map((s, i) => [s, `(x${(i + 1) % n} - x${(i + n - 2) % n})*x${(i + n - 1) % n} - x${i} + 8`]),
    );
    rhs.x42 = 'log(x42) - x42 + 8';
    const l96 = compile({ name: 'l96', states, rhs }, { sensitivities: [] });
    const y0 = states.map((_, i) => (i === 42 ? -1 : 8));
    const e = failed(() => l96.solve({ t0: 0, t1: 1, y0 }));
    expect(e.reason).toBe('non-finite');
    expect(e.partial.stats.rhsEvals).toBe(1);
    expect(e.message).toMatch(/dx42\/dt = NaN/);
  });

  it('an error scale of 0 (atol = 0 at y = 0) leaves the first step undefined: non-finite at t0, saying why', () => {
    const e = failed(() => oneState('1').solve({ t0: 0, t1: 1, y0: [0], atol: 0 }));
    expect(e.reason).toBe('non-finite');
    expect(e.t).toBe(0);
    // F(t0, y0) and the first step's trial evaluation
    expect(e.partial.stats.rhsEvals).toBe(2);
    expect(e.message).toMatch(/non-finite value at t = 0: the error scale atol \+ rtol·\|x\| is 0 .*give atol > 0/);
  });

  it('zero span: y0 is the answer, and F(t0, y0) is not needed', () => {
    const r = oneState('log(x)').solve({ t0: 3, t1: 3, y0: [-1] });
    expect(r.t).toBe(3);
    expect(Array.from(r.y)).toEqual([-1]);
  });
});

describe('a run of non-finite step attempts ends after a few cuts of the step', () => {
  it('F finite at t0 but NaN at every later time: non-finite at t0 after a bounded number of attempts', () => {
    // Before: about 540 quarterings of h (until it underflowed to 0 at t = 0), then 'non-finite'.
    const e = failed(() => oneState('sqrt(-t)').solve({ t0: 0, t1: 1, y0: [0] }));
    expect(e.reason).toBe('non-finite');
    expect(e.t).toBe(0);
    expect(e.partial.stats.steps).toBe(0);
    expect(e.partial.stats.rejected).toBeGreaterThan(1);
    expect(e.partial.stats.rejected).toBeLessThanOrEqual(30);
    expect(e.message).toMatch(/^integration failed at t = 0: non-finite value at t = 0 \+ h for every step h tried/);
    expect(e.message).not.toMatch(/too small/);
  });

  it('a short run (a first step that overflows) is recovered from', () => {
    const cube = oneState('-x^3');
    const problem = { t0: 0, t1: 10, y0: [10], dt: 1 };
    // the same first step, taken as a fixed step, overflows…
    expect(failed(() => cube.solve({ ...problem, adaptive: false })).reason).toBe('non-finite');
    // …and the adaptive integration cuts it down and goes on: x(t) = 1/√(2t + 1/100)
    const r = cube.solve({ ...problem, rtol: 1e-10, atol: 1e-12 });
    expect(r.stats.rejected).toBeGreaterThan(0);
    expect(r.y[0]).toBeCloseTo(1 / Math.sqrt(20.01), 8);
  });
});

describe('fixed steps far from 0: y advances by the step t takes', () => {
  const clock = oneState('1', { method: 'RK4', sensitivities: [] });

  it.each([
    ['forward', 1.7e9, 1.7e9 + 0.5],
    ['backward', 1.7e9 + 0.5, 1.7e9],
  ])("x' = 1 with dt = 1e-6 at t = 1.7e9 (%s): x(t1) − x(t0) = t1 − t0", (_, t0, t1) => {
    // Before: 524,288 steps of 9.5e-7 in t (t + 1e-6 rounded) while y took steps of 1e-6: x = 0.5243, no error.
    const r = clock.solve({ t0, t1, y0: [0], dt: 1e-6 });
    expect(r.t).toBe(t1);
    expect(r.y[0]).toBeCloseTo(t1 - t0, 9);
    expect(r.stats.steps).toBe(500_000);
  });

  it('fixed steps count from t0: t_k = t0 + k·dt exactly as rounded, no sliver of a step at the end', () => {
    const times: number[] = [];
    const r = clock.solve({ t0: 1000, t1: 1001, y0: [0], dt: 1e-3, onStep: (t) => times.push(t) });
    expect(r.stats.steps).toBe(1000);
    expect(times).toEqual(Array.from({ length: 1000 }, (_, k) => (k === 999 ? 1001 : 1000 + (k + 1) * 1e-3)));
    expect(r.y[0]).toBeCloseTo(1, 12);
  });

  it('a dt below the rounding resolution of t is a step-size-underflow at once', () => {
    // at 1e17 consecutive doubles are 16 apart: t + 1 === t. Before: 10^6 steps at a frozen t, then max-steps.
    const e = failed(() => clock.solve({ t0: 1e17, t1: 1e17 + 1024, y0: [0], dt: 1 }));
    expect(e.reason).toBe('step-size-underflow');
    expect(e.t).toBe(1e17);
    expect(e.partial.stats.steps).toBe(0);
    expect(e.message).toMatch(/dt = 1 too small to move t = 100000000000000000/);
  });
});

describe('adaptive steps that cannot move t end the integration', () => {
  it("x' = x² near its blow-up at t = 1: every accepted step moves t, then step-size-underflow", () => {
    // Before: thousands of accepted steps at one frozen t, y growing on each (to 1e102), then 'non-finite'.
    const blowup = oneState('x^2');
    const times: number[] = [];
    const e = failed(() =>
      blowup.solve({ t0: 0, t1: 2, y0: [1], rtol: 1e-8, atol: 1e-8, onStep: (t) => times.push(t) }),
    );
    expect(['step-size-underflow', 'non-finite']).toContain(e.reason);
    expect(Math.abs(e.t - 1)).toBeLessThan(1e-6);
    expect(times.length).toBe(e.partial.stats.steps);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
  });
});

describe('a failed integration keeps what it computed', () => {
  const seed = compile(SEED_MODEL, { sensitivities: ['y0'] });
  const tEval = Array.from({ length: 101 }, (_, i) => (i * SEED_PROBLEM.t1) / 100);
  const problem = { ...SEED_PROBLEM, tEval, maxSteps: 100 };

  it('partial.dense holds the samples before the failure, as a full solve computes them', () => {
    const e = failed(() => seed.solve(problem));
    expect(e.reason).toBe('max-steps');
    const dense = e.partial.dense!;
    const before = tEval.filter((t) => t <= e.t).length;
    expect(before).toBeGreaterThan(1);
    expect(Array.from(dense.t)).toEqual(tEval.slice(0, before));
    expect(dense.y).toHaveLength(before * 2);
    expect(dense.jacobian).toHaveLength(before * 4);
    // the same steps, so the same bits, as the solve that was allowed to finish
    const full = seed.solve({ ...problem, maxSteps: undefined });
    expect(Array.from(dense.y)).toEqual(Array.from(full.dense!.y.subarray(0, before * 2)));
    expect(Array.from(dense.jacobian!)).toEqual(Array.from(full.dense!.jacobian!.subarray(0, before * 4)));
  });

  it('samples streamed to onSample before the failure stay delivered; partial has no dense', () => {
    const streamed: number[] = [];
    const e = failed(() => seed.solve({ ...problem, onSample: (t) => streamed.push(t) }));
    expect(streamed).toEqual(tEval.filter((t) => t <= e.t));
    expect(e.partial.dense).toBeUndefined();
  });

  it('a failure at t0 has an empty dense', () => {
    const e = failed(() => oneState('log(x)').solve({ t0: 0, t1: 1, y0: [-1], tEval: [0, 0.5, 1] }));
    expect(e.partial.dense!.t).toHaveLength(0);
    expect(e.partial.dense!.y).toHaveLength(0);
  });
});
