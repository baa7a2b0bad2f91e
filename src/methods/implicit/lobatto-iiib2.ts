import type { ImplicitRungeKuttaMethod } from './types.ts';

/**
 * Lobatto IIIB, 2 stages. Its nodes are not the row sums of A (c = (0, 1), A·1 = (1/2, 1/2)): Lobatto IIIB
 * satisfies only C(s − 2) = C(0). The order conditions for non-autonomous problems still hold to order 2.
 */
export const LOBATTO_IIIB2: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'LobattoIIIB2',
  aliases: [],
  description: 'Lobatto IIIB, fixed-step 2nd order, 2 stages, A-stable',
  source:
    'B. L. Ehle, Univ. Waterloo report CSRR 2010 (1969); E. Hairer and G. Wanner, "Solving Ordinary ' +
    'Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., Springer (1996), Section ' +
    'IV.5 (Lobatto IIIB, s = 2). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, LobattoIIIB2).',
  order: 2,
  stageOrder: 0,
  stifflyAccurate: false,
  stability: { kind: 'A', pade: [1, 1] },
  c: ['0', '1'],
  a: [
    ['1/2', '0'],
    ['1/2', '0'],
  ],
  b: ['1/2', '1/2'],
};
