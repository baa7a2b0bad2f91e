import type { ExplicitRungeKuttaMethod } from './types.ts';

/** The classical 4th-order Runge–Kutta method. */
export const RK4: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'RK4',
  aliases: [],
  description: 'Classical fixed-step 4th-order Runge–Kutta, 4 stages',
  source:
    'W. Kutta, "Beitrag zur naherungsweisen Integration totaler Differentialgleichungen", Z. Math. Phys. 46 ' +
    '(1901) 435-453; tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/explicit_integration_schemes.py, RK4Solver) and Wikipedia, "List of Runge-Kutta ' +
    'methods" (classic fourth-order method).',
  order: 4,
  fsal: false,
  c: ['0', '1/2', '1/2', '1'],
  a: [[], ['1/2'], ['0', '1/2'], ['0', '0', '1']],
  b: ['1/6', '1/3', '1/3', '1/6'],
};
