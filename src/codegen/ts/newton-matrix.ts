/**
 * What the generators of the stiff families share (templates/ts/newton-matrix.ts holds the runtime side): J's
 * non-zeros as straight-line code, the coupling K of the sensitivities, and the factorization of d·I − J
 * generated ahead of time.
 *
 * Why K. The stiff steps solve linear systems with the augmented system's Jacobian, which is block lower
 * triangular:
 *
 *     ∂F/∂[y, Φ, S] = [ J     0   0 ]      K = ∂/∂y of the Φ and S blocks' right-hand sides at (y, Φ, S):
 *                     [ K_Φ   J   0 ]        K_Φ u = (J'[u]) Φ,  K_S u = (J'[u]) S + (∂f/∂p)'[u],
 *                     [ K_S   0   J ]        J'[u] = Σ_l ∂J/∂y_l · u_l (second derivatives of f, from the IR)
 *
 * so (d·I − ∂F/∂[y,Φ,S]) x = r is solved block by block with the one n×n LU of d·I − J: first x_y, then every
 * column of Φ and S with r + K x_y on the right. `coupling` computes K x_y.
 */
import { Differentiator, freeSymbols } from '../../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../../expr/ir.ts';
import { minimumDegreeOrder } from '../../linalg/ordering.ts';
import type { AugmentedSystem, SparseRow } from '../../variational/system.ts';
import { DENSE_UNROLL_MAX, emitDenseLu, emitDenseSolve, emitSparseLu } from '../linalg/lu.ts';
import { indentBlock, symbolLocal } from '../names.ts';
import { ExpressionPrinter, float64ArrayLiteral, int32ArrayLiteral, integerLiteral } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';
import { printRhsBody } from './rhs.ts';
import { secondOrderNewtonDefinitions } from './second-order-newton.ts';

const int = integerLiteral;

/**
 * A system with the same layout of [y | Φ | S] whose "right-hand side" is a derivative of the original one:
 * `dy` for the state block, `dJ` and `dFp` in place of J and ∂f/∂p, printed by the columns machinery of
 * ./rhs.ts (Φ' ↦ dJ Φ, S' ↦ dJ S + dFp).
 */
export function derivedSystem(
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
export function deriveBlocks(system: AugmentedSystem, d: (e: Expr) => Expr): { dJ: SparseRow[]; dFp: Expr[][] } {
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

/** JAC_ROW_START and JAC_COLUMNS: J's sparsity, for naming an entry at run time. */
export function printJacobianStructure(system: AugmentedSystem): [string, string][] {
  return [
    ['JAC_ROW_START', `const JAC_ROW_START: Int32Array = ${int32ArrayLiteral(rowStarts(system.jacobian))};`],
    [
      'JAC_COLUMNS',
      `const JAC_COLUMNS: Int32Array = ${int32ArrayLiteral(system.jacobian.flatMap((row) => row.columns))};`,
    ],
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

/** Jacobians with more structural non-zeros than this are printed without a comment per entry. */
export const JACOBIAN_COMMENTS_UP_TO = 5000;

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
    if (q.role === 'state') lines.push(`const ${symbolLocal(q)} = y[${int(q.index)}]!;`);
    else if (q.role === 'param') lines.push(`const ${symbolLocal(q)} = p[${int(q.index)}]!;`);
  }
  for (const e of program.temps) lines.push(`const ${temps.get(e.id)} = ${printer.definition(e)};`);
  // Each entry says which derivative it is, up to JACOBIAN_COMMENTS_UP_TO entries: past that the comments are a
  // large share of the module's text (a 128×128 Brusselator grid: 4.2 of 11.6 MB of jacobian) and nobody reads them.
  const commented = entries.length <= JACOBIAN_COMMENTS_UP_TO;
  entries.forEach((e, k) => {
    lines.push(`jac[${int(k)}] = ${printer.use(e.expr)};${commented ? ` // ${e.what}` : ''}`);
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
    defs.set(
      'LU_INPUTS',
      `const LU_INPUTS: Int32Array = ${int32ArrayLiteral(Array.from({ length: n * n }, (_, k) => k))};`,
    );
    defs.set(
      'JAC_SLOTS',
      `const JAC_SLOTS: Int32Array = ${int32ArrayLiteral(J.flatMap((row, i) => row.columns.map((j) => i * n + j)))};`,
    );
    defs.set(
      'DIAG_SLOTS',
      `const DIAG_SLOTS: Int32Array = ${int32ArrayLiteral(Array.from({ length: n }, (_, i) => i * n + i))};`,
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
  defs.set('LU_INPUTS', `const LU_INPUTS: Int32Array = ${int32ArrayLiteral(layout.inputSlots)};`);
  defs.set(
    'JAC_SLOTS',
    `const JAC_SLOTS: Int32Array = ${int32ArrayLiteral(J.flatMap((row, i) => row.columns.map((j) => layout.slot(i, j))))};`,
  );
  defs.set(
    'DIAG_SLOTS',
    `const DIAG_SLOTS: Int32Array = ${int32ArrayLiteral(Array.from({ length: n }, (_, i) => layout.slot(i, i)))};`,
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

/**
 * Every definition templates/ts/newton-matrix.ts needs: J (values, structure), the coupling K, and the
 * factorization of d·I − J.
 */
export function newtonMatrixDefinitions(system: AugmentedSystem): Map<string, string> {
  const nnz = system.jacobian.reduce((sum, row) => sum + row.columns.length, 0);
  const defs = new Map<string, string>([
    ['JAC_NONZEROS', `const JAC_NONZEROS: number = ${int(nnz)};`],
    ['jacobian', printJacobian(system)],
    ...printJacobianStructure(system),
    ['coupling', printCoupling(system)],
    ...secondOrderNewtonDefinitions(system),
  ]);
  for (const [name, text] of newtonMatrixCode(system).definitions) defs.set(name, text);
  return defs;
}
