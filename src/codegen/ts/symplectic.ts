/**
 * The generated parts of a symplectic splitting solver (templates/ts/symplectic.ts): the composition's
 * coefficients, and the augmented right-hand side cut in two — the drift's rates (the positions and their rows of Φ
 * and S) and the kick's (the momenta and theirs). For a separable model (methods/symplectic/separable.ts) each
 * half reads only the other half's components, so a drift or kick computed from them is exact for its half, and
 * for its rows of Φ and S it is the derivative of that drift or kick.
 *
 * Both layouts of the augmented system are printed: 'unrolled' as one assignment per component (structural zeros
 * skipped: they stay +0), 'columns' as f, J's and ∂f/∂p's entries of the half's rows, then loops over the
 * columns of Φ and S.
 */
import type { Expr } from '../../expr/ir.ts';
import { isConst } from '../../expr/ir.ts';
import { add, parseCoefficient, type Rational, rationalToNumber, ZERO } from '../../methods/exact.ts';
import { separableSplit } from '../../methods/symplectic/separable.ts';
import { type SymplecticMethod, splittingSequence } from '../../methods/symplectic/types.ts';
import { pairCount } from '../../variational/second-order.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { componentDescription, indentBlock, symbolLocal } from '../names.ts';
import { ExpressionPrinter, float64ArrayLiteral, integerLiteral } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';

/** The coefficients of the composition, as the template reads them. */
interface Composition {
  readonly kick: boolean[];
  readonly coefficient: number[];
  /** For each kick, the exact sum of the drift coefficients before it, rounded once; 0 for drifts. */
  readonly time: number[];
  readonly fsal: boolean;
  readonly kicksPerStep: number;
}

function composition(method: SymplecticMethod): Composition {
  const sequence = splittingSequence(method);
  let drifted: Rational = ZERO;
  const time: number[] = [];
  for (const s of sequence) {
    time.push(s.map === 'kick' ? rationalToNumber(drifted) : 0);
    if (s.map === 'drift') drifted = add(drifted, parseCoefficient(s.coefficient));
  }
  const kicks = method.kick.length;
  const fsal = sequence.length > 1 && sequence[0]!.map === 'kick' && sequence.at(-1)!.map === 'kick';
  return {
    kick: sequence.map((s) => s.map === 'kick'),
    coefficient: sequence.map((s) => rationalToNumber(parseCoefficient(s.coefficient))),
    time,
    fsal,
    kicksPerStep: fsal ? kicks - 1 : kicks,
  };
}

/**
 * The components of the augmented vector that move with `states`: theirs, and their rows of Φ and S (and of the
 * second-order blocks, unrolled: a row of Ψ reads J's and ∂²f's entries of its row, which a separable model
 * confines to the other half, and the other half's rows of Φ, S and Ψ — so the drift and the kick stay exact
 * for them too, and Ψ is the second derivative of the splitting's map).
 */
function halfComponents(system: AugmentedSystem, states: readonly number[]): number[] {
  const n = system.model.states.length;
  const np = system.model.params.length;
  const out: number[] = [];
  const rows = (offset: number, width: number) => {
    if (offset >= 0) for (const i of states) for (let c = 0; c < width; c++) out.push(offset + i * width + c);
  };
  for (const i of states) out.push(i);
  rows(system.phiOffset, n);
  rows(system.sensOffset, np);
  const second = system.secondOrder;
  if (second !== undefined) {
    const withParams = system.sensOffset >= 0;
    rows(second.hessOffset, pairCount(n));
    rows(second.mixedOffset, withParams ? n * np : 0);
    rows(second.paramHessOffset, withParams ? pairCount(np) : 0);
  }
  return out;
}

/**
 * `const x = y[i]!;` for what a program reads: states and Φ/S components from y, parameters from p. A component of
 * the half itself (`own`) must not be among them: that is what makes each drift and kick exact.
 */
function inputLines(
  inputs: readonly Extract<Expr, { kind: 'sym' }>[],
  own: ReadonlySet<number>,
  withTime: boolean,
  what: string,
): string[] {
  const lines: string[] = [];
  for (const s of inputs) {
    if ((s.role === 'state' || s.role === 'aux') && own.has(s.index)) {
      throw new Error(`internal: the ${what} reads ${s.name}, which it moves (separability should rule that out)`);
    }
    if (s.role === 'state' || s.role === 'aux') lines.push(`const ${symbolLocal(s)} = y[${s.index}]!;`);
    else if (s.role === 'param') lines.push(`const ${symbolLocal(s)} = p[${s.index}]!;`);
    else if (!withTime) throw new Error(`internal: the ${what} reads the time, which separability rules out`);
  }
  return lines;
}

