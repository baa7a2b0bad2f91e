import type { RosenbrockMethod } from '../implicit/types.ts';

const A51 = '1.221224509226641';
const A52 = '6.019134481288629';
const A53 = '12.53708332932087';
const A54 = '-0.687886036105895';

/**
 * Hairer and Wanner's RODAS (4th order, 6 stages, stiffly accurate, L-stable), in the transformed form.
 * y1 = (6th stage argument) + u6; the embedded 3rd-order solution is the 6th stage argument, so err = u6.
 * The coefficients are the 16-digit decimals Hairer's code prints (from the free parameters c2 = 0.386,
 * c3 = 0.21, c4 = 0.63, γ = 1/4 and others); order conditions hold to about 1e-15, not exactly.
 */
export const RODAS4: RosenbrockMethod = {
  family: 'rosenbrock',
  name: 'Rodas4',
  aliases: [],
  description: 'Rodas4: Rosenbrock 4(3), 6 stages, stiffly accurate, L-stable, adaptive',
  source:
    'E. Hairer and G. Wanner, "Solving Ordinary Differential Equations II", 2nd ed., Springer (1996), ' +
    "Sections IV.7 and VI.4 (code RODAS, coefficient set METH = 1). Coefficients as in Hairer's rodas.f " +
    '(subroutine ROCOE) and in OrdinaryDiffEq.jl (github.com/SciML/OrdinaryDiffEq.jl, ' +
    'lib/OrdinaryDiffEqRosenbrockTableaus/src/rosenbrock_tableaus.jl: RODAS4A, RODAS4C, RODAS4c, RODAS4d, ' +
    'gamma = 0.25; b = last row of A plus 1, btilde = e_6). d4 is the printed -0.03620000000000023 of rodas.f ' +
    "(KPP's Rodas4 and other copies agree; OrdinaryDiffEq.jl rounds it to -0.0362). Dense output: rodas.f's " +
    'D21..D25 and D31..D35 (ROCOE, METH = 1) with its CONTRO formula, the same numbers as RODAS4H in ' +
    'OrdinaryDiffEq.jl (lib/OrdinaryDiffEqRosenbrockTableaus/src/rosenbrock_tableaus.jl; interpolation in ' +
    'lib/OrdinaryDiffEqRosenbrock/src/rosenbrock_interpolants.jl, interp_order = 2).',
  order: 4,
  gamma: '1/4',
  a: [
    [],
    ['1.544'],
    ['0.9466785280815826', '0.2557011698983284'],
    ['3.314825187068521', '2.896124015972201', '0.9986419139977817'],
    [A51, A52, A53, A54],
    [A51, A52, A53, A54, '1'],
  ],
  C: [
    [],
    ['-5.6688'],
    ['-2.430093356833875', '-0.2063599157091915'],
    ['-0.1073529058151375', '-9.594562251023355', '-20.47028614809616'],
    ['7.496443313967647', '-10.24680431464352', '-33.99990352819905', '11.7089089320616'],
    ['8.083246795921522', '-7.981132988064893', '-31.52159432874371', '16.31930543123136', '-6.058818238834054'],
  ],
  c: ['0', '0.386', '0.21', '0.63', '1', '1'],
  d: ['0.25', '-0.1043', '0.1035', '-0.03620000000000023', '0', '0'],
  m: [A51, A52, A53, A54, '1', '1'],
  stifflyAccurate: true,
  stability: { kind: 'L' },
  errorEstimate: { order: 3, mHat: [A51, A52, A53, A54, '1', '0'] },
  // Hairer's continuous extension (rodas.f, subroutines ROCOE and CONTRO): k_j = Σ_i H_ji u_i (u_6 unused),
  // y(t0 + θh) ≈ (1 − θ) y0 + θ (y1 + (1 − θ)(k_1 + θ k_2)). A cubic, of order 3 (measured in
  // test/stiff/rosenbrock-dense.test.ts).
  dense: {
    H: [
      ['10.12623508344586', '-7.487995877610167', '-34.80091861555747', '-7.992771707568823', '1.025137723295662', '0'],
      ['-0.6762803392801253', '6.087714651680015', '16.43084320892478', '24.76722511418386', '-6.594389125716872', '0'],
    ],
    degree: 3,
    order: 3,
  },
};
