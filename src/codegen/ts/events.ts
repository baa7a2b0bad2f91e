/**
 * A model's events in its TypeScript solver: their names, directions and terminal flags as constants, and two
 * straight-line functions printed from the IR — `events`, the values g(t, y, p), and `eventGradients`, the
 * derivatives ∇_y g, ∂g/∂t and ∂g/∂p that the driver needs for the event times' sensitivities
 * (dτ/dy0 = −∇_y g·Φ / (∂g/∂t + ∇_y g·f), and the parameters' analogue). Only a model with events gets them: the
 * driver's event code is cut out of every other module (module.ts, optionalRegions), so those stay as they were.
 */
import { Differentiator, freeSymbols } from '../../diff/derivative.ts';
import { type Expr, isConst, type SymNode } from '../../expr/ir.ts';
import type { Model } from '../../model/model.ts';
import { indentBlock, symbolLocal } from '../names.ts';
import { ExpressionPrinter, integerLiteral } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';

/** One assignment of a generated function: `array[index] = expr;`. */
interface Output {
  readonly array: string;
  readonly index: number;
  readonly expr: Expr;
  readonly comment: string;
}

/**
 * The body of a function of (t, y, p, …) that writes `outputs`: the states and parameters it reads as locals, the
 * shared subexpressions as temporaries (one schedule over all outputs), then the assignments. The names printed
 * are the validated identifiers behind their prefixes (symbolLocal) and literals through the number printer.
 */
function straightLineBody(outputs: readonly Output[]): string {
  const program = scheduleStraightLine(outputs.map((o) => o.expr));
  const temps = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => temps.get(e.id) }, TS_DIALECT);
  const lines: string[] = [];
  for (const s of program.inputs) {
    // (the time is the parameter t itself; an event reads only the states of the augmented vector)
    if (s.role === 'state') lines.push(`const ${symbolLocal(s)} = y[${integerLiteral(s.index)}]!;`);
    else if (s.role === 'param') lines.push(`const ${symbolLocal(s)} = p[${integerLiteral(s.index)}]!;`);
  }
  for (const e of program.temps) lines.push(`const ${temps.get(e.id)} = ${printer.definition(e)};`);
  for (const o of outputs)
    lines.push(`${o.array}[${integerLiteral(o.index)}] = ${printer.use(o.expr)}; // ${o.comment}`);
  return lines.join('\n');
}

/** The event's derivatives with respect to the states, the time and the parameters, non-zero entries only. */
function gradientOutputs(model: Model): Output[] {
  const d = new Differentiator(model.builder);
  const n = model.states.length;
  const np = model.params.length;
  const out: Output[] = [];
  const add = (array: string, index: number, expr: Expr, comment: string) => {
    if (!isConst(expr, 0)) out.push({ array, index, expr, comment });
  };
  model.events.forEach((event, i) => {
    // Only the symbols g reads can give a non-zero derivative (a large model's event reads a few states).
    const reads = freeSymbols(event.expr);
    const read = (s: SymNode) => reads.has(s.id);
    const g = `∂${event.name}`;
    model.states.forEach((s, k) => {
      if (read(s)) add('gy', i * n + k, d.d(event.expr, s), `${g}/∂${s.name}`);
    });
    if (read(model.time)) add('gt', i, d.d(event.expr, model.time), `${g}/∂${model.time.name}`);
    model.params.forEach((q, k) => {
      if (read(q)) add('gp', i * np + k, d.d(event.expr, q), `${g}/∂${q.name}`);
    });
  });
  return out;
}

/**
 * The definitions of the driver's event placeholders (templates/ts/driver.ts: EVENT_NAMES, EVENT_DIRECTIONS,
 * EVENT_TERMINAL, EVENT_LANDING, events, eventGradients) for a model with events. `landing`: whether the family's
 * step may be retaken from the start of a step it accepted, so that a terminal event's state is the method's own
 * rather than the dense output's (not BDF, whose accepted step has moved its history on).
 */
export function eventDefinitions(model: Model, landing: boolean): Map<string, string> {
  if (model.events.length === 0) throw new Error('internal: eventDefinitions for a model without events');
  // Names are validated identifiers, printed as JSON strings; directions and flags are printed from their types.
  const names = JSON.stringify(model.events.map((e) => e.name));
  const directions = model.events.map((e) => integerLiteral(e.direction)).join(', ');
  const terminal = model.events.map((e) => (e.terminal ? 'true' : 'false')).join(', ');
  const values = model.events.map((e, i): Output => ({ array: 'g', index: i, expr: e.expr, comment: e.name }));
  const gradients = gradientOutputs(model);
  const gradientSignature =
    'function eventGradients(t: number, y: Float64Array, p: Float64Array, gy: Float64Array, gt: Float64Array, gp: Float64Array): void';
  return new Map([
    ['EVENT_NAMES', `const EVENT_NAMES: readonly string[] = ${names};`],
    ['EVENT_DIRECTIONS', `const EVENT_DIRECTIONS: readonly number[] = [${directions}];`],
    ['EVENT_TERMINAL', `const EVENT_TERMINAL: readonly boolean[] = [${terminal}];`],
    ['EVENT_LANDING', `const EVENT_LANDING: boolean = ${landing ? 'true' : 'false'};`],
    [
      'events',
      `function events(t: number, y: Float64Array, p: Float64Array, g: Float64Array): void {\n${indentBlock(straightLineBody(values), 1)}\n}`,
    ],
    [
      'eventGradients',
      // (constant events have no non-zero derivative: nothing to write into the zero-filled arrays)
      `${gradientSignature} {${gradients.length === 0 ? '' : `\n${indentBlock(straightLineBody(gradients), 1)}\n`}}`,
    ],
  ]);
}
