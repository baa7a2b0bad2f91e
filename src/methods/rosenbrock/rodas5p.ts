import type { RosenbrockMethod } from '../implicit/types.ts';

const A8 = [
  '-7.502846399306121',
  '2.561846144803919',
  '-11.627539656261098',
  '-0.18268767659942256',
  '0.030198172008377946',
] as const;

/**
 * Steinebach's Rodas5P (5th order, 8 stages, stiffly accurate, L-stable), in the transformed form.
 * y1 = (8th stage argument) + u8; the embedded 4th-order solution is the 8th stage argument, so err = u8.
 * The coefficients are the double-precision literals of OrdinaryDiffEq.jl (about 16-17 significant digits);
 * order conditions hold to about 1e-13, not exactly.
 */
export const RODAS5P: RosenbrockMethod = {
  family: 'rosenbrock',
  name: 'Rodas5P',
  aliases: [],
  description: 'Rodas5P: Rosenbrock 5(4), 8 stages, stiffly accurate, L-stable, adaptive',
  source:
    'G. Steinebach, "Construction of Rosenbrock-Wanner method Rodas5P and numerical benchmarks within the ' +
    'Julia Differential Equations package", BIT Numer. Math. 63 (2023) 27. Coefficients as in ' +
    'OrdinaryDiffEq.jl (github.com/SciML/OrdinaryDiffEq.jl, ' +
    'lib/OrdinaryDiffEqRosenbrock/src/rosenbrock_tableaus.jl: RODAS5PA, RODAS5PC, RODAS5Pc, RODAS5Pd, gamma = ' +
    '0.21193756319429014; b = last row of A plus 1, btilde = e_8), which cites the paper. Dense output: ' +
    'RODAS5PH of the same file (3 rows), with the interpolation of ' +
    'lib/OrdinaryDiffEqRosenbrock/src/rosenbrock_interpolants.jl (interp_order = 3) and the k_j = Σ_i H_ji u_i of ' +
    'rosenbrock_perform_step.jl (OrdinaryDiffEq.jl commit b211787f7b18d3c5391121bd8c9e2d5fee54efee).',
  order: 5,
  gamma: '0.21193756319429014',
  a: [
    [],
    ['3'],
    ['2.849394379747939', '0.45842242204463923'],
    ['-6.954028509809101', '2.489845061869568', '-10.358996098473584'],
    ['2.8029986275628964', '0.5072464736228206', '-0.3988312541770524', '-0.04721187230404641'],
    [...A8],
    [...A8, '1'],
    [...A8, '1', '1'],
  ],
  C: [
    [],
    ['-14.155112264123755'],
    ['-17.97296035885952', '-2.859693295451294'],
    ['147.12150275711716', '-1.41221402718213', '71.68940251302358'],
    ['165.43517024871676', '-0.4592823456491126', '42.90938336958603', '-5.961986721573306'],
    ['24.854864614690072', '-3.0009227002832186', '47.4931110020768', '5.5814197821558125', '-0.6610691825249471'],
    [
      '30.91273214028599',
      '-3.1208243349937974',
      '77.79954646070892',
      '34.28646028294783',
      '-19.097331116725623',
      '-28.087943162872662',
    ],
    [
      '37.80277123390563',
      '-3.2571969029072276',
      '112.26918849496327',
      '66.9347231244047',
      '-40.06618937091002',
      '-54.66780262877968',
      '-9.48861652309627',
    ],
  ],
  c: ['0', '0.6358126895828704', '0.4095798393397535', '0.9769306725060716', '0.4288403609558664', '1', '1', '1'],
  d: [
    '0.21193756319429014',
    '-0.42387512638858027',
    '-0.3384627126235924',
    '1.8046452872882734',
    '2.325825639765069',
    '0',
    '0',
    '0',
  ],
  m: [...A8, '1', '1', '1'],
  stifflyAccurate: true,
  stability: { kind: 'L' },
  errorEstimate: { order: 4, mHat: [...A8, '1', '1', '0'] },
  // Steinebach's continuous extension (OrdinaryDiffEq.jl's RODAS5PH): k_j = Σ_i H_ji u_i,
  // y(t0 + θh) ≈ (1 − θ) y0 + θ (y1 + (1 − θ)(k_1 + θ (k_2 + θ k_3))). A quartic, of order 4 (measured in
  // test/stiff/rosenbrock-dense.test.ts).
  dense: {
    H: [
      [
        '25.948786856663858',
        '-2.5579724845846235',
        '10.433815404888879',
        '-2.3679251022685204',
        '0.524948541321073',
        '1.1241088310450404',
        '0.4272876194431874',
        '-0.17202221070155493',
      ],
      [
        '-9.91568850695171',
        '-0.9689944594115154',
        '3.0438037242978453',
        '-24.495224566215796',
        '20.176138334709044',
        '15.98066361424651',
        '-6.789040303419874',
        '-6.710236069923372',
      ],
      [
        '11.419903575922262',
        '2.8879645146136994',
        '72.92137995996029',
        '80.12511834622643',
        '-52.072871366152654',
        '-59.78993625266729',
        '-0.15582684282751913',
        '4.883087185713722',
      ],
    ],
    degree: 4,
    order: 4,
  },
};
