/**
 * Cross-checks of the tableaus against second sources and published numbers.
 */
import { describe, expect, it } from 'vitest';
import { abs, coefficientToNumber, div, exactErrorWeights, parseCoefficient, sub } from '../../src/methods/exact.ts';
import { DORMAND_PRINCE, HEUN, RK87, RK108 } from '../../src/methods/index.ts';
import { numericTableau } from '../../src/methods/numeric.ts';
import { integrateFixed } from './rk-interpreter.ts';

// Prince & Dormand's printed rational approximations of RK8(7)13M, as shipped by DESolver
// (github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, RK8713MSolver).
const PRINTED_C = [
  '0',
  '1/18',
  '1/12',
  '1/8',
  '5/16',
  '3/8',
  '59/400',
  '93/200',
  '5490023248/9719169821',
  '13/20',
  '1201146811/1299019798',
  '1',
  '1',
];
const PRINTED_A = [
  [],
  ['1/18'],
  ['1/48', '1/16'],
  ['1/32', '0', '3/32'],
  ['5/16', '0', '-75/64', '75/64'],
  ['3/80', '0', '0', '3/16', '3/20'],
  ['29443841/614563906', '0', '0', '77736538/692538347', '-28693883/1125000000', '23124283/1800000000'],
  [
    '16016141/946692911',
    '0',
    '0',
    '61564180/158732637',
    '22789713/633445777',
    '545815736/2771057229',
    '-180193667/1043307555',
  ],
  [
    '39632708/573591083',
    '0',
    '0',
    '-433636366/683701615',
    '-421739975/2616292301',
    '100302831/723423059',
    '790204164/839813087',
    '800635310/3783071287',
  ],
  [
    '246121993/1340847787',
    '0',
    '0',
    '-37695042795/15268766246',
    '-309121744/1061227803',
    '-12992083/490766935',
    '6005943493/2108947869',
    '393006217/1396673457',
    '123872331/1001029789',
  ],
  [
    '-1028468189/846180014',
    '0',
    '0',
    '8478235783/508512852',
    '1311729495/1432422823',
    '-10304129995/1701304382',
    '-48777925059/3047939560',
    '15336726248/1032824649',
    '-45442868181/3398467696',
    '3065993473/597172653',
  ],
  [
    '185892177/718116043',
    '0',
    '0',
    '-3185094517/667107341',
    '-477755414/1098053517',
    '-703635378/230739211',
    '5731566787/1027545527',
    '5232866602/850066563',
    '-4093664535/808688257',
    '3962137247/1805957418',
    '65686358/487910083',
  ],
  [
    '403863854/491063109',
    '0',
    '0',
    '-5068492393/434740067',
    '-411421997/543043805',
    '652783627/914296604',
    '11173962825/925320556',
    '-13158990841/6184727034',
    '3936647629/1978049680',
    '-160528059/685178525',
    '248638103/1413531060',
    '0',
  ],
];
const PRINTED_B8 = [
  '14005451/335480064',
  '0',
  '0',
  '0',
  '0',
  '-59238493/1068277825',
  '181606767/758867731',
  '561292985/797845732',
  '-1041891430/1371343529',
  '760417239/1151165299',
  '118820643/751138087',
  '-528747749/2220607170',
  '1/4',
];
const PRINTED_B7 = [
  '13451932/455176623',
  '0',
  '0',
  '0',
  '0',
  '-808719846/976000145',
  '1757004468/5645159321',
  '656045339/265891186',
  '-3867574721/1518517206',
  '465885868/322736535',
  '53011238/667516719',
  '2/45',
  '0',
];

function relativeDifference(x: string, y: string): number {
  const rx = parseCoefficient(x);
  const d = abs(sub(rx, parseCoefficient(y)));
  if (rx.num === 0n) return d.num === 0n ? 0 : Number.POSITIVE_INFINITY;
  return coefficientToNumber(`${div(d, abs(rx)).num}/${div(d, abs(rx)).den}`);
}

describe('RK8(7)13M', () => {
  it("matches Prince and Dormand's printed approximations to 1e-16 relative", () => {
    const pairs: [string, string, string][] = [
      ...RK87.c.map((x, i) => [x, PRINTED_C[i]!, `c${i}`] as [string, string, string]),
      ...RK87.a.flatMap((row, i) =>
        row.map((x, j) => [x, PRINTED_A[i]![j]!, `a${i},${j}`] as [string, string, string]),
      ),
      ...RK87.b.map((x, i) => [x, PRINTED_B8[i]!, `b${i}`] as [string, string, string]),
    ];
    const bHat = (RK87.errorEstimate as { bHat: readonly string[] }).bHat;
    pairs.push(...bHat.map((x, i) => [x, PRINTED_B7[i]!, `b̂${i}`] as [string, string, string]));
    expect(pairs).toHaveLength(13 + 78 + 13 + 13);
    for (const [ours, printed, where] of pairs) expect(relativeDifference(ours, printed), where).toBeLessThan(1e-16);
  });
});

describe('Dormand–Prince 5(4)', () => {
  it("has b̂ − b equal to SciPy's error row E (scipy/integrate/_ivp/rk.py, class RK45)", () => {
    const scipyE = ['-71/57600', '0', '71/16695', '-71/1920', '17253/339200', '-22/525', '1/40'];
    exactErrorWeights(DORMAND_PRINCE).forEach((e, j) => {
      // Our e is b − b̂; SciPy's E is b̂ − b.
      expect(sub(parseCoefficient(scipyE[j]!), { num: -e.num, den: e.den })).toEqual({ num: 0n, den: 1n });
    });
  });
});

describe('Feagin RK10(8)', () => {
  it('agrees with the values in GSL ode-initval2/feagin108.c (a second copy of rk108.txt)', () => {
    // GSL names: a_k nodes, c_k weights, b_kj matrix.
    expect(RK108.a[12]![7]).toBe('5.78428813637537220022999785486578436006872789689499172601856'); // b127
    expect(RK108.a[16]![8]).toBe('1.77950959431708102446142106794824453926275743243327790536000'); // b168
    expect(RK108.a[2]![0]).toBe('-0.915176561375291440520015019275342154318951387664369720564660'); // b20
    expect(RK108.b[9]).toBe('0.277429188517743176508360262560654340428504319718040836339472'); // c9
    expect(RK108.c[5]).toBe('0.981074190219795268254879548310562080489056746118724882027805'); // a5
  });
});

describe('Heun', () => {
  it("reproduces DESolver's Heun test values (x' = -sqrt(x/t), x(1) = 1, h = 0.1)", () => {
    const tab = numericTableau(HEUN);
    const f = (t: number, y: readonly number[]) => [-Math.sqrt(y[0]! / t)];
    const x1 = integrateFixed(tab, tab.b, f, 1, [1], 1.1, 1)[0]!;
    const x2 = integrateFixed(tab, tab.b, f, 1, [1], 1.2, 2)[0]!;
    expect(x1).toBeCloseTo(0.9047733, 7);
    expect(x2).toBeCloseTo(0.81824429, 8);
    // The exact solution is (2 − sqrt t)^2.
    expect(Math.abs(x2 - (2 - Math.sqrt(1.2)) ** 2)).toBeLessThan(1e-3);
  });
});
