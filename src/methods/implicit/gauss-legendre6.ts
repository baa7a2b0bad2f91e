import { type ImplicitRungeKuttaMethod, surd } from './types.ts';

/** Gauss–Legendre, 3 stages (order 6); coefficients in Q(√15). */
export const GAUSS_LEGENDRE6: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'GaussLegendre6',
  aliases: [],
  description: 'Gauss–Legendre, fixed-step 6th order, 3 stages, A-stable, symplectic',
  source:
    'J. C. Butcher, "Implicit Runge-Kutta processes", Math. Comp. 18 (1964) 50-64; E. Hairer and G. Wanner, ' +
    '"Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., ' +
    'Springer (1996), Section IV.5 (Gauss methods, s = 3). Tableau as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, GaussLegendre6), ' +
    'there written with s = sqrt(15).',
  order: 6,
  stageOrder: 3,
  stifflyAccurate: false,
  stability: { kind: 'A', pade: [3, 3] },
  c: [surd('1/2', '-1/10', 15), '1/2', surd('1/2', '1/10', 15)],
  a: [
    ['5/36', surd('2/9', '-1/15', 15), surd('5/36', '-1/30', 15)],
    [surd('5/36', '1/24', 15), '2/9', surd('5/36', '-1/24', 15)],
    [surd('5/36', '1/30', 15), surd('2/9', '1/15', 15), '5/36'],
  ],
  b: ['5/18', '4/9', '5/18'],
};
