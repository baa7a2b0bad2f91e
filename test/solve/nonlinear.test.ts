/**
 * Jacobians and parameter Jacobians of non-linear models, from the variational equations, against central
 * finite differences of tightly integrated solutions (an independent check: the reference never sees J).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveOptions } from '../../src/runtime/types.ts';
import { example } from '../helpers/examples.ts';
import { fdJacobian, fdParamJacobian, maxRelativeError } from '../helpers/fd.ts';

interface Case {
  readonly model: ModelSpec;
  readonly problem: Omit<SolveOptions, 'rtol' | 'atol'>;
}

const CASES: Case[] = [
  { model: example('pendulum'), problem: { t0: 0, t1: 4, y0: [1.2, -0.3] } },
  { model: example('lotka-volterra'), problem: { t0: 0, t1: 3, y0: [2, 1] } },
  { model: example('lorenz'), problem: { t0: 0, t1: 0.5, y0: [1, 2, 20] } },
  {
    // sqrt of sums inside products: where nerdamer's own derivative is wrong
    model: {
      name: 'sqrt-sums',
      states: ['u', 'w'],
      params: { a: 0.7, b: 0.4 },
      rhs: { u: '-u*sqrt(1 + u*u + w^2) + a*w', w: 'u - b*sqrt(1 + u)*w*sqrt(2 + w*w)' },
    },
    problem: { t0: 0, t1: 2, y0: [0.5, 0.3] },
  },
  {
    // atan2 in both arguments: nerdamer returns 0 for d atan2(y, x)/dx
    model: {
      name: 'atan2-flow',
      states: ['x', 'y'],
      params: { c: 0.3 },
      rhs: { x: '-atan2(y, x) + c*y', y: 'atan2(x, 1 + y*y) - y*c' },
    },
    problem: { t0: 0, t1: 2, y0: [1, 0.5] },
  },
  {
    // explicit time dependence, and exp/log/tanh/cosh
    model: {
      name: 'forced-nonlinear',
      time: 'tau',
      states: ['x', 'v'],
      params: { w: 2, eps: 0.3, f: 0.5 },
      rhs: { x: 'v', v: '-w*x - eps*tanh(v)*cosh(x/3) + f*cos(1.3*tau) + log(1 + exp(-x*x))*sin(tau)' },
    },
    problem: { t0: 0, t1: 3, y0: [0.4, 0.1] },
  },
];

// Tolerance of each method's run, and how close its Jacobians must come to the finite-difference reference.
// (Measured agreement on 2026-11-26: 1e-11 to 1e-9 for the high-order methods, 2e-9 to 1e-8 for AHE.)
const METHODS: [string, number, number][] = [
  ['RK45CK', 1e-11, 2e-8],
  ['Dormand-Prince', 1e-11, 2e-8],
  ['AHE', 1e-9, 1e-7],
  ['RK87', 1e-12, 2e-8],
  ['RK108', 1e-12, 2e-8],
  ['RK1412', 1e-12, 2e-8],
];

describe.each(CASES)('$model.name: variational Jacobians agree with finite differences', ({ model, problem }) => {
  const reference = compile(model, { method: 'RK87', sensitivities: [] });
  const tight = { ...problem, rtol: 1e-14, atol: 1e-14 };
  const names = Object.keys(model.params ?? {});
  const defaults = Object.values(model.params ?? {});
  const Jfd = fdJacobian(reference, tight);
  const Sfd = fdParamJacobian(reference, tight, names, defaults);

  it.each(METHODS)('%s', (method, tol, agree) => {
    const solver = compile(model, { method, sensitivities: ['y0', 'params'] });
    const r = solver.solve({ ...problem, rtol: tol, atol: tol });
    expect(maxRelativeError(r.jacobian!, Jfd)).toBeLessThan(agree);
    expect(maxRelativeError(r.paramJacobian!, Sfd)).toBeLessThan(agree);
  });
});
