/**
 * Symbolic derivatives on the IR against Ridders-extrapolated central differences: first derivatives to a
 * relative 1e-7, second derivatives (the derivative of the derivative) to 1e-5, at several points inside
 * each function's domain and away from the kinks of abs, sign, min and max. Includes the cases nerdamer
 * gets wrong (products with a sqrt of a sum, atan2 w.r.t. x), powers with a variable base and exponent and
 * explicit time dependence. Plus structural zeros, memoization and sharing.
 */
import { describe, expect, it, vi } from 'vitest';
import { Differentiator, sparsity } from '../../src/diff/derivative.ts';
import { type Expr, ExprBuilder, evaluate, type SymNode, toInfix } from '../../src/expr/ir.ts';
import { ENVS, type Env, envOf, makeCtx, VAR_NAMES, type VarName } from '../expr/support.ts';
import { close, firstDerivative, secondDerivative } from './numeric.ts';

const FIRST_RTOL = 1e-7;
const SECOND_RTOL = 1e-5;
/** Below this magnitude the tolerance is absolute (a derivative that is 0 at the point). */
const FLOOR = 1e-2;

interface Case {
  /** Model-language text. */
  readonly expr: string;
  /** Points; variables not given take the values of ENVS[0]. */
  readonly at: readonly Partial<Env>[];
  /** Initial step of the difference quotients (smaller near a singularity). Default 0.05. */
  readonly h?: number;
}

const grid = (name: VarName, values: readonly number[]): Partial<Env>[] => values.map((v) => ({ [name]: v }));
const pairs = (values: readonly (readonly [number, number])[]): { x: number; y: number }[] =>
  values.map(([x, y]) => ({ x, y }));

const XY_POSITIVE = pairs([
  [0.6, 1.3],
  [1.7, -0.8],
  [2.5, 2.2],
  [0.9, 0.5],
]);
const XY_QUADRANTS = pairs([
  [1.2, 0.5],
  [-0.7, 0.9],
  [-1.1, -0.4],
  [0.3, -1.6],
  [0.8, 0],
]);
const XY_APART = pairs([
  [0.3, 1.2],
  [1.5, -0.2],
  [-0.7, -0.4],
  [2.2, 2.9],
]);

