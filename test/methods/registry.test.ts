import { describe, expect, it } from 'vitest';
import { OdeforgeError, OptionError } from '../../src/errors.ts';
import { AUTO } from '../../src/methods/auto.ts';
import { BDF } from '../../src/methods/bdf/bdf.ts';
import { IMPLICIT_RK_METHODS } from '../../src/methods/implicit/index.ts';
import {
  AHE,
  ALL_METHODS,
  DORMAND_PRINCE,
  EULER,
  EULER_TRAP,
  findMethod,
  HEUN,
  MIDPOINT,
  methodNames,
  RALSTON,
  RK4,
  RK5,
  RK45CK,
  RK87,
  RK108,
  RK1412,
} from '../../src/methods/index.ts';
import { RODAS4, RODAS5P, ROS3P } from '../../src/methods/rosenbrock/index.ts';
import { SYMPLECTIC_METHODS } from '../../src/methods/symplectic/index.ts';

const EXPECTED: [name: string, aliases: string[], order: number, embeddedOrder: number | undefined][] = [
  ['RK1412', [], 14, 12],
  ['RK108', [], 10, 8],
  ['RK87', ['RK8713M'], 8, 7],
  ['RK45CK', ['RK45'], 5, 4],
  ['Dormand-Prince', ['DOPRI45'], 5, 4],
  ['AHE', [], 2, 1],
  ['RK5', [], 5, undefined],
  ['RK4', [], 4, undefined],
  ['Midpoint', [], 2, undefined],
  ['Heun', [], 2, undefined],
  ['Ralston', [], 2, undefined],
  ['Euler-Trap', [], 2, undefined],
  ['Euler', [], 1, undefined],
  // Rosenbrock (linearly implicit), for stiff problems
  ['Rodas5P', [], 5, 4],
  ['Rodas4', [], 4, 3],
  ['ROS3P', [], 3, 2],
  // fully implicit Runge–Kutta
  ['RadauIIA5', [], 5, 3],
  ['LobattoIIIC4', [], 4, 2],
  ['BackwardEuler', [], 1, undefined],
  ['ImplicitMidpoint', [], 2, undefined],
  ['CrankNicolson', [], 2, undefined],
  ['LobattoIIIA2', [], 2, undefined],
  ['LobattoIIIA4', [], 4, undefined],
  ['LobattoIIIB2', [], 2, undefined],
  ['LobattoIIIB4', [], 4, undefined],
  ['LobattoIIIC2', [], 2, undefined],
  ['RadauIA3', [], 3, undefined],
  ['RadauIA5', [], 5, undefined],
  ['RadauIIA3', [], 3, undefined],
  ['GaussLegendre4', [], 4, undefined],
  ['GaussLegendre6', [], 6, undefined],
  // variable order 1-5 (the estimate's order starts at 1)
  ['BDF', ['NDF'], 5, 1],
  // RK45CK (RK87 at tight tolerances) while not stiff, Rodas5P while stiff
  ['auto', [], 5, 4],
  // symplectic splitting methods, fixed step, for separable Hamiltonian systems (test/symplectic)
  ['SymplecticEuler', [], 1, undefined],
  ['BABs9o7H', [], 4, undefined],
  ['ABAs5o6H', [], 4, undefined],
];

describe('method registry', () => {
  it("lists DESolver's explicit methods, then the Rosenbrock and the implicit Runge–Kutta methods, with their declared orders", () => {
    expect(methodNames()).toEqual(EXPECTED.map(([name]) => name));
    for (const [name, aliases, order, embedded] of EXPECTED) {
      const m = findMethod(name);
      expect(m.name).toBe(name);
      expect([...m.aliases]).toEqual(aliases);
      expect(m.order).toBe(order);
      expect(m.errorEstimate?.order).toBe(embedded);
    }
  });

  it('exports every tableau constant, each listed once', () => {
    const constants = [
      RK1412,
      RK108,
      RK87,
      RK45CK,
      DORMAND_PRINCE,
      AHE,
      RK5,
      RK4,
      MIDPOINT,
      HEUN,
      RALSTON,
      EULER_TRAP,
      EULER,
      RODAS5P,
      RODAS4,
      ROS3P,
      ...IMPLICIT_RK_METHODS,
      BDF,
      AUTO,
      ...SYMPLECTIC_METHODS,
    ];
    expect(new Set(ALL_METHODS)).toEqual(new Set(constants));
    expect(ALL_METHODS).toHaveLength(constants.length);
  });

  it('finds methods by canonical name or alias, in any case', () => {
    expect(findMethod('RK45')).toBe(RK45CK);
    expect(findMethod('rk45ck')).toBe(RK45CK);
    expect(findMethod('dopri45')).toBe(DORMAND_PRINCE);
    expect(findMethod('DORMAND-PRINCE')).toBe(DORMAND_PRINCE);
    expect(findMethod('rk8713m')).toBe(RK87);
    expect(findMethod('Rk87')).toBe(RK87);
    expect(findMethod('euler-trap')).toBe(EULER_TRAP);
    expect(findMethod('EULER')).toBe(EULER);
    expect(findMethod('ahe')).toBe(AHE);
    expect(findMethod('ralston')).toBe(RALSTON);
  });

  it('has names and aliases that are unique across methods, ignoring case', () => {
    const seen = new Map<string, string>();
    for (const m of ALL_METHODS) {
      for (const n of [m.name, ...m.aliases]) {
        const key = n.toLowerCase();
        expect(seen.get(key), `${n} of ${m.name}`).toBeUndefined();
        seen.set(key, m.name);
      }
    }
  });

  it('rejects unknown names with an OptionError on "method" that lists the canonical names', () => {
    let error: unknown;
    try {
      findMethod('RK99');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionError);
    expect(error).toBeInstanceOf(OdeforgeError);
    const optionError = error as OptionError;
    expect(optionError.option).toBe('method');
    expect(optionError.message).toBe(`method: unknown method 'RK99'; known: ${methodNames().join(', ')}`);
    expect(() => findMethod('')).toThrow(OptionError);
    expect(() => findMethod('Heun-Euler')).toThrow(OptionError);
  });
});
