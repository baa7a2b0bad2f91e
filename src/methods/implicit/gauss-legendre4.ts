import { type ImplicitRungeKuttaMethod, surd } from './types.ts';

/** Gauss–Legendre, 2 stages (order 4); coefficients in Q(√3). */
export const GAUSS_LEGENDRE4: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'GaussLegendre4',
  aliases: [],
  description: 'Gauss–Legendre, fixed-step 4th order, 2 stages, A-stable, symplectic',
  source:
    'J. C. Butcher, "Implicit Runge-Kutta processes", Math. Comp. 18 (1964) 50-64; E. Hairer and G. Wanner, ' +
    '"Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic Problems", 2nd ed., ' +
    'Springer (1996), Section IV.5 (Gauss methods, s = 2). Tableau as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, GaussLegendre4), ' +
    'there written with s = sqrt(3).',
  order: 4,
  stageOrder: 2,
  stifflyAccurate: false,
  stability: { kind: 'A', pade: [2, 2] },
  c: [surd('1/2', '-1/6', 3), surd('1/2', '1/6', 3)],
  a: [
    ['1/4', surd('1/4', '-1/6', 3)],
    [surd('1/4', '1/6', 3), '1/4'],
  ],
  b: ['1/2', '1/2'],
};
