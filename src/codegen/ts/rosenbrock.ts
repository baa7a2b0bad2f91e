/**
 * The generated parts of a Rosenbrock solver (templates/ts/rosenbrock.ts): the method's coefficients, the
 * Jacobian J = ∂f/∂y, the Newton matrix's factorization and solve (generated ahead of time: src/codegen/linalg),
 * and the two derivatives of the augmented right-hand side that the step needs besides J.
 *
 * Why those two. The step is the Rosenbrock method applied to the augmented system [y | Φ | S] with its exact
 * Jacobian, which is block lower triangular:
 *
 *     ∂F/∂[y, Φ, S] = [ J     0   0 ]      K = ∂/∂y of the Φ and S blocks' right-hand sides at (y, Φ, S):
 *                     [ K_Φ   J   0 ]        K_Φ u = (J'[u]) Φ,  K_S u = (J'[u]) S + (∂f/∂p)'[u],
 *                     [ K_S   0   J ]        J'[u] = Σ_l ∂J/∂y_l · u_l (second derivatives of f, from the IR)
 *
 * so each stage's linear system (I/(hγ) − ∂F/∂[y,Φ,S]) x = r is solved block by block with the one n×n LU of
 * I/(hγ) − J: first x_y, then every column of Φ and S with r + K x_y on the right. This is exactly the
 * derivative of the Rosenbrock step taken on y alone (with an exact J, differentiating the scheme and applying
 * it to the variational equations commute), so Φ and S are the derivatives of the computed solution.
 * `coupling` computes K x_y; `timeDerivative` computes ∂F/∂t for non-autonomous models (the d_i h ∂F/∂t term).
 */
import { Differentiator, freeSymbols } from '../../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../../expr/ir.ts';
import { minimumDegreeOrder } from '../../linalg/ordering.ts';
import type { RosenbrockMethod } from '../../methods/implicit/types.ts';
import { numericRosenbrock } from '../../methods/numeric-stiff.ts';
import type { AugmentedSystem, SparseRow } from '../../variational/system.ts';
import { DENSE_UNROLL_MAX, emitDenseLu, emitDenseSolve, emitSparseLu } from '../linalg/lu.ts';
import { indentBlock, symbolLocal } from '../names.ts';
import { ExpressionPrinter, integerLiteral, numberLiteral } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';
import { printRhsBody } from './rhs.ts';

const int = integerLiteral;

function numbers(values: readonly number[]): string {
  return `new Float64Array([${values.map((v) => numberLiteral(v).text).join(', ')}])`;
}

function integers(values: ArrayLike<number>): string {
  return `new Int32Array([${Array.from(values, (v) => int(v)).join(', ')}])`;
}

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

/**
 * A system with the same layout of [y | Φ | S] whose "right-hand side" is a derivative of the original one:
 * `dy` for the state block, `dJ` and `dFp` in place of J and ∂f/∂p, printed by the columns machinery of
 * ./rhs.ts (Φ' ↦ dJ Φ, S' ↦ dJ S + dFp).
 */
function derivedSystem(
  system: AugmentedSystem,
  dy: readonly Expr[],
  dJ: readonly SparseRow[],
  dFp: readonly (readonly Expr[])[],
): AugmentedSystem {
  return {
    ...system,
    layout: 'columns',
    components: system.model.states,
    rhs: dy,
    jacobian: dJ,
    paramDerivatives: dFp,
    phiPattern: undefined,
    sensPattern: undefined,
  };
}

/** dJ and d(∂f/∂p) under a derivative operator; entries whose derivative is structurally 0 are left out of dJ. */
function deriveBlocks(system: AugmentedSystem, d: (e: Expr) => Expr): { dJ: SparseRow[]; dFp: Expr[][] } {
  const dJ = system.jacobian.map((row) => {
    const columns: number[] = [];
    const entries: Expr[] = [];
    row.entries.forEach((e, t) => {
      const de = d(e);
      if (isConst(de, 0)) return;
      columns.push(row.columns[t]!);
      entries.push(de);
    });
    return { columns, entries };
  });
  const dFp = system.sensOffset >= 0 ? system.paramDerivatives.map((row) => row.map(d)) : [];
  return { dJ, dFp };
}

