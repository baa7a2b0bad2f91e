/**
 * Numeric faults in the CUDA driver (templates/cuda/explicit-rk.cu, built with g++ as `-x c++ -DODEFORGE_HD=`)
 * against the TypeScript driver (templates/ts/driver.ts), trajectory by trajectory: a right-hand side
 * that is not finite at the initial state, a first-step estimate that is not a positive number, steps that
 * give nothing but non-finite values (NON_FINITE_CUTS), fixed steps counted from t0 far from 0, a dt too
 * small to move t, and solutions that blow up. Status, time reached, step counts and state must agree.
 */
import { describe, expect, it } from 'vitest';
import { compile, type Solver } from '../../src/compile.ts';
import { type CudaEnsembleRun, prepareCpuEnsemble } from '../../src/ensemble/cuda.ts';
import type { EnsembleOptions } from '../../src/ensemble/types.ts';
import { IntegrationError } from '../../src/errors.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveResult } from '../../src/runtime/types.ts';
import { BLOWUP, haveCompiler, method, normwiseRelative, row, system } from './support.ts';

const available = await haveCompiler('cpu', 'the g++ numeric-fault tests of the CUDA target');

/** x' = √x: NaN for x < 0; at x = 0 finite, but ∂F/∂x = 1/(2√x) makes Φ' infinite. */
const SQRT: ModelSpec = { name: 'sqrt', states: ['x'], rhs: { x: 'sqrt(x)' } };
/** x' = 1. */
const ONE: ModelSpec = { name: 'one', states: ['x'], rhs: { x: '1' } };
/** x' = √(−t): finite at t = 0 (−0), NaN at every t > 0, so every step forward from 0 fails. */
const PAST_DOMAIN: ModelSpec = { name: 'past_domain', states: ['x'], rhs: { x: 'sqrt(-t)' } };

interface Expected {
  readonly status: string;
  readonly result: SolveResult;
}

const solvers = new Map<string, Solver>();

/** The TypeScript solver on trajectory i of an ensemble (one state, no parameters). */
function reference(spec: ModelSpec, methodName: string, options: EnsembleOptions, i: number): Expected {
  const key = `${spec.name}/${methodName}`;
  let solver = solvers.get(key);
  if (solver === undefined) {
    solver = compile(spec, { method: methodName, sensitivities: ['y0', 'params'] });
    solvers.set(key, solver);
  }
  try {
    const result = solver.solve({
      t0: options.t0,
      t1: options.t1,
      y0: [options.y0[i]!],
      rtol: options.rtol,
      atol: options.atol,
      dt: options.dt,
      maxSteps: options.maxSteps,
    });
    return { status: 'ok', result };
  } catch (e) {
    if (!(e instanceof IntegrationError)) throw e;
    return { status: e.reason, result: e.partial as SolveResult };
  }
}

/**
 * Runs the g++ build of the CUDA source on a one-state model and checks status, time, step counts and state of
 * every trajectory against the TypeScript solver; with `exact`, the time and step counts must be equal (not only
 * within rounding of the step sequence, as for an adaptive run that stops early). Returns the run.
 */
async function agrees(
  spec: ModelSpec,
  methodName: string,
  options: EnsembleOptions,
  exact = true,
): Promise<{ run: CudaEnsembleRun; want: Expected[] }> {
  const ensemble = await prepareCpuEnsemble(system(spec), method(methodName), 'f64');
  const run = await ensemble.run(options);
  const want: Expected[] = [];
  for (let i = 0; i < options.y0.length; i++) {
    const w = reference(spec, methodName, options, i);
    want.push(w);
    const where = `${spec.name}/${methodName}, trajectory ${i}`;
    expect(run.status[i], where).toBe(w.status);
    if (!exact) {
      expect(Math.abs(run.t[i]! - w.result.t), where).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w.result.t)));
      continue;
    }
    expect(run.t[i], where).toBe(w.result.t);
    expect(run.acceptedSteps[i], where).toBe(w.result.stats.steps);
    expect(run.rejectedSteps[i], where).toBe(w.result.stats.rejected);
    expect(normwiseRelative(row(run.y, i, 1), w.result.y), `${where}: y`).toBeLessThanOrEqual(1e-12);
    expect(normwiseRelative(row(run.jacobian!, i, 1), w.result.jacobian!), `${where}: jacobian`).toBeLessThanOrEqual(
      1e-12,
    );
  }
  return { run, want };
}

