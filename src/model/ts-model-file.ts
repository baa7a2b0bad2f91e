/**
 * A model file written in TypeScript, read as data and never run:
 *
 *   import { defineModel } from 'odeforge';
 *   export default defineModel({
 *     name: 'seed',
 *     states: ['x', 'v'],
 *     params: { M: [[0, 1], [-20, 0]] },
 *     rhs: (t, { x, v }, { M }) => ({ x: M[0][0] * x + M[0][1] * v, v: M[1][0] * x + M[1][1] * v }),
 *   });
 *
 * The default export's object literal is read from the file's syntax tree (ts-morph): `name`, `time` and the
 * states as string literals, parameters' defaults as numbers (arithmetic of numbers and Math allowed: `8 / 3`)
 * or arrays of them, and `rhs` as defineModel reads a function (ts-rhs.ts). The rest of the file (imports,
 * types, other statements) is not looked at: nothing in it is evaluated or imported. Problems are ModelErrors
 * with the file's line and column, or a ModelSourceError for a file that is not a model at all.
 */
import type * as TsMorph from 'ts-morph';
import { ModelError } from '../errors.ts';
import { ExprBuilder, evaluate } from '../expr/ir.ts';
import { ExpressionError, parseExpression } from '../expr/parse.ts';
import { MAX_RANK, type ParamValue } from './array-params.ts';
import { paramShapes, problemOf } from './define-model.ts';
import { buildModel, DEFAULT_LIMITS, type Model, type ModelSpec } from './model.ts';
import { literalValue, type RhsScope, translateConstant, translateRhs } from './ts-rhs.ts';
import { lineColumn, morph, type Placer, parseTypeScript } from './ts-source.ts';

type Node = TsMorph.Node;

/** A TypeScript file that is not a model: a syntax error, or no `export default defineModel({ … })`. */
export class ModelSourceError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`line ${line}, column ${column}: ${problem}`);
  }
}

/** The model a TypeScript model file's text defines (see the module comment). */
export function readTypeScriptModel(text: string, fileName = 'model.ts'): Model {
  const { Node } = morph();
  let parsed: ReturnType<typeof parseTypeScript>;
  try {
    parsed = parseTypeScript(text, /\.mts$/.test(fileName) ? 'model.mts' : 'model.ts');
  } catch (e) {
    // TypeScript's parser recurses once per level of nesting.
    if (e instanceof RangeError) throw new ModelSourceError(1, 1, 'the file is nested too deeply to read');
    throw e;
  }
  const { file, syntaxError } = parsed;
  const at = (pos: number) => lineColumn(file.getFullText(), pos);
  const sourceError = (node: Node | number, problem: string) => {
    const { line, column } = at(typeof node === 'number' ? node : node.getStart());
    return new ModelSourceError(line, column, problem);
  };
  if (syntaxError !== undefined) throw sourceError(syntaxError.pos, `not valid TypeScript: ${syntaxError.message}`);
  const place: Placer = (node) => {
    const { line, column } = at(node.getStart());
    return `line ${line}, column ${column}`;
  };

  const defaults = file.getExportAssignments().filter((a) => !a.isExportEquals());
  if (defaults.length !== 1) {
    throw sourceError(defaults[1] ?? 0, 'a model file has one `export default defineModel({ … })`');
  }
  let exported = unwrap(defaults[0]!.getExpression());
  if (Node.isCallExpression(exported)) {
    const callee = exported.getExpression();
    const name = Node.isIdentifier(callee)
      ? callee.getText()
      : Node.isPropertyAccessExpression(callee)
        ? callee.getName()
        : '';
    const args = exported.getArguments();
    if (name !== 'defineModel' || args.length !== 1) {
      throw sourceError(exported, 'the default export must be defineModel({ … }) with the model object');
    }
    exported = unwrap(args[0]!);
  }
  if (!Node.isObjectLiteralExpression(exported)) {
    throw sourceError(exported, 'the default export must be defineModel({ … }) with the model object written in place');
  }
  return new FileReader(place).model(exported);
}

/** Brackets and type-only wrappers (`as const`, `satisfies T`, `!`) do not change a value. */
function unwrap(node: Node): Node {
  const { Node } = morph();
  let at = node;
  while (
    Node.isParenthesizedExpression(at) ||
    Node.isAsExpression(at) ||
    Node.isSatisfiesExpression(at) ||
    Node.isNonNullExpression(at) ||
    Node.isTypeAssertion(at)
  ) {
    at = at.getExpression();
  }
  return at;
}