/** The body of a rate function in the unrolled layout: d[k] for every component of the half that is not 0. */
function unrolledRate(system: AugmentedSystem, states: readonly number[], withTime: boolean, what: string): string {
  const own = halfComponents(system, states);
  const components = own.filter((k) => !isConst(system.rhs[k]!, 0));
  const program = scheduleStraightLine(components.map((k) => system.rhs[k]!));
  const temps = new Map(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => temps.get(e.id) }, TS_DIALECT);
  return [
    ...inputLines(program.inputs, new Set(own), withTime, what),
    ...program.temps.map((e) => `const ${temps.get(e.id)} = ${printer.definition(e)};`),
    ...components.map((k) => `d[${k}] = ${printer.use(system.rhs[k]!)}; // ${componentDescription(system, k)}`),
  ].join('\n');
}

/** y += c·d over the half's components that are not structurally 0 (unrolled layout). */
function unrolledApply(system: AugmentedSystem, states: readonly number[]): string {
  return halfComponents(system, states)
    .filter((k) => !isConst(system.rhs[k]!, 0))
    .map((k) => `y[${k}]! += c * d[${k}]!;`)
    .join('\n');
}

interface Entry {
  readonly row: number;
  readonly col: number;
  readonly expr: Expr;
}

/**
 * The body of a rate function in the columns layout: f and the entries of J and ∂f/∂p in the half's rows as
 * straight-line code, then Φ' = JΦ and S' = JS + ∂f/∂p over the columns, for those rows only.
 */
function columnsRate(system: AugmentedSystem, states: readonly number[], withTime: boolean, what: string): string {
  const n = system.model.states.length;
  const np = system.model.params.length;
  const withPhi = system.phiOffset >= 0;
  const withSens = system.sensOffset >= 0;
  const jEntries: Entry[] =
    withPhi || withSens
      ? states.flatMap((row) => {
          const r = system.jacobian[row]!;
          return r.columns.map((col, t) => ({ row, col, expr: r.entries[t]! }));
        })
      : [];
  const fpEntries: Entry[] = withSens
    ? states.flatMap((row) =>
        system.paramDerivatives[row]!.flatMap((expr, col) => (isConst(expr, 0) ? [] : [{ row, col, expr }])),
      )
    : [];
  const extra = [...jEntries, ...fpEntries].map((e) => e.expr);
  const program = scheduleStraightLine([...states.map((i) => system.model.rhs[i]!), ...extra]);
  const temps = new Map(program.temps.map((e, i) => [e.id, `w${i}`]));
  // Every entry a loop reads must be a name or a literal, not an expression recomputed per column.
  for (const e of extra)
    if (!temps.has(e.id) && e.kind !== 'sym' && e.kind !== 'const') temps.set(e.id, `w${temps.size}`);
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => temps.get(e.id) }, TS_DIALECT);
  const own = new Set(states);
  const lines = inputLines(program.inputs, own, withTime, what);
  const defined = new Set<number>();
  for (const e of [...program.temps, ...extra]) {
    if (defined.has(e.id) || !temps.has(e.id)) continue;
    defined.add(e.id);
    lines.push(`const ${temps.get(e.id)} = ${printer.definition(e)};`);
  }
  for (const i of states) {
    lines.push(`d[${i}] = ${printer.use(system.model.rhs[i]!)}; // ${componentDescription(system, i)}`);
  }
  const reads = [...new Set(jEntries.map((e) => e.col))].sort((a, b) => a - b);
  const moved = reads.find((k) => own.has(k));
  if (moved !== undefined)
    throw new Error(`internal: the ${what} reads the rows of Φ or S of state ${moved}, which it moves`);
  const byRow = new Map<number, string[]>(states.map((i) => [i, []]));
  for (const e of jEntries) byRow.get(e.row)!.push(product(printer.use(e.expr), `x${e.col}`));
  const loop = (comment: string, c: string, width: number, offset: number) => {
    lines.push(`// ${comment}`, `for (let ${c} = 0; ${c} < ${integerLiteral(width)}; ${c}++) {`);
    for (const k of reads) lines.push(`const x${k} = y[${offset + k * width} + ${c}]!;`);
    for (const i of states) {
      const terms = byRow.get(i)!;
      lines.push(`d[${offset + i * width} + ${c}] = ${terms.length > 0 ? terms.join(' + ') : '0'};`);
    }
    lines.push('}');
  };
  if (withPhi) loop(`Φ' = J Φ in these rows, one column of Φ at a time`, 'j', n, system.phiOffset);
  if (withSens) loop(`S' = J S (+ ∂f/∂p below) in these rows, one column of S at a time`, 'q', np, system.sensOffset);
  for (const { row, col, expr } of fpEntries) {
    lines.push(`d[${system.sensOffset + row * np + col}]! += ${printer.use(expr)}; // ∂f_${row}/∂p_${col}`);
  }
  return lines.join('\n');
}

