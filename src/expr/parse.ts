/**
 * From the text of a right-hand side to the IR, with nerdamer as the parser front end.
 *
 * 1. `tokenize` reads literals (as exact doubles), names, operators and brackets.
 * 2. A recognizer checks the token sequence against the grammar and the known names, so nothing reaches
 *    nerdamer that it would read silently in its own way, and rewrites it for nerdamer:
 *      - every literal becomes a placeholder `L<k>` and every symbol a placeholder `V<k>` (nerdamer then
 *        neither rounds literals to fractions nor gives user names its own meanings);
 *      - every unary sign gets brackets around its operand, `x/-y^2` → `x/(-V0^2)`, because nerdamer binds
 *        a sign after `*` or `/` tighter than `^` (it reads x/-y^2 as x/(-y)^2).
 *    Grammar: expr := operand (binop operand)*; operand := sign operand | primary (pow operand)?;
 *             primary := number | name ('[' digits ']')* | function '(' args ')' | '(' expr ')'
 *    (indices only for array parameters' entries, resolved by an IndexResolver).
 * 3. `nerdamer.tree` parses the rewritten text (precedence, associativity) and the tree becomes IR nodes.
 */
import { createRequire } from 'node:module';
import type Nerdamer from 'nerdamer';
import { type ChainStep, type Expr, type ExprBuilder, FUNCTION_ARITY, type FunctionName } from './ir.ts';
import { LexError, type Token, tokenize } from './tokens.ts';

// require, not import: nerdamer is CommonJS, and importing it from ESM costs a scan of its 500 kB for export
// names (~40 ms of a cold CLI call) that a require skips.
const nerdamer = createRequire(import.meta.url)('nerdamer') as typeof Nerdamer;

/** The functions a user may call, with the arities they accept (min and max take two or more). */
export const USER_FUNCTIONS: Readonly<Record<string, { min: number; max: number }>> = {
  sin: { min: 1, max: 1 },
  cos: { min: 1, max: 1 },
  tan: { min: 1, max: 1 },
  asin: { min: 1, max: 1 },
  acos: { min: 1, max: 1 },
  atan: { min: 1, max: 1 },
  atan2: { min: 2, max: 2 },
  sinh: { min: 1, max: 1 },
  cosh: { min: 1, max: 1 },
  tanh: { min: 1, max: 1 },
  exp: { min: 1, max: 1 },
  log: { min: 1, max: 1 },
  sqrt: { min: 1, max: 1 },
  abs: { min: 1, max: 1 },
  pow: { min: 2, max: 2 },
  min: { min: 2, max: Number.POSITIVE_INFINITY },
  max: { min: 2, max: Number.POSITIVE_INFINITY },
  sign: { min: 1, max: 1 },
};

/** Names with a fixed meaning in expressions. */
export const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI };

// The tables above are plain objects: `name in USER_FUNCTIONS` or `USER_FUNCTIONS[name]` would also find
// Object.prototype members (toString, constructor, __proto__, hasOwnProperty …), so a user's `constructor(x)`
// reached the builder as a function with arity `Object` and failed with an internal Error. Look up own
// properties only.
const isUserFunction = (name: string): boolean => Object.hasOwn(USER_FUNCTIONS, name);
const isConstant = (name: string): boolean => Object.hasOwn(CONSTANTS, name);

/**
 * The deepest nesting of brackets, calls, signs and powers (`((x))`, `sin(sin(x))`, `--x`, `x^x^x`) an
 * expression may have. Regression (hardening): without a limit, the recognizer only stopped at a stack
 * overflow, so an expression nested 2,000–4,000 levels deep was accepted and then overflowed the stack in the
 * differentiator or the printer, which recurse further per level (the printer through the derivative's
 * inlined subexpressions); `generate` died with a RangeError (the CLI's "internal error", exit 70) instead of
 * a ModelError. Measured on Node 20: the worst constructs (nested atan2, tan, divisions) fail from ~500 levels
 * with the default stack and pass 200 levels with half of it. Real models nest a few levels (a Horner-form
 * polynomial nests once per degree); raise this only with the later stages made iterative.
 */
export const MAX_NESTING = 200;

/** A problem in one expression: what is wrong, at which character, and the text around it. */
export class ExpressionError extends Error {
  constructor(
    readonly problem: string,
    readonly pos: number | undefined,
    readonly text: string,
  ) {
    super(problem);
  }
}

/** Resolves a name of the model (state, param, time) to its IR symbol, or undefined when unknown. */
export type SymbolResolver = (name: string) => Expr | undefined;

