/** Models and a measure shared by the second-order tests. */
import { readFileSync } from 'node:fs';
import type { ModelSpec } from '../../src/model/model.ts';

export const LORENZ = JSON.parse(
  readFileSync(new URL('../../examples/lorenz.json', import.meta.url), 'utf8'),
) as ModelSpec;

/** Forced, damped pendulum: nonlinear, explicit time dependence, three parameters. */
export const PENDULUM: ModelSpec = {
  name: 'forced-pendulum',
  states: ['x', 'v'],
  params: { c: 0.3, a: 0.5, w: 1.2 },
  rhs: { x: 'v', v: '-sin(x) - c*v + a*cos(w*t)' },
};

/** Every function of the model language, away from the kinks of abs, min, max and sign. */
export const FUNCTIONS: ModelSpec = {
  name: 'functions',
  states: ['u', 'v', 'w'],
  params: { k: 0.7, q: 0.5 },
  rhs: {
    u: 'exp(-k*u) * sqrt(1 + v^2) - log(2 + w*w) + atan2(v, 2 + u*u)',
    v: 'tanh(u - w) * cosh(0.3*v) - sinh(0.2*u*q) + 0.1*min(u, 3 + v) + pow(abs(w) + 1, 0.5) * sign(2 + u)',
    w: '-q*w*atan(u) + asin(0.3*tanh(v)) + 0.1*acos(0.2*sin(u)) + tan(0.2*v) + 0.05*max(w, -5) + 0.1*cos(t)*k',
  },
};

/** max |a − b| / max |b|: the normwise relative difference (the absolute one when b is all 0). */
export function normwise(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`normwise: lengths ${a.length} and ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
