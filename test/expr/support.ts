/**
 * Shared helpers for the expression tests: a small symbol table, an evaluator with the semantics the TS
 * printer gives the IR (subtraction and division come back as `-` and `/`), and a JavaScript evaluator
 * for the same text, so the parser can be checked numerically against JavaScript itself.
 */
import { applyFunction, type Expr, ExprBuilder, type SymNode } from '../../src/expr/ir.ts';
import { parseExpression } from '../../src/expr/parse.ts';

export const VAR_NAMES = ['a', 'b', 'c', 'x', 'y', 'z', 'u', 'w', 't'] as const;
export type VarName = (typeof VAR_NAMES)[number];
export type Env = Readonly<Record<VarName, number>>;

/** Several value sets: generic, negative, mixed magnitudes (rounding differences become visible). */
export const ENVS: readonly Env[] = [
  { a: 1.3, b: 0.7, c: 2.1, x: 0.9, y: 1.7, z: 0.45, u: 0.3, w: 3.7, t: 0.2 },
  { a: -2.25, b: 3.1, c: -0.6, x: -1.1, y: 0.35, z: -0.8, u: 2.9, w: -0.15, t: 1.9 },
  { a: 1e-3, b: 7e5, c: 0.1, x: 1 / 3, y: 3, z: 0.3, u: 1e8, w: 10, t: 42 },
];

export interface Ctx {
  readonly b: ExprBuilder;
  readonly syms: ReadonlyMap<string, SymNode>;
  parse(text: string): Expr;
}

export function makeCtx(names: readonly string[] = VAR_NAMES, builder = new ExprBuilder()): Ctx {
  const syms = new Map<string, SymNode>(
    names.map((n, i) => [n, n === 't' ? builder.sym(n, 'time', 0) : builder.sym(n, 'state', i)]),
  );
  return { b: builder, syms, parse: (text) => parseExpression(text, (n) => syms.get(n), builder) };
}

/** u for a node u^-1, else undefined. */
const reciprocalOf = (e: Expr): Expr | undefined =>
  e.kind === 'pow' && e.exponent.kind === 'const' && e.exponent.value === -1 ? e.base : undefined;

/**
 * Evaluates the IR the way the generated code computes it: a sum left to right (a + (-1*x) is a - x, which
 * is the same double), a product left to right with every u^-1 factor as a division, other powers with **.
 * If the IR keeps the written operations and their order, this equals JavaScript's value of the written
 * text bit for bit.
 */
export function exactEval(e: Expr, env: (s: SymNode) => number): number {
  const ev = (n: Expr): number => exactEval(n, env);
  switch (e.kind) {
    case 'const':
      return e.value;
    case 'sym':
      return env(e);
    case 'add':
      return e.terms.slice(1).reduce((s, t) => s + ev(t), ev(e.terms[0]!));
    case 'mul': {
      const first = e.factors[0]!;
      const r0 = reciprocalOf(first);
      let p = r0 ? 1 / ev(r0) : ev(first);
      for (const f of e.factors.slice(1)) {
        const r = reciprocalOf(f);
        p = r ? p / ev(r) : p * ev(f);
      }
      return p;
    }
    case 'pow':
      return reciprocalOf(e) ? 1 / ev(e.base) : ev(e.base) ** ev(e.exponent);
    case 'call':
      return applyFunction(e.fn, e.args.map(ev));
  }
}

const JS_PRELUDE =
  'const {sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh, exp, log, sqrt, abs, sign, min, max, pow} = Math;' +
  ' const pi = Math.PI;';

/** Evaluates JavaScript text over the variables of VAR_NAMES (Math functions in scope, pi = Math.PI). */
export function jsEval(js: string, env: Env): number {
  const f = new Function(...VAR_NAMES, `${JS_PRELUDE} return (${js});`) as (...v: number[]) => number;
  return f(...VAR_NAMES.map((n) => env[n]));
}

/** The value of a numeric literal as JavaScript reads it. */
export function jsLiteral(text: string): number {
  return new Function(`return ${text};`)() as number;
}

export const envOf =
  (env: Env) =>
  (s: SymNode): number => {
    const v = env[s.name as VarName];
    if (v === undefined) throw new Error(`test env has no value for '${s.name}'`);
    return v;
  };

/** Same double, NaN equal to NaN, 0 apart from -0. */
export function sameDouble(a: number, b: number): boolean {
  return Object.is(a, b);
}
