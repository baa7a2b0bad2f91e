import type { ImplicitRungeKuttaMethod } from './types.ts';

/**
 * Radau IIA, 2 stages (order 3). DESolver's RadauIIA3 has a22 = 1/3 (tableau_intermediate[1][2]); the standard
 * value is 1/4 (then the row sums are the nodes and a_2j = b_j). DESolver's value breaks an order-2 condition.
 */
export const RADAU_IIA3: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'RadauIIA3',
  aliases: [],
  description: 'Radau IIA, fixed-step 3rd order, 2 stages, L-stable, stiffly accurate',
  source:
    'B. L. Ehle, Univ. Waterloo report CSRR 2010 (1969); standard tableau of E. Hairer and G. Wanner, ' +
    '"Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., ' +
    'Springer (1996), Section IV.5 (Radau IIA, s = 2), with a22 = 1/4. DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, RadauIIA3) has a22 ' +
    '= 1/3, a typo: it is not stiffly accurate and fails Σ b_i a_ij = 1/2; all other entries agree with it.',
  order: 3,
  stageOrder: 2,
  stifflyAccurate: true,
  stability: { kind: 'L', pade: [1, 2] },
  c: ['1/3', '1'],
  a: [
    ['5/12', '-1/12'],
    ['3/4', '1/4'],
  ],
  b: ['3/4', '1/4'],
};