describe.skipIf(!available)('numeric faults: the CUDA driver (g++ build) agrees with the TypeScript driver', () => {
  it("F not finite at the initial state (state or sensitivities): 'non-finite' at t0 with y0, no step taken", async () => {
    // x0 = -1: √x is NaN; x0 = 0: √0 = 0, but Φ' = Φ/(2√0) = ∞; x0 = 4 is fine.
    const y0 = Float64Array.of(-1, 0, 4);
    for (const [name, dt] of [
      ['RK45CK', undefined],
      ['RK45CK', 0.1],
      ['Dormand-Prince', undefined],
      ['RK4', 0.01],
    ] as const) {
      for (const [t0, t1] of [
        [1, 2],
        [2, 1],
      ]) {
        const { run } = await agrees(SQRT, name, { t0, t1, y0, dt });
        expect(run.status, name).toEqual(['non-finite', 'non-finite', 'ok']);
        expect(Array.from(run.t)).toEqual([t0, t0, t1]);
        expect(Array.from(run.y.subarray(0, 2))).toEqual([-1, 0]);
        expect(Array.from(run.acceptedSteps.subarray(0, 2))).toEqual([0, 0]);
        expect(Array.from(run.rejectedSteps.subarray(0, 2))).toEqual([0, 0]);
      }
    }
    // t1 = t0: nothing to integrate, nothing fails (as in TypeScript).
    const { run } = await agrees(SQRT, 'RK45CK', { t0: 1, t1: 1, y0 });
    expect(run.status).toEqual(['ok', 'ok', 'ok']);
  });

  it("a first-step estimate that is not a positive number (atol = 0 and x0 = 0): 'non-finite' at t0", async () => {
    const { run } = await agrees(ONE, 'RK45CK', { t0: 0.5, t1: 1.5, y0: Float64Array.of(0, 1), rtol: 1e-6, atol: 0 });
    expect(run.status).toEqual(['non-finite', 'ok']);
    expect(run.t[0]).toBe(0.5);
    expect(run.acceptedSteps[0]).toBe(0);
    expect(run.rejectedSteps[0]).toBe(0);
  });

  it("every step from t0 non-finite: the estimate falls back to its first guess, then 20 cuts and 'non-finite'", async () => {
    // The trial point of the first-step estimate is past the domain (h1 NaN): the first guess stands (before,
    // NaN became the step and every attempt was rejected up to maxSteps). Then each attempt is NaN, cut by 4
    // each time: NON_FINITE_CUTS = 20 of them (at t = 0 the step is never too small for t).
    for (const [name, dt] of [
      ['RK45CK', undefined],
      ['Dormand-Prince', undefined],
      ['RK45CK', 0.1],
    ] as const) {
      const { run } = await agrees(PAST_DOMAIN, name, { t0: 0, t1: 1, y0: Float64Array.of(0, 3), dt });
      expect(run.status, name).toEqual(['non-finite', 'non-finite']);
      expect(Array.from(run.t)).toEqual([0, 0]);
      expect(Array.from(run.acceptedSteps)).toEqual([0, 0]);
      expect(Array.from(run.rejectedSteps)).toEqual([20, 20]);
    }
    // Fixed steps: the first step is non-finite.
    const { run } = await agrees(PAST_DOMAIN, 'RK4', { t0: 0, t1: 1, y0: Float64Array.of(0), dt: 0.1 });
    expect(run.status).toEqual(['non-finite']);
    expect(run.acceptedSteps[0]).toBe(0);
  });

  it('fixed steps counted from t0 far from 0: x′ = 1, RK4, t0 = 1.7e9, dt = 1e-6, forward and backward', async () => {
    // t + dt rounds to t + 9.5e-7 at t = 1.7e9: a running sum took 524,288 steps of 9.5e-7 in t while y advanced
    // by 1e-6 each, x(t1) − x0 = 0.524. Counted from t0, t advances by t_{k+1} − t_k and y by the same.
    const t0 = 1.7e9;
    for (const [from, to] of [
      [t0, t0 + 0.5],
      [t0 + 0.5, t0],
    ]) {
      const options = { t0: from, t1: to, y0: Float64Array.of(0, 3), dt: 1e-6 };
      const { run, want } = await agrees(ONE, 'RK4', options);
      expect(run.status).toEqual(['ok', 'ok']);
      expect(Array.from(run.t)).toEqual([to, to]);
      const sign = Math.sign(to - from);
      expect(Math.abs(run.y[0]! - sign * 0.5)).toBeLessThan(1e-9);
      expect(Math.abs(run.y[1]! - 3 - sign * 0.5)).toBeLessThan(1e-9);
      expect(Math.abs(run.acceptedSteps[0]! - 500_000)).toBeLessThanOrEqual(1);
      expect(run.acceptedSteps[0]).toBe(want[0]!.result.stats.steps);
    }
  });

  it("a dt too small to move t (1e-8 at t = 1.7e9): 'step-size-underflow' at t0, fixed or adaptive", async () => {
    const t0 = 1.7e9;
    for (const name of ['RK4', 'RK45CK']) {
      const { run } = await agrees(ONE, name, { t0, t1: t0 + 1, y0: Float64Array.of(2), dt: 1e-8 });
      expect(run.status, name).toEqual(['step-size-underflow']);
      expect(run.t[0]).toBe(t0);
      expect(run.y[0]).toBe(2);
      expect(run.acceptedSteps[0]).toBe(0);
    }
  });

  it('blow-up (x′ = x²): the same status as TypeScript for several methods and tolerances', async () => {
    // Near the singularity the accepted steps shrink below the rounding resolution of t: TypeScript stops with
    // 'step-size-underflow' where t + h == t (the CUDA driver went on to reject and reported 'non-finite').
    for (const name of ['RK45CK', 'Dormand-Prince']) {
      for (const tol of [1e-6, 1e-8, 1e-10, 1e-12]) {
        const options = { t0: 0, t1: 2, y0: Float64Array.of(1, 2, -1, 0.4), rtol: tol, atol: tol };
        const { run } = await agrees(BLOWUP, name, options, false);
        const where = `${name}, tol = ${tol}`;
        expect(run.status.slice(0, 2), where).toEqual(['step-size-underflow', 'step-size-underflow']);
        expect(Math.abs(run.t[0]! - 1), where).toBeLessThan(1e-3);
        expect(Math.abs(run.t[1]! - 0.5), where).toBeLessThan(1e-3);
        expect(run.status.slice(2), where).toEqual(['ok', 'ok']);
      }
    }
  });
});
