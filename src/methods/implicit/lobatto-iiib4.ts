import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Lobatto IIIB, 3 stages (order 4). */
export const LOBATTO_IIIB4: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'LobattoIIIB4',
  aliases: [],
  description: 'Lobatto IIIB, fixed-step 4th order, 3 stages, A-stable',
  source:
    'B. L. Ehle, Univ. Waterloo report CSRR 2010 (1969); E. Hairer and G. Wanner, "Solving Ordinary ' +
    'Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., Springer (1996), Section ' +
    'IV.5 (Lobatto IIIB, s = 3). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, LobattoIIIB4).',
  order: 4,
  stageOrder: 1,
  stifflyAccurate: false,
  stability: { kind: 'A', pade: [2, 2] },
  c: ['0', '1/2', '1'],
  a: [
    ['1/6', '-1/6', '0'],
    ['1/6', '1/3', '0'],
    ['1/6', '5/6', '0'],
  ],
  b: ['1/6', '2/3', '1/6'],
};
