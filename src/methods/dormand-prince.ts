import type { ExplicitRungeKuttaMethod } from './types.ts';

/**
 * Dormand and Prince's RK5(4)7M: the 5th-order weights are propagated, the 4th-order ones estimate the error.
 * The 7th stage is evaluated at (t + h, y_{n+1}) (a[6] = b, c[6] = 1), so it is the next step's first stage.
 */
export const DORMAND_PRINCE: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'Dormand-Prince',
  aliases: ['DOPRI45'],
  description: 'Dormand–Prince adaptive Runge–Kutta 5(4), 7 stages with FSAL, 5th-order solution propagated',
  source:
    'J. R. Dormand and P. J. Prince, "A family of embedded Runge-Kutta formulae", J. Comput. Appl. Math. 6(1) ' +
    '(1980) 19-26, RK5(4)7M. Coefficients as in SciPy (github.com/scipy/scipy, scipy/integrate/_ivp/rk.py, ' +
    'class RK45: C, A, B, and E = b̂ - b from which bHat = B + E), and in the Dormand-Prince tableau of ' +
    'Wikipedia, "List of Runge-Kutta methods".',
  order: 5,
  fsal: true,
  c: ['0', '1/5', '3/10', '4/5', '8/9', '1', '1'],
  a: [
    [],
    ['1/5'],
    ['3/40', '9/40'],
    ['44/45', '-56/15', '32/9'],
    ['19372/6561', '-25360/2187', '64448/6561', '-212/729'],
    ['9017/3168', '-355/33', '46732/5247', '49/176', '-5103/18656'],
    ['35/384', '0', '500/1113', '125/192', '-2187/6784', '11/84'],
  ],
  b: ['35/384', '0', '500/1113', '125/192', '-2187/6784', '11/84', '0'],
  errorEstimate: {
    order: 4,
    bHat: ['5179/57600', '0', '7571/16695', '393/640', '-92097/339200', '187/2100', '1/40'],
  },
};