const CASES: Case[] = [
  // Every function of the language, alone.
  { expr: 'sin(x)', at: grid('x', [-2.3, -0.4, 0.7, 1.9, 5.1]) },
  { expr: 'cos(x)', at: grid('x', [-2.3, -0.4, 0.7, 1.9, 5.1]) },
  { expr: 'tan(x)', at: grid('x', [-1.2, -0.3, 0.4, 1.1, 2.0]) },
  { expr: 'asin(x)', at: grid('x', [-0.8, -0.3, 0.1, 0.6, 0.85]), h: 0.04 },
  { expr: 'acos(x)', at: grid('x', [-0.8, -0.3, 0.1, 0.6, 0.85]), h: 0.04 },
  { expr: 'atan(x)', at: grid('x', [-3, -0.5, 0.2, 1.4, 7]) },
  { expr: 'atan2(y, x)', at: XY_QUADRANTS },
  { expr: 'atan2(x, y)', at: XY_QUADRANTS.map((p) => ({ x: p.y, y: p.x })) },
  { expr: 'sinh(x)', at: grid('x', [-2.2, -0.5, 0.3, 1.7, 3]) },
  { expr: 'cosh(x)', at: grid('x', [-2.2, -0.5, 0.3, 1.7, 3]) },
  { expr: 'tanh(x)', at: grid('x', [-2.2, -0.5, 0.3, 1.7, 3]) },
  { expr: 'exp(x)', at: grid('x', [-3, -0.5, 0, 0.8, 2.5]) },
  { expr: 'log(x)', at: grid('x', [0.3, 0.9, 1, 2.5, 40]) },
  { expr: 'sqrt(x)', at: grid('x', [0.25, 0.9, 2, 30]) },
  { expr: 'abs(x)', at: grid('x', [-2.1, -0.6, 0.45, 1.8]) },
  { expr: 'pow(x, y)', at: XY_POSITIVE },
  { expr: 'min(x, y)', at: XY_APART },
  { expr: 'max(x, y)', at: XY_APART },
  {
    expr: 'min(x, y, z)',
    at: [
      { x: 0.2, y: 1.1, z: 2 },
      { x: 1.1, y: 0.2, z: 2 },
      { x: 1.1, y: 2, z: 0.2 },
    ],
  },
  {
    expr: 'max(x, y, z)',
    at: [
      { x: 0.2, y: 1.1, z: 2 },
      { x: 1.1, y: 0.2, z: 2 },
      { x: 2.5, y: 2, z: 0.2 },
    ],
  },
  { expr: 'sign(x)', at: grid('x', [-1.3, 0.8]) },
  { expr: 'sign(x)*x^2', at: grid('x', [-1.3, 0.8, 2.2]) },
  // Operators.
  { expr: 'x + y', at: XY_POSITIVE },
  { expr: 'x - y', at: XY_POSITIVE },
  { expr: 'x * y', at: XY_QUADRANTS },
  { expr: 'x / y', at: XY_POSITIVE },
  { expr: 'x / 10', at: grid('x', [0.3, -2]) },
  { expr: '-x', at: grid('x', [0.3, -2]) },
  { expr: '-x^2', at: grid('x', [0.3, -2]) },
  { expr: 'x/-y^2', at: XY_POSITIVE },
  { expr: '2^-x^2', at: grid('x', [-1.2, 0.3, 1.5]) },
  { expr: 'x^2', at: grid('x', [-1.5, 0.3, 2]) },
  { expr: 'x^3', at: grid('x', [-1.5, 0.3, 2]) },
  { expr: 'x^-1', at: grid('x', [-1.5, 0.3, 2]) },
  { expr: 'x^-2', at: grid('x', [-1.5, 0.3, 2]) },
  { expr: 'x^0.5', at: grid('x', [0.3, 2]) },
  { expr: 'x^2.5', at: grid('x', [0.3, 2]) },
  { expr: 'x^-1.5', at: grid('x', [0.3, 2]) },
  { expr: '(x + 1)^3', at: grid('x', [-3, 0.3, 2]) },
  { expr: '2^x', at: grid('x', [-1.5, 0.3, 2]) },
  { expr: 'pi^x', at: grid('x', [-1.5, 0.3, 2]) },
  { expr: 'x^pi', at: grid('x', [0.3, 2]) },
  { expr: 'x^x', at: grid('x', [0.3, 1, 2]) },
  { expr: 'x^y', at: XY_POSITIVE },
  { expr: 'y^x', at: XY_POSITIVE.map((p) => ({ x: p.y, y: p.x })) },
  {
    expr: '(x + y)^(x*y)',
    at: [
      { x: 0.5, y: 0.7 },
      { x: 1.2, y: 0.4 },
      { x: 2, y: 1.1 },
    ],
  },
  {
    expr: 'x^y^z',
    at: [
      { x: 1.3, y: 0.8, z: 1.5 },
      { x: 0.6, y: 1.9, z: 0.4 },
    ],
  },
  { expr: 'a - b - c', at: [{}] },
  { expr: 'a / b / c', at: [{}, { a: -2, b: 0.4, c: -3 }] },
  { expr: 'a * b * c * x', at: [{}, { a: -2, b: 0.4, c: -3, x: 5 }] },
  // nerdamer differentiates these wrongly (ARCHITECTURE.md): products with a sqrt of a sum, atan2.
  { expr: 'u*sqrt(1+u)', at: grid('u', [-0.6, 0.3, 1, 4.5]) },
  { expr: 'x*sqrt(x^2 + y^2)', at: XY_QUADRANTS },
  { expr: 'sqrt(x + y)*x*y', at: XY_POSITIVE.map((p) => ({ x: p.x, y: Math.abs(p.y) })) },
  { expr: 'sqrt(1 + x)*sqrt(1 + y)*x', at: XY_POSITIVE.map((p) => ({ x: p.x, y: Math.abs(p.y) })) },
  { expr: 'x*y*sqrt(1 + x*y + y^2)', at: XY_QUADRANTS },
  { expr: 'atan2(y^2 + 1, x*y)', at: XY_POSITIVE },
  { expr: 'atan2(sin(x), cos(y))', at: XY_POSITIVE },
  // Explicit time.
  { expr: 'sin(w*t)*x', at: [{ t: 0.3 }, { t: 2.9, x: -1 }] },
  { expr: 'exp(-t)*x + t^2', at: [{ t: 0.3 }, { t: 2.9, x: -1 }] },
  { expr: 'tanh(x*t)', at: [{ t: 0.3 }, { t: 1.9, x: -1 }] },
  { expr: 't^t*x', at: [{ t: 0.3 }, { t: 1.9, x: -1 }] },
  { expr: 'x*cos(pi*t/2)', at: [{ t: 0.3 }, { t: 1.9, x: -1 }] },
  // Composites and right-hand sides of known models.
  { expr: 'sin(cos(tan(x)))', at: grid('x', [-0.9, 0.2, 1.1]) },
  { expr: 'exp(sin(x))*log(2 + cos(y))', at: XY_QUADRANTS },
  { expr: 'acos(x/2)*asin(y/3)', at: XY_POSITIVE.map((p) => ({ x: p.x / 2, y: p.y })) },
  { expr: 'sqrt(exp(x))', at: grid('x', [-2, 0.5, 3]) },
  { expr: 'log(exp(x) + exp(y))', at: XY_QUADRANTS },
  { expr: 'exp(-x^2/2)/sqrt(2*pi)', at: grid('x', [-1.3, 0.2, 2.4]) },
  { expr: 'log(1 + x^2)', at: grid('x', [-1.3, 0.2, 2.4]) },
  { expr: 'abs(x)*x', at: grid('x', [-1.3, 0.2, 2.4]) },
  { expr: 'abs(x - y)*sin(y)', at: XY_APART },
  { expr: 'min(x^2, y)', at: XY_APART.map((p) => ({ x: p.x, y: p.y + (p.x * p.x > p.y ? -0.3 : 0.3) })) },
  { expr: 'max(sin(x), cos(y))', at: XY_POSITIVE },
  { expr: 'min(x*y, 1)*max(x, -y)', at: XY_POSITIVE },
  { expr: 'sinh(x)*cosh(y) - tanh(x*y)', at: XY_QUADRANTS },
  {
    expr: 'pow(x, pow(y, z))',
    at: [
      { x: 1.3, y: 0.8, z: 1.5 },
      { x: 0.6, y: 1.9, z: 0.4 },
    ],
  },
  { expr: 'a*x - b*x*y', at: XY_POSITIVE }, // Lotka–Volterra
  { expr: 'c*x*y - w*y', at: XY_POSITIVE },
  { expr: '-w*sin(x) - c*y', at: XY_QUADRANTS }, // damped pendulum
  { expr: 'u*(1 - x^2)*y - x', at: XY_QUADRANTS }, // van der Pol
  { expr: '-x/(x^2 + y^2)^1.5', at: XY_QUADRANTS }, // Kepler
  { expr: '-y/sqrt(x^2 + y^2)^3', at: XY_QUADRANTS },
  { expr: 'w*(y - x)', at: XY_QUADRANTS }, // Lorenz
  { expr: 'x*(a - z) - y', at: [{ z: 0.4 }, { x: -1, y: 2, z: 3 }] },
  { expr: 'x*y - b*z', at: [{ z: 0.4 }, { x: -1, y: 2, z: 3 }] },
  { expr: '-0.04*x + 1e4*y*z', at: [{ x: 1, y: 2e-5, z: 0.3 }] }, // Robertson
  { expr: '1 + x^2*y - (b + 1)*x', at: XY_POSITIVE }, // Brusselator
  { expr: '-c*x/(a + x)', at: grid('x', [0.2, 3]) }, // Michaelis–Menten
  { expr: 'x^4/(a^4 + x^4)', at: grid('x', [0.2, 1.1, 3]) }, // Hill
  { expr: 'x*(1 - x/w) - c*x*y/(a + x)', at: XY_POSITIVE }, // predator–prey with saturation
  { expr: 'y + 2*x - (1 - a)*(x + a)/((x + a)^2 + y^2)^1.5', at: XY_POSITIVE }, // restricted three-body flavour
  { expr: 'x - x', at: grid('x', [0.7]) },
  { expr: 'x/x', at: grid('x', [0.7, -2]) },
  { expr: '3', at: [{}] },
];