const FIELDS = ['name', 'states', 'params', 'rhs', 'time', 'events', 'hamiltonian'];

/**
 * Sets an own, enumerable property, as JSON.parse does: an assignment of `__proto__` would set the object's
 * prototype instead, and the key would vanish before buildModel sees (and refuses) it.
 */
function put<T>(object: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

class FileReader {
  private model_ = '?';
  /** Text of a name (model, state, parameter, time, field) → where it is written, to place buildModel's refusals. */
  private readonly names = new Map<string, Node>();
  private readonly Node = morph().Node;

  constructor(private readonly place: Placer) {}

  private fail(node: Node, problem: string, state?: string): ModelError {
    const location = { model: this.model_, text: node.getText().slice(0, 200) };
    return new ModelError(state === undefined ? location : { ...location, state }, `${problem} (${this.place(node)})`);
  }

  model(object: TsMorph.ObjectLiteralExpression): Model {
    const { Node } = this;
    const spec: Record<string, unknown> = {};
    let rhsNode: Node | undefined;
    // The name first, so that every later message names the model.
    for (const property of object.getProperties()) {
      if (Node.isPropertyAssignment(property) && this.key(property.getNameNode()) === 'name') {
        const value = unwrap(property.getInitializerOrThrow());
        if (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value))
          this.model_ = value.getLiteralText();
      }
    }
    for (const property of object.getProperties()) {
      if (Node.isMethodDeclaration(property) && this.key(property.getNameNode()) === 'rhs') {
        rhsNode = property;
        continue;
      }
      if (!Node.isPropertyAssignment(property)) {
        throw this.fail(
          property,
          `${Node.isShorthandPropertyAssignment(property) ? 'a shorthand property (a variable of the file)' : 'this'} is not read: write field: value`,
        );
      }
      const keyNode = property.getNameNode();
      const key = this.key(keyNode);
      const value = unwrap(property.getInitializerOrThrow());
      this.names.set(key, keyNode);
      if (Object.hasOwn(spec, key) || (key === 'rhs' && rhsNode !== undefined)) {
        throw this.fail(keyNode, `the field '${key}' is written twice`);
      }
      if (!FIELDS.includes(key)) {
        put(spec, key, null); // buildModel refuses it, with its message; placed at the key
        continue;
      }
      if (key === 'name' || key === 'time') spec[key] = this.string(value, `'${key}'`);
      else if (key === 'states') spec.states = this.states(value);
      else if (key === 'params') spec.params = this.params(value);
      else if (key === 'events' || key === 'hamiltonian') spec[key] = this.literal(value, `'${key}'`);
      else rhsNode = value;
    }
    const states = Array.isArray(spec.states) ? (spec.states as string[]) : [];
    // Names and fields first, with buildModel's checks (a right-hand side of 0 stands in for each state).
    const outline = this.build({ ...spec, rhs: Object.fromEntries(states.map((s) => [s, 0])) }, new Map());
    if (rhsNode === undefined) return this.build(spec, new Map());
    const scope: RhsScope = {
      model: outline.name,
      time: outline.time.name,
      states: outline.states.map((s) => s.name),
      params: paramShapes(outline),
      maxLength: DEFAULT_LIMITS.maxExpressionLength,
    };
    if (Node.isObjectLiteralExpression(rhsNode)) {
      // Right-hand sides written as model-language strings, as in a JSON model.
      const nodes = new Map<string, Node>();
      const rhs: Record<string, unknown> = {};
      for (const p of rhsNode.getProperties()) {
        if (!Node.isPropertyAssignment(p)) throw this.fail(p, 'write state: expression');
        const value = unwrap(p.getInitializerOrThrow());
        const state = this.key(p.getNameNode());
        put(
          rhs,
          state,
          Node.isNumericLiteral(value) ? literalValue(value) : this.string(value, `the rhs of '${state}'`),
        );
        nodes.set(state, value);
      }
      return this.build({ ...spec, rhs }, nodes);
    }
    const translated = translateRhs(rhsNode, scope, this.place);
    return this.build({ ...spec, rhs: translated.rhs }, translated.nodes);
  }

  /** buildModel, with a refusal placed in the file: at the state's expression, or where the name at fault is. */
  private build(spec: Record<string, unknown>, rhsNodes: ReadonlyMap<string, Node>): Model {
    try {
      return buildModel(spec as unknown as ModelSpec<ParamValue>);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      const { state, text } = e.location;
      const node =
        (state === undefined ? undefined : rhsNodes.get(state)) ??
        (text === undefined ? undefined : this.names.get(text));
      if (node === undefined) throw e;
      throw new ModelError(e.location, `${problemOf(e)} (${this.place(node)})`);
    }
  }

  /** A property's key: a name or a string literal. */
  private key(node: Node): string {
    const { Node } = this;
    if (Node.isIdentifier(node)) return node.compilerNode.text;
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText();
    throw this.fail(node, 'a computed or numeric key is not read');
  }

  private string(node: Node, what: string): string {
    const { Node } = this;
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText();
    throw this.fail(node, `${what} must be a string literal`);
  }

  private states(node: Node): string[] {
    const { Node } = this;
    if (!Node.isArrayLiteralExpression(node)) throw this.fail(node, `'states' must be an array of string literals`);
    return node.getElements().map((element) => {
      const name = this.string(unwrap(element), 'a state');
      this.names.set(name, element);
      return name;
    });
  }

  private params(node: Node): Record<string, ParamValue> {
    const { Node } = this;
    if (!Node.isObjectLiteralExpression(node)) throw this.fail(node, `'params' must be an object of name: default`);
    const params: Record<string, ParamValue> = {};
    for (const p of node.getProperties()) {
      if (!Node.isPropertyAssignment(p))
        throw this.fail(p, 'write name: default value (a number, or an array of them)');
      const keyNode = p.getNameNode();
      const name = this.key(keyNode);
      this.names.set(name, keyNode);
      if (Object.hasOwn(params, name)) throw this.fail(keyNode, `the parameter '${name}' is written twice`);
      put(params, name, this.value(unwrap(p.getInitializerOrThrow()), name, 0));
    }
    return params;
  }

  /**
   * A value written as JSON would be — an object, an array, a string, a number (a numeric default's arithmetic
   * included), true or false — for the fields that are data (events, hamiltonian); buildModel checks its shape.
   */
  private literal(node: Node, what: string): unknown {
    const { Node } = this;
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText();
    if (Node.isTrueLiteral(node)) return true;
    if (Node.isFalseLiteral(node)) return false;
    if (Node.isArrayLiteralExpression(node)) {
      return node.getElements().map((element) => {
        if (Node.isSpreadElement(element) || Node.isOmittedExpression(element)) {
          throw this.fail(element, `${what}: write every element`);
        }
        return this.literal(unwrap(element), what);
      });
    }
    if (Node.isObjectLiteralExpression(node)) {
      const out: Record<string, unknown> = {};
      for (const p of node.getProperties()) {
        if (!Node.isPropertyAssignment(p)) throw this.fail(p, `${what}: write key: value`);
        const key = this.key(p.getNameNode());
        if (Object.hasOwn(out, key)) throw this.fail(p.getNameNode(), `${what}: the key '${key}' is written twice`);
        put(out, key, this.literal(unwrap(p.getInitializerOrThrow()), what));
      }
      return out;
    }
    return this.number(node, `a number in ${what}`);
  }

  /** A default: an arithmetic expression of numbers, or an array (of arrays) of them. */
  private value(node: Node, param: string, depth: number): ParamValue {
    const { Node } = this;
    if (Node.isArrayLiteralExpression(node)) {
      if (depth >= MAX_RANK) throw this.fail(node, `array parameter '${param}' has more than ${MAX_RANK} dimensions`);
      return node.getElements().map((element) => {
        if (Node.isSpreadElement(element) || Node.isOmittedExpression(element)) {
          throw this.fail(element, 'write every entry of an array parameter');
        }
        return this.value(unwrap(element), param, depth + 1);
      });
    }
    return this.number(node, `the default of '${param}'`);
  }

  /** An arithmetic expression of numbers (`8 / 3`, `-1`), evaluated; `what` names it in a refusal. */
  private number(node: Node, what: string): number {
    const scope = {
      model: this.model_,
      time: '',
      states: [],
      params: new Map(),
      maxLength: DEFAULT_LIMITS.maxExpressionLength,
    };
    const text = translateConstant(node, scope, this.place);
    let value = Number.NaN;
    try {
      value = evaluate(
        parseExpression(text, () => undefined, new ExprBuilder()),
        () => Number.NaN,
      );
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      throw this.fail(node, `${what} cannot be read: ${e.problem}`);
    }
    if (!Number.isFinite(value)) throw this.fail(node, `${what} is ${value}, not a finite number`);
    return value;
  }
}
