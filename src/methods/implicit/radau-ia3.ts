import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Radau IA, 2 stages (order 3). */
export const RADAU_IA3: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'RadauIA3',
  aliases: [],
  description: 'Radau IA, fixed-step 3rd order, 2 stages, L-stable',
  source:
    'B. L. Ehle, Univ. Waterloo report CSRR 2010 (1969); E. Hairer and G. Wanner, "Solving Ordinary ' +
    'Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., Springer (1996), Section ' +
    'IV.5 (Radau IA, s = 2). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, RadauIA3).',
  order: 3,
  stageOrder: 1,
  stifflyAccurate: false,
  stability: { kind: 'L', pade: [1, 2] },
  c: ['0', '2/3'],
  a: [
    ['1/4', '-1/4'],
    ['1/4', '5/12'],
  ],
  b: ['1/4', '3/4'],
};