const ALL: readonly VarName[] = VAR_NAMES;

/** A fresh context per test keeps builders (and node ids) independent between cases. */
function setup(text: string) {
  const ctx = makeCtx();
  const d = new Differentiator(ctx.b);
  const e = ctx.parse(text);
  return { ctx, d, e, sym: (n: VarName) => ctx.syms.get(n)! };
}

/** The variables an expression depends on. */
function variablesOf(e: Expr): Set<string> {
  const found = new Set<string>();
  const seen = new Set<number>();
  const walk = (n: Expr): void => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    if (n.kind === 'sym') found.add(n.name);
    else if (n.kind === 'add') n.terms.forEach(walk);
    else if (n.kind === 'mul') n.factors.forEach(walk);
    else if (n.kind === 'pow') [n.base, n.exponent].forEach(walk);
    else if (n.kind === 'call') n.args.forEach(walk);
  };
  walk(e);
  return found;
}

/** e as a function of the variable v, the others fixed at env. */
function along(e: Expr, env: Env, v: SymNode): (s: number) => number {
  return (s) => evaluate(e, (q) => (q.id === v.id ? s : envOf(env)(q)));
}

function checkReference(ref: { value: number; error: number }, what: string): void {
  // A reference that is itself inaccurate would make the comparison meaningless: pick better points.
  if (!(ref.error <= 1e-2 * FIRST_RTOL * Math.max(Math.abs(ref.value), FLOOR)) && !(ref.error <= 1e-12)) {
    throw new Error(`test setup: numerical reference for ${what} is not accurate (${ref.value} ± ${ref.error})`);
  }
}