/**
 * Resolves an entry of an array parameter, `M[1][0]` (name 'M', indices [1, 0]), to its IR symbol; or says
 * what is wrong (a string: a wrong number of indices, an index out of range, a name that is not an array);
 * or undefined for an unknown name. It is also asked about a bare name the SymbolResolver does not know
 * (indices []), so that `M` used without its indices gets a message saying so. Without one, no name takes
 * indices.
 */
export type IndexResolver = (name: string, indices: readonly number[]) => Expr | string | undefined;

/** An index as written in an expression: decimal digits only (no sign, exponent, separator or hex). */
const INDEX_TEXT = /^(?:0|[1-9][0-9]*)$/;

interface Rewritten {
  text: string;
  literals: number[];
  symbols: Expr[];
}

class Recognizer {
  private i = 0;
  private depth = -1; // the outermost operand is level 0
  private out: string[] = [];
  readonly literals: number[] = [];
  readonly symbols: Expr[] = [];
  private readonly symbolSlots = new Map<string, number>();

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly resolve: SymbolResolver,
    private readonly index: IndexResolver | undefined,
  ) {}

  run(): Rewritten {
    if (this.tokens.length === 0) throw new ExpressionError('empty expression', undefined, this.source);
    this.expr();
    if (this.i < this.tokens.length) {
      const t = this.tokens[this.i]!;
      throw this.fail(t.kind === 'close' ? `unmatched ')'` : `unexpected '${t.text}' after a complete expression`, t);
    }
    return { text: this.out.join(''), literals: this.literals, symbols: this.symbols };
  }

  private fail(problem: string, at?: Token): ExpressionError {
    return new ExpressionError(problem, at?.pos ?? this.source.length, this.source);
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private expr(): void {
    this.operand();
    for (let t = this.peek(); t?.kind === 'operator' && t.text !== '^' && t.text !== '**'; t = this.peek()) {
      this.out.push(t.text);
      this.i++;
      this.operand();
    }
  }

  private operand(): void {
    // Every level of nesting passes through here: a bracket or a call (via expr), a sign, a power.
    if (++this.depth > MAX_NESTING) {
      // No position, as for the stack overflow this limit replaces.
      throw new ExpressionError(
        `expression is nested too deeply to read (more than ${MAX_NESTING} levels)`,
        undefined,
        this.source,
      );
    }
    this.operandAt();
    this.depth--;
  }

  private operandAt(): void {
    const t = this.peek();
    if (t?.kind === 'operator' && (t.text === '-' || t.text === '+')) {
      this.i++;
      this.out.push('(', t.text);
      this.operand();
      this.out.push(')');
      return;
    }
    this.primary();
    const next = this.peek();
    if (next?.kind === 'operator' && (next.text === '^' || next.text === '**')) {
      this.i++;
      this.out.push('^');
      this.operand();
    }
  }

  private primary(): void {
    const t = this.peek();
    if (t === undefined) throw this.fail('expression ends where a value is expected');
    this.i++;
    switch (t.kind) {
      case 'number':
        this.out.push(`L${this.literals.length}`);
        this.literals.push(t.value!);
        return;
      case 'name':
        this.name(t);
        return;
      case 'function':
        this.call(t);
        return;
      case 'open':
        this.out.push('(');
        this.expr();
        this.expect('close', `missing ')' for the '(' at character ${t.pos + 1}`);
        this.out.push(')');
        return;
      default:
        throw this.fail(
          t.kind === 'close' ? `'${t.text}' where a value is expected` : `'${t.text}' where a value is expected`,
          t,
        );
    }
  }

  private name(t: Token): void {
    if (isUserFunction(t.text)) throw this.fail(`function '${t.text}' used without arguments`, t);
    const indices = this.indices();
    if (isConstant(t.text)) {
      if (indices.length > 0) throw this.fail(`'${t.text}' is a constant and takes no index`, t);
      this.out.push(`L${this.literals.length}`);
      this.literals.push(CONSTANTS[t.text]!);
      return;
    }
    let sym: Expr | string | undefined;
    if (indices.length === 0) {
      sym = this.resolve(t.text) ?? this.index?.(t.text, indices);
    } else if (this.index !== undefined) {
      sym = this.index(t.text, indices);
    } else {
      sym = this.resolve(t.text) === undefined ? undefined : `'${t.text}' is not an array parameter: it takes no index`;
    }
    if (sym === undefined) throw this.fail(`unknown symbol '${t.text}'`, t);
    if (typeof sym === 'string') throw this.fail(sym, t);
    // An entry is keyed by its name and indices; a bracket never occurs in a name, so the keys cannot meet.
    const key = indices.length === 0 ? t.text : `${t.text}[${indices.join('][')}]`;
    let slot = this.symbolSlots.get(key);
    if (slot === undefined) {
      slot = this.symbols.length;
      this.symbols.push(sym);
      this.symbolSlots.set(key, slot);
    }
    this.out.push(`V${slot}`);
  }

  /** The indices after a name, `[1][0]` → [1, 0] (none: []). Each is a decimal integer literal, nothing else. */
  private indices(): number[] {
    const out: number[] = [];
    for (let open = this.peek(); open?.kind === 'index-open'; open = this.peek()) {
      this.i++;
      const n = this.peek();
      if (n?.kind !== 'number' || !INDEX_TEXT.test(n.text) || !Number.isSafeInteger(n.value)) {
        throw this.fail(
          `an index must be a non-negative integer written in decimal digits${n ? `, found '${n.text}'` : ''}`,
          n,
        );
      }
      this.i++;
      this.expect('index-close', `missing ']' for the '[' at character ${open.pos + 1}`);
      out.push(n.value!);
    }
    return out;
  }

  private call(t: Token): void {
    const arity = isUserFunction(t.text) ? USER_FUNCTIONS[t.text] : undefined;
    if (arity === undefined) {
      const known = this.resolve(t.text) !== undefined || isConstant(t.text);
      throw this.fail(known ? `'${t.text}' is not a function` : `unknown function '${t.text}'`, t);
    }
    const open = this.peek()!;
    this.i++;
    // nerdamer's tree has no pow(): it drops the arguments of functions it does not know, so pow(a, b)
    // is handed over as ((a)^(b)).
    const isPow = t.text === 'pow';
    this.out.push(isPow ? '((' : `${t.text}(`);
    let count = 0;
    if (this.peek()?.kind !== 'close') {
      for (;;) {
        this.expr();
        count++;
        if (this.peek()?.kind !== 'comma') break;
        this.out.push(isPow ? ')^(' : ',');
        this.i++;
      }
    }
    this.expect('close', `missing ')' for the call of '${t.text}' at character ${open.pos + 1}`);
    this.out.push(isPow ? '))' : ')');
    if (count < arity.min || count > arity.max) {
      const expected =
        arity.min === arity.max
          ? `${arity.min}`
          : arity.max === Number.POSITIVE_INFINITY
            ? `at least ${arity.min}`
            : `${arity.min} to ${arity.max}`;
      throw this.fail(`'${t.text}' takes ${expected} argument${expected === '1' ? '' : 's'}, got ${count}`, t);
    }
  }

  private expect(kind: Token['kind'], problem: string): void {
    const t = this.peek();
    if (t?.kind !== kind) throw this.fail(t ? `${problem}, found '${t.text}'` : problem, t);
    this.i++;
  }
}

