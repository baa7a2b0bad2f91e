import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Lobatto IIIA, 3 stages (order 4). */
export const LOBATTO_IIIA4: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'LobattoIIIA4',
  aliases: [],
  description: 'Lobatto IIIA, fixed-step 4th order, 3 stages, A-stable, stiffly accurate',
  source:
    'B. L. Ehle, Univ. Waterloo report CSRR 2010 (1969); E. Hairer and G. Wanner, "Solving Ordinary ' +
    'Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., Springer (1996), Section ' +
    'IV.5 (Lobatto IIIA, s = 3). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, LobattoIIIA4).',
  order: 4,
  stageOrder: 3,
  stifflyAccurate: true,
  stability: { kind: 'A', pade: [2, 2] },
  c: ['0', '1/2', '1'],
  a: [
    ['0', '0', '0'],
    ['5/24', '1/3', '-1/24'],
    ['1/6', '2/3', '1/6'],
  ],
  b: ['1/6', '2/3', '1/6'],
};
