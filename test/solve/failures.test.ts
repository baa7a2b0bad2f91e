import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IntegrationError, ModelError, OdeforgeError, OptionError } from '../../src/errors.ts';
import { SEED_MODEL, SEED_PROBLEM } from '../../src/examples.ts';

const seed = compile(SEED_MODEL, { sensitivities: ['y0', 'params'] });

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('failed integrations raise IntegrationError with t, reason and the partial result', () => {
  it('maxSteps reached', () => {
    const e = thrown(() => seed.solve({ ...SEED_PROBLEM, maxSteps: 100 })) as IntegrationError;
    expect(e).toBeInstanceOf(IntegrationError);
    expect(e).toBeInstanceOf(OdeforgeError);
    expect(e.reason).toBe('max-steps');
    expect(e.t).toBeGreaterThan(0);
    expect(e.t).toBeLessThan(SEED_PROBLEM.t1);
    expect(e.message).toMatch(/at t = .*maxSteps = 100/);
    const partial = e.partial as { t: number; y: Float64Array; jacobian: Float64Array; stats: { steps: number } };
    expect(partial.t).toBe(e.t);
    expect(partial.y).toHaveLength(2);
    expect(partial.jacobian).toHaveLength(4);
    expect(partial.stats.steps).toBeGreaterThan(0);
  });

  it("blow-up in finite time: x' = x², x(0) = 1 stops near t = 1", () => {
    const blowup = compile({ name: 'blowup', states: ['x'], rhs: { x: 'x^2' } });
    const e = thrown(() => blowup.solve({ t0: 0, t1: 2, y0: [1], rtol: 1e-8, atol: 1e-8 })) as IntegrationError;
    expect(e).toBeInstanceOf(IntegrationError);
    expect(['step-size-underflow', 'non-finite']).toContain(e.reason);
    expect(Math.abs(e.t - 1)).toBeLessThan(1e-3);
  });

  it('a non-finite value with fixed steps', () => {
    const blowup = compile({ name: 'blowup', states: ['x'], rhs: { x: 'x^2' } }, { method: 'RK4' });
    const e = thrown(() => blowup.solve({ t0: 0, t1: 2, y0: [1], dt: 0.25 })) as IntegrationError;
    expect(e.reason).toBe('non-finite');
    // where it stopped (the last good point), then where the value went non-finite
    expect(e.message).toMatch(
      /^integration failed at t = (.+): non-finite value at t = .+: the solution became non-finite on the step from t = \1$/,
    );
    expect(e.t).toBeGreaterThan(0);
    expect(e.t).toBeLessThan(2);
  });
});

describe('bad options raise OptionError naming the option', () => {
  it.each([
    ['y0', { y0: [1, 2, 3] }, /y0: expected 2 values \(x, v\), got 3/],
    ['y0[1]', { y0: [1, Number.NaN] }, /y0\[1\]: must be a finite number/],
    ['params', { params: { q: 1 } }, /params: unknown parameter 'q' \(known: k\)/],
    ['params.k', { params: { k: Number.POSITIVE_INFINITY } }, /params\.k: must be a finite number/],
    ['rtol', { rtol: -1 }, /rtol: must be non-negative/],
    ['t1', { t1: Number.NaN }, /t1: must be a finite number/],
    ['tEval[1]', { tEval: [1, 10] }, /tEval\[1\]: 10 is outside/],
    ['errorControl', { errorControl: 'some' }, /errorControl/],
  ])('%s', (option, override, message) => {
    const e = thrown(() => seed.solve({ ...SEED_PROBLEM, ...(override as object) })) as OptionError;
    expect(e).toBeInstanceOf(OptionError);
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('a fixed-step method needs dt', () => {
    const rk4 = compile(SEED_MODEL, { method: 'RK4' });
    expect(thrown(() => rk4.solve({ t0: 0, t1: 1, y0: [1, 1] }))).toBeInstanceOf(OptionError);
  });

  it('compile rejects unknown methods and sensitivities', () => {
    expect(thrown(() => compile(SEED_MODEL, { method: 'RK99' }))).toBeInstanceOf(OptionError);
    expect(thrown(() => compile(SEED_MODEL, { sensitivities: ['x0' as 'y0'] }))).toBeInstanceOf(OptionError);
  });

  it('compile rejects something that is not a model object with a ModelError', () => {
    for (const bad of [null, 42, 'seed', [1, 2]])
      expect(thrown(() => compile(bad as never))).toBeInstanceOf(ModelError);
  });

  it('compile rejects a bad model with a ModelError before generating anything', () => {
    const e = thrown(() => compile({ name: 'm', states: ['x'], rhs: { x: 'foo(x)' } })) as ModelError;
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toBe(`model 'm', rhs of 'x': unknown function 'foo' at character 1 in "foo(x)"`);
  });
});

describe('error control', () => {
  it("covers the state only by default; errorControl: 'all' includes the sensitivities", () => {
    const stateOnly = seed.solve({ ...SEED_PROBLEM, rtol: 1e-8, atol: 1e-8 });
    const all = seed.solve({ ...SEED_PROBLEM, rtol: 1e-8, atol: 1e-8, errorControl: 'all' });
    // dy/dk grows to ~3 while the state stays ~1.7, so controlling it too needs more steps.
    expect(all.stats.steps).toBeGreaterThan(stateOnly.stats.steps);
  });

  it('takes fixed steps when asked, even with an adaptive method', () => {
    const r = seed.solve({ ...SEED_PROBLEM, adaptive: false, dt: SEED_PROBLEM.t1 / 1000 });
    expect(r.stats.steps).toBe(1000);
    expect(r.stats.rejected).toBe(0);
    expect(r.t).toBe(SEED_PROBLEM.t1);
  });
});

describe('resource bounds: oversized models fail fast with a clear message', () => {
  it('too many states', () => {
    const states = Array.from({ length: 11 }, (_, i) => `x${i}`);
    const model = { name: 'big', states, rhs: Object.fromEntries(states.map((s) => [s, '-1'])) };
    expect(() => compile(model, { limits: { maxStates: 10 } })).toThrow(/11 states exceed the limit of 10/);
  });

  it('too many parameters', () => {
    const params = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i}`, 1]));
    expect(() => compile({ name: 'm', states: ['x'], params, rhs: { x: '-x' } }, { limits: { maxParams: 4 } })).toThrow(
      /5 parameters exceed the limit of 4/,
    );
  });

  it('an expression longer than the limit is refused before it is parsed', () => {
    const rhs = { x: Array.from({ length: 2000 }, () => 'x').join(' + ') };
    expect(() => compile({ name: 'm', states: ['x'], rhs }, { limits: { maxExpressionLength: 1000 } })).toThrow(
      /7997 characters, more than the limit of 1000/,
    );
  });
});
