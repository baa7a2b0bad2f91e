import { type ImplicitRungeKuttaMethod, surd } from './types.ts';

/** Radau IA, 3 stages (order 5); coefficients in Q(√6). */
export const RADAU_IA5: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'RadauIA5',
  aliases: [],
  description: 'Radau IA, fixed-step 5th order, 3 stages, L-stable',
  source:
    'B. L. Ehle, Univ. Waterloo report CSRR 2010 (1969); E. Hairer and G. Wanner, "Solving Ordinary ' +
    'Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., Springer (1996), Section ' +
    'IV.5 (Radau IA, s = 3). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/implicit_integration_schemes.py, RadauIA5), there written with s = sqrt(6).',
  order: 5,
  stageOrder: 2,
  stifflyAccurate: false,
  stability: { kind: 'L', pade: [2, 3] },
  c: ['0', surd('3/5', '-1/10', 6), surd('3/5', '1/10', 6)],
  a: [
    ['1/9', surd('-1/18', '-1/18', 6), surd('-1/18', '1/18', 6)],
    ['1/9', surd('11/45', '7/360', 6), surd('11/45', '-43/360', 6)],
    ['1/9', surd('11/45', '43/360', 6), surd('11/45', '-7/360', 6)],
  ],
  b: ['1/9', surd('4/9', '1/36', 6), surd('4/9', '-1/36', 6)],
};
