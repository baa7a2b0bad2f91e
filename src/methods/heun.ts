import type { ExplicitRungeKuttaMethod } from './types.ts';

/**
 * Heun's method (explicit trapezoidal rule): 2nd order, 2 stages.
 *
 * DESolver's "Heun's" tableau changed between versions (c_2 = 2/3 with b = [1/4, 3/4], which is Ralston's
 * method, and c_2 = 1 with b = [1/4, 3/4], which is only 1st order). We use the standard Heun tableau; it
 * reproduces the Heun values of DESolver's own test suite (x' = -sqrt(x/t), x(1) = 1, h = 0.1:
 * 0.9047733, 0.81824429).
 */
export const HEUN: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'Heun',
  aliases: [],
  description: "Heun's method (explicit trapezoidal rule), fixed step, 2nd order, 2 stages",
  source:
    'K. Heun, "Neue Methode zur approximativen Integration der Differentialgleichungen einer unabhangigen ' +
    'Veranderlichen", Z. Math. Phys. 45 (1900) 23-38; tableau from Wikipedia, "List of Runge-Kutta methods" ' +
    "(Heun's method).",
  order: 2,
  fsal: false,
  c: ['0', '1'],
  a: [[], ['1']],
  b: ['1/2', '1/2'],
};
