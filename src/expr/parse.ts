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
 *
 * The fast path (`readPlain`): most right-hand sides are plain arithmetic — decimal literals, names of the model,
 * brackets, + - * / ^ ** and calls of the user functions. Those are read here in one pass over the characters,
 * into a tree of exactly the shape nerdamer gives the rewritten text (sums over products over operands, a sign
 * applying to the operand after it, ^ right-associative and binding tighter than * and /, no node for brackets,
 * pow(a, b) as a ^ node), and that tree goes through the same conversion to IR. Anything else — indices, other
 * literal notations, and every malformed expression — takes the path above, which says what is wrong: the fast
 * path only ever answers with a tree or "not mine", and the IR is the full path's, node for node (same nodes, made
 * in the same order: parseExpressionInFull is the full path alone, to compare them). Regression: reading the
 * 32,768 right-hand sides of a 128×128 Brusselator took 2.3 s a generation, most of it in nerdamer and in the
 * rewriting for it; 0.7 s this way.
 */
import { createRequire } from 'node:module';
import type Nerdamer from 'nerdamer';
import { type ChainStep, type Expr, type ExprBuilder, FUNCTION_ARITY, type FunctionName } from './ir.ts';
import { LexError, type Token, tokenize } from './tokens.ts';

// require, not import: nerdamer is CommonJS, and importing it from ESM costs a scan of its 500 kB for export
// names (~40 ms of a cold CLI call) that a require skips. Loaded on first use: plain expressions never need it.
let nerdamer: typeof Nerdamer | undefined;
const loadNerdamer = (): typeof Nerdamer => {
  nerdamer ??= createRequire(import.meta.url)('nerdamer') as typeof Nerdamer;
  return nerdamer;
};

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

/**
 * The shape of nerdamer's syntax tree (`nerdamer.tree`), which the fast path (readPlain) builds too: its leaves
 * carry their literal or symbol instead of a placeholder, its calls their arguments as a list.
 */
interface NerdamerNode {
  type: 'OPERATOR' | 'FUNCTION' | 'VARIABLE_OR_LITERAL' | string;
  value: string;
  left?: NerdamerNode;
  right?: NerdamerNode;
  /** A leaf of readPlain's: the literal's value. */
  literal?: number;
  /** A leaf of readPlain's: what the resolver gave for the name. */
  symbol?: Expr;
  /** A call of readPlain's: the arguments, in order (nerdamer's own calls hold a tree of ',' in `right`). */
  args?: NerdamerNode[];
}

/** The error for a tree the conversion cannot read (not a closure per node: see toIr). */
function broken(what: string, source: string): ExpressionError {
  return new ExpressionError(`could not be read (${what})`, undefined, source);
}

/** Whether an operator joins a left-deep chain (a single character among - + * /). */
const chainOperator = (op: string): boolean => op === '+' || op === '-' || op === '*' || op === '/';