/** `function coupling(t, y, p, u, dy)`: dy[N..M) = K u (u: a state-sized direction); dy[0..N) is left as it is. */
export function printCoupling(system: AugmentedSystem): string {
  const signature =
    'function coupling(t: number, y: Float64Array, p: Float64Array, u: Float64Array, dy: Float64Array): void';
  if (system.phiOffset < 0 && system.sensOffset < 0) {
    return `${signature} {\n  // no sensitivities: nothing couples to the state\n}`;
  }
  const b = system.model.builder;
  const diff = new Differentiator(b);
  const states = system.model.states;
  // The direction: one symbol per state, read from u (never a model name: those are states, params, time).
  const u: SymNode[] = states.map((_, l) => b.sym(`du_${l}`, 'aux', l));
  const stateIndex = new Map(states.map((y, l) => [y.id, l]));
  const direction = new Map(u.map((s, l) => [s.id, l]));
  // Σ_l ∂e/∂y_l · u_l over the states e reads.
  const along = (e: Expr): Expr => {
    const terms: Expr[] = [];
    const read = [...freeSymbols(e)].flatMap((id) => stateIndex.get(id) ?? []).sort((x, y) => x - y);
    for (const l of read) terms.push(b.mul(diff.d(e, states[l]!), u[l]!));
    return b.addAll(terms);
  };
  const { dJ, dFp } = deriveBlocks(system, along);
  // No state block: dy[0..N) is not written (the template reads the Φ and S blocks only).
  const derived = { ...derivedSystem(system, [], dJ, dFp), components: [] };
  const what =
    "// K u: the Φ and S blocks of F differentiated along u in the state, i.e. with J'[u] = Σ_l ∂J/∂y_l·u_l in\n" +
    '// place of J, and ∂/∂y(∂f/∂p)·u in place of ∂f/∂p';
  return `${signature} {\n${indentBlock(`${what}\n${printRhsBody(derived, direction)}`, 1)}\n}`;
}

/** `function timeDerivative(t, y, p, dy)`: dy = ∂F/∂t of the augmented right-hand side. */
export function printTimeDerivative(system: AugmentedSystem): string {
  const signature = 'function timeDerivative(t: number, y: Float64Array, p: Float64Array, dy: Float64Array): void';
  if (!readsTime(system))
    return `${signature} {\n  // the model does not read ${system.model.time.name}\n  dy.fill(0);\n}`;
  const diff = new Differentiator(system.model.builder);
  const time = system.model.time;
  const d = (e: Expr) => diff.d(e, time);
  const { dJ, dFp } = deriveBlocks(system, d);
  const derived = derivedSystem(system, system.model.rhs.map(d), dJ, dFp);
  const what = '// ∂F/∂t: ∂f/∂t, then the Φ and S blocks with ∂J/∂t in place of J and ∂²f/∂p∂t in place of ∂f/∂p';
  return `${signature} {\n${indentBlock(`${what}\n${printRhsBody(derived)}`, 1)}\n}`;
}

/** JAC_ROW_START and JAC_COLUMNS: J's sparsity, for naming an entry at run time. */
export function printJacobianStructure(system: AugmentedSystem): [string, string][] {
  return [
    ['JAC_ROW_START', `const JAC_ROW_START: Int32Array = ${integers(rowStarts(system.jacobian))};`],
    ['JAC_COLUMNS', `const JAC_COLUMNS: Int32Array = ${integers(system.jacobian.flatMap((row) => row.columns))};`],
  ];
}

/** Where each row's non-zeros start, and their total at the end. */
function rowStarts(rows: readonly SparseRow[]): number[] {
  const out = [0];
  for (const row of rows) out.push(out[out.length - 1]! + row.columns.length);
  return out;
}

/** "∂f_x/∂y" for each structural non-zero of J, row by row (validated state names). */
function jacobianEntryNames(system: AugmentedSystem): string[] {
  const names = system.model.states;
  return system.jacobian.flatMap((row, i) => row.columns.map((j) => `∂f_${names[i]!.name}/∂${names[j]!.name}`));
}

/** `function jacobian(t, y, p, jac)`: J's structural non-zeros, row by row, into jac. */
export function printJacobian(system: AugmentedSystem): string {
  const signature = 'function jacobian(t: number, y: Float64Array, p: Float64Array, jac: Float64Array): void';
  const what = jacobianEntryNames(system);
  const entries = system.jacobian.flatMap((row) => row.entries).map((expr, k) => ({ expr, what: what[k]! }));
  // Straight-line code with common subexpressions, as the right-hand side is printed.
  const program = scheduleStraightLine(entries.map((e) => e.expr));
  const temps = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => temps.get(e.id) }, TS_DIALECT);
  const lines: string[] = [];
  for (const q of program.inputs) {
    if (q.role === 'state') lines.push(`const ${symbolLocal(q)} = y[${int(q.index)}];`);
    else if (q.role === 'param') lines.push(`const ${symbolLocal(q)} = p[${int(q.index)}];`);
  }
  for (const e of program.temps) lines.push(`const ${temps.get(e.id)} = ${printer.definition(e)};`);
  entries.forEach((e, k) => {
    lines.push(`jac[${int(k)}] = ${printer.use(e.expr)}; // ${e.what}`);
  });
  return `${signature} {\n${indentBlock(lines.join('\n'), 1)}\n}`;
}

/** Where the Newton matrix I/(hγ) − J lives in the factorization's array, and its code. */
export interface NewtonMatrixCode {
  /** LU_SIZE, LU_INPUTS, JAC_SLOTS, DIAG_SLOTS, luFactor, luSolve. */
  readonly definitions: ReadonlyMap<string, string>;
  readonly form: 'dense' | 'sparse';
}

