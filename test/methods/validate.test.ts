/** A user's tableau is data: checked field by field, an OptionError naming the field for anything wrong. */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { OptionError } from '../../src/errors.ts';
import { ALL_METHODS, DORMAND_PRINCE, EXPLICIT_METHODS, RK4 } from '../../src/methods/index.ts';
import { numericTableau } from '../../src/methods/numeric.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';
import { validateMethod } from '../../src/methods/validate.ts';

const SEED = { name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: { x: 'v', v: '-k*x' } };

function refusal(value: unknown): OptionError {
  try {
    validateMethod(value, ALL_METHODS);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error('expected an OptionError');
}

describe('validateMethod', () => {
  it('every built-in tableau, as plain data (as from JSON), passes and gives the same doubles', () => {
    for (const m of EXPLICIT_METHODS) {
      const copy = validateMethod(JSON.parse(JSON.stringify(m)), ALL_METHODS);
      expect(copy).not.toBe(m);
      expect(Object.isFrozen(copy)).toBe(true);
      expect(numericTableau(copy as never)).toEqual(numericTableau(m as never));
    }
  });

  it('built-in method objects are trusted as they are', () => {
    expect(validateMethod(RK4, ALL_METHODS)).toBe(RK4);
  });

  it('accepts JSON numbers and a full s×s A with zeros on and above the diagonal', () => {
    const m = validateMethod(
      {
        ...RK4,
        name: 'rk4-full',
        c: [0, 0.5, 0.5, 1],
        a: [
          [0, 0, 0, 0],
          [0.5, 0, 0, 0],
          [0, 0.5, 0, 0],
          [0, 0, 1, 0],
        ],
      },
      ALL_METHODS,
    );
    expect(numericTableau(m as never)).toEqual(numericTableau(RK4 as never));
    const solver = compile(SEED, { method: m, sensitivities: [] });
    const reference = compile(SEED, { method: 'RK4', sensitivities: [] });
    const options = { t0: 0, t1: 1, y0: [1, 1], dt: 0.01 };
    expect(solver.solve(options).y).toEqual(reference.solve(options).y);
  });

  it.each<[string, (m: Record<string, unknown>) => void, RegExp]>([
    ['method.order', (m) => (m.order = '5; globalThis.PWN = 1; //'), /integer from 1/],
    ['method.order', (m) => (m.order = 0), /integer from 1/],
    ['method.order', (m) => (m.order = 4.5), /integer from 1/],
    ['method.fsal', (m) => (m.fsal = 'false'), /true or false/],
    ['method.fsal', (m) => (m.fsal = true), /c\[s-1\] = 1, a\[s-1\] = b/],
    ['method.name', (m) => (m.name = 'x */ evil /*'), /letters, digits/],
    ['method.name', (m) => (m.name = "a$'b"), /letters, digits/],
    ['method.name', (m) => (m.name = 'a\nb'), /letters, digits/],
    ['method.family', (m) => (m.family = 'implicit'), /expected one of 'explicit-rk'/],
    ['method.c', (m) => (m.c = []), /1 to 100 stages/],
    ['method.a', (m) => (m.a = [[]]), /expected 4 rows/],
    ['method.a[2]', (m) => (m.a = [[], ['1/2'], ['0'], ['0', '0', '1']]), /expected 2 coefficients/],
    ['method.a[1][1]', (m) => (m.a = [[], ['1/2', '1', '0', '0'], ['0', '1/2'], ['0', '0', '1']]), /must be 0/],
    ['method.b', (m) => (m.b = ['1']), /expected 4 coefficients/],
    ['method.b[0]', (m) => (m.b = [Number.NaN, '1/3', '1/3', '1/6']), /finite number/],
    ['method.b[0]', (m) => (m.b = ['1/0', '1/3', '1/3', '1/6']), /neither an integer/],
    ['method.b[0]', (m) => (m.b = ['1e999999999', '1/3', '1/3', '1/6']), /exponent/],
    ['method.b[0]', (m) => (m.b = ['1e400', '1/3', '1/3', '1/6']), /not a finite double/],
    ['method.b[0]', (m) => (m.b = [{ toString: () => '1/6' }, '1/3', '1/3', '1/6']), /a number or a string/],
    ['method.c[3]', (m) => (m.c = ['0', '1/2', '1/2', 'one']), /neither an integer/],
    ['method.errorEstimate.order', (m) => (m.errorEstimate = { order: -1, bHat: ['0', '0', '0', '1'] }), /integer/],
    ['method.errorEstimate', (m) => (m.errorEstimate = { order: 3 }), /exactly one of bHat and errorWeights/],
    ['method.errorEstimate.bHat', (m) => (m.errorEstimate = { order: 3, bHat: ['1'] }), /expected 4/],
    ['method.description', (m) => (m.description = 'a\u2028b'), /control characters/],
    ['method.rtol', (m) => (m.rtol = 1), /unknown option \(known:/],
    ['method.fsall', (m) => (m.fsall = 1), /did you mean 'fsal'/],
  ])('%s', (option, change, message) => {
    const m = { ...RK4, name: 'mine' } as unknown as Record<string, unknown>;
    change(m);
    const e = refusal(m);
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('FSAL consistency is checked exactly (Dormand–Prince passes; a changed last row does not)', () => {
    expect(() => validateMethod({ ...DORMAND_PRINCE, name: 'dp' }, ALL_METHODS)).not.toThrow();
    const a = DORMAND_PRINCE.a.map((r) => [...r]);
    a[6]![0] = '35/385';
    expect(refusal({ ...DORMAND_PRINCE, name: 'dp', a }).option).toBe('method.fsal');
  });

  it('reads each field once: a getter cannot change a value after the check', () => {
    let reads = 0;
    const m = { ...RK4, name: 'mine' } as Record<string, unknown>;
    Object.defineProperty(m, 'order', {
      enumerable: true,
      get: () => (reads++ === 0 ? 4 : '4; globalThis.PWN = 1'),
    });
    const checked = validateMethod(m, ALL_METHODS) as Method;
    expect(checked.order).toBe(4);
    expect(reads).toBe(1);
  });

  it('not an object', () => {
    for (const v of [null, 5, [RK4]]) expect(refusal(v).option).toBe('method');
  });
});
