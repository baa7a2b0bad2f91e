/**
 * The model-specific part of a TypeScript solver: the augmented right-hand side as straight-line code.
 *
 * Unrolled layout: every component of [y | Φ | S] is one assignment, after common subexpressions.
 * Columns layout: f, the non-zero entries of J and of ∂f/∂p are computed once as straight-line code; then
 * Φ' = JΦ and S' = JS (+ ∂f/∂p) are loops over the columns of Φ and S, unrolled over J's non-zeros only.
 * Large stiff systems (JACOBIAN_PRODUCTS_FROM non-zeros of J on) take J's values from the module's jacobian
 * function and multiply through its row tables instead (see printRhsBody's options). With second-order
 * sensitivities in the columns layout, the non-zero second derivatives of f are computed with f and J, and the
 * second-order blocks are loops over their column pairs after the first-order ones (./second-order-columns.ts).
 */
import type { Expr } from '../../expr/ir.ts';
import { isConst } from '../../expr/ir.ts';
import { type AugmentedSystem, blockColumns, rhsSegments, type SparseRow } from '../../variational/system.ts';
import { componentDescription, symbolLocal } from '../names.ts';
import { ExpressionPrinter } from '../printer.ts';
import { type StraightLineProgram, scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';
import { printSecondOrderColumns, secondOrderExpressions } from './second-order-columns.ts';

/**
 * The right-hand side as target-neutral statements whose expressions are printed TypeScript: the TypeScript
 * solver writes them as they are, the WebAssembly kernel (codegen/wasm) reads the same expressions back, so
 * both evaluate the same operations in the same order.
 */
export interface RhsPlan {
  /**
   * Locals read from the inputs: a component of the augmented vector (`y`), a parameter (`p`), or a component
   * of a direction vector (`u`: the directional derivatives of the Rosenbrock step, see ./rosenbrock.ts).
   */
  readonly inputs: readonly { readonly name: string; readonly from: 'y' | 'p' | 'u'; readonly index: number }[];
  /** Temporaries, each after everything it uses. */
  readonly temps: readonly { readonly name: string; readonly text: string }[];
  /** dy[index] = text, for every component that is not in a column loop. */
  readonly outputs: readonly { readonly index: number; readonly text: string; readonly comment: string }[];
  readonly loops: readonly ColumnLoop[];
  /** dy[index] += text after the loops (∂f/∂p in the columns layout). */
  readonly increments: readonly { readonly index: number; readonly text: string; readonly comment: string }[];
  /**
   * Second-order sensitivities in the columns layout: the TypeScript statements of their loops, last (empty
   * otherwise; the WebAssembly kernel never takes a second-order system).
   */
  readonly secondOrder: readonly string[];
}

/**
 * for (c = 0; c < width; c++) { x_k = y[offset + k·stride + c] for the loaded rows k;
 * dy[offset + i·stride + c] = rows[i] } — one column of a row-major block (Φ or S) at a time.
 */
export interface ColumnLoop {
  readonly comment: string;
  readonly index: string;
  readonly width: number;
  readonly offset: number;
  readonly stride: number;
  /** Rows of the block the loop reads, loaded as locals x<row>. */
  readonly loads: readonly number[];
  /** The new value of each row of the block, in terms of the x<row> locals and scalar names. */
  readonly rows: readonly string[];
}

const plans = new WeakMap<AugmentedSystem, RhsPlan>();

/** The plan of a system's rhs, made once: the TypeScript rhs and the WebAssembly kernel both print it. */
export function planRhs(system: AugmentedSystem): RhsPlan {
  let plan = plans.get(system);
  if (plan === undefined) {
    plan = makePlan(system);
    plans.set(system, plan);
  }
  return plan;
}

/**
 * `direction`: symbols read from the vector `u` instead (symbol id → index in u), for the functions that
 * print derived systems with this machinery.
 */
function makePlan(system: AugmentedSystem, direction?: ReadonlyMap<number, number>, jacobianProducts = false): RhsPlan {
  const columns = system.layout === 'columns' && !jacobianProducts;
  const n = system.model.states.length;
  const J = system.jacobian;
  const fp = system.paramDerivatives;

  // In the columns layout the loops below read J's and ∂f/∂p's non-zeros: schedule them with f, so that
  // they share temporaries with it.
  const jEntries = columns && (system.phiOffset >= 0 || system.sensOffset >= 0) ? sparseEntries(J) : [];
  const fpEntries = (columns || jacobianProducts) && system.sensOffset >= 0 ? nonZeros(fp) : [];
  if (system.secondOrder?.derivatives !== undefined && !columns) {
    throw new Error('internal: a second-order system of the columns layout prints through its column loops only');
  }
  const extra = [...jEntries, ...fpEntries].map((e) => e.expr).concat(secondOrderExpressions(system));
  const program = scheduleStraightLine([...system.rhs, ...extra]);

  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  // Every J or ∂f/∂p entry a loop reads must be a name or a literal, not an expression to recompute per column.
  for (const e of extra) {
    if (!tempNames.has(e.id) && e.kind !== 'sym' && e.kind !== 'const') tempNames.set(e.id, `w${tempNames.size}`);
  }
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => tempNames.get(e.id) }, TS_DIALECT);

  const inputs: { name: string; from: 'y' | 'p' | 'u'; index: number }[] = [];
  for (const s of program.inputs) {
    const at = direction?.get(s.id);
    if (at !== undefined) {
      inputs.push({ name: symbolLocal(s), from: 'u', index: at });
      continue;
    }
    // states and aux symbols: their index is their position in the augmented vector
    if (s.role === 'state' || s.role === 'aux') inputs.push({ name: symbolLocal(s), from: 'y', index: s.index });
    else if (s.role === 'param') inputs.push({ name: symbolLocal(s), from: 'p', index: s.index });
  }
  const temps: { name: string; text: string }[] = [];
  const defined = new Set<number>();
  const define = (e: Expr) => {
    if (defined.has(e.id) || !tempNames.has(e.id)) return;
    defined.add(e.id);
    temps.push({ name: tempNames.get(e.id)!, text: printer.definition(e) });
  };
  for (const e of program.temps) define(e);
  for (const e of extra) define(e);

  const outputs = system.rhs.map((e, i) => ({
    index: i,
    text: printer.use(e),
    comment: componentDescription(system, i),
  }));
  const loops: ColumnLoop[] = [];
  // All columns of Φ and S, or a slice of them (sliceColumns: one worker thread's share)
  const { phi, sens } = blockColumns(system);
  if (columns && system.phiOffset >= 0) {
    const comment = `Φ' = J Φ, one column of Φ at a time (J has ${jEntries.length} non-zeros)`;
    loops.push(columnLoop(comment, 'j', phi.count, system.phiOffset, phi.count, n, jEntries, printer));
  }
  const increments: { index: number; text: string; comment: string }[] = [];
  if (columns && system.sensOffset >= 0) {
    const comment = `S' = J S + ∂f/∂p, one column (parameter) of S at a time`;
    loops.push(columnLoop(comment, 'q', sens.count, system.sensOffset, sens.count, n, jEntries, printer));
  }
  // (fpEntries is empty without S; a slice adds the ∂f/∂p of its own columns)
  for (const { row, col, expr } of fpEntries) {
    const c = col - sens.from;
    if (c < 0 || c >= sens.count) continue;
    const index = system.sensOffset + row * sens.count + c;
    increments.push({ index, text: printer.use(expr), comment: `∂f_${row}/∂p_${col}` });
  }
  const secondOrder = printSecondOrderColumns(system, (e) => printer.use(e));
  return { inputs, temps, outputs, loops, increments, secondOrder };
}