describe('first derivatives against Ridders extrapolation', () => {
  it.each(CASES)('d/dv $expr', ({ expr, at, h = 0.05 }) => {
    const { d, e, sym, ctx } = setup(expr);
    const vars = variablesOf(e);
    for (const point of at) {
      const env: Env = { ...ENVS[0]!, ...point };
      for (const name of ALL) {
        const v = sym(name);
        const de = d.d(e, v);
        if (!vars.has(name)) {
          expect(de, `d(${expr})/d${name} must be the structural zero`).toBe(ctx.b.zero);
          continue;
        }
        const ref = firstDerivative(along(e, env, v), env[name], h);
        checkReference(ref, `d(${expr})/d${name} at ${JSON.stringify(point)}`);
        const got = evaluate(de, envOf(env));
        if (!close(got, ref.value, FIRST_RTOL, FLOOR)) {
          throw new Error(
            `d(${expr})/d${name} at ${JSON.stringify(point)}: symbolic ${got} (${toInfix(de)}), numerical ${ref.value} ± ${ref.error}`,
          );
        }
      }
    }
  });
});

describe('second derivatives (the derivative of the derivative)', () => {
  it.each(CASES)('d²/dv dw $expr', ({ expr, at, h = 0.05 }) => {
    const { d, e, sym, ctx } = setup(expr);
    const vars = [...variablesOf(e)] as VarName[];
    for (const point of at) {
      const env: Env = { ...ENVS[0]!, ...point };
      for (const n1 of vars) {
        const d1 = d.d(e, sym(n1));
        for (const n2 of ALL) {
          const d2 = d.d(d1, sym(n2));
          if (!vars.includes(n2)) {
            expect(d2).toBe(ctx.b.zero);
            continue;
          }
          const got = evaluate(d2, envOf(env));
          // Reference 1: Ridders on the symbolic first derivative (checked above) along n2.
          const ref = firstDerivative(along(d1, env, sym(n2)), env[n2], h);
          if (!close(got, ref.value, SECOND_RTOL, FLOOR)) {
            throw new Error(
              `d²(${expr})/d${n1}d${n2} at ${JSON.stringify(point)}: symbolic ${got}, numerical ${ref.value}`,
            );
          }
          // Reference 2, independent of the first derivative: second central differences of e itself.
          if (n1 === n2) {
            const ref2 = secondDerivative(along(e, env, sym(n1)), env[n1], h);
            if (!close(got, ref2.value, SECOND_RTOL, FLOOR)) {
              throw new Error(
                `d²(${expr})/d${n1}² at ${JSON.stringify(point)}: symbolic ${got}, numerical ${ref2.value}`,
              );
            }
          }
          // Symmetry of mixed partials (Schwarz), symbolically derived both ways.
          const other = evaluate(d.d(d.d(e, sym(n2)), sym(n1)), envOf(env));
          expect(close(got, other, 1e-10, FLOOR), `mixed partials of ${expr}: ${got} vs ${other}`).toBe(true);
        }
      }
    }
  });
});

