/**
 * The model-specific part of a TypeScript solver: the augmented right-hand side as straight-line code.
 *
 * Unrolled layout: every component of [y | Φ | S] is one assignment, after common subexpressions.
 * Columns layout: f, the non-zero entries of J and of ∂f/∂p are computed once as straight-line code; then
 * Φ' = JΦ and S' = JS (+ ∂f/∂p) are loops over the columns of Φ and S, unrolled over J's non-zeros only.
 */
import type { Expr } from '../../expr/ir.ts';
import { isConst } from '../../expr/ir.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { componentDescription, symbolLocal } from '../names.ts';
import { ExpressionPrinter } from '../printer.ts';
import { type StraightLineProgram, scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';

/** The body of `rhs(t, y, p, dy)`: reads the inputs it needs, computes temporaries, writes dy. */
export function printRhsBody(system: AugmentedSystem): string {
  const columns = system.layout === 'columns';
  const n = system.model.states.length;
  const np = system.model.params.length;
  const J = system.jacobian;
  const fp = system.paramDerivatives;

  // In the columns layout the loops below read J's and ∂f/∂p's non-zeros: schedule them with f, so that
  // they share temporaries with it.
  const jEntries = columns && (system.phiOffset >= 0 || system.sensOffset >= 0) ? nonZeros(J) : [];
  const fpEntries = columns && system.sensOffset >= 0 ? nonZeros(fp) : [];
  const extra = [...jEntries, ...fpEntries].map((e) => e.expr);
  const program = scheduleStraightLine([...system.rhs, ...extra]);

  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  // Every J or ∂f/∂p entry a loop reads must be a name or a literal, not an expression to recompute per column.
  for (const e of extra) {
    if (!tempNames.has(e.id) && e.kind !== 'sym' && e.kind !== 'const') tempNames.set(e.id, `w${tempNames.size}`);
  }
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => tempNames.get(e.id) }, TS_DIALECT);

  const lines: string[] = [];
  for (const s of program.inputs) {
    // states and aux symbols: their index is their position in the augmented vector
    if (s.role === 'state' || s.role === 'aux') lines.push(`const ${symbolLocal(s)} = y[${s.index}];`);
    else if (s.role === 'param') lines.push(`const ${symbolLocal(s)} = p[${s.index}];`);
  }
  const defined = new Set<number>();
  const define = (e: Expr) => {
    if (defined.has(e.id) || !tempNames.has(e.id)) return;
    defined.add(e.id);
    lines.push(`const ${tempNames.get(e.id)} = ${printer.definition(e)};`);
  };
  for (const e of program.temps) define(e);
  for (const e of extra) define(e);

  system.rhs.forEach((e, i) => {
    lines.push(`dy[${i}] = ${printer.use(e)}; // ${componentDescription(system, i)}`);
  });

  if (columns && system.phiOffset >= 0) {
    lines.push(`// Φ' = J Φ, one column of Φ at a time (J has ${jEntries.length} non-zeros)`);
    lines.push(...columnLoop('j', n, system.phiOffset, n, n, jEntries, printer));
  }
  if (columns && system.sensOffset >= 0) {
    lines.push(`// S' = J S + ∂f/∂p, one column (parameter) of S at a time`);
    lines.push(...columnLoop('q', np, system.sensOffset, np, n, jEntries, printer));
    for (const { row, col, expr } of fpEntries) {
      const at = system.sensOffset + row * np + col;
      lines.push(`dy[${at}] += ${printer.use(expr)}; // ∂f_${row}/∂p_${col}`);
    }
  }
  return lines.join('\n');
}

interface Entry {
  readonly row: number;
  readonly col: number;
  readonly expr: Expr;
}

function nonZeros(matrix: readonly (readonly Expr[])[]): Entry[] {
  return matrix.flatMap((r, row) => r.flatMap((expr, col) => (isConst(expr, 0) ? [] : [{ row, col, expr }])));
}

/**
 * for (c = 0; c < width; c++) dX[i][c] = Σ_k J_ik X[k][c] with X stored row-major at `offset` with `width`
 * columns. Rows of X that J never reads are not loaded; rows of dX with no term are set to 0.
 */
function columnLoop(
  index: string,
  width: number,
  offset: number,
  stride: number,
  rows: number,
  entries: readonly Entry[],
  printer: ExpressionPrinter,
): string[] {
  const used = [...new Set(entries.map((e) => e.col))].sort((a, b) => a - b);
  const body: string[] = used.map((k) => `const x${k} = y[${offset + k * stride} + ${index}];`);
  for (let i = 0; i < rows; i++) {
    const terms = entries.filter((e) => e.row === i).map((e) => product(printer.use(e.expr), `x${e.col}`));
    body.push(
      `dy[${offset + i * stride} + ${index}] = ${terms.length > 0 ? terms.join(' + ').replaceAll('+ -', '- ') : '0'};`,
    );
  }
  return [`for (let ${index} = 0; ${index} < ${width}; ${index}++) {`, ...body, '}'];
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