/** Runs of at least this many constant-0 components are written by one `dy.fill` (see CUDA_ZERO_LOOP_FROM). */
export const TS_ZERO_FILL_FROM = 8;

/**
 * From this many structural non-zeros of J on, a stiff family's rhs (columns layout) gets J's values from the
 * module's jacobian function and multiplies Φ and S through its row tables (JAC_ROW_START, JAC_COLUMNS), instead
 * of printing every product: the same sums in the same order (so the same bits), but the module does not carry J
 * twice (a 128×128 Brusselator with parameter sensitivities: 34 MB of source instead of 42), and the loop is
 * small enough for V8's optimizing compiler, which a straight-line function of megabytes never gets.
 */
export const JACOBIAN_PRODUCTS_FROM = 4000;

export interface RhsBodyOptions {
  /**
   * Multiply Φ and S by J through `jacobian(t, y, p, RHS_JAC)` and the row tables (the caller's module defines
   * them: the stiff families' do); for the columns layout only.
   */
  readonly jacobianProducts?: boolean;
}

/** Whether a stiff family's rhs should take J's products through the jacobian function (see JACOBIAN_PRODUCTS_FROM). */
export function useJacobianProducts(system: AugmentedSystem): boolean {
  const nnz = system.jacobian.reduce((sum, row) => sum + row.columns.length, 0);
  return (
    system.layout === 'columns' && (system.phiOffset >= 0 || system.sensOffset >= 0) && nnz >= JACOBIAN_PRODUCTS_FROM
  );
}

