/**
 * A right-hand side written as a TypeScript function, `(t, { x, v }, { k }) => ({ x: v, v: -k * x })`, read
 * symbolically: its syntax tree (ts-morph) becomes one model-language expression per state, which buildModel
 * then parses like a JSON model's, with the same checks and to the same IR. The function is never called.
 *
 * Read: number literals; the names the parameters bind (the time; states and parameters destructured, renames
 * `{ x: pos }` included); + - * / **, unary - and +, brackets; `Math.f(…)` for the model language's functions;
 * `Math.PI`, `Math.E`; entries of array parameters, `M[1][0]`; `const` declarations before the `return` of a
 * block body (inlined where they are used). Anything else is a ModelError naming the construct and where it is.
 *
 * Nothing of the source text is copied into the expressions: they are written from the model's own names (which
 * buildModel validates), numbers printed from their values, and the fixed function names and operators.
 */
import type * as TsMorph from 'ts-morph';
import { ModelError } from '../errors.ts';
import { MAX_NESTING, USER_FUNCTIONS } from '../expr/parse.ts';
import { entryOffset } from './array-params.ts';
import { morph, type Placer, quoteSource } from './ts-source.ts';

type Node = TsMorph.Node;

/** What a right-hand side may refer to. */
export interface RhsScope {
  readonly model: string;
  readonly time: string;
  readonly states: readonly string[];
  /** Parameter names, in declared order, with an array parameter's shape (undefined for a scalar). */
  readonly params: ReadonlyMap<string, readonly number[] | undefined>;
  /** The longest expression written (inlining const declarations can grow one beyond its source). */
  readonly maxLength: number;
}

export interface TranslatedRhs {
  /** state → expression in the model language */
  readonly rhs: Readonly<Record<string, string>>;
  /** state → the expression's node, to place a later problem (one buildModel finds) in the source */
  readonly nodes: ReadonlyMap<string, Node>;
}

// How tightly an expression binds, for the brackets it needs as an operand (the model language's grammar:
// a sign takes an operand, a power's base is a primary and its exponent an operand).
const ADD = 1;
const MUL = 2;
const UNARY = 3;
const POW = 4;
const ATOM = 5;

interface Printed {
  readonly text: string;
  readonly prec: number;
}

const bracket = (p: Printed, least: number): string => (p.prec >= least ? p.text : `(${p.text})`);

type Binding =
  | { readonly kind: 'symbol'; readonly name: string }
  | { readonly kind: 'array'; readonly name: string; readonly shape: readonly number[] }
  | { readonly kind: 'const'; readonly value: Printed }
  | { readonly kind: 'whole'; readonly what: 'states' | 'params' };

/**
 * A numeric literal's value: TypeScript's own reading of it (its `text` is the double's shortest form, "1e-300",
 * "16" for 0x10, "Infinity" past the largest double). Not ts-morph's getLiteralValue, which reads 1e-300 as 1.
 */
export const literalValue = (n: TsMorph.NumericLiteral): number => Number(n.compilerNode.text);

/** An identifier's name as the language reads it (escapes such as \u0078 resolved), never its raw text. */
const nameOf = (id: TsMorph.Identifier): string => id.compilerNode.text;

/** A list of names for a message, cut after 8. */
const listed = (names: readonly string[]): string =>
  names.length === 0 ? 'none' : names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')}, …`;

/** A node kind in words, for constructs without a message of their own: "a conditional expression". */
function construct(node: Node): string {
  const words = node
    .getKindName()
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

/** How messages name the functions a right-hand side may call. */
const FUNCTION_LIST = `Math.f with f one of ${Object.keys(USER_FUNCTIONS).join(' ')}`;

/** Reads the rhs function `fn` (an arrow function, function expression or method). */
export function translateRhs(fn: Node, scope: RhsScope, place: Placer): TranslatedRhs {
  return guarded(scope, () => new RhsReader(scope, place).function(fn));
}

/** Reads an expression of numbers alone (a parameter's default in a model file): no names are bound. */
export function translateConstant(node: Node, scope: RhsScope, place: Placer): string {
  return guarded(scope, () => new RhsReader(scope, place).expr(node).text);
}

/** A stack overflow in the parser's tree or here is the source being too deep, not a crash of odeforge. */
function guarded<T>(scope: RhsScope, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError)
      throw new ModelError({ model: scope.model }, 'the source is nested too deeply to read');
    throw e;
  }
}

