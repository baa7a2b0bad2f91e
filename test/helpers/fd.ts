/**
 * Independent reference Jacobians: central finite differences (fourth order, Richardson-combined) of
 * solutions integrated with a tight tolerance. Nothing here uses the variational equations.
 */
import type { Solver } from '../../src/compile.ts';
import type { SolveOptions } from '../../src/runtime/types.ts';

type Final = (y0: number[], params: Record<string, number>) => Float64Array;

function finalState(solver: Solver, base: SolveOptions): Final {
  return (y0, params) => solver.solve({ ...base, y0, params }).y;
}

/** d f / d v by the five-point stencil [f(-2h) - 8 f(-h) + 8 f(h) - f(2h)] / 12h, per output. */
function stencil(f: (delta: number) => Float64Array, h: number): Float64Array {
  const m2 = f(-2 * h);
  const m1 = f(-h);
  const p1 = f(h);
  const p2 = f(2 * h);
  return m2.map((_, i) => (m2[i]! - 8 * m1[i]! + 8 * p1[i]! - p2[i]!) / (12 * h));
}

/** n×n row-major ∂y(t1)/∂y0 by finite differences. */
export function fdJacobian(solver: Solver, base: SolveOptions, h = 1e-3): Float64Array {
  const y0 = Array.from(base.y0);
  const n = y0.length;
  const params = { ...(base.params ?? {}) };
  const final = finalState(solver, base);
  const J = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const scale = h * Math.max(1, Math.abs(y0[j]!));
    const col = stencil(
      (d) =>
        final(
          y0.map((v, i) => (i === j ? v + d : v)),
          params,
        ),
      scale,
    );
    for (let i = 0; i < n; i++) J[i * n + j] = col[i]!;
  }
  return J;
}

/** n×p row-major ∂y(t1)/∂p by finite differences, parameters in declared order. */
export function fdParamJacobian(
  solver: Solver,
  base: SolveOptions,
  paramNames: readonly string[],
  defaults: readonly number[],
  h = 1e-3,
): Float64Array {
  const y0 = Array.from(base.y0);
  const n = y0.length;
  const p = paramNames.length;
  const values: Record<string, number> = Object.fromEntries(paramNames.map((name, k) => [name, defaults[k]!]));
  Object.assign(values, base.params ?? {});
  const final = finalState(solver, base);
  const S = new Float64Array(n * p);
  paramNames.forEach((name, k) => {
    const scale = h * Math.max(1, Math.abs(values[name]!));
    const col = stencil((d) => final(y0, { ...values, [name]: values[name]! + d }), scale);
    for (let i = 0; i < n; i++) S[i * p + k] = col[i]!;
  });
  return S;
}

/** max_i |a_i - b_i| / max(1, |b_i|). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}