/** The body of `rhs(t, y, p, dy)`: reads the inputs it needs, computes temporaries, writes dy. */
export function printRhsBody(
  system: AugmentedSystem,
  direction?: ReadonlyMap<number, number>,
  options: RhsBodyOptions = {},
): string {
  const products = options.jacobianProducts === true;
  if (products && system.layout !== 'columns') throw new Error('internal: jacobianProducts needs the columns layout');
  if (products && system.columnSlice !== undefined) throw new Error('internal: a column slice has no jacobianProducts');
  const plan = direction === undefined && !products ? planRhs(system) : makePlan(system, direction, products);
  const lines: string[] = [];
  // (`!` on every element read: erased, and the module type-checks under noUncheckedIndexedAccess)
  for (const i of plan.inputs) lines.push(`const ${i.name} = ${i.from}[${i.index}]!;`);
  for (const t of plan.temps) lines.push(`const ${t.name} = ${t.text};`);
  // Runs of structurally zero components: one fill each (dy is a pooled vector, so zeros must be written).
  for (const segment of rhsSegments(system.rhs, TS_ZERO_FILL_FROM)) {
    if (segment.kind === 'zeros') {
      const { start, end } = segment;
      const [first, last] = [plan.outputs[start]!, plan.outputs[end - 1]!];
      lines.push(`dy.fill(${first.text}, ${start}, ${end}); // ${first.comment} … ${last.comment}: 0`);
      continue;
    }
    const o = plan.outputs[segment.index]!;
    lines.push(`dy[${o.index}] = ${o.text}; // ${o.comment}`);
  }
  for (const loop of plan.loops) {
    const c = loop.index;
    lines.push(`// ${loop.comment}`, `for (let ${c} = 0; ${c} < ${loop.width}; ${c}++) {`);
    for (const k of loop.loads) lines.push(`const x${k} = y[${loop.offset + k * loop.stride} + ${c}]!;`);
    loop.rows.forEach((row, i) => {
      lines.push(`dy[${loop.offset + i * loop.stride} + ${c}] = ${row};`);
    });
    lines.push('}');
  }
  if (products) {
    const n = system.model.states.length;
    const blocks: [string, number, number][] = [];
    if (system.phiOffset >= 0) blocks.push(["Φ' = J Φ", system.phiOffset, n]);
    if (system.sensOffset >= 0) blocks.push(["S' = J S", system.sensOffset, system.model.params.length]);
    lines.push(
      `// ${blocks.map((b) => b[0]).join(' and ')} through J's non-zeros, row by row (the jacobian function's values)`,
      'jacobian(t, y, p, RHS_JAC);',
    );
    for (const [what, offset, width] of blocks) {
      lines.push(
        `// ${what}: ${width} column${width === 1 ? '' : 's'} at ${offset}`,
        `for (let i = 0; i < ${n}; i++) {`,
        `const row = ${offset} + i * ${width};`,
        `dy.fill(0, row, row + ${width});`,
        'for (let k = JAC_ROW_START[i]!; k < JAC_ROW_START[i + 1]!; k++) {',
        'const a = RHS_JAC[k]!;',
        `const from = ${offset} + JAC_COLUMNS[k]! * ${width};`,
        `for (let c = 0; c < ${width}; c++) dy[row + c]! += a * y[from + c]!;`,
        '}',
        '}',
      );
    }
  }
  for (const inc of plan.increments) lines.push(`dy[${inc.index}]! += ${inc.text}; // ${inc.comment}`);
  lines.push(...plan.secondOrder);
  return lines.join('\n');
}

