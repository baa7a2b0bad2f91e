import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Backward (implicit) Euler: the 1-stage Radau IIA method. */
export const BACKWARD_EULER: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'BackwardEuler',
  aliases: [],
  description: 'Backward Euler, fixed-step 1st order, 1 stage (Radau IIA, s = 1), L-stable, stiffly accurate',
  source:
    'E. Hairer and G. Wanner, "Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic ' +
    'Problems", 2nd ed., Springer (1996), Section IV.3 (implicit Euler) and Section IV.5 (it is the 1-stage ' +
    'Radau IIA method). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, BackwardEuler).',
  order: 1,
  stageOrder: 1,
  stifflyAccurate: true,
  stability: { kind: 'L', pade: [0, 1] },
  c: ['1'],
  a: [['1']],
  b: ['1'],
};