function toIr(node: NerdamerNode | undefined, rw: Rewritten | undefined, b: ExprBuilder, source: string): Expr {
  if (!node) throw broken('a missing operand', source);
  switch (node.type) {
    case 'VARIABLE_OR_LITERAL': {
      if (node.symbol !== undefined) return node.symbol;
      if (node.literal !== undefined) return b.num(node.literal);
      const m = /^([LV])(\d+)$/.exec(node.value);
      if (!m || rw === undefined) throw broken(`stray '${node.value}'`, source);
      const k = Number(m[2]);
      const e = m[1] === 'L' ? b.num(rw.literals[k]!) : rw.symbols[k];
      if (e === undefined) throw broken(`stray '${node.value}'`, source);
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
      // (Counted first, so that the lists are made at their size: a model has a chain per sum and product.)
      let length = 1;
      let leftmost = node.left;
      while (leftmost?.type === 'OPERATOR' && leftmost.right !== undefined && chainOperator(leftmost.value)) {
        length++;
        leftmost = leftmost.left;
      }
      const spine: NerdamerNode[] = new Array(length);
      spine[0] = node;
      for (let k = 1; k < length; k++) spine[k] = spine[k - 1]!.left!;
      // Folded by the builder's chain, in linear time (folding with add/sub/mul/div one step at a time is
      // quadratic in the length of the chain: see ExprBuilder.chain).
      const first = toIr(leftmost, rw, b, source);
      const steps: ChainStep[] = new Array(length);
      for (let k = length - 1; k >= 0; k--) {
        const op = spine[k]!;
        if (!chainOperator(op.value) && op.value !== '^') throw broken(`operator '${op.value}'`, source);
        steps[length - 1 - k] = [op.value as ChainStep[0], toIr(op.right, rw, b, source)];
      }
      return b.chain(first, steps);
    }
    case 'FUNCTION': {
      const args: Expr[] = [];
      if (node.args !== undefined) {
        for (let k = 0; k < node.args.length; k++) args.push(toIr(node.args[k], rw, b, source));
        return applyUserFunction(node.value, args, b, source);
      }
      // The arguments, in order, from the tree of ',' operators (left-deep for a long list, so walked with a
      // stack rather than recursion: min and max take any number of arguments).
      const stack: (NerdamerNode | undefined)[] = node.right ? [node.right] : [];
      while (stack.length > 0) {
        const n = stack.pop();
        if (n?.type === 'OPERATOR' && n.value === ',') stack.push(n.right, n.left);
        else args.push(toIr(n, rw, b, source));
      }
      return applyUserFunction(node.value, args, b, source);
    }
    default:
      throw broken(`node '${node.type}'`, source);
  }
}

// Character codes the fast path reads.
const SPACE = 32;
const TAB = 9;
const OPEN = 40; // (
const CLOSE = 41; // )
const STAR = 42; // *
const PLUS = 43; // +
const COMMA = 44; // ,
const MINUS = 45; // -
const DOT = 46; // .
const SLASH = 47; // /
const CARET = 94; // ^
const ZERO = 48;
const NINE = 57;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
/** [A-Za-z_]: a name's first character. */
const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** [A-Za-z0-9_]: a name's other characters. */
const isNamePart = (c: number): boolean => isNameStart(c) || isDigit(c);

/**
 * The fast path of parseExpression: the tree nerdamer would give for the recognizer's rewriting of `text`, read
 * directly from the characters, when `text` is a well-formed expression of the plain subset (see the header);
 * undefined for anything else, which the full path then reads (and refuses, with its message, if it is wrong).
 *
 * Grammar (the recognizer's, with nerdamer's precedence): sum := product (('+' | '-') product)*;
 * product := operand (('*' | '/') operand)*; operand := sign operand | primary (('^' | '**') operand)?;
 * primary := decimal | name | function '(' sum (',' sum)* ')' | '(' sum ')'. Tokens are separated by spaces
 * and tabs only, as in tokens.ts; a literal is what tokens.ts reads as one (decimal digits, fraction, exponent;
 * no separators, no leading 0 before a digit, nothing of a name or another literal straight after it).
 */
class PlainReader {
  private pos = 0;
  private depth = -1; // the outermost operand is level 0, as in the recognizer
  /** The name leaves, in the order of the text: resolved once the whole text is read. */
  readonly names: NerdamerNode[] = [];

  constructor(private readonly text: string) {}

  /** The tree, or undefined when the text is not (all) of the plain subset. */
  read(): NerdamerNode | undefined {
    const tree = this.sum();
    return tree !== undefined && this.next() === -1 ? tree : undefined;
  }