describe('conventions at the kinks', () => {
  it('d|x| = sign(x), d sign(x) = 0, d min/max split the derivative evenly on a tie', () => {
    const { ctx, d, sym } = setup('x');
    const x = sym('x');
    const y = sym('y');
    const at = (e: Expr, xv: number, yv = 0) => evaluate(e, (s) => (s.name === 'x' ? xv : s.name === 'y' ? yv : 0));
    const absDx = d.d(ctx.parse('abs(x)'), x);
    expect(at(absDx, 0)).toBe(0);
    expect(at(absDx, -2)).toBe(-1);
    expect(d.d(ctx.parse('sign(x)'), x)).toBe(ctx.b.zero);
    expect(d.d(ctx.b.call('heaviside', [x]), x)).toBe(ctx.b.zero);
    expect(at(d.d(ctx.parse('min(x, y)'), x), 1, 1)).toBe(0.5);
    expect(at(d.d(ctx.parse('max(x, y)'), y), 1, 1)).toBe(0.5);
    expect(at(d.d(ctx.parse('min(x, y)'), x), 0.5, 1)).toBe(1);
    expect(at(d.d(ctx.parse('min(x, y)'), x), 1.5, 1)).toBe(0);
    expect(at(d.d(ctx.parse('max(x, y)'), x), 1.5, 1)).toBe(1);
    expect(at(d.d(ctx.parse('max(x, 2*x)'), x), 0)).toBe(1.5);
  });
});

