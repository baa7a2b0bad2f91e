/**
 * defineModel: a model written in TypeScript, its right-hand side an ordinary function.
 *
 *   const seed = defineModel({
 *     name: 'seed',
 *     states: ['x', 'v'],
 *     params: { k: 20 },
 *     rhs: (t, { x, v }, { k }) => ({ x: v, v: -k * x }),
 *   });
 *
 * The function is read, never called: its source (Function.prototype.toString) is parsed by ts-morph and
 * translated into the model language (ts-rhs.ts), and buildModel checks and builds the result as it does a JSON
 * model's, so both give the same Model, IR and generated code.
 */
import type * as TsMorph from 'ts-morph';
import { ModelError } from '../errors.ts';
import type { ParamValue } from './array-params.ts';
import { buildModel, DEFAULT_LIMITS, type Model, type ModelLimits, type ModelSpec } from './model.ts';
import { translateRhs } from './ts-rhs.ts';
import { lineColumn, morph, type Placer, parseTypeScript } from './ts-source.ts';

/** A model written in TypeScript: the fields of a JSON model, with `rhs` a function. */
export interface ModelDefinition<S extends string, P extends Readonly<Record<string, ParamValue>>> {
  /** A short name: letters, digits, '_', '-' and '.'. */
  readonly name: string;
  /** State names, in the order of the state vector. */
  readonly states: readonly S[];
  /** Parameter names with their defaults, in declared order; an array default makes an array parameter. */
  readonly params?: P;
  /** Name of the independent variable (default "t"); the rhs function's first parameter stands for it. */
  readonly time?: string;
  /** Zero crossings to locate, as in a JSON model (ModelSpec.events): expressions in the model language. */
  readonly events?: ModelSpec['events'];
  /** Which states are positions and which momenta, for the symplectic methods (ModelSpec.hamiltonian). */
  readonly hamiltonian?: ModelSpec['hamiltonian'];
  /**
   * d(state)/d(time) for every state, written with the states and parameters destructured from the second and
   * third arguments. Read as an expression of the model language, never called.
   */
  readonly rhs: (t: number, states: Readonly<Record<S, number>>, params: P) => Readonly<Record<S, number>>;
}

/**
 * Builds a Model from a definition whose rhs is a TypeScript function, read symbolically. Throws ModelError for
 * anything buildModel refuses, and for any construct of the function outside the model language (naming it and
 * its line and column in the function's source). `limits` as for buildModel.
 */
export function defineModel<
  const S extends string,
  const P extends Readonly<Record<string, ParamValue>> = Record<string, never>,
>(definition: ModelDefinition<S, P>, limits: Partial<ModelLimits> = {}): Model {
  if (typeof definition === 'object' && definition !== null && typeof definition.rhs === 'object') {
    // Right-hand sides written in the model language, as in a JSON model: nothing to read here.
    return buildModel(definition as unknown as ModelSpec<ParamValue>, undefined, limits);
  }
  if (typeof definition !== 'object' || definition === null || typeof definition.rhs !== 'function') {
    // buildModel's own refusal (not an object, no name, …), or one for an rhs that is not a function.
    const spec = definition as unknown as ModelSpec<ParamValue>;
    if (typeof definition !== 'object' || definition === null || definition.rhs === undefined) buildModel(spec);
    throw new ModelError(
      { model: typeof definition.name === 'string' ? definition.name : '?' },
      `'rhs' must be a function (t, { states }, { params }) => ({ state: expression, … })`,
    );
  }
  const { rhs, ...fields } = definition;
  // The names, parameters and fields first, with buildModel's own checks and messages: a right-hand side of
  // 0 for each state stands in for the function until it is read.
  const states = Array.isArray(fields.states) ? (fields.states as unknown[]) : [];
  const zeros = Object.fromEntries(states.map((s) => [String(s), 0]));
  const outline = buildModel({ ...fields, rhs: zeros } as ModelSpec<ParamValue>, undefined, limits);

  const source = Function.prototype.toString.call(rhs);
  const { fn, place } = readFunction(source, outline.name);
  const scope = {
    model: outline.name,
    time: outline.time.name,
    states: outline.states.map((s) => s.name),
    params: paramShapes(outline),
    maxLength: limits.maxExpressionLength ?? DEFAULT_LIMITS.maxExpressionLength,
  };
  const translated = translateRhs(fn, scope, place);
  try {
    return buildModel({ ...fields, rhs: translated.rhs } as ModelSpec<ParamValue>, undefined, limits);
  } catch (e) {
    // A problem only buildModel sees (an expression nested too deeply once consts are inlined): placed at
    // the state's expression in the function.
    if (!(e instanceof ModelError) || e.location.state === undefined) throw e;
    const node = translated.nodes.get(e.location.state);
    if (node === undefined) throw e;
    throw new ModelError(e.location, `${problemOf(e)} (${place(node)})`);
  }
}

/** Parameter name → an array parameter's shape, undefined for a scalar; in declared order. */
export function paramShapes(model: Model): Map<string, readonly number[] | undefined> {
  const shapes = new Map<string, readonly number[] | undefined>();
  const arrays = new Map(model.paramArrays.map((a) => [a.offset, a]));
  for (let k = 0; k < model.params.length; k++) {
    const array = arrays.get(k);
    if (array === undefined) {
      shapes.set(model.params[k]!.name, undefined);
      continue;
    }
    shapes.set(array.name, array.shape);
    k += array.shape.reduce((a, b) => a * b, 1) - 1;
  }
  return shapes;
}

/** A ModelError's problem, without the "model 'm', rhs of 'x': " its message starts with. */
export function problemOf(e: ModelError): string {
  const prefix = new ModelError(e.location, '').message;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * Parses a function's source. An arrow function or a function expression parses as an expression; a method
 * (`rhs(t, { x }) { … }`, as toString gives it for `{ rhs(…) { … } }`) only inside an object literal.
 */
function readFunction(source: string, model: string): { fn: TsMorph.Node; place: Placer } {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new ModelError({ model }, `'rhs' is a native or bound function, whose source cannot be read`);
  }
  const { Node } = morph();
  for (const [before, after] of [
    ['(', '\n)'],
    ['({', '\n})'],
  ] as const) {
    const { file, syntaxError } = parseTypeScript(`${before}${source}${after}`, 'rhs.ts');
    const statements = file.getStatements();
    const statement = statements[0];
    if (syntaxError !== undefined || statements.length !== 1 || !Node.isExpressionStatement(statement)) continue;
    let fn: TsMorph.Node = statement.getExpression();
    while (Node.isParenthesizedExpression(fn)) fn = fn.getExpression();
    if (Node.isObjectLiteralExpression(fn)) {
      const properties = fn.getProperties();
      if (properties.length !== 1) continue;
      fn = properties[0]!;
    }
    const place: Placer = (node) => {
      const { line, column } = lineColumn(source, node.getStart() - before.length);
      return `line ${line}, column ${column} of the rhs function`;
    };
    return { fn, place };
  }
  throw new ModelError({ model }, `the source of 'rhs' could not be read as a function`);
}