  /** The code of the next character that is not a space or tab (its position in `pos`), or -1 at the end. */
  private next(): number {
    const text = this.text;
    let p = this.pos;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== TAB) break;
      p++;
    }
    this.pos = p;
    return p < text.length ? text.charCodeAt(p) : -1;
  }

  private sum(): NerdamerNode | undefined {
    let left = this.product();
    if (left === undefined) return undefined;
    for (let c = this.next(); c === PLUS || c === MINUS; c = this.next()) {
      this.pos++;
      const right = this.product();
      if (right === undefined) return undefined;
      left = { type: 'OPERATOR', value: c === PLUS ? '+' : '-', left, right };
    }
    return left;
  }

  private product(): NerdamerNode | undefined {
    let left = this.operand();
    if (left === undefined) return undefined;
    for (let c = this.next(); c === STAR || c === SLASH; c = this.next()) {
      // '**' is the power, which an operand has already taken: here it can only be malformed.
      if (c === STAR && this.text.charCodeAt(this.pos + 1) === STAR) return undefined;
      this.pos++;
      const right = this.operand();
      if (right === undefined) return undefined;
      left = { type: 'OPERATOR', value: c === STAR ? '*' : '/', left, right };
    }
    return left;
  }

  private operand(): NerdamerNode | undefined {
    if (++this.depth > MAX_NESTING) return undefined;
    let node: NerdamerNode | undefined;
    const c = this.next();
    if (c === PLUS || c === MINUS) {
      this.pos++;
      const inner = this.operand();
      node = inner === undefined ? undefined : { type: 'OPERATOR', value: c === PLUS ? '+' : '-', left: inner };
    } else {
      node = this.primary();
      if (node !== undefined) {
        const d = this.next();
        const power = d === CARET ? 1 : d === STAR && this.text.charCodeAt(this.pos + 1) === STAR ? 2 : 0;
        if (power > 0) {
          this.pos += power;
          const exponent = this.operand();
          node = exponent === undefined ? undefined : { type: 'OPERATOR', value: '^', left: node, right: exponent };
        }
      }
    }
    this.depth--;
    return node;
  }

  private primary(): NerdamerNode | undefined {
    const c = this.next();
    if (isDigit(c) || c === DOT) return this.number();
    if (c === OPEN) {
      this.pos++;
      const inner = this.sum();
      if (inner === undefined || this.next() !== CLOSE) return undefined;
      this.pos++;
      return inner;
    }
    if (!isNameStart(c)) return undefined;
    const text = this.text;
    const start = this.pos;
    let p = start + 1;
    while (p < text.length && isNamePart(text.charCodeAt(p))) p++;
    const name = text.slice(start, p);
    this.pos = p;
    // A call when '(' follows, spaces and tabs between (tokens.ts decides the same way).
    if (this.next() === OPEN) return this.call(name);
    // An index ('[') and a function used without its arguments are the full path's to read or refuse.
    if (this.pos < text.length && text.charCodeAt(this.pos) === 91) return undefined;
    if (isUserFunction(name)) return undefined;
    if (isConstant(name)) return { type: 'VARIABLE_OR_LITERAL', value: name, literal: CONSTANTS[name]! };
    const leaf: NerdamerNode = { type: 'VARIABLE_OR_LITERAL', value: name };
    this.names.push(leaf);
    return leaf;
  }

  /** A decimal literal (see tokens.ts's NUMBER_PATTERNS), or undefined for anything else there. */
  private number(): NerdamerNode | undefined {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text.charCodeAt(p) === DOT) {
      p++;
      if (!isDigit(text.charCodeAt(p))) return undefined;
      while (isDigit(text.charCodeAt(p))) p++;
    } else {
      // 0 followed by a digit (legacy octal), x, o or b (other notations): the full path's
      if (text.charCodeAt(p) === ZERO) p++;
      else while (isDigit(text.charCodeAt(p))) p++;
      if (text.charCodeAt(p) === DOT) {
        p++;
        while (isDigit(text.charCodeAt(p))) p++;
      }
    }
    const e = text.charCodeAt(p);
    if (e === 101 || e === 69) {
      let q = p + 1;
      const sign = text.charCodeAt(q);
      if (sign === PLUS || sign === MINUS) q++;
      if (isDigit(text.charCodeAt(q))) {
        p = q;
        while (isDigit(text.charCodeAt(p))) p++;
      }
    }
    // A name's character, a digit or a '.' straight after the literal: malformed, or another notation.
    const after = text.charCodeAt(p);
    if (isNamePart(after) || after === DOT) return undefined;
    const value = Number(text.slice(start, p));
    if (!Number.isFinite(value)) return undefined;
    this.pos = p;
    return { type: 'VARIABLE_OR_LITERAL', value: 'literal', literal: value };
  }

  /** A call of a user function with the right number of arguments (the '(' is next). */
  private call(name: string): NerdamerNode | undefined {
    const arity = isUserFunction(name) ? USER_FUNCTIONS[name]! : undefined;
    if (arity === undefined) return undefined;
    this.pos++;
    const args: NerdamerNode[] = [];
    for (;;) {
      const arg = this.sum();
      if (arg === undefined) return undefined;
      args.push(arg);
      const c = this.next();
      if (c === CLOSE) break;
      if (c !== COMMA) return undefined;
      this.pos++;
    }
    this.pos++;
    if (args.length < arity.min || args.length > arity.max) return undefined;
    // nerdamer reads pow(a, b), handed over as ((a)^(b)), as a ^ node.
    if (name === 'pow') return { type: 'OPERATOR', value: '^', left: args[0]!, right: args[1]! };
    return { type: 'FUNCTION', value: name, args };
  }
}