describe('structural zeros and sparsity', () => {
  it('d of an expression free of the variable is the zero constant node', () => {
    const { ctx, d, sym } = setup('x');
    const z = sym('z');
    for (const text of [
      'x*y',
      'sin(y)*exp(x)',
      'atan2(y, x)',
      'min(x, y)',
      'max(x, y, t)',
      'x^y',
      '2^y',
      'pi',
      '3',
      'abs(x - y)',
      'sign(z)',
      't',
    ]) {
      // (sign(z) depends on z, but its derivative is 0 by convention: the zero node too.)
      expect(d.d(ctx.parse(text), z), text).toBe(ctx.b.zero);
    }
    expect(d.d(ctx.parse('x*y'), z)).toBe(ctx.b.zero);
    expect(d.d(ctx.parse('x*y'), z)).toEqual(expect.objectContaining({ kind: 'const', value: 0 }));
  });

  it('simple derivatives are the expected nodes', () => {
    const { ctx, d, sym } = setup('x');
    const [b, x, y] = [ctx.b, sym('x'), sym('y')];
    expect(d.d(x, x)).toBe(b.one);
    expect(d.d(y, x)).toBe(b.zero);
    expect(d.d(ctx.parse('x + y'), x)).toBe(b.one);
    expect(d.d(ctx.parse('3*x'), x)).toBe(b.num(3));
    expect(d.d(ctx.parse('x*y'), x)).toBe(y);
    expect(d.d(ctx.parse('x^2'), x)).toBe(b.mul(b.num(2), x));
    expect(d.d(ctx.parse('sin(x)'), x)).toBe(b.call('cos', [x]));
    expect(d.d(ctx.parse('exp(x)'), x)).toBe(ctx.parse('exp(x)'));
    expect(d.d(ctx.parse('x - y'), y)).toBe(b.minusOne);
  });

  it('sparsity marks exactly the non-zero entries of a Jacobian', () => {
    const { ctx, d, sym } = setup('x');
    const f = ['y', '-sin(x) - c*y', 'z*sign(x)', '0*x + w'].map((s) => ctx.parse(s));
    const vars = [sym('x'), sym('y'), sym('z')];
    const jac = f.map((fi) => vars.map((v) => d.d(fi, v)));
    expect(sparsity(jac)).toEqual([
      [false, true, false],
      [true, true, false],
      [false, false, true],
      [false, false, false],
    ]);
  });
});

describe('memoization and sharing', () => {
  it('the same derivative is the same object', () => {
    const { ctx, d, e, sym } = setup('sin(x)*exp(x*y) + x^y');
    expect(d.d(e, sym('x'))).toBe(d.d(e, sym('x')));
    // A second differentiator over the same builder builds the same (hash-consed) nodes.
    expect(new Differentiator(ctx.b).d(e, sym('x'))).toBe(d.d(e, sym('x')));
    expect(d.d(d.d(e, sym('x')), sym('y'))).toBe(d.d(d.d(e, sym('x')), sym('y')));
  });

  it('a shared subexpression is differentiated once (work linear in the DAG, not in the tree)', () => {
    const b = new ExprBuilder();
    const x = b.sym('x', 'state', 0);
    // e_{k+1} = sin(e_k) * e_k + e_k: as a tree this has 3^12 leaves, as a DAG 4 nodes per level. (Deep
    // enough that differentiating the tree would show in the count of rule applications, shallow enough
    // that it would still finish.)
    const LEVELS = 12;
    let e: Expr = x;
    for (let k = 0; k < LEVELS; k++) e = b.add(b.mul(b.call('sin', [e]), e), e);
    const d = new Differentiator(b);
    const rule = vi.spyOn(Differentiator.prototype as unknown as { rule: () => Expr }, 'rule');
    const before = b.size;
    const de = d.d(e, x);
    expect(rule.mock.calls.length).toBeLessThanOrEqual(before);
    expect(b.size - before).toBeLessThan(20 * LEVELS);
    rule.mockRestore();
    // And it is right: compare with the chain computed numerically step by step.
    let v = 0.3;
    let dv = 1;
    for (let k = 0; k < LEVELS; k++) {
      const nv = Math.sin(v) * v + v;
      dv = (Math.cos(v) * v + Math.sin(v) + 1) * dv;
      v = nv;
    }
    expect(
      close(
        evaluate(de, () => 0.3),
        dv,
        1e-12,
      ),
    ).toBe(true);
  });
});
