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
    '0.21193756319429014; b = last row of A plus 1, btilde = e_8), which cites the paper.',
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
};