class RhsReader {
  private readonly bindings = new Map<string, Binding>();
  /** The state whose right-hand side is being read, for the ModelError's location. */
  private state: string | undefined;
  private depth = 0;
  private readonly Node = morph().Node;
  private readonly Kind = morph().SyntaxKind;

  constructor(
    private readonly scope: RhsScope,
    private readonly place: Placer,
  ) {}

  private fail(node: Node, problem: string): ModelError {
    const location = { model: this.scope.model, text: node.getText().slice(0, 200) };
    return new ModelError(
      this.state === undefined ? location : { ...location, state: this.state },
      `${problem} (${quoteSource(node.getText())}, ${this.place(node)})`,
    );
  }

  function(fn: Node): TranslatedRhs {
    const { Node } = this;
    if (
      !Node.isArrowFunction(fn) &&
      !Node.isFunctionExpression(fn) &&
      !Node.isMethodDeclaration(fn) &&
      !Node.isFunctionDeclaration(fn)
    ) {
      throw this.fail(fn, `'rhs' must be a function (t, { states }, { params }) => ({ state: expression, … })`);
    }
    if (fn.isAsync()) throw this.fail(fn, 'an async function is not read: the rhs returns the object itself');
    if (!Node.isArrowFunction(fn) && fn.isGenerator()) throw this.fail(fn, 'a generator function is not read');
    this.parameters(fn.getParameters());
    const body = fn.getBody();
    if (body === undefined) throw this.fail(fn, 'the rhs function has no body');
    return this.object(Node.isBlock(body) ? this.block(body) : body);
  }

  /** (t, { x, v: speed }, { k, M }): the time, the states and the parameters, bound to local names. */
  private parameters(list: TsMorph.ParameterDeclaration[]): void {
    const { Node } = this;
    if (list.length > 3)
      throw this.fail(list[3]!, 'the rhs function takes at most three parameters (t, states, params)');
    for (const [i, p] of list.entries()) {
      if (p.isRestParameter()) throw this.fail(p, 'a rest parameter is not read');
      const initializer = p.getInitializer();
      if (initializer !== undefined) throw this.fail(initializer, 'a default value of a parameter is not read');
      const name = p.getNameNode();
      if (i === 0) {
        if (!Node.isIdentifier(name)) throw this.fail(name, 'the first parameter is the time: a name, not a pattern');
        this.bind(name, { kind: 'symbol', name: this.scope.time });
        continue;
      }
      const what = i === 1 ? 'states' : 'params';
      if (Node.isIdentifier(name)) {
        this.bind(name, { kind: 'whole', what });
        continue;
      }
      if (!Node.isObjectBindingPattern(name)) throw this.fail(name, `the ${what} are destructured with { … }`);
      for (const element of name.getElements()) this.element(element, what);
    }
  }

  /** One name of `{ x, v: speed }`. */
  private element(element: TsMorph.BindingElement, what: 'states' | 'params'): void {
    const { Node } = this;
    if (element.getDotDotDotToken() !== undefined) throw this.fail(element, 'a rest element (...) is not read');
    const initializer = element.getInitializer();
    if (initializer !== undefined) throw this.fail(initializer, 'a default value in a pattern is not read');
    const local = element.getNameNode();
    if (!Node.isIdentifier(local)) {
      throw this.fail(local, 'a nested pattern is not read: bind the name, and index an array parameter, M[1][0]');
    }
    const keyNode = element.getPropertyNameNode() ?? local;
    let key: string;
    if (Node.isIdentifier(keyNode)) key = nameOf(keyNode);
    else if (Node.isStringLiteral(keyNode) || Node.isNoSubstitutionTemplateLiteral(keyNode))
      key = keyNode.getLiteralText();
    else throw this.fail(keyNode, 'a computed or numeric key is not read');
    if (what === 'states') {
      if (!this.scope.states.includes(key)) {
        throw this.fail(keyNode, `'${key}' is not a state of the model (states: ${listed(this.scope.states)})`);
      }
      this.bind(local, { kind: 'symbol', name: key });
      return;
    }
    if (!this.scope.params.has(key)) {
      throw this.fail(
        keyNode,
        `'${key}' is not a parameter of the model (parameters: ${listed([...this.scope.params.keys()])})`,
      );
    }
    const shape = this.scope.params.get(key);
    this.bind(local, shape === undefined ? { kind: 'symbol', name: key } : { kind: 'array', name: key, shape });
  }