/** The shape of nerdamer's syntax tree (`nerdamer.tree`). */
interface NerdamerNode {
  type: 'OPERATOR' | 'FUNCTION' | 'VARIABLE_OR_LITERAL' | string;
  value: string;
  left?: NerdamerNode;
  right?: NerdamerNode;
}

function toIr(node: NerdamerNode | undefined, rw: Rewritten, b: ExprBuilder, source: string): Expr {
  const broken = (what: string) => new ExpressionError(`could not be read (${what})`, undefined, source);
  if (!node) throw broken('a missing operand');
  switch (node.type) {
    case 'VARIABLE_OR_LITERAL': {
      const m = /^([LV])(\d+)$/.exec(node.value);
      if (!m) throw broken(`stray '${node.value}'`);
      const k = Number(m[2]);
      const e = m[1] === 'L' ? b.num(rw.literals[k]!) : rw.symbols[k];
      if (e === undefined) throw broken(`stray '${node.value}'`);
      return e;
    }
    case 'OPERATOR': {
      // nerdamer marks a unary sign as an operator node with only a left operand.
      if ((node.value === '-' || node.value === '+') && node.right === undefined) {
        const x = toIr(node.left, rw, b, source);
        return node.value === '-' ? b.neg(x) : x;
      }
      // A long sum or product is a left-deep chain in nerdamer's tree (((a + b) + c) + …). Walk its left
      // spine in a loop and fold from the innermost operation out (the same nodes as recursion would build),
      // so that a right-hand side with thousands of terms does not overflow the stack.
      const spine: NerdamerNode[] = [node];
      let leftmost = node.left;
      while (leftmost?.type === 'OPERATOR' && leftmost.right !== undefined && /^[-+*/]$/.test(leftmost.value)) {
        spine.push(leftmost);
        leftmost = leftmost.left;
      }
      // Folded by the builder's chain, in linear time (folding with add/sub/mul/div one step at a time is
      // quadratic in the length of the chain: see ExprBuilder.chain).
      const first = toIr(leftmost, rw, b, source);
      const steps: ChainStep[] = [];
      for (let k = spine.length - 1; k >= 0; k--) {
        const op = spine[k]!;
        if (!/^[-+*/^]$/.test(op.value)) throw broken(`operator '${op.value}'`);
        steps.push([op.value as ChainStep[0], toIr(op.right, rw, b, source)]);
      }
      return b.chain(first, steps);
    }
    case 'FUNCTION': {
      // The arguments, in order, from the tree of ',' operators (left-deep for a long list, so walked with a
      // stack rather than recursion: min and max take any number of arguments).
      const args: Expr[] = [];
      const stack: (NerdamerNode | undefined)[] = node.right ? [node.right] : [];
      while (stack.length > 0) {
        const n = stack.pop();
        if (n?.type === 'OPERATOR' && n.value === ',') stack.push(n.right, n.left);
        else args.push(toIr(n, rw, b, source));
      }
      return applyUserFunction(node.value, args, b, source);
    }
    default:
      throw broken(`node '${node.type}'`);
  }
}

