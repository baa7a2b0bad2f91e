import type { ImplicitRungeKuttaMethod } from './types.ts';

/**
 * Lobatto IIIC, 3 stages (order 4), with DESolver's embedded weights b̂ = (−1/2, 2, −1/2) of order 2
 * (err = h Σ (b_j − b̂_j) k_j; the pair is 4(2)).
 */
export const LOBATTO_IIIC4: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'LobattoIIIC4',
  aliases: [],
  description: 'Lobatto IIIC, adaptive 4th order with a 2nd-order embedded estimate, 3 stages, L-stable',
  source:
    'F. H. Chipman, BIT 11 (1971) 384-388; E. Hairer and G. Wanner, "Solving Ordinary Differential Equations ' +
    'II: Stiff and Differential-Algebraic Problems", 2nd ed., Springer (1996), Section IV.5 (Lobatto IIIC, s ' +
    '= 3). Tableau and the embedded weights b̂ as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, LobattoIIIC4: second row of tableau_final).',
  order: 4,
  stageOrder: 2,
  stifflyAccurate: true,
  stability: { kind: 'L', pade: [1, 3] },
  c: ['0', '1/2', '1'],
  a: [
    ['1/6', '-1/3', '1/6'],
    ['1/6', '5/12', '-1/12'],
    ['1/6', '2/3', '1/6'],
  ],
  b: ['1/6', '2/3', '1/6'],
  errorEstimate: { kind: 'embedded', order: 2, bHat: ['-1/2', '2', '-1/2'] },
};
