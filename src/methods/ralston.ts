import type { ExplicitRungeKuttaMethod } from './types.ts';

/** Ralston's 2nd-order method (the 2-stage method with minimum error bound): c_2 = 2/3, b = [1/4, 3/4]. */
export const RALSTON: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'Ralston',
  aliases: [],
  description: "Ralston's method, fixed step, 2nd order, 2 stages",
  source:
    'A. Ralston, "Runge-Kutta methods with minimum error bounds", Math. Comp. 16 (1962) 431-437; tableau from ' +
    'Wikipedia, "List of Runge-Kutta methods" (Ralston\'s method). An older DESolver release ' +
    '(github.com/Microno95/desolver, explicit_integration_schemes.py) shipped this tableau as "Heun\'s".',
  order: 2,
  fsal: false,
  c: ['0', '2/3'],
  a: [[], ['2/3']],
  b: ['1/4', '3/4'],
};
