/**
 * ExprBuilder: hash-consing (an identical expression is the identical object) and simplification limited
 * to the documented exact rewrites: x+0, x*1, x*0, x^1, x^0, --x and folding of all-constant operations as
 * the runtime computes them. Nothing is reordered, reassociated or cancelled.
 */
import { describe, expect, it } from 'vitest';
import { applyFunction, type Expr, ExprBuilder, evaluate, isConst, toInfix } from '../../src/expr/ir.ts';
import { makeCtx } from './support.ts';

function fresh() {
  const b = new ExprBuilder();
  const x = b.sym('x', 'state', 0);
  const y = b.sym('y', 'state', 1);
  const z = b.sym('z', 'param', 0);
  return { b, x, y, z };
}

describe('hash-consing', () => {
  it('the same expression built twice is the same object', () => {
    const { b, x, y, z } = fresh();
    const build = () => b.add(b.mul(x, b.call('sin', [y])), b.pow(z, b.num(2.5)), b.div(x, y));
    const e1 = build();
    const size = b.size;
    const e2 = build();
    expect(e2).toBe(e1);
    expect(b.size).toBe(size);
    expect(b.sym('x', 'state', 0)).toBe(x);
    expect(b.num(0.1)).toBe(b.num(0.1));
    expect(b.num(Number.NaN)).toBe(b.num(Number.NaN));
    expect(b.call('atan2', [x, y])).toBe(b.call('atan2', [x, y]));
  });

  it('parsing the same text twice gives the same object; equal sub-expressions are shared', () => {
    const ctx = makeCtx();
    const text = 'sin(x*y) + cos(x*y)^2 - x*y/(1 + x*y)';
    const e = ctx.parse(text);
    expect(ctx.parse(text)).toBe(e);
    expect(ctx.parse(' sin( x * y )+cos(x*y)**2-x*y/(1+x*y) ')).toBe(e);
    // x*y occurs four times but is one node.
    const xy = ctx.parse('x*y');
    const seen: Expr[] = [];
    const walk = (n: Expr): void => {
      if (n === xy) seen.push(n);
      if (n.kind === 'add') n.terms.forEach(walk);
      if (n.kind === 'mul') n.factors.forEach(walk);
      if (n.kind === 'pow') [n.base, n.exponent].forEach(walk);
      if (n.kind === 'call') n.args.forEach(walk);
    };
    walk(e);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it('different expressions are different objects with different ids', () => {
    const { b, x, y } = fresh();
    const nodes = [
      b.add(x, y),
      b.add(y, x),
      b.mul(x, y),
      b.mul(y, x),
      b.pow(x, y),
      b.pow(y, x),
      b.num(0),
      b.num(-0),
      b.num(0.3),
      b.num(0.1 + 0.2),
      b.sym('x', 'param', 0),
      b.sym('x', 'state', 1),
      b.call('min', [x, y]),
      b.call('max', [x, y]),
      b.call('atan2', [y, x]),
    ];
    expect(new Set(nodes).size).toBe(nodes.length);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
  });

  it('a leading sum or product is flattened (same evaluation order), an inner one is not', () => {
    const { b, x, y, z } = fresh();
    expect(b.add(b.add(x, y), z)).toBe(b.add(x, y, z));
    expect(b.add(x, b.add(y, z))).not.toBe(b.add(x, y, z));
    expect(b.mul(b.mul(x, y), z)).toBe(b.mul(x, y, z));
    expect(b.mul(x, b.mul(y, z))).not.toBe(b.mul(x, y, z));
  });

  it('builders do not share nodes', () => {
    const b1 = new ExprBuilder();
    const b2 = new ExprBuilder();
    expect(b1.num(2)).not.toBe(b2.num(2));
    expect(b1.sym('x', 'state', 0)).not.toBe(b2.sym('x', 'state', 0));
  });
});

describe('simplification: only the exact rewrites', () => {
  it('x+0, 0+x, x-0, x*1, 1*x, x*0, 0*x, x^1, x^0, --x, x/1', () => {
    const { b, x } = fresh();
    expect(b.add(x, b.zero)).toBe(x);
    expect(b.add(b.zero, x)).toBe(x);
    expect(b.add(x, b.num(-0))).toBe(x);
    expect(b.sub(x, b.zero)).toBe(x);
    expect(b.mul(x, b.one)).toBe(x);
    expect(b.mul(b.one, x)).toBe(x);
    expect(b.mul(x, b.zero)).toBe(b.zero);
    expect(b.mul(b.zero, x)).toBe(b.zero);
    expect(b.mul(b.call('exp', [x]), b.zero, x)).toBe(b.zero);
    expect(b.pow(x, b.one)).toBe(x);
    expect(b.pow(x, b.zero)).toBe(b.one);
    expect(b.neg(b.neg(x))).toBe(x);
    expect(b.neg(b.neg(b.mul(x, x)))).toBe(b.mul(x, x));
    expect(b.div(x, b.one)).toBe(x);
    expect(b.div(x, b.minusOne)).toBe(b.neg(x));
    expect(b.add()).toBe(b.zero);
    expect(b.mul()).toBe(b.one);
  });

  it('folds all-constant operations exactly as the runtime computes them', () => {
    const { b } = fresh();
    const c = (v: number) => b.num(v);
    expect(b.add(c(0.1), c(0.2))).toBe(c(0.1 + 0.2));
    expect(b.add(c(1), c(1e16), c(-1e16))).toBe(c(1 + 1e16 - 1e16));
    expect(b.mul(c(0.1), c(3))).toBe(c(0.1 * 3));
    expect(b.mul(c(1e200), c(1e200), c(1e-200))).toBe(c(Number.POSITIVE_INFINITY));
    expect(b.div(c(1), c(3))).toBe(c(1 / 3));
    expect(b.div(c(0.9), c(10))).toBe(c(0.9 / 10));
    expect(b.pow(c(2), c(0.5))).toBe(c(2 ** 0.5));
    expect(b.pow(c(10), c(-1))).toBe(c(10 ** -1));
    expect(b.neg(c(0))).toBe(c(-0));
    expect(b.neg(c(2))).toBe(c(-2));
    for (const fn of [
      'sin',
      'cos',
      'tan',
      'asin',
      'acos',
      'atan',
      'sinh',
      'cosh',
      'tanh',
      'exp',
      'log',
      'sqrt',
      'abs',
      'sign',
    ] as const) {
      expect(b.call(fn, [c(0.3)]), fn).toBe(c(Math[fn](0.3)));
    }
    expect(b.call('atan2', [c(1), c(-2)])).toBe(c(Math.atan2(1, -2)));
    expect(b.call('min', [c(1), c(-2)])).toBe(c(-2));
    expect(b.call('max', [c(0), c(-0)])).toBe(c(Math.max(0, -0)));
    expect(b.call('heaviside', [c(0)])).toBe(c(0.5));
    expect(b.call('log', [c(-1)])).toBe(c(Number.NaN));
  });

  it('0 * Infinity and 0 * NaN fold to NaN, as at run time (the structural zero is for non-constants)', () => {
    // Regression: the structural-zero rule ran before constant folding and gave 0.
    const { b } = fresh();
    expect(b.mul(b.zero, b.num(Number.POSITIVE_INFINITY))).toBe(b.num(Number.NaN));
    expect(b.mul(b.num(Number.NaN), b.zero)).toBe(b.num(Number.NaN));
    expect(b.mul(b.num(-3), b.zero)).toBe(b.num(-0));
    expect(b.mul(b.zero, b.num(2), b.num(Number.NEGATIVE_INFINITY))).toBe(b.num(Number.NaN));
  });

  it('does not cancel, combine, reorder or reassociate', () => {
    const { b, x, y } = fresh();
    const two = b.num(2);
    const notSimplified: [Expr, string][] = [
      [b.sub(x, x), '(x + (-1*x))'],
      [b.add(x, x), '(x + x)'],
      [b.mul(x, x), '(x*x)'],
      [b.div(x, x), '(x*x^-1)'],
      [b.div(b.mul(x, two), two), '(x*2*2^-1)'],
      [b.sub(b.add(x, b.one), b.one), '(x + 1 + -1)'],
      [b.pow(b.pow(x, two), b.num(0.5)), 'x^2^0.5'],
      [b.call('exp', [b.call('log', [x])]), 'exp(log(x))'],
      [b.call('log', [b.call('exp', [x])]), 'log(exp(x))'],
      [b.mul(x, two, b.num(3)), '(x*2*3)'],
      [b.add(x, b.one, two), '(x + 1 + 2)'],
      [b.mul(y, x), '(y*x)'],
      [b.add(y, x), '(y + x)'],
      [b.neg(b.mul(two, x)), '(-1*(2*x))'],
      [b.call('min', [x, x]), 'min(x, x)'],
      [b.call('abs', [b.call('abs', [x])]), 'abs(abs(x))'],
    ];
    for (const [e, want] of notSimplified) expect(toInfix(e)).toBe(want);
  });

  it('a division by a constant keeps the divisor (x/10 is not x*0.1)', () => {
    // Regression: div folded 10^-1 to 0.1, and 0.9*0.1 = 0.09000000000000001 while 0.9/10 = 0.09.
    const { b, x } = fresh();
    const e = b.div(x, b.num(10));
    expect(toInfix(e)).toBe('(x*10^-1)');
    expect(e).toBe(b.div(x, b.num(10)));
    expect(isConst(b.div(x, b.num(10)), 0.1)).toBe(false);
    // Still a value-preserving node for evaluate and for differentiation's purposes.
    expect(evaluate(e, () => 0.9)).toBe(0.9 * 10 ** -1);
    // An explicit power of a constant is still folded: that is what the text says.
    expect(b.mul(x, b.pow(b.num(10), b.minusOne))).toBe(b.mul(x, b.num(0.1)));
  });

  it('sign handling is exact: -(-x), (-1)*(-1*x), -1*c*x', () => {
    const { b, x } = fresh();
    expect(b.mul(b.minusOne, b.mul(b.minusOne, x))).toBe(x);
    expect(b.mul(b.minusOne, b.num(3), x)).toBe(b.mul(b.num(-3), x));
    expect(b.neg(b.num(-0))).toBe(b.zero);
    expect(b.neg(b.mul(b.minusOne, x, x))).toBe(b.mul(x, x));
  });

  it('applyFunction matches Math, with heaviside(0) = 1/2 and heaviside(NaN) = NaN', () => {
    expect(applyFunction('heaviside', [2])).toBe(1);
    expect(applyFunction('heaviside', [-2])).toBe(0);
    expect(applyFunction('heaviside', [0])).toBe(0.5);
    expect(applyFunction('heaviside', [-0])).toBe(0.5);
    expect(applyFunction('heaviside', [Number.NaN])).toBeNaN();
    expect(applyFunction('atan2', [-0, -1])).toBe(Math.atan2(-0, -1));
    expect(applyFunction('min', [0, -0])).toBe(-0);
  });

  it('an arity mismatch from internal callers is an internal error', () => {
    const { b, x } = fresh();
    expect(() => b.call('atan2', [x])).toThrow(/internal: atan2 expects 2 arguments, got 1/);
    expect(() => b.call('sin', [x, x])).toThrow(/internal/);
  });
});
