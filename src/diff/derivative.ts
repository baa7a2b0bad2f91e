/**
 * Symbolic differentiation on the IR: one chain rule per node kind, memoized per (node, variable), so a
 * shared subexpression is differentiated once and its derivative is shared too. Second derivatives are
 * derivatives of derivatives. A derivative that is structurally zero is the constant 0 node, which is
 * what the sparsity patterns below read.
 *
 * Conventions at non-differentiable points (measure zero, but they must be defined): d|x| = sign(x),
 * d sign(x) = 0, d min(a, b) = a'·H(b − a) + b'·H(a − b) with H(0) = 1/2 (the average of both sides).
 */
import { type Expr, type ExprBuilder, isConst, type SymNode } from '../expr/ir.ts';

/** Products with at most this many factors are differentiated with the flat product rule (see product). */
export const PRODUCT_RULE_FLAT = 16;

/** The flag of a computed entry of Differentiator.summaries (a summary of no symbols is 0 without it). */
const COMPUTED = 1 << 31;

/** One of 31 bits for a symbol, from its id (spread by a multiplicative hash: neighbouring ids, other bits). */
const symbolBit = (s: SymNode): number => 1 << ((Math.imul(s.id, 0x9e3779b1) >>> 0) % 31);

export class Differentiator {
  /**
   * d(node)/d(variable) for the sums, products, powers and calls asked from outside or used in more than one
   * place (see d), keyed by variable id, then node id.
   */
  private readonly memo = new Map<number, Map<number, Expr>>();
  /**
   * A 31-bit summary of the symbols under each node, by node id (see symbolBit): bit 31 set once computed.
   * A variable whose bit is not in a node's summary does not occur under it, and the derivative is the
   * structural zero without a walk. Regression: the Jacobian and ∂f/∂p of a 128×128 Brusselator walked every
   * term of a right-hand side for each of the 6 states and 2 parameters it reads, and memoized every node of
   * each walk (3.0 million entries, most of them zeros; 0.4 million now).
   */
  private summaries = new Int32Array(1024);
  /** How deep in the rules `d` is: 0 for a call from outside. */
  private depth = 0;

  constructor(private readonly b: ExprBuilder) {}

  /** d e / d x. */
  d(e: Expr, x: SymNode): Expr {
    // Leaves need no memo; nor does a node without x, whose derivative is the structural zero (every rule
    // gives 0 when all its operands' derivatives are 0, and builds no node on the way).
    if (e.kind === 'const') return this.b.zero;
    if (e.kind === 'sym') return e.id === x.id ? this.b.one : this.b.zero;
    if ((this.summary(e) & symbolBit(x)) === 0) return this.b.zero;
    // Remembered: what is asked from outside, and a node that is an operand in more than one place. A node
    // that is an operand once is reached through that one parent only, which is remembered or is itself reached
    // once per walk of its own parent, and so on up to something remembered: it is differentiated once per
    // derivative of that, as with a memo entry of its own, which a large model would fill with millions of
    // entries used once (see `summaries`).
    const remembered = this.depth === 0 || this.b.operandCount(e) > 1;
    let byNode: Map<number, Expr> | undefined;
    if (remembered) {
      byNode = this.memo.get(x.id);
      if (byNode === undefined) {
        byNode = new Map();
        this.memo.set(x.id, byNode);
      }
      const known = byNode.get(e.id);
      if (known !== undefined) return known;
    }
    this.depth++;
    let r: Expr;
    try {
      r = this.rule(e, x);
    } finally {
      this.depth--;
    }
    byNode?.set(e.id, r);
    return r;
  }

  /** The bits of the symbols under e (symbolBit of each), computed once per node. */
  private summary(e: Expr): number {
    const id = e.id;
    if (id >= this.summaries.length) {
      const grown = new Int32Array(Math.max(2 * this.summaries.length, id + 1));
      grown.set(this.summaries);
      this.summaries = grown;
    }
    const known = this.summaries[id]!;
    if (known !== 0) return known;
    let bits = 0;
    switch (e.kind) {
      case 'const':
        break;
      case 'sym':
        bits = symbolBit(e);
        break;
      case 'add':
        for (let i = 0; i < e.terms.length; i++) bits |= this.summary(e.terms[i]!);
        break;
      case 'mul':
        for (let i = 0; i < e.factors.length; i++) bits |= this.summary(e.factors[i]!);
        break;
      case 'pow':
        bits = this.summary(e.base) | this.summary(e.exponent);
        break;
      case 'call':
        for (let i = 0; i < e.args.length; i++) bits |= this.summary(e.args[i]!);
        break;
    }
    // (`summaries` may have been replaced by a larger copy during the recursion)
    this.summaries[id] = bits | COMPUTED;
    return bits | COMPUTED;
  }

