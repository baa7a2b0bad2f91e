/**
 * The generated parts of a Rosenbrock solver (templates/ts/rosenbrock.ts): the method's coefficients and
 * continuous extension, and ∂F/∂t for non-autonomous models (the d_i h ∂F/∂t term); J, the coupling K of the
 * sensitivities and the factorization of I/(hγ) − J come from ./newton-matrix.ts, shared with the other stiff
 * families.
 */
import { Differentiator, freeSymbols } from '../../diff/derivative.ts';
import type { Expr } from '../../expr/ir.ts';
import type { RosenbrockMethod } from '../../methods/implicit/types.ts';
import { numericRosenbrock } from '../../methods/numeric-stiff.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { indentBlock } from '../names.ts';
import { float64ArrayLiteral, int32ArrayLiteral, integerLiteral, numberLiteral } from '../printer.ts';
import { deriveBlocks, derivedSystem, newtonMatrixDefinitions } from './newton-matrix.ts';
import { printRhsBody } from './rhs.ts';

const int = integerLiteral;

/** The stage coefficients, row-major s×s with zeros on and above the diagonal (a, C). */
function squareRows(rows: readonly (readonly number[])[], s: number): number[] {
  const out = new Array<number>(s * s).fill(0);
  rows.forEach((row, i) => {
    row.forEach((v, j) => {
      out[i * s + j] = v;
    });
  });
  return out;
}

/** True when any right-hand side of the model reads time. */
export function readsTime(system: AugmentedSystem): boolean {
  const id = system.model.time.id;
  return system.model.rhs.some((e) => freeSymbols(e).has(id));
}

/** `function timeDerivative(t, y, p, dy)`: dy = ∂F/∂t of the augmented right-hand side. */
export function printTimeDerivative(system: AugmentedSystem): string {
  const signature = 'function timeDerivative(t: number, y: Float64Array, p: Float64Array, dy: Float64Array): void';
  if (!readsTime(system))
    return `${signature} {\n  // the model does not read ${system.model.time.name}\n  dy.fill(0);\n}`;
  const diff = new Differentiator(system.model.builder);
  const time = system.model.time;
  const d = (e: Expr) => diff.d(e, time);
  if (system.secondOrder !== undefined) {
    // Unrolled (as second-order systems are for the stiff families): every component's right-hand side is an
    // expression of its own, differentiated as it is.
    const derived = { ...system, rhs: system.rhs.map(d) };
    return `${signature} {\n${indentBlock(`// ∂F/∂t, component by component\n${printRhsBody(derived)}`, 1)}\n}`;
  }
  const { dJ, dFp } = deriveBlocks(system, d);
  const derived = derivedSystem(system, system.model.rhs.map(d), dJ, dFp);
  const what = '// ∂F/∂t: ∂f/∂t, then the Φ and S blocks with ∂J/∂t in place of J and ∂²f/∂p∂t in place of ∂f/∂p';
  return `${signature} {\n${indentBlock(`${what}\n${printRhsBody(derived)}`, 1)}\n}`;
}

/** Every definition the Rosenbrock template's placeholders need, besides those of every family. */
export function rosenbrockDefinitions(system: AugmentedSystem, method: RosenbrockMethod): Map<string, string> {
  const tab = numericRosenbrock(method);
  const s = tab.m.length;
  if (tab.denseRows.some((row) => row.length !== s))
    throw new Error(`internal: ${method.name}'s dense-output rows must have ${s} entries, one per stage`);
  const defs = new Map<string, string>([
    ['STAGES', `const STAGES: number = ${int(s)};`],
    ['GAMMA', `const GAMMA: number = ${numberLiteral(tab.gamma).text};`],
    ['ROS_A', `const ROS_A: Float64Array = ${float64ArrayLiteral(squareRows(tab.a, s))};`],
    ['ROS_C', `const ROS_C: Float64Array = ${float64ArrayLiteral(squareRows(tab.C, s))};`],
    ['NODES', `const NODES: Float64Array = ${float64ArrayLiteral(tab.c)};`],
    ['ROS_D', `const ROS_D: Float64Array = ${float64ArrayLiteral(tab.d)};`],
    ['ROS_M', `const ROS_M: Float64Array = ${float64ArrayLiteral(tab.m)};`],
    ['ROS_E', `const ROS_E: Float64Array = ${float64ArrayLiteral(tab.errorWeights ?? tab.m.map(() => 0))};`],
    // The continuous extension: R rows of H (R×s, row-major); 0 rows: the driver's cubic Hermite.
    ['DENSE_ROWS', `const DENSE_ROWS: number = ${int(tab.denseRows.length)};`],
    ['ROS_H', `const ROS_H: Float64Array = ${float64ArrayLiteral(tab.denseRows.flat())};`],
    ['NON_AUTONOMOUS', `const NON_AUTONOMOUS: boolean = ${readsTime(system) ? 'true' : 'false'};`],
    ['timeDerivative', printTimeDerivative(system)],
    ...newtonMatrixDefinitions(system),
  ]);
  return defs;
}