interface Entry {
  readonly row: number;
  readonly col: number;
  readonly expr: Expr;
}

/** The entries of a sparse matrix, row by row (the rows hold structural non-zeros only). */
function sparseEntries(rows: readonly SparseRow[]): Entry[] {
  return rows.flatMap((r, row) => r.columns.map((col, t) => ({ row, col, expr: r.entries[t]! })));
}

function nonZeros(matrix: readonly (readonly Expr[])[]): Entry[] {
  return matrix.flatMap((r, row) => r.flatMap((expr, col) => (isConst(expr, 0) ? [] : [{ row, col, expr }])));
}

/**
 * dX[i][c] = Σ_k J_ik X[k][c] for the columns c of X, stored row-major at `offset` with `stride` columns.
 * Rows of X that J never reads are not loaded; rows of dX with no term are set to 0.
 */
function columnLoop(
  comment: string,
  index: string,
  width: number,
  offset: number,
  stride: number,
  rows: number,
  entries: readonly Entry[],
  printer: ExpressionPrinter,
): ColumnLoop {
  const loads = [...new Set(entries.map((e) => e.col))].sort((a, b) => a - b);
  const byRow: Entry[][] = Array.from({ length: rows }, () => []);
  for (const e of entries) byRow[e.row]!.push(e);
  const rowTexts = byRow.map((terms) =>
    terms.length > 0
      ? terms
          .map((e) => product(printer.use(e.expr), `x${e.col}`))
          .join(' + ')
          .replaceAll('+ -', '- ')
      : '0',
  );
  return { comment, index, width, offset, stride, loads, rows: rowTexts };
}

/** a * b, folding a literal 1 or -1. */
function product(coefficient: string, x: string): string {
  if (coefficient === '1') return x;
  if (coefficient === '-1') return `-${x}`;
  return `${/^[\w.]+$/.test(coefficient) || /^-[\w.]+$/.test(coefficient) ? coefficient : `(${coefficient})`} * ${x}`;
}

/**
 * The right-hand side as statements to inline into a scalar step (unrolled layout only): inputs and outputs
 * are local variables named by the caller, temporaries get the given prefix. `needs` lists, per input
 * component of the augmented vector, whether the statements read it.
 */
const programs = new WeakMap<AugmentedSystem, StraightLineProgram>();

/** The unrolled right-hand side's schedule, computed once per system (the scalar step inlines it per stage). */
function rhsProgram(system: AugmentedSystem): StraightLineProgram {
  let program = programs.get(system);
  if (program === undefined) {
    program = scheduleStraightLine(system.rhs);
    programs.set(system, program);
  }
  return program;
}

export function inlineRhs(
  system: AugmentedSystem,
  input: (component: number) => string,
  time: string,
  tempPrefix: string,
  output: (component: number) => string,
): string[] {
  const program = rhsProgram(system);
  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `${tempPrefix}${i}`]));
  const symbol = (s: Extract<Expr, { kind: 'sym' }>) =>
    s.role === 'time' ? time : s.role === 'param' ? symbolLocal(s) : input(s.index);
  const printer = new ExpressionPrinter({ symbol, temp: (e) => tempNames.get(e.id) }, TS_DIALECT);
  return [
    ...program.temps.map((e) => `const ${tempNames.get(e.id)} = ${printer.definition(e)};`),
    ...system.rhs.map((e, i) => `const ${output(i)} = ${printer.use(e)};`),
  ];
}

/** Which components of the augmented vector the right-hand side reads, and which parameters. */
export function rhsInputs(system: AugmentedSystem): {
  components: Set<number>;
  params: Extract<Expr, { kind: 'sym' }>[];
  time: boolean;
} {
  const program = rhsProgram(system);
  return {
    time: program.inputs.some((s) => s.role === 'time'),
    components: new Set(program.inputs.filter((s) => s.role === 'state' || s.role === 'aux').map((s) => s.index)),
    params: program.inputs.filter((s) => s.role === 'param'),
  };
}