  private rule(e: Expr, x: SymNode): Expr {
    const b = this.b;
    switch (e.kind) {
      case 'const':
        return b.zero;
      case 'sym':
        return e.id === x.id ? b.one : b.zero;
      case 'add': {
        const terms = e.terms;
        const derivatives: Expr[] = new Array(terms.length);
        for (let i = 0; i < terms.length; i++) derivatives[i] = this.d(terms[i]!, x);
        return b.addAll(derivatives);
      }
      case 'mul':
        return this.product(e.factors, x);
      case 'pow':
        return this.power(e.base, e.exponent, e, x);
      case 'call':
        return this.call(e.fn, e.args, e, x);
    }
  }

  /**
   * Product rule: Σ_i f_1 … f_i' … f_n, skipping factors whose derivative is zero. Written out this has n
   * terms of n factors each, so for long products it is split in halves instead: (LR)' = L'R + LR', with L
   * and R the products of each half (shared nodes) — O(n log n) factors in all.
   *
   * Regression (hardening): with the n² form, `x*y*x*y*…` of 2,000 factors (8 kB of text) made a 188 MB
   * module in 9 s, and 6,000 factors exhausted a 4 GB heap. Products of up to PRODUCT_RULE_FLAT factors —
   * every product a model writes by hand — keep the flat form, so their derivatives (and the code generated
   * for them) are unchanged.
   */
  private product(factors: readonly Expr[], x: SymNode): Expr {
    const b = this.b;
    const n = factors.length;
    if (n <= PRODUCT_RULE_FLAT) {
      // (arrays of their final size: `[]` grown by push reserves 17 places)
      const terms: Expr[] = new Array(n);
      let count = 0;
      for (let i = 0; i < n; i++) {
        const df = this.d(factors[i]!, x);
        if (isConst(df, 0)) continue;
        // the other factors in order, then f_i'
        const operands: Expr[] = new Array(n);
        for (let j = 0, k = 0; j < n; j++) if (j !== i) operands[k++] = factors[j]!;
        operands[n - 1] = df;
        terms[count++] = b.mulAll(operands);
      }
      terms.length = count;
      return b.addAll(terms);
    }
    const half = n >> 1;
    const [left, right] = [factors.slice(0, half), factors.slice(half)];
    const [dLeft, dRight] = [this.product(left, x), this.product(right, x)];
    const terms: Expr[] = [];
    if (!isConst(dLeft, 0)) terms.push(b.mul(dLeft, b.mulAll(right)));
    if (!isConst(dRight, 0)) terms.push(b.mul(b.mulAll(left), dRight));
    return b.addAll(terms);
  }

  private power(u: Expr, v: Expr, self: Expr, x: SymNode): Expr {
    const b = this.b;
    const du = this.d(u, x);
    const dv = this.d(v, x);
    if (v.kind === 'const') {
      if (isConst(du, 0)) return b.zero;
      // d u^c = c u^(c-1) u'; for c = -1 this is -(u^-1)^2 u' written as -u^-2 u'.
      return b.mul(v, b.pow(u, b.num(v.value - 1)), du);
    }
    // d u^v = u^v (v' log u + v u'/u)
    const terms: Expr[] = [];
    if (!isConst(dv, 0)) terms.push(b.mul(dv, b.call('log', [u])));
    if (!isConst(du, 0)) terms.push(b.mul(v, du, b.pow(u, b.minusOne)));
    return b.mul(self, b.add(...terms));
  }

