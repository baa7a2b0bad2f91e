/**
 * The seed problem (REFERENCES.md): y' = M y with M = [[0, 1], [-k, 0]], k = 20, y0 = [1, 1] over one
 * period-ish t ∈ [0, 2π]. Its exact Jacobian is expm(2π M), known in closed form — the default model of the
 * demo and the anchor of the tests and benchmarks. The same model is examples/seed.json.
 */
import type { ModelSpec } from './model/model.ts';

export const SEED_MODEL: ModelSpec = {
  name: 'seed',
  states: ['x', 'v'],
  params: { k: 20 },
  rhs: { x: 'v', v: '-k*x' },
};

export const SEED_PROBLEM = { t0: 0, t1: 2 * Math.PI, y0: [1, 1], dt: 0.1, rtol: 1e-12, atol: 1e-12 } as const;

/** expm(t M) for M = [[0, 1], [-k, 0]], row-major: [[cos wt, sin(wt)/w], [-w sin wt, cos wt]], w = √k. */
export function seedExactJacobian(t: number, k = 20): Float64Array {
  const w = Math.sqrt(k);
  const c = Math.cos(w * t);
  const s = Math.sin(w * t);
  return Float64Array.of(c, s / w, -w * s, c);
}

/** ∂y(t)/∂k for y0 = [x0, v0], differentiating the closed form x(t) = x0 cos wt + v0 sin(wt)/w exactly. */
export function seedExactParamJacobian(t: number, y0: readonly number[], k = 20): Float64Array {
  const [x0, v0] = y0 as [number, number];
  const w = Math.sqrt(k);
  const c = Math.cos(w * t);
  const s = Math.sin(w * t);
  const dw = 1 / (2 * w); // dw/dk
  // x = x0 c + v0 s / w;  v = -x0 w s + v0 c
  const dx = x0 * -s * t + v0 * ((c * t) / w - s / (w * w));
  const dv = -x0 * (s + w * c * t) + v0 * -s * t;
  return Float64Array.of(dx * dw, dv * dw);
}
