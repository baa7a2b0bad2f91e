/** compile() and generate() check every option: type, range, and that the key exists at all. */
import { describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';
import { ModelError, OptionError } from '../../src/errors.ts';
import { buildModel, isModel } from '../../src/model/model.ts';

const SEED = { name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: { x: 'v', v: '-k*x' } };

function refusal(f: () => unknown): OptionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error('expected an OptionError');
}

describe('compile and generate options', () => {
  it.each<[Record<string, unknown>, string, RegExp]>([
    [{ sensitivity: ['y0'] }, 'sensitivity', /did you mean 'sensitivities'\?/],
    [{ metod: 'RK4' }, 'metod', /did you mean 'method'\?/],
    [{ rtol: 1e-8 }, 'rtol', /unknown option \(known: method, sensitivities/],
    [{ layout: 'rows' }, 'layout', /expected 'auto', 'unrolled' or 'columns'/],
    [{ wasm: 'yes' }, 'wasm', /expected 'auto', true or false/],
    [{ command: 42 }, 'command', /expected a string/],
    [{ limits: { maxStates: 0 } }, 'limits.maxStates', /positive integer/],
    [{ limits: { maxStates: '10' } }, 'limits.maxStates', /positive integer/],
    [{ limits: { maxState: 10 } }, 'limits.maxState', /did you mean 'maxStates'/],
    [{ limits: 5 }, 'limits', /expected an object/],
    [{ method: 5 }, 'method', /expected a method name or a tableau/],
    [{ method: 'RK45C' }, 'method', /did you mean 'RK45CK'\?/],
    [{ sensitivities: 'y0' }, 'sensitivities', /expected an array/],
  ])('compile %j → %s', (options, option, message) => {
    const e = refusal(() => compile(SEED, options as never));
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('generate knows target and precision; compile does not', () => {
    expect(refusal(() => generate(SEED, { targt: 'cuda' } as never)).message).toMatch(/did you mean 'target'/);
    expect(refusal(() => compile(SEED, { target: 'cuda' } as never)).option).toBe('target');
    expect(generate(SEED, { target: 'cuda', precision: 'f32' })).toMatch(/typedef float real/);
  });

  it('options that are not an object', () => {
    for (const bad of [5, 'RK4', [1], null]) expect(refusal(() => compile(SEED, bad as never)).option).toBe('options');
  });

  it('keys set to undefined count as absent', () => {
    expect(() => compile(SEED, { method: undefined, limits: { maxStates: undefined } })).not.toThrow();
  });

  it('a long unknown method name is quoted as an excerpt', () => {
    const e = refusal(() => compile(SEED, { method: 'x'.repeat(100_000) }));
    expect(e.message.length).toBeLessThan(600);
    expect(e.message).toMatch(/\(100000 characters\)/);
  });
});

describe('only buildModel makes a Model', () => {
  it('a built model is recognised, frozen, and compiled as it is', () => {
    const m = buildModel(SEED);
    expect(isModel(m)).toBe(true);
    expect(Object.isFrozen(m) && Object.isFrozen(m.paramDefaults) && Object.isFrozen(m.rhs)).toBe(true);
    expect(compile(m).info.model).toBe('seed');
  });

  it('a copy of a built model, or any object shaped like one, is not a Model', () => {
    const m = buildModel(SEED);
    expect(isModel({ ...m })).toBe(false);
    expect(isModel(Object.create(m))).toBe(false);
    expect(() => compile({ ...m } as never)).toThrow(ModelError);
    expect(() => compile({ ...m } as never)).toThrow(/unknown field 'time'|unknown field 'builder'|states/);
  });
});
