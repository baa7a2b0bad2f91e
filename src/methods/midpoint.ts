import type { ExplicitRungeKuttaMethod } from './types.ts';

/** The explicit midpoint method (2nd order, 2 stages). */
export const MIDPOINT: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'Midpoint',
  aliases: [],
  description: 'Explicit midpoint method, fixed step, 2nd order, 2 stages',
  source:
    'Wikipedia, "List of Runge-Kutta methods" (explicit midpoint method); same tableau in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, MidpointSolver).',
  order: 2,
  fsal: false,
  c: ['0', '1/2'],
  a: [[], ['1/2']],
  b: ['0', '1'],
};