  private call(fn: Extract<Expr, { kind: 'call' }>['fn'], args: readonly Expr[], self: Expr, x: SymNode): Expr {
    const b = this.b;
    const u = args[0]!;
    if (fn === 'atan2') {
      // atan2(y, x): ∂/∂y = x/(x²+y²), ∂/∂x = −y/(x²+y²)
      const [yy, xx] = args as [Expr, Expr];
      const dy = this.d(yy, x);
      const dx = this.d(xx, x);
      if (isConst(dy, 0) && isConst(dx, 0)) return b.zero;
      const r2 = b.add(b.mul(xx, xx), b.mul(yy, yy));
      return b.div(b.sub(b.mul(xx, dy), b.mul(yy, dx)), r2);
    }
    if (fn === 'min' || fn === 'max') {
      const [p, q] = args as [Expr, Expr];
      const dp = this.d(p, x);
      const dq = this.d(q, x);
      if (isConst(dp, 0) && isConst(dq, 0)) return b.zero;
      // min picks p where q − p > 0; max picks p where p − q > 0.
      const pWins = fn === 'min' ? b.sub(q, p) : b.sub(p, q);
      const qWins = fn === 'min' ? b.sub(p, q) : b.sub(q, p);
      return b.add(b.mul(dp, b.call('heaviside', [pWins])), b.mul(dq, b.call('heaviside', [qWins])));
    }
    const du = this.d(u, x);
    if (isConst(du, 0)) return b.zero;
    return b.mul(this.outer(fn, u, self), du);
  }

  /** f'(u) for the one-argument functions. */
  private outer(fn: string, u: Expr, self: Expr): Expr {
    const b = this.b;
    const oneMinusSquare = (w: Expr) => b.sub(b.one, b.mul(w, w));
    switch (fn) {
      case 'sin':
        return b.call('cos', [u]);
      case 'cos':
        return b.neg(b.call('sin', [u]));
      case 'tan': // 1 + tan²u
        return b.add(b.one, b.mul(self, self));
      case 'asin':
        return b.pow(b.call('sqrt', [oneMinusSquare(u)]), b.minusOne);
      case 'acos':
        return b.neg(b.pow(b.call('sqrt', [oneMinusSquare(u)]), b.minusOne));
      case 'atan':
        return b.pow(b.add(b.one, b.mul(u, u)), b.minusOne);
      case 'sinh':
        return b.call('cosh', [u]);
      case 'cosh':
        return b.call('sinh', [u]);
      case 'tanh':
        return oneMinusSquare(self);
      case 'exp':
        return self;
      case 'log':
        return b.pow(u, b.minusOne);
      case 'sqrt': // 1 / (2 sqrt u), sharing the sqrt node
        return b.div(b.num(0.5), self);
      case 'abs':
        return b.call('sign', [u]);
      case 'sign':
      case 'heaviside':
        return b.zero;
      default:
        throw new Error(`internal: no derivative rule for ${fn}`);
    }
  }
}

/** The structural pattern of a matrix of expressions: true where the entry is not the constant 0. */
export function sparsity(entries: readonly (readonly Expr[])[]): boolean[][] {
  return entries.map((row) => row.map((e) => !isConst(e, 0)));
}

/**
 * The symbols an expression depends on, by id (in the order a depth-first walk meets them). Derivatives with
 * respect to anything else are structural zeros and need not be computed — this keeps large sparse Jacobians
 * cheap to build.
 */
export function freeSymbols(e: Expr): Set<number> {
  // A small expression is walked without marks: a node met again is walked again, which finds nothing new
  // (everything under it was found the first time: the walk is depth-first), so the symbols and their order are
  // those of the walk with marks. Past SMALL_WALK steps (a large expression, or much sharing) the walk with
  // marks takes over. One Set, not two, for each of the many small entries of a Jacobian.
  const found = new Set<number>();
  const stack: Expr[] = [e];
  for (let steps = 0; stack.length > 0; steps++) {
    if (steps === SMALL_WALK) return markedFreeSymbols(e);
    const node = stack.pop()!;
    if (node.kind === 'sym') found.add(node.id);
    else pushChildren(node, stack);
  }
  return found;
}

/** Walks of freeSymbols without marks stop after this many nodes. */
const SMALL_WALK = 64;

function markedFreeSymbols(e: Expr): Set<number> {
  const found = new Set<number>();
  const seen = new Set<number>();
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    if (node.kind === 'sym') found.add(node.id);
    else pushChildren(node, stack);
  }
  return found;
}

/**
 * Pushes the operands of a node, in order. Not push(...children): a sum of 300,000 terms is too many arguments
 * for a call (RangeError). Nor children(node), which makes an array for a power.
 */
export function pushChildren(node: Expr, stack: Expr[]): void {
  switch (node.kind) {
    case 'add':
      for (let k = 0; k < node.terms.length; k++) stack.push(node.terms[k]!);
      break;
    case 'mul':
      for (let k = 0; k < node.factors.length; k++) stack.push(node.factors[k]!);
      break;
    case 'pow':
      stack.push(node.base, node.exponent);
      break;
    case 'call':
      for (let k = 0; k < node.args.length; k++) stack.push(node.args[k]!);
      break;
  }
}
