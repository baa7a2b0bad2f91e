import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Lobatto IIIC, 2 stages. */
export const LOBATTO_IIIC2: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'LobattoIIIC2',
  aliases: [],
  description: 'Lobatto IIIC, fixed-step 2nd order, 2 stages, L-stable, stiffly accurate',
  source:
    'F. H. Chipman, "A-stable Runge-Kutta processes", BIT 11 (1971) 384-388; E. Hairer and G. Wanner, ' +
    '"Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., ' +
    'Springer (1996), Section IV.5 (Lobatto IIIC, s = 2). Tableau as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, LobattoIIIC2).',
  order: 2,
  stageOrder: 1,
  stifflyAccurate: true,
  stability: { kind: 'L', pade: [0, 2] },
  c: ['0', '1'],
  a: [
    ['1/2', '-1/2'],
    ['1/2', '1/2'],
  ],
  b: ['1/2', '1/2'],
};
