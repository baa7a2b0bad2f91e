import type { ExplicitRungeKuttaMethod } from './types.ts';

/** The forward Euler method (1st order, 1 stage). */
export const EULER: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'Euler',
  aliases: [],
  description: 'Forward Euler, fixed step, 1st order, 1 stage',
  source:
    'Wikipedia, "List of Runge-Kutta methods" (forward Euler); same tableau in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, EulerSolver).',
  order: 1,
  fsal: false,
  c: ['0'],
  a: [[]],
  b: ['1'],
};
