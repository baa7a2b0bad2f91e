import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Lobatto IIIA, 2 stages (the same tableau as Crank–Nicolson). */
export const LOBATTO_IIIA2: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'LobattoIIIA2',
  aliases: [],
  description: 'Lobatto IIIA, fixed-step 2nd order, 2 stages, A-stable, stiffly accurate',
  source:
    'B. L. Ehle, "On Padé approximations to the exponential function and A-stable methods for the numerical ' +
    'solution of initial value problems", Univ. Waterloo report CSRR 2010 (1969); E. Hairer and G. Wanner, ' +
    '"Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., ' +
    'Springer (1996), Section IV.5 (Lobatto IIIA, s = 2). Tableau as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, LobattoIIIA2).',
  order: 2,
  stageOrder: 2,
  stifflyAccurate: true,
  stability: { kind: 'A', pade: [1, 1] },
  c: ['0', '1'],
  a: [
    ['0', '0'],
    ['1/2', '1/2'],
  ],
  b: ['1/2', '1/2'],
};
