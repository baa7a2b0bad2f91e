import { type ImplicitRungeKuttaMethod, surd } from './types.ts';

/**
 * Radau IIA, 3 stages (order 5): the method of Hairer and Wanner's RADAU5. The error estimate is Hairer's
 * (see ImplicitErrorEstimate 'radau5'): e = (−(13 + 7√6)/3, (−13 + 7√6)/3, −1/3) and
 * γ0 = (6 + 81^(1/3) − 9^(1/3))/30 = 1/(3 + 3^(2/3) − 3^(1/3)), the real eigenvalue of A.
 */
export const RADAU_IIA5: ImplicitRungeKuttaMethod = {
  family: 'implicit-rk',
  name: 'RadauIIA5',
  aliases: [],
  description:
    "Radau IIA, adaptive 5th order with Hairer's 3rd-order error estimate, 3 stages, L-stable, stiffly accurate",
  source:
    'E. Hairer and G. Wanner, "Solving Ordinary Differential Equations II: Stiff and Differential-Algebraic ' +
    'Problems", 2nd ed., Springer (1996), Section IV.5 (Radau IIA, s = 3) and Section IV.8 (implementation of ' +
    'RADAU5, error estimation). Tableau as in DESolver (github.com/Microno95/desolver, ' +
    "desolver/integrators/implicit_integration_schemes.py, RadauIIA5); nodes also as C1, C2 in Hairer's " +
    'radau5.f (RADCOR) and C in SciPy (github.com/scipy/scipy, scipy/integrate/_ivp/radau.py). Error-estimate ' +
    'constants DD1..DD3 and U1 = (6 + 81^(1/3) - 9^(1/3))/30 from radau5.f (set in RADCOR, used in ESTRAD), ' +
    "the same as E and 1/MU_REAL in SciPy's radau.py. γ0 is given here to 60 digits (computed from the closed " +
    "form). DESolver's own embedded row (1 - 7√6/12, 1 + 7√6/12, -1) has order 2 only and is not used.",
  order: 5,
  stageOrder: 3,
  stifflyAccurate: true,
  stability: { kind: 'L', pade: [2, 3] },
  c: [surd('2/5', '-1/10', 6), surd('2/5', '1/10', 6), '1'],
  a: [
    [surd('11/45', '-7/360', 6), surd('37/225', '-169/1800', 6), surd('-2/225', '1/75', 6)],
    [surd('37/225', '169/1800', 6), surd('11/45', '7/360', 6), surd('-2/225', '-1/75', 6)],
    [surd('4/9', '-1/36', 6), surd('4/9', '1/36', 6), '1/9'],
  ],
  b: [surd('4/9', '-1/36', 6), surd('4/9', '1/36', 6), '1/9'],
  errorEstimate: {
    kind: 'radau5',
    order: 3,
    gamma0: '0.274888829595677367747828603599414779294593414004159654098055',
    stageWeights: [surd('-13/3', '-7/3', 6), surd('-13/3', '7/3', 6), '-1/3'],
  },
};