  private bind(local: TsMorph.Identifier, binding: Binding): void {
    const name = nameOf(local);
    if (name === 'Math') throw this.fail(local, `'Math' is not rebound in a right-hand side`);
    if (this.bindings.has(name)) throw this.fail(local, `'${name}' is declared twice`);
    this.bindings.set(name, binding);
  }

  /** A block body: const declarations, then `return { … }`; gives the returned expression. */
  private block(body: TsMorph.Block): Node {
    const { Node } = this;
    const statements = body.getStatements().filter((s) => !Node.isEmptyStatement(s));
    for (const [i, s] of statements.entries()) {
      if (Node.isReturnStatement(s)) {
        const next = statements[i + 1];
        if (next !== undefined) throw this.fail(next, 'a statement after the return is not read');
        const value = s.getExpression();
        if (value === undefined) throw this.fail(s, 'the return needs the object of right-hand sides');
        return value;
      }
      if (!Node.isVariableStatement(s)) {
        throw this.fail(s, `${construct(s)} is not read: a block body holds const declarations and a return`);
      }
      if (s.getDeclarationKind() !== morph().VariableDeclarationKind.Const) {
        throw this.fail(s, `only const declarations are read, not '${s.getDeclarationKind()}'`);
      }
      for (const d of s.getDeclarations()) {
        const name = d.getNameNode();
        if (!Node.isIdentifier(name))
          throw this.fail(name, 'a destructuring declaration is not read: one name per const');
        const value = d.getInitializer();
        if (value === undefined) throw this.fail(d, 'a const needs a value');
        this.bind(name, { kind: 'const', value: this.expr(value) });
      }
    }
    throw this.fail(body, 'the rhs function does not return the object of right-hand sides');
  }

  /** The returned `{ x: …, v: … }`: one expression per state. */
  private object(returned: Node): TranslatedRhs {
    const { Node } = this;
    const node = this.unwrap(returned);
    if (!Node.isObjectLiteralExpression(node)) {
      throw this.fail(node, 'the rhs function must return an object literal { state: expression, … }');
    }
    const rhs: Record<string, string> = {};
    const nodes = new Map<string, Node>();
    for (const property of node.getProperties()) {
      let keyNode: Node;
      let value: Node;
      if (Node.isPropertyAssignment(property)) {
        keyNode = property.getNameNode();
        value = property.getInitializerOrThrow();
      } else if (Node.isShorthandPropertyAssignment(property)) {
        keyNode = property.getNameNode();
        value = property.getNameNode();
      } else {
        throw this.fail(property, `${construct(property)} is not read: write state: expression`);
      }
      let key: string;
      if (Node.isIdentifier(keyNode)) key = nameOf(keyNode);
      else if (Node.isStringLiteral(keyNode) || Node.isNoSubstitutionTemplateLiteral(keyNode))
        key = keyNode.getLiteralText();
      else throw this.fail(keyNode, 'a computed or numeric key is not read');
      if (!this.scope.states.includes(key)) {
        throw this.fail(keyNode, `'${key}' is not a state of the model (states: ${listed(this.scope.states)})`);
      }
      if (nodes.has(key)) throw this.fail(keyNode, `'${key}' has two right-hand sides`);
      this.state = key;
      rhs[key] = this.expr(value).text;
      this.state = undefined;
      nodes.set(key, value);
    }
    for (const s of this.scope.states) {
      if (!nodes.has(s)) {
        this.state = s;
        throw this.fail(node, `no right-hand side for state '${s}'`);
      }
    }
    return { rhs, nodes };
  }

