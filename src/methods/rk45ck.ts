import type { ExplicitRungeKuttaMethod } from './types.ts';

/**
 * Cash and Karp's embedded 5(4) pair, 6 stages. The 5th-order weights are propagated (local extrapolation),
 * the 4th-order ones only estimate the error, as in DESolver's RK45CKSolver.
 */
export const RK45CK: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'RK45CK',
  aliases: ['RK45'],
  description: 'Cash–Karp adaptive Runge–Kutta 5(4), 6 stages, 5th-order solution propagated',
  source:
    'J. R. Cash and A. H. Karp, "A variable order Runge-Kutta method for initial value problems with rapidly ' +
    'varying right-hand sides", ACM Trans. Math. Softw. 16(3) (1990) 201-222 (the 5(4) pair). Coefficients as ' +
    'in DESolver (github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, ' +
    'RK45CKSolver: first weight row 5th order, second row 4th order) and in the Cash-Karp tableau of ' +
    'Wikipedia, "List of Runge-Kutta methods".',
  order: 5,
  fsal: false,
  c: ['0', '1/5', '3/10', '3/5', '1', '7/8'],
  a: [
    [],
    ['1/5'],
    ['3/40', '9/40'],
    ['3/10', '-9/10', '6/5'],
    ['-11/54', '5/2', '-70/27', '35/27'],
    ['1631/55296', '175/512', '575/13824', '44275/110592', '253/4096'],
  ],
  b: ['37/378', '0', '250/621', '125/594', '0', '512/1771'],
  errorEstimate: {
    order: 4,
    bHat: ['2825/27648', '0', '18575/48384', '13525/55296', '277/14336', '1/4'],
  },
};
