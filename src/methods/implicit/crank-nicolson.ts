import type { ImplicitRungeKuttaMethod } from './types.ts';

/** Crank–Nicolson (the implicit trapezoidal rule), written as the 2-stage Lobatto IIIA tableau. */
export const CRANK_NICOLSON: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'CrankNicolson',
  aliases: [],
  description:
    'Crank–Nicolson / implicit trapezoidal rule, fixed-step 2nd order, 2 stages (the first explicit), A-stable',
  source:
    'J. Crank and P. Nicolson, Proc. Cambridge Philos. Soc. 43 (1947) 50-67; as a Runge–Kutta method it is ' +
    'Lobatto IIIA with s = 2 (E. Hairer and G. Wanner, "Solving Ordinary Differential Equations II: Stiff and ' +
    'Differential-Algebraic Problems", 2nd ed., Springer (1996), Section IV.5). Tableau as in DESolver ' +
    '(github.com/Microno95/desolver, desolver/integrators/implicit_integration_schemes.py, CrankNicolson).',
  order: 2,
  stageOrder: 2,
  stifflyAccurate: true,
  stability: { kind: 'A', pade: [1, 1] },
  c: ['0', '1'],
  a: [
    ['0', '0'],
    ['1/2', '1/2'],
  ],
  b: ['1/2', '1/2'],
};