  /** Brackets and type-only wrappers (`as`, `satisfies`, `!`) do not change a value. */
  private unwrap(node: Node): Node {
    const { Node } = this;
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

  expr(node: Node): Printed {
    if (++this.depth > MAX_NESTING) {
      throw this.fail(node, `the expression is nested too deeply (more than ${MAX_NESTING} levels)`);
    }
    const printed = this.exprAt(this.unwrap(node));
    this.depth--;
    if (printed.text.length > this.scope.maxLength) {
      throw this.fail(
        node,
        `the right-hand side grows past ${this.scope.maxLength} characters (const declarations are inlined where they are used)`,
      );
    }
    return printed;
  }

  private exprAt(node: Node): Printed {
    const { Node, Kind } = this;
    if (Node.isNumericLiteral(node)) {
      const value = literalValue(node);
      if (!Number.isFinite(value)) throw this.fail(node, 'the number is too large for a double');
      // The value printed, not the literal copied: String gives the shortest text of exactly this double.
      return { text: String(value), prec: ATOM };
    }
    if (Node.isIdentifier(node)) return this.name(node);
    if (Node.isPrefixUnaryExpression(node)) {
      const op = node.getOperatorToken();
      if (op !== Kind.MinusToken && op !== Kind.PlusToken) {
        throw this.fail(node, `the operator '${morph().ts.tokenToString(op)}' is not read (only unary - and +)`);
      }
      const operand = this.expr(node.getOperand());
      return { text: `${op === Kind.MinusToken ? '-' : '+'}${bracket(operand, UNARY)}`, prec: UNARY };
    }
    if (Node.isBinaryExpression(node)) return this.binary(node);
    if (Node.isCallExpression(node)) return this.call(node);
    if (Node.isPropertyAccessExpression(node)) return this.property(node);
    if (Node.isElementAccessExpression(node)) return this.entry(node);
    if (Node.isBigIntLiteral(node)) throw this.fail(node, 'a BigInt is not a number of the model language');
    if (
      Node.isArrowFunction(node) ||
      Node.isFunctionExpression(node) ||
      Node.isClassExpression(node) ||
      Node.isConditionalExpression(node) ||
      Node.isTemplateExpression(node) ||
      Node.isNoSubstitutionTemplateLiteral(node) ||
      Node.isStringLiteral(node)
    ) {
      const what = Node.isConditionalExpression(node)
        ? 'a conditional (?:)'
        : Node.isTemplateExpression(node) || Node.isNoSubstitutionTemplateLiteral(node)
          ? 'a template string'
          : Node.isStringLiteral(node)
            ? 'a string'
            : 'a function or class (a closure)';
      throw this.fail(node, `${what} is not read in a right-hand side`);
    }
    if (Node.isPostfixUnaryExpression(node)) throw this.fail(node, `'++' and '--' are not read`);
    throw this.fail(node, `${construct(node)} is not read in a right-hand side`);
  }

  private binary(node: TsMorph.BinaryExpression): Printed {
    const { Kind } = this;
    const token = node.getOperatorToken();
    const op = token.getKind();
    const text =
      op === Kind.PlusToken
        ? '+'
        : op === Kind.MinusToken
          ? '-'
          : op === Kind.AsteriskToken
            ? '*'
            : op === Kind.SlashToken
              ? '/'
              : op === Kind.AsteriskAsteriskToken
                ? '**'
                : undefined;
    if (text === undefined) {
      const written = token.getText();
      const why =
        written === '^'
          ? `'^' is bitwise XOR in TypeScript: write ** for a power`
          : op >= Kind.FirstAssignment && op <= Kind.LastAssignment
            ? 'an assignment is not read'
            : `the operator '${written}' is not read (only + - * / ** and unary -)`;
      throw this.fail(token, why);
    }
    const left = this.expr(node.getLeft());
    const right = this.expr(node.getRight());
    if (text === '+' || text === '-') {
      return { text: `${bracket(left, ADD)} ${text} ${bracket(right, MUL)}`, prec: ADD };
    }
    if (text === '*' || text === '/') {
      return { text: `${bracket(left, MUL)} ${text} ${bracket(right, UNARY)}`, prec: MUL };
    }
    return { text: `${bracket(left, ATOM)} ** ${bracket(right, UNARY)}`, prec: POW };
  }

  /** A name: the time, a state, a scalar parameter, or a const declared above. */
  private name(id: TsMorph.Identifier): Printed {
    const name = nameOf(id);
    const binding = this.bindings.get(name);
    if (binding === undefined) {
      if (name === 'Math') throw this.fail(id, `'Math' alone is not a value: call its functions (Math.sin(x))`);
      throw this.fail(
        id,
        `'${name}' is not bound by the rhs function's parameters or a const before it (outer variables are not read)`,
      );
    }
    switch (binding.kind) {
      case 'symbol':
        return { text: binding.name, prec: ATOM };
      case 'const':
        return binding.value;
      case 'array':
        throw this.fail(id, entryOffset(binding, []) as string);
      case 'whole':
        throw this.fail(
          id,
          `'${name}' is the whole ${binding.what} object: destructure it, as in (t, { x, v }, { k }) => …`,
        );
    }
  }

  /** `Math.f` when `callee` is one (with `Math` not rebound: bind refuses that), else undefined. */
  private mathMember(node: Node): string | undefined {
    const { Node } = this;
    if (!Node.isPropertyAccessExpression(node) || node.hasQuestionDotToken()) return undefined;
    const base = node.getExpression();
    return Node.isIdentifier(base) && nameOf(base) === 'Math' ? node.getName() : undefined;
  }

  private call(node: TsMorph.CallExpression): Printed {
    const { Node } = this;
    const callee = node.getExpression();
    const f = this.mathMember(callee);
    if (f === undefined || node.hasQuestionDotToken()) {
      throw this.fail(node, `only the model language's functions may be called: ${FUNCTION_LIST}`);
    }
    if (!Object.hasOwn(USER_FUNCTIONS, f)) {
      throw this.fail(callee, `Math.${f} is not a function of the model language (${FUNCTION_LIST})`);
    }
    const arity = USER_FUNCTIONS[f]!;
    const args = node.getArguments();
    for (const a of args) if (Node.isSpreadElement(a)) throw this.fail(a, 'a spread argument (...) is not read');
    if (args.length < arity.min || args.length > arity.max) {
      const expected =
        arity.min === arity.max
          ? `${arity.min}`
          : arity.max === Number.POSITIVE_INFINITY
            ? `at least ${arity.min}`
            : `${arity.min} to ${arity.max}`;
      throw this.fail(
        node,
        `Math.${f} takes ${expected} argument${expected === '1' ? '' : 's'} here, got ${args.length}`,
      );
    }
    return { text: `${f}(${args.map((a) => this.expr(a).text).join(', ')})`, prec: ATOM };
  }

  private property(node: TsMorph.PropertyAccessExpression): Printed {
    const { Node } = this;
    const member = this.mathMember(node);
    if (member === 'PI') return { text: 'pi', prec: ATOM };
    if (member === 'E') return { text: String(Math.E), prec: ATOM };
    if (member !== undefined) {
      throw this.fail(node, `Math.${member} is not a constant of the model language (Math.PI and Math.E are)`);
    }
    const base = node.getExpression();
    const binding = Node.isIdentifier(base) ? this.bindings.get(nameOf(base)) : undefined;
    if (binding?.kind === 'whole') {
      throw this.fail(
        node,
        `a property of the ${binding.what} is not read: destructure them, (t, { x, v }, { k }) => …`,
      );
    }
    throw this.fail(node, 'a property access is not read (only Math.PI, Math.E and Math functions)');
  }

  /** `M[1][0]`: an entry of an array parameter, every index a literal integer. */
  private entry(node: TsMorph.ElementAccessExpression): Printed {
    const { Node } = this;
    const indices: number[] = [];
    let at: Node = node;
    while (Node.isElementAccessExpression(at)) {
      if (at.hasQuestionDotToken()) throw this.fail(at, 'optional indexing ?.[] is not read');
      const index = at.getArgumentExpression();
      if (
        index === undefined ||
        !Node.isNumericLiteral(index) ||
        !/^(?:0|[1-9][0-9]*)$/.test(index.getText()) ||
        !Number.isSafeInteger(literalValue(index))
      ) {
        throw this.fail(index ?? at, 'an index must be a non-negative integer written in decimal digits');
      }
      indices.unshift(literalValue(index));
      at = at.getExpression();
    }
    const binding = Node.isIdentifier(at) ? this.bindings.get(nameOf(at)) : undefined;
    if (binding?.kind !== 'array') {
      throw this.fail(at, `only an array parameter takes an index`);
    }
    const k = entryOffset(binding, indices);
    if (typeof k === 'string') throw this.fail(node, k);
    return { text: `${binding.name}${indices.map((i) => `[${i}]`).join('')}`, prec: ATOM };
  }
}
