import type { ImplicitRungeKuttaMethod } from './types.ts';

/** The implicit midpoint rule: the 1-stage Gauss–Legendre method (symplectic, A-stable). */
export const IMPLICIT_MIDPOINT: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'ImplicitMidpoint',
  aliases: [],
  description: 'Implicit midpoint rule, fixed-step 2nd order, 1 stage (Gauss–Legendre, s = 1), A-stable, symplectic',
  source:
    'E. Hairer and G. Wanner, "Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic ' +
    'Problems", 2nd ed., Springer (1996), Section IV.5 (Gauss methods, s = 1). Tableau as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, ImplicitMidpoint).',
  order: 2,
  stageOrder: 1,
  stifflyAccurate: false,
  stability: { kind: 'A', pade: [1, 1] },
  c: ['1/2'],
  a: [['1/2']],
  b: ['1'],
};
