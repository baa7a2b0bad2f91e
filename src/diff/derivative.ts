/**
 * Symbolic differentiation on the IR: one chain rule per node kind, memoized per (node, variable), so a
 * shared subexpression is differentiated once and its derivative is shared too. Second derivatives are
 * derivatives of derivatives. A derivative that is structurally zero is the constant 0 node, which is
 * what the sparsity patterns below read.
 *
 * Conventions at non-differentiable points (measure zero, but they must be defined): d|x| = sign(x),
 * d sign(x) = 0, d min(a, b) = a'·H(b − a) + b'·H(a − b) with H(0) = 1/2 (the average of both sides).
 */
import { children, type Expr, type ExprBuilder, isConst, type SymNode } from '../expr/ir.ts';

/** Products with at most this many factors are differentiated with the flat product rule (see product). */
export const PRODUCT_RULE_FLAT = 16;

export class Differentiator {
  /** d(node)/d(variable), keyed by variable id, then node id. */
  private readonly memo = new Map<number, Map<number, Expr>>();

  constructor(private readonly b: ExprBuilder) {}

  /** d e / d x. */
  d(e: Expr, x: SymNode): Expr {
    let byNode = this.memo.get(x.id);
    if (byNode === undefined) {
      byNode = new Map();
      this.memo.set(x.id, byNode);
    }
    let r = byNode.get(e.id);
    if (r === undefined) {
      r = this.rule(e, x);
      byNode.set(e.id, r);
    }
    return r;
  }

  private rule(e: Expr, x: SymNode): Expr {
    const b = this.b;
    switch (e.kind) {
      case 'const':
        return b.zero;
      case 'sym':
        return e.id === x.id ? b.one : b.zero;
      case 'add':
        return b.addAll(e.terms.map((t) => this.d(t, x)));
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
    if (factors.length <= PRODUCT_RULE_FLAT) {
      const terms: Expr[] = [];
      factors.forEach((f, i) => {
        const df = this.d(f, x);
        if (isConst(df, 0)) return;
        const others = factors.filter((_, j) => j !== i);
        terms.push(b.mul(...others, df));
      });
      return b.add(...terms);
    }
    const half = factors.length >> 1;
    const [left, right] = [factors.slice(0, half), factors.slice(half)];
    const [dLeft, dRight] = [this.product(left, x), this.product(right, x)];
    const terms: Expr[] = [];
    if (!isConst(dLeft, 0)) terms.push(b.mul(dLeft, b.mulAll(right)));
    if (!isConst(dRight, 0)) terms.push(b.mul(b.mulAll(left), dRight));
    return b.add(...terms);
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
 * The symbols an expression depends on, by id. Derivatives with respect to anything else are structural
 * zeros and need not be computed — this keeps large sparse Jacobians cheap to build.
 */
export function freeSymbols(e: Expr): Set<number> {
  const found = new Set<number>();
  const seen = new Set<number>();
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    if (node.kind === 'sym') found.add(node.id);
    // Not push(...children): a sum of 300,000 terms is too many arguments for a call (RangeError).
    else for (const c of children(node)) stack.push(c);
  }
  return found;
}