/**
 * The factorization of I/(hγ) − J: unrolled dense LU with partial pivoting up to DENSE_UNROLL_MAX states, above
 * that the sparse LU whose ordering and symbolic factorization are computed here. The template assembles the
 * matrix from J's entries through the slot tables (LU_INPUTS zeroed, −J at JAC_SLOTS, 1/(hγ) at DIAG_SLOTS).
 */
export function newtonMatrixCode(system: AugmentedSystem): NewtonMatrixCode {
  const n = system.model.states.length;
  const J = system.jacobian;
  const defs = new Map<string, string>();
  if (n <= DENSE_UNROLL_MAX) {
    defs.set('LU_SIZE', `const LU_SIZE: number = ${int(n * n)};`);
    defs.set('LU_INPUTS', `const LU_INPUTS: Int32Array = ${integers(Array.from({ length: n * n }, (_, k) => k))};`);
    defs.set(
      'JAC_SLOTS',
      `const JAC_SLOTS: Int32Array = ${integers(J.flatMap((row, i) => row.columns.map((j) => i * n + j)))};`,
    );
    defs.set(
      'DIAG_SLOTS',
      `const DIAG_SLOTS: Int32Array = ${integers(Array.from({ length: n }, (_, i) => i * n + i))};`,
    );
    defs.set('luFactor', emitDenseLu(n, 'luFactor'));
    defs.set('luSolve', emitDenseSolve(n, 'luSolve'));
    return { definitions: defs, form: 'dense' };
  }
  // Pattern: J's structure and the diagonal.
  const pattern = J.map((row, i) => [...new Set([...row.columns, i])].sort((x, y) => x - y));
  const code = emitSparseLu(pattern, minimumDegreeOrder(pattern), { factorName: 'sparseLu', solveName: 'sparseSolve' });
  const { layout } = code;
  defs.set('LU_SIZE', `const LU_SIZE: number = ${int(layout.slots)};`);
  defs.set('LU_INPUTS', `const LU_INPUTS: Int32Array = ${integers(layout.inputSlots)};`);
  defs.set(
    'JAC_SLOTS',
    `const JAC_SLOTS: Int32Array = ${integers(J.flatMap((row, i) => row.columns.map((j) => layout.slot(i, j))))};`,
  );
  defs.set(
    'DIAG_SLOTS',
    `const DIAG_SLOTS: Int32Array = ${integers(Array.from({ length: n }, (_, i) => layout.slot(i, i)))};`,
  );
  defs.set(
    'luFactor',
    `${code.factor}\n\nfunction luFactor(a: Float64Array, _piv: Int32Array): number {\n  return sparseLu(a);\n}`,
  );
  defs.set(
    'luSolve',
    `${code.solve}\n\nfunction luSolve(a: Float64Array, _piv: Int32Array, b: Float64Array, nrhs = 1): void {\n  sparseSolve(a, b, nrhs);\n}`,
  );
  return { definitions: defs, form: 'sparse' };
}

/** Every definition the Rosenbrock template's placeholders need, besides those of every family. */
export function rosenbrockDefinitions(system: AugmentedSystem, method: RosenbrockMethod): Map<string, string> {
  const tab = numericRosenbrock(method);
  const s = tab.m.length;
  const nnz = system.jacobian.reduce((sum, row) => sum + row.columns.length, 0);
  if (tab.denseRows.some((row) => row.length !== s))
    throw new Error(`internal: ${method.name}'s dense-output rows must have ${s} entries, one per stage`);
  const defs = new Map<string, string>([
    ['STAGES', `const STAGES: number = ${int(s)};`],
    ['GAMMA', `const GAMMA: number = ${numberLiteral(tab.gamma).text};`],
    ['ROS_A', `const ROS_A: Float64Array = ${numbers(squareRows(tab.a, s))};`],
    ['ROS_C', `const ROS_C: Float64Array = ${numbers(squareRows(tab.C, s))};`],
    ['NODES', `const NODES: Float64Array = ${numbers(tab.c)};`],
    ['ROS_D', `const ROS_D: Float64Array = ${numbers(tab.d)};`],
    ['ROS_M', `const ROS_M: Float64Array = ${numbers(tab.m)};`],
    ['ROS_E', `const ROS_E: Float64Array = ${numbers(tab.errorWeights ?? tab.m.map(() => 0))};`],
    // The continuous extension: R rows of H (R×s, row-major); 0 rows: the driver's cubic Hermite.
    ['DENSE_ROWS', `const DENSE_ROWS: number = ${int(tab.denseRows.length)};`],
    ['ROS_H', `const ROS_H: Float64Array = ${numbers(tab.denseRows.flat())};`],
    ['NON_AUTONOMOUS', `const NON_AUTONOMOUS: boolean = ${readsTime(system) ? 'true' : 'false'};`],
    ['JAC_NONZEROS', `const JAC_NONZEROS: number = ${int(nnz)};`],
    ['jacobian', printJacobian(system)],
    ...printJacobianStructure(system),
    ['coupling', printCoupling(system)],
    ['timeDerivative', printTimeDerivative(system)],
  ]);
  for (const [name, text] of newtonMatrixCode(system).definitions) defs.set(name, text);
  return defs;
}
