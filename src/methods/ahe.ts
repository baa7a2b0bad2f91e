import type { ExplicitRungeKuttaMethod } from './types.ts';

/**
 * Adaptive Heun–Euler 2(1): Heun's 2nd-order weights are propagated, Euler's 1st-order step (b̂ = [1, 0])
 * only estimates the error, as in DESolver's HeunEulerSolver ("AHE").
 */
export const AHE: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'AHE',
  aliases: [],
  description: 'Adaptive Heun–Euler 2(1), 2 stages, 2nd-order solution propagated',
  source:
    'Heun-Euler embedded pair, Wikipedia, "List of Runge-Kutta methods" (Heun-Euler); as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, HeunEulerSolver: ' +
    'weight rows [1/2, 1/2] and [1, 0]).',
  order: 2,
  fsal: false,
  c: ['0', '1'],
  a: [[], ['1']],
  b: ['1/2', '1/2'],
  errorEstimate: { order: 1, bHat: ['1', '0'] },
};
