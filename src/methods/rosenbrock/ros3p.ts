import { type RosenbrockMethod, surd } from '../implicit/types.ts';

/**
 * Lang and Verwer's ROS3P (3rd order, 3 stages, A-stable, designed for parabolic problems), in the transformed
 * form; every coefficient is exact in Q(√3). The published classical form is γ = 1/2 + √3/6, α21 = α31 = 1,
 * α32 = 0, γ21 = −1, γ31 = −γ, γ32 = −(1/2 + √3/3), b = (2/3, 0, 1/3), b̂ = (1/3, 1/3, 1/3); here
 * 1/γ = 3 − √3, a = αΓ^{-1}, C = diag(1/γ) − Γ^{-1}, m = bΓ^{-1}, m̂ = b̂Γ^{-1} (see RosenbrockMethod).
 */
export const ROS3P: RosenbrockMethod = {
  family: 'rosenbrock',
  name: 'ROS3P',
  aliases: [],
  description:
    'ROS3P: Rosenbrock 3(2), 3 stages, A-stable, adaptive (its error estimate vanishes on linear problems with ' +
    'constant coefficients, where k1 = k2: use fixed steps there)',
  source:
    'J. Lang and J. Verwer, "ROS3P - an accurate third-order Rosenbrock solver designed for parabolic ' +
    'problems", BIT 41 (2001) 731-738. Transformed coefficients as computed in OrdinaryDiffEq.jl ' +
    '(github.com/SciML/OrdinaryDiffEq.jl, lib/OrdinaryDiffEqRosenbrockTableaus/src/rosenbrock_tableaus.jl, ' +
    'ROS3PRodasTableau: a21 = a31 = 1/γ, C21 = -1/γ², C32 = -(1/γ)(2 - 1/(2γ)), C31 = -(1/γ)(1 - C32), m, ' +
    'btilde, d), written here in closed form (the decimals there, e.g. m̂1 = 2.113248654051871 = 5 - 5√3/3, ' +
    'd3 = -1.077350269189626 = -1/2 - √3/3, agree).',
  order: 3,
  gamma: surd('1/2', '1/6', 3),
  a: [[], [surd('3', '-1', 3)], [surd('3', '-1', 3), '0']],
  C: [[], [surd('-12', '6', 3)], [surd('0', '-2', 3), surd('0', '-1', 3)]],
  c: ['0', '1', '1'],
  d: [surd('1/2', '1/6', 3), surd('-1/2', '1/6', 3), surd('-1/2', '-1/3', 3)],
  m: ['2', surd('0', '1/3', 3), surd('1', '-1/3', 3)],
  stifflyAccurate: false,
  stability: { kind: 'A' },
  errorEstimate: { order: 2, mHat: [surd('5', '-5/3', 3), '1', surd('1', '-1/3', 3)] },
};