/** a * x, a literal 1 or -1 folded, a in parentheses unless it is a name or a number. */
function product(a: string, x: string): string {
  if (a === '1') return x;
  if (a === '-1') return `-${x}`;
  return `${/^-?[\w.]+$/.test(a) ? a : `(${a})`} * ${x}`;
}

/** y += c·d over the half's components (columns layout: every component of its rows of Φ and S). */
function columnsApply(system: AugmentedSystem, states: readonly number[]): string {
  const n = system.model.states.length;
  const np = system.model.params.length;
  const lines = states.map((i) => `y[${i}]! += c * d[${i}]!;`);
  const rows = (offset: number, width: number) => {
    for (const i of states) {
      const at = offset + i * width;
      lines.push(`for (let k = ${at}; k < ${at + width}; k++) y[k]! += c * d[k]!;`);
    }
  };
  if (system.phiOffset >= 0) rows(system.phiOffset, n);
  if (system.sensOffset >= 0) rows(system.sensOffset, np);
  return lines.join('\n');
}

/** A function of the module: its signature and an indented body. */
function fn(signature: string, body: string): string {
  return `function ${signature} {\n${indentBlock(body, 1)}\n}`;
}

/**
 * Every definition the symplectic template's placeholders need, besides those of every family. Throws ModelError
 * when the model is not separable, or says nothing of which states are positions and momenta.
 */
export function symplecticDefinitions(system: AugmentedSystem, method: SymplecticMethod): Map<string, string> {
  const { positions, momenta } = separableSplit(system.model, method.name);
  const comp = composition(method);
  const unrolled = system.layout === 'unrolled';
  const rate = unrolled ? unrolledRate : columnsRate;
  const apply = unrolled ? unrolledApply : columnsApply;
  const drift = [...positions].sort((a, b) => a - b);
  const kick = [...momenta].sort((a, b) => a - b);
  return new Map([
    ['MAPS', `const MAPS: number = ${integerLiteral(comp.kick.length)};`],
    ['MAP_KICK', `const MAP_KICK: readonly boolean[] = [${comp.kick.map(String).join(', ')}];`],
    ['MAP_COEFFICIENT', `const MAP_COEFFICIENT: Float64Array = ${float64ArrayLiteral(comp.coefficient)};`],
    ['MAP_TIME', `const MAP_TIME: Float64Array = ${float64ArrayLiteral(comp.time)};`],
    ['KICK_FSAL', `const KICK_FSAL: boolean = ${comp.fsal ? 'true' : 'false'};`],
    ['KICKS_PER_STEP', `const KICKS_PER_STEP: number = ${integerLiteral(comp.kicksPerStep)};`],
    [
      'driftRate',
      fn('driftRate(y: Float64Array, p: Float64Array, d: Float64Array): void', rate(system, drift, false, 'drift')),
    ],
    [
      'kickRate',
      fn(
        'kickRate(t: number, y: Float64Array, p: Float64Array, d: Float64Array): void',
        rate(system, kick, true, 'kick'),
      ),
    ],
    ['applyDrift', fn('applyDrift(y: Float64Array, d: Float64Array, c: number): void', apply(system, drift))],
    ['applyKick', fn('applyKick(y: Float64Array, d: Float64Array, c: number): void', apply(system, kick))],
  ]);
}
