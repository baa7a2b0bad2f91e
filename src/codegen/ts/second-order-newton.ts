/**
 * The stiff families with second-order sensitivities (compile's `order: 2`): what their block solves need
 * besides J and the coupling K of the first-order columns (./newton-matrix.ts).
 *
 * With the second-order blocks Ψ (and M, P: src/variational/second-order.ts) appended, the augmented Jacobian
 * stays block lower triangular with J on the whole diagonal:
 *
 *     ∂F/∂[y, Φ|S, Ψ] = [ J     0    0 ]      L = ∂/∂[y, Φ, S] of the second-order blocks' right-hand sides
 *                       [ K     J    0 ]        (J Ψ + f''(Φ, Φ) + …): third derivatives of f along y, second
 *                       [ L_y  L_Φ   J ]        along Φ and S, all from the IR
 *
 * so (d·I − ∂F/∂Y) x = r is solved as before — the state, then the first-order columns — and then every
 * second-order column with r + L·(x_y, x_Φ, x_S) on the right, with the same LU of d·I − J. `secondCoupling`
 * computes L·u for a direction u given in the state and first-order components of an augmented vector: the
 * directional derivative of each second-order right-hand side, printed as straight-line code. With it the
 * matrix is the exact ∂F/∂Y, as Rosenbrock methods require; Newton-based families converge to the discrete
 * solution of the whole augmented system, whose Ψ is then the second derivative of the computed y.
 */
import { Differentiator, freeSymbols } from '../../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../../expr/ir.ts';
import { pairCount } from '../../variational/second-order.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { indentBlock, symbolLocal } from '../names.ts';
import { ExpressionPrinter, int32ArrayLiteral, integerLiteral } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';

const int = integerLiteral;

/** The second-order columns: for column c, the component of row i (row-major within each block). */
function secondOrderColumns(system: AugmentedSystem): number[][] {
  const blocks = system.secondOrder;
  if (blocks === undefined) return [];
  const n = system.model.states.length;
  const np = system.sensOffset >= 0 ? system.model.params.length : 0;
  const columns: number[][] = [];
  const add = (offset: number, width: number) => {
    if (offset < 0) return;
    for (let c = 0; c < width; c++) columns.push(Array.from({ length: n }, (_, i) => offset + i * width + c));
  };
  add(blocks.hessOffset, pairCount(n));
  add(blocks.mixedOffset, n * np);
  add(blocks.paramHessOffset, pairCount(np));
  return columns;
}

/** The first component of the second-order blocks (every block lies past it). */
function secondOrderStart(system: AugmentedSystem): number {
  const b = system.secondOrder!;
  return Math.min(...[b.hessOffset, b.mixedOffset, b.paramHessOffset].filter((o) => o >= 0));
}

/** `function secondCoupling(t, y, p, u, dy)`: dy at the second-order components = L u (see the top). */
function printSecondCoupling(system: AugmentedSystem, columns: readonly number[][]): string {
  const signature =
    'function secondCoupling(t: number, y: Float64Array, p: Float64Array, u: Float64Array, dy: Float64Array): void';
  if (columns.length === 0) return `${signature} {\n  // no second-order sensitivities\n}`;
  if (system.layout !== 'unrolled')
    throw new Error('internal: the stiff families take second-order sensitivities in the unrolled layout only');
  const b = system.model.builder;
  const diff = new Differentiator(b);
  const start = secondOrderStart(system);
  // The variables of the lower blocks: the states and the first-order components, each by its place in Y.
  const place = new Map<number, number>();
  system.model.states.forEach((s, l) => {
    place.set(s.id, l);
  });
  for (let k = system.model.states.length; k < start; k++) place.set(system.components[k]!.id, k);
  const variable = (k: number): SymNode =>
    k < system.model.states.length ? system.model.states[k]! : system.components[k]!;
  const direction = new Map<number, number>();
  const towards = (k: number): SymNode => {
    const s = b.sym(`du_${k}`, 'aux', k);
    direction.set(s.id, k);
    return s;
  };
  const targets = columns.flat().sort((x, y) => x - y);
  const outputs = targets.map((a) => {
    const e = system.rhs[a]!;
    const read = [...freeSymbols(e)].flatMap((id) => place.get(id) ?? []).sort((x, y) => x - y);
    const terms: Expr[] = [];
    for (const k of read) {
      const d = diff.d(e, variable(k));
      if (!isConst(d, 0)) terms.push(b.mul(d, towards(k)));
    }
    return b.addAll(terms);
  });
  const program = scheduleStraightLine(outputs);
  const temps = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => temps.get(e.id) }, TS_DIALECT);
  const lines: string[] = [
    '// L u: each second-order right-hand side differentiated along u in the state and the first-order components',
  ];
  for (const q of program.inputs) {
    const from = direction.get(q.id);
    if (from !== undefined) lines.push(`const ${symbolLocal(q)} = u[${int(from)}]!;`);
    else if (q.role === 'state' || q.role === 'aux') lines.push(`const ${symbolLocal(q)} = y[${int(q.index)}]!;`);
    else if (q.role === 'param') lines.push(`const ${symbolLocal(q)} = p[${int(q.index)}]!;`);
  }
  for (const e of program.temps) lines.push(`const ${temps.get(e.id)} = ${printer.definition(e)};`);
  targets.forEach((a, i) => {
    lines.push(`dy[${int(a)}] = ${printer.use(outputs[i]!)};`);
  });
  return `${signature} {\n${indentBlock(lines.join('\n'), 1)}\n}`;
}

/** SECOND_COLUMNS, SECOND_COMPONENTS (N per column) and secondCoupling, for templates/ts/newton-matrix.ts. */
export function secondOrderNewtonDefinitions(system: AugmentedSystem): [string, string][] {
  const columns = secondOrderColumns(system);
  return [
    ['SECOND_COLUMNS', `const SECOND_COLUMNS: number = ${int(columns.length)};`],
    ['SECOND_COMPONENTS', `const SECOND_COMPONENTS: Int32Array = ${int32ArrayLiteral(columns.flat())};`],
    ['secondCoupling', printSecondCoupling(system, columns)],
  ];
}