/** Calls of min and max with more arguments than this are folded as a balanced tree (see minMaxOf). */
export const MIN_MAX_FLAT = 16;

/**
 * min(a, b, c) = min(min(a, b), c): nested from the left, up to MIN_MAX_FLAT arguments. Beyond that, the two
 * halves are folded apart and joined, min(min(first half), min(second half)), so the nesting grows with the
 * logarithm of the number of arguments. The value is the same either way (min and max are exact and
 * associative, NaN and signed zeros included); only the derivative at exact ties, which splits the weight
 * between the tied arguments (heaviside(0) = 1/2), depends on the grouping.
 *
 * Regression (hardening): a min of 3,000 arguments nested 3,000 levels deep, which the text's nesting limit
 * does not see, and overflowed the stack in the differentiator (a RangeError from generate, exit 70 in the CLI).
 */
function minMaxOf(name: 'min' | 'max', args: readonly Expr[], b: ExprBuilder): Expr {
  if (args.length <= MIN_MAX_FLAT) return args.slice(1).reduce((acc, a) => b.call(name, [acc, a]), args[0]!);
  const half = args.length >> 1;
  return b.call(name, [minMaxOf(name, args.slice(0, half), b), minMaxOf(name, args.slice(half), b)]);
}

function applyUserFunction(name: string, args: Expr[], b: ExprBuilder, source: string): Expr {
  if (name === 'min' || name === 'max') return minMaxOf(name, args, b);
  if (!Object.hasOwn(FUNCTION_ARITY, name) || !isUserFunction(name)) {
    throw new ExpressionError(`unknown function '${name}'`, undefined, source);
  }
  return b.call(name as FunctionName, args);
}

/**
 * Parses one expression into the IR. Throws ExpressionError (with the character position when known) for
 * anything that is not a well-formed expression over the known symbols and functions.
 */
export function parseExpression(
  source: string,
  resolve: SymbolResolver,
  builder: ExprBuilder,
  index?: IndexResolver,
): Expr {
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (e) {
    if (e instanceof LexError) throw new ExpressionError(e.problem, e.pos, source);
    throw e;
  }
  // The recognizer and the conversion recurse once per level of nesting: thousands of nested brackets, signs
  // or powers exhaust the stack. That is the user's expression being too deep, not a crash of odeforge, so it
  // is reported as an ExpressionError (and so as a ModelError) like any other problem with the text.
  const tooDeep = (e: unknown): unknown =>
    e instanceof RangeError ? new ExpressionError('expression is nested too deeply to read', undefined, source) : e;
  let rewritten: Rewritten;
  try {
    rewritten = new Recognizer(tokens, source, resolve, index).run();
  } catch (e) {
    throw tooDeep(e);
  }
  let tree: NerdamerNode | undefined;
  try {
    tree = (nerdamer as unknown as { tree(s: string): NerdamerNode | undefined }).tree(rewritten.text);
  } catch (e) {
    throw new ExpressionError(`nerdamer could not parse it (${(e as Error).message})`, undefined, source);
  }
  try {
    return toIr(tree, rewritten, builder, source);
  } catch (e) {
    throw tooDeep(e);
  }
}
