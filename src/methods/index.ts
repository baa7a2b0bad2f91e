/**
 * The method registry: every tableau odeforge knows, looked up by DESolver's names (case-insensitive).
 */
import { OptionError } from '../errors.ts';
import { closest, quoteValue } from '../options.ts';
import { AHE } from './ahe.ts';
import { AUTO } from './auto.ts';
import { BDF } from './bdf/bdf.ts';
import { DORMAND_PRINCE } from './dormand-prince.ts';
import { EULER } from './euler.ts';
import { EULER_TRAP } from './euler-trap.ts';
import { HEUN } from './heun.ts';
import { IMPLICIT_RK_METHODS } from './implicit/index.ts';
import { MIDPOINT } from './midpoint.ts';
import { RALSTON } from './ralston.ts';
import { RK4 } from './rk4.ts';
import { RK5 } from './rk5.ts';
import { RK45CK } from './rk45ck.ts';
import { RK87 } from './rk87.ts';
import { RK108 } from './rk108.ts';
import { RK1412 } from './rk1412.ts';
import { ROSENBROCK_METHODS } from './rosenbrock/index.ts';
import { SYMPLECTIC_METHODS } from './symplectic/index.ts';
import type { ExplicitRungeKuttaMethod, Method } from './types.ts';

export type { Coefficient, ErrorEstimate, ExplicitRungeKuttaMethod, Method } from './types.ts';
export { AHE, DORMAND_PRINCE, EULER, EULER_TRAP, HEUN, MIDPOINT, RALSTON, RK4, RK5, RK45CK, RK87, RK108, RK1412 };

/** The explicit Runge–Kutta methods, adaptive ones first, in DESolver's order. */
export const EXPLICIT_METHODS: readonly ExplicitRungeKuttaMethod[] = [
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
];

/**
 * Every method: the explicit ones; those for stiff problems (the Rosenbrock methods, linearly implicit, the fully
 * implicit Runge–Kutta methods and BDF); 'auto'; and the symplectic splitting methods, for separable Hamiltonian
 * systems.
 */
export const ALL_METHODS: readonly Method[] = [
  ...EXPLICIT_METHODS,
  ...ROSENBROCK_METHODS,
  ...IMPLICIT_RK_METHODS,
  BDF,
  AUTO,
  ...SYMPLECTIC_METHODS,
];

const BY_NAME: ReadonlyMap<string, Method> = (() => {
  const map = new Map<string, Method>();
  for (const method of ALL_METHODS) {
    for (const name of [method.name, ...method.aliases]) {
      const key = name.toLowerCase();
      const other = map.get(key);
      if (other !== undefined) {
        throw new Error(`method name '${name}' is used by both '${other.name}' and '${method.name}'`);
      }
      map.set(key, method);
    }
  }
  return map;
})();

/** Canonical method names, in the order of ALL_METHODS. */
export function methodNames(): string[] {
  return ALL_METHODS.map((m) => m.name);
}

/** The method called `name` (canonical name or alias, any case). Throws OptionError('method', …) otherwise. */
export function findMethod(name: string): Method {
  if (typeof name !== 'string') throw new OptionError('method', `expected a method name, got ${quoteValue(name)}`);
  const method = BY_NAME.get(name.trim().toLowerCase());
  if (method === undefined) {
    const near = closest(
      name.trim(),
      [...BY_NAME.values()].flatMap((m) => [m.name, ...m.aliases]),
    );
    const hint = near === undefined ? '' : `did you mean '${near}'? `;
    const shown = /^[\x20-\x26\x28-\x7e]{0,60}$/.test(name) ? `'${name}'` : quoteValue(name);
    throw new OptionError('method', `unknown method ${shown}; ${hint}known: ${methodNames().join(', ')}`);
  }
  return method;
}

/**
 * The method itself when it is an explicit Runge–Kutta method, for the targets that have only that family (the
 * CUDA and WGSL ensembles, the WebAssembly kernel); an OptionError naming the target otherwise.
 */
export function explicitMethod(method: Method, target: string): ExplicitRungeKuttaMethod {
  if (method.family === 'explicit-rk') return method;
  const kind =
    method.family === 'rosenbrock'
      ? 'a Rosenbrock'
      : method.family === 'bdf'
        ? 'a BDF'
        : method.family === 'auto'
          ? 'a switching'
          : method.family === 'symplectic'
            ? 'a symplectic splitting'
            : 'an implicit Runge–Kutta';
  throw new OptionError(
    'method',
    `${method.name} is ${kind} method; ${target} has explicit Runge–Kutta methods only (the TypeScript target has every method)`,
  );
}

/** findMethod, for the targets with explicit Runge–Kutta methods only. */
export function findExplicitMethod(name: string, target = 'this target'): ExplicitRungeKuttaMethod {
  return explicitMethod(findMethod(name), target);
}
