/**
 * Measured orders of the generated symplectic solvers, in the state and in the tangent map: on Kepler's problem
 * (e = 0.6, to the eccentric anomaly E = 2, an exact point of the orbit away from the symmetric ones where errors
 * cancel), the order of general separable problems; on the harmonic oscillator, the harmonic order.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { SYMPLECTIC_METHODS } from '../../src/methods/symplectic/index.ts';
import { HARMONIC, KEPLER, KEPLER_Y0, slope } from './support.ts';

const E = 2;
const ECC = 0.6;
const T = E - ECC * Math.sin(E);
const ROOT = Math.sqrt(1 - ECC * ECC);
const DEN = 1 - ECC * Math.cos(E);
const AT_T = [Math.cos(E) - ECC, ROOT * Math.sin(E), -Math.sin(E) / DEN, (ROOT * Math.cos(E)) / DEN];

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe.each(SYMPLECTIC_METHODS.map((m) => [m.name, m] as const))('%s: measured order', (_name, method) => {
  it(`is ${method.order} on Kepler's problem, in y, ∂y/∂y0 and ∂y/∂μ`, () => {
    const solver = compile(KEPLER, { method: method.name, sensitivities: ['y0', 'params'] });
    // errors from 1e-2 down to 1e-10 (SymplecticEuler: from 3e-3)
    const base = method.order === 1 ? 2000 : 25;
    const steps = [1, 2, 4, 8, 16].map((k) => k * base);
    const runs = steps.map((n) => solver.solve({ t0: 0, t1: T, y0: KEPLER_Y0, dt: T / n }));
    const yErrors = runs.map((r) => maxDiff(r.y, AT_T));
    // the sensitivities have no closed form here: the difference to the next run, which converges alike
    const phiErrors = runs.slice(0, -1).map((r, k) => maxDiff(r.jacobian!, runs[k + 1]!.jacobian!));
    const sErrors = runs.slice(0, -1).map((r, k) => maxDiff(r.paramJacobian!, runs[k + 1]!.paramJacobian!));
    for (const [what, errors, n] of [
      ['y', yErrors, steps],
      ['Φ', phiErrors, steps.slice(0, -1)],
      ['S', sErrors, steps.slice(0, -1)],
    ] as const) {
      const measured = slope(n, errors);
      expect(Math.abs(measured - method.order), `${what}: ${measured.toFixed(2)}`).toBeLessThan(0.3);
    }
  });

  it(`is ${method.harmonicOrder ?? method.order} on the harmonic oscillator`, () => {
    const solver = compile(HARMONIC, { method: method.name, sensitivities: [] });
    const t1 = 10;
    const y0 = [1, 0.5];
    const exact = [Math.cos(t1) + 0.5 * Math.sin(t1), 0.5 * Math.cos(t1) - Math.sin(t1)];
    const steps = method.order === 1 ? [100, 200, 400, 800] : [8, 16, 32, 64];
    const errors = steps.map((n) => maxDiff(solver.solve({ t0: 0, t1, y0, dt: t1 / n }).y, exact));
    const measured = slope(steps, errors);
    expect(Math.abs(measured - (method.harmonicOrder ?? method.order)), measured.toFixed(2)).toBeLessThan(0.3);
  });
});
