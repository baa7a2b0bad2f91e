/**
 * The generated parts of a fully implicit Runge–Kutta solver (templates/ts/implicit-rk.ts): the tableau, the
 * factorization of the stage matrix I − h A⊗J (sN×sN, unknowns stage by stage) generated ahead of time, and what
 * what every stiff family has (./newton-matrix.ts) — J, the coupling K of the sensitivities, and the n×n matrix
 * I/(hγ0) − J that RADAU5's error estimate filters through.
 */
import { minimumDegreeOrder } from '../../linalg/ordering.ts';
import { rationalToNumber, sub } from '../../methods/exact.ts';
import type { ImplicitRungeKuttaMethod } from '../../methods/implicit/types.ts';
import { exactCoefficientToNumber, exactCoefficientToRational } from '../../methods/numeric-stiff.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { DENSE_UNROLL_MAX, emitDenseLu, emitDenseSolve, emitSparseLu } from '../linalg/lu.ts';
import { float64ArrayLiteral, int32ArrayLiteral, integerLiteral, numberLiteral } from '../printer.ts';
import { newtonMatrixDefinitions } from './newton-matrix.ts';

const int = integerLiteral;

/** The kinds of error estimate, as the template numbers them. */
const ERROR_KINDS = { none: 0, embedded: 1, radau5: 2 } as const;

export interface NumericImplicitTableau {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly c: readonly number[];
  readonly errorKind: number;
  /** embedded: b − b̂ (rounded once from the exact difference); radau5: the stage weights. */
  readonly e: readonly number[];
  readonly gamma0: number;
  readonly errorOrder: number;
}

export function numericImplicitTableau(method: ImplicitRungeKuttaMethod): NumericImplicitTableau {
  const num = exactCoefficientToNumber;
  const s = method.c.length;
  const est = method.errorEstimate;
  let e = new Array<number>(s).fill(0);
  let errorKind: number = ERROR_KINDS.none;
  let gamma0 = 0;
  if (est?.kind === 'embedded') {
    errorKind = ERROR_KINDS.embedded;
    e = method.b.map((bj, j) =>
      rationalToNumber(sub(exactCoefficientToRational(bj), exactCoefficientToRational(est.bHat[j]!))),
    );
  } else if (est?.kind === 'radau5') {
    errorKind = ERROR_KINDS.radau5;
    e = est.stageWeights.map(num);
    gamma0 = num(est.gamma0);
  }
  return {
    a: method.a.flatMap((row) => row.map(num)),
    b: method.b.map(num),
    c: method.c.map(num),
    errorKind,
    e,
    gamma0,
    errorOrder: est?.order ?? 0,
  };
}

/** Nodes from which the stages of the next step can be extrapolated: distinct and none at 0. */
function distinctNonZero(c: readonly number[]): boolean {
  return c.every((x) => x !== 0) && new Set(c).size === c.length;
}

/** The stage matrix I − h A⊗J: its factorization's code and the slot tables the template assembles it with. */
function stageMatrixCode(system: AugmentedSystem, a: readonly number[], s: number): Map<string, string> {
  const n = system.model.states.length;
  const J = system.jacobian;
  const size = s * n;
  const defs = new Map<string, string>();
  // Row (i, k) reads (j, l) for every j with a_ij ≠ 0 and l in J's row k, and its own diagonal.
  const pattern: number[][] = [];
  for (let i = 0; i < s; i++) {
    for (let k = 0; k < n; k++) {
      const row = new Set<number>([i * n + k]);
      for (let j = 0; j < s; j++) if (a[i * s + j] !== 0) for (const l of J[k]!.columns) row.add(j * n + l);
      pattern.push([...row].sort((x, y) => x - y));
    }
  }
  let slot: (r: number, c: number) => number;
  let inputs: ArrayLike<number>;
  if (size <= DENSE_UNROLL_MAX) {
    defs.set('STAGE_LU_SIZE', `const STAGE_LU_SIZE: number = ${int(size * size)};`);
    slot = (r, c) => r * size + c;
    inputs = Array.from({ length: size * size }, (_, k) => k);
    defs.set('stageFactor', emitDenseLu(size, 'stageFactor'));
    defs.set('stageSolve', emitDenseSolve(size, 'stageSolve'));
  } else {
    const code = emitSparseLu(pattern, minimumDegreeOrder(pattern), {
      factorName: 'stageSparseLu',
      solveName: 'stageSparseSolve',
    });
    defs.set('STAGE_LU_SIZE', `const STAGE_LU_SIZE: number = ${int(code.layout.slots)};`);
    slot = (r, c) => code.layout.slot(r, c);
    inputs = code.layout.inputSlots;
    defs.set(
      'stageFactor',
      `${code.factor}\n\nfunction stageFactor(a: Float64Array, _piv: Int32Array): number {\n  return stageSparseLu(a);\n}`,
    );
    defs.set(
      'stageSolve',
      `${code.solve}\n\nfunction stageSolve(a: Float64Array, _piv: Int32Array, b: Float64Array, nrhs = 1): void {\n  stageSparseSolve(a, b, nrhs);\n}`,
    );
  }
  defs.set('STAGE_LU_INPUTS', `const STAGE_LU_INPUTS: Int32Array = ${int32ArrayLiteral(inputs)};`);
  // For block (i, j) and J's k-th non-zero (row r, column l): the slot of ((i, r), (j, l)), or −1 (a_ij = 0).
  const jacSlots: number[] = [];
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      J.forEach((row, r) => {
        for (const l of row.columns) jacSlots.push(a[i * s + j] === 0 ? -1 : slot(i * n + r, j * n + l));
      });
    }
  }
  defs.set('STAGE_JAC_SLOTS', `const STAGE_JAC_SLOTS: Int32Array = ${int32ArrayLiteral(jacSlots)};`);
  defs.set(
    'STAGE_DIAG_SLOTS',
    `const STAGE_DIAG_SLOTS: Int32Array = ${int32ArrayLiteral(Array.from({ length: size }, (_, r) => slot(r, r)))};`,
  );
  return defs;
}

/** Every definition the implicit Runge–Kutta template's placeholders need, besides those of every family. */
export function implicitRkDefinitions(system: AugmentedSystem, method: ImplicitRungeKuttaMethod): Map<string, string> {
  const tab = numericImplicitTableau(method);
  const s = tab.c.length;
  return new Map<string, string>([
    ['STAGES', `const STAGES: number = ${int(s)};`],
    ['IRK_A', `const IRK_A: Float64Array = ${float64ArrayLiteral(tab.a)};`],
    ['IRK_B', `const IRK_B: Float64Array = ${float64ArrayLiteral(tab.b)};`],
    ['IRK_C', `const IRK_C: Float64Array = ${float64ArrayLiteral(tab.c)};`],
    ['STIFFLY_ACCURATE', `const STIFFLY_ACCURATE: boolean = ${method.stifflyAccurate ? 'true' : 'false'};`],
    ['PREDICTOR', `const PREDICTOR: boolean = ${distinctNonZero(tab.c) ? 'true' : 'false'};`],
    ['ERROR_KIND', `const ERROR_KIND: number = ${int(tab.errorKind)};`],
    ['IRK_E', `const IRK_E: Float64Array = ${float64ArrayLiteral(tab.e)};`],
    ['ERROR_GAMMA0', `const ERROR_GAMMA0: number = ${numberLiteral(tab.gamma0).text};`],
    ...stageMatrixCode(system, tab.a, s),
    // J, the coupling, and the n×n matrix of RADAU5's estimate (built for every method: small, and the shared
    // template's names stay defined)
    ...newtonMatrixDefinitions(system),
  ]);
}