/**
 * The tree of `source` by the fast path, its names resolved; undefined when the text is not of the plain subset
 * or a name is not the resolver's (the full path then reads it, and asks the resolver again).
 */
function readPlain(source: string, resolve: SymbolResolver): NerdamerNode | undefined {
  const reader = new PlainReader(source);
  let tree: NerdamerNode | undefined;
  try {
    tree = reader.read();
  } catch (e) {
    // Out of stack before MAX_NESTING (a deep caller): the full path reports it as it always did.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
  if (tree === undefined) return undefined;
  // The resolver is asked about each name in the order of the text, once: its first answer stands for the name
  // throughout, as in the recognizer (which asks again at every occurrence, and keeps the first answer too).
  const names = reader.names;
  let first: Map<string, Expr> | undefined;
  for (let k = 0; k < names.length; k++) {
    const leaf = names[k]!;
    first ??= new Map();
    const before = first.get(leaf.value);
    if (before !== undefined) {
      leaf.symbol = before;
      continue;
    }
    const sym = resolve(leaf.value);
    if (sym === undefined || sym === null) return undefined;
    first.set(leaf.value, sym);
    leaf.symbol = sym;
  }
  return tree;
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
  const plain = readPlain(source, resolve);
  if (plain === undefined) return parseExpressionInFull(source, resolve, builder, index);
  try {
    return toIr(plain, undefined, builder, source);
  } catch (e) {
    throw e instanceof RangeError ? tooDeep(source) : e;
  }
}

/**
 * parseExpression without its fast path: tokens, recognizer, nerdamer. What parseExpression does for anything
 * outside the plain subset; exported so that tests can check that both paths build the same IR.
 */
export function parseExpressionInFull(
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
  let rewritten: Rewritten;
  try {
    rewritten = new Recognizer(tokens, source, resolve, index).run();
  } catch (e) {
    throw e instanceof RangeError ? tooDeep(source) : e;
  }
  let tree: NerdamerNode | undefined;
  try {
    tree = (loadNerdamer() as unknown as { tree(s: string): NerdamerNode | undefined }).tree(rewritten.text);
  } catch (e) {
    throw new ExpressionError(`nerdamer could not parse it (${(e as Error).message})`, undefined, source);
  }
  try {
    return toIr(tree, rewritten, builder, source);
  } catch (e) {
    throw e instanceof RangeError ? tooDeep(source) : e;
  }
}

/** The error for an expression nested deeper than the stack allows (see parseExpression). */
function tooDeep(source: string): ExpressionError {
  return new ExpressionError('expression is nested too deeply to read', undefined, source);
}
