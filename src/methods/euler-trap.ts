import type { ExplicitRungeKuttaMethod } from './types.ts';

/**
 * DESolver's "Euler-Trapezoidal" (predictor-corrector Euler), written as the 4-stage explicit tableau
 * DESolver itself uses:
 *
 *   k1 = f(t, y)
 *   k2 = f(t + h, y + h k1)                  Euler predictor
 *   k3 = f(t + h, y + h (k1 + k2) / 2)       trapezoidal corrector, 1st pass
 *   k4 = f(t + h, y + h (k1 + k3) / 2)       trapezoidal corrector, 2nd pass
 *   y_{n+1} = y + h (k1 + k4) / 2            trapezoidal corrector, 3rd pass
 *
 * i.e. an Euler predictor followed by three fixed-point passes of the trapezoidal rule. It is 2nd order
 * (Σ b c² = 1/2 ≠ 1/3): one DESolver release declared order 3, later ones order 2.
 */
export const EULER_TRAP: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'Euler-Trap',
  aliases: [],
  description:
    'Predictor-corrector Euler (Euler predictor, three trapezoidal corrector passes), fixed step, 2nd order, 4 stages',
  source:
    'DESolver (github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, ' +
    'EulerTrapSolver, alt names "Euler-Trapezoidal", "Euler-Trap", "Predictor-Corrector Euler"): tableau rows ' +
    '[0 | ], [1 | 1], [1 | 1/2, 1/2], [1 | 1/2, 0, 1/2], weights [1/2, 0, 0, 1/2].',
  order: 2,
  fsal: false,
  c: ['0', '1', '1', '1'],
  a: [[], ['1'], ['1/2', '1/2'], ['1/2', '0', '1/2']],
  b: ['1/2', '0', '0', '1/2'],
};
