/**
 * solve()'s options: every one checked for its type and range, every refusal an OptionError naming the
 * option, unknown keys refused with a suggestion; tEval read in place when its samples are streamed.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { OptionError } from '../../src/errors.ts';
import { SEED_MODEL, SEED_PROBLEM } from '../../src/examples.ts';

const seed = compile(SEED_MODEL, { sensitivities: ['y0', 'params'] });

function refusal(options: unknown): OptionError {
  try {
    seed.solve(options as never);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error('expected an OptionError');
}

describe('each option is checked for its type and range', () => {
  it.each([
    // before: ran adaptively ('no' is truthy)
    ['adaptive', { adaptive: 'no' }, /adaptive: expected true or false, got 'no'/],
    // before: coerced by Math.abs
    ['dt', { dt: '0.1' }, /dt: must be a finite number, got '0.1'/],
    ['dt', { dt: 0 }, /dt: must be positive/],
    ['dt', { dt: Number.POSITIVE_INFINITY }, /dt: must be a finite number/],
    // before: silently no samples
    ['tEval', { tEval: 5 }, /tEval: expected an array of times, got 5/],
    ['tEval', { tEval: '0.5' }, /tEval: expected an array of times, got '0.5'/],
    ['tEval[1]', { tEval: [0, Number.NaN] }, /tEval\[1\]: must be a finite number, got NaN/],
    ['tEval[1]', { tEval: [0, '1'] }, /tEval\[1\]: must be a finite number, got '1'/],
    ['tEval', { tEval: [1, 0.5] }, /tEval: times must be ordered in the direction of integration/],
    // before: TypeError
    ['params', { params: null }, /params: expected an object of parameter values by name, got null/],
    ['params', { params: [20] }, /params: expected an object .*, got an array/],
    ['params', { params: new Map([['k', 20]]) }, /params: expected an object .*, got a Map/],
    ['params.k', { params: { k: '20' } }, /params\.k: must be a finite number, got '20'/],
    // before: TypeError when called
    ['onStep', { onStep: 5 }, /onStep: expected a function, got 5/],
    ['onSample', { tEval: [1], onSample: {} }, /onSample: expected a function, got an object/],
    // before: never called
    ['onSample', { onSample: () => {} }, /onSample: receives the tEval samples, but no tEval was given/],
    // before: 0.5 ran one step
    ['maxSteps', { maxSteps: 0.5 }, /maxSteps: must be a positive integer, got 0.5/],
    ['maxSteps', { maxSteps: 0 }, /maxSteps: must be a positive integer, got 0/],
    ['maxSteps', { maxSteps: Number.POSITIVE_INFINITY }, /maxSteps: must be a positive integer, got Infinity/],
    ['maxSteps', { maxSteps: '100' }, /maxSteps: must be a positive integer, got '100'/],
    ['rtol', { rtol: '1e-6' }, /rtol: must be a finite number, got '1e-6'/],
    ['atol', { atol: -1e-9 }, /atol: must be non-negative/],
    ['t0', { t0: '0' }, /t0: must be a finite number, got '0'/],
    ['y0', { y0: 'ab' }, /y0: expected 2 numbers \(x, v\), got 'ab'/],
    ['y0', { y0: null }, /y0: expected 2 numbers/],
    ['y0[1]', { y0: [1, '1'] }, /y0\[1\]: must be a finite number, got '1'/],
    ['errorControl', { errorControl: 5 }, /errorControl: expected 'state' or 'all', got 5/],
    ['stiffness', { stiffness: 'never' }, /stiffness: expected 'error' or 'ignore', got 'never'/],
  ])('%s: %o', (option, override, message) => {
    const e = refusal({ ...SEED_PROBLEM, ...override });
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('the options themselves must be an object', () => {
    expect(refusal(null).option).toBe('options');
    expect(refusal(5).message).toMatch(/options: expected an object, got 5/);
  });
});

describe('unknown options are refused, with the nearest known one', () => {
  it.each([
    ['rtoll', 'rtol'],
    ['RTOL', 'rtol'],
    ['teval', 'tEval'],
    ['maxStep', 'maxSteps'],
    ['parmas', 'params'],
    ['ys', 'y0'],
    ['onstep', 'onStep'],
  ])('%s: did you mean %s?', (key, known) => {
    const e = refusal({ ...SEED_PROBLEM, [key]: 1e-6 });
    expect(e.option).toBe(key);
    expect(e.message).toBe(`${key}: unknown option, did you mean '${known}'?`);
  });

  it('a key like no option lists them all', () => {
    // (a compile option; `sensitivities` is now near solve's `timeSensitivities`, which is suggested for it)
    const e = refusal({ ...SEED_PROBLEM, layout: 'columns' });
    expect(e.option).toBe('layout');
    expect(e.message).toMatch(/^layout: unknown option \(known: t0, t1, y0, params, rtol, atol, dt, maxSteps, /);
  });

  it('is checked first: a misspelt dt is named, not the missing one', () => {
    const rk4 = compile(SEED_MODEL, { method: 'RK4' });
    expect(() => rk4.solve({ t0: 0, t1: 1, y0: [1, 1], dT: 0.1 } as never)).toThrow(
      /^dT: unknown option, did you mean 'dt'\?$/,
    );
  });
});

describe('what is accepted', () => {
  const reference = seed.solve({ ...SEED_PROBLEM, tEval: [0, 1, 2] });
  const same = (r: { y: Float64Array; dense?: { y: Float64Array } }) => {
    expect(Array.from(r.y)).toEqual(Array.from(reference.y));
    expect(Array.from(r.dense!.y)).toEqual(Array.from(reference.dense!.y));
  };

  it('known keys given as undefined are as if absent (the cpu ensemble passes them so)', () => {
    same(
      seed.solve({
        ...SEED_PROBLEM,
        tEval: [0, 1, 2],
        params: undefined,
        maxSteps: undefined,
        adaptive: undefined,
        errorControl: undefined,
        stiffness: undefined,
        onStep: undefined,
        onSample: undefined,
      }),
    );
  });

  it('typed arrays for y0 and tEval, parameters in an object without a prototype, a negative dt', () => {
    const params: Record<string, number> = Object.assign(Object.create(null), { k: 20 });
    same(
      seed.solve({
        ...SEED_PROBLEM,
        y0: Float64Array.from(SEED_PROBLEM.y0),
        tEval: Float64Array.of(0, 1, 2),
        params,
        dt: -SEED_PROBLEM.dt,
      }),
    );
  });
});

describe('tEval with onSample is streamed: read in place, in one checking pass and then as the solve goes', () => {
  it('reads each time once to check it, then in place as its sample falls due', () => {
    const times = Array.from({ length: 200 }, (_, i) => (i * SEED_PROBLEM.t1) / 199);
    const reads: number[] = [];
    const counted: ArrayLike<number> = new Proxy(times, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.push(Number(key));
        return Reflect.get(target, key, receiver);
      },
    });
    let readsAtFirstSample = -1;
    const streamed: number[] = [];
    seed.solve({
      ...SEED_PROBLEM,
      tEval: counted,
      onSample: (_, aug) => {
        if (readsAtFirstSample < 0) readsAtFirstSample = reads.length;
        streamed.push(aug[0]!);
      },
    });
    // one checking pass, in order (a copy would read them all here too, and never again)
    expect(reads.slice(0, times.length)).toEqual(times.map((_, i) => i));
    expect(readsAtFirstSample).toBeLessThanOrEqual(times.length + 2);
    // …then read in place during the integration
    expect(reads.length).toBeGreaterThan(2 * times.length);
    // the same samples as when they are kept
    const kept = seed.solve({ ...SEED_PROBLEM, tEval: times });
    expect(streamed).toEqual(Array.from({ length: times.length }, (_, i) => kept.dense!.y[2 * i]!));
  });
});
