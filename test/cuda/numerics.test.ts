/**
 * The generated CUDA source, built with g++ (`-x c++ -DODEFORGE_HD=`) and called through koffi, against the
 * TypeScript solver (compile(model).solve) trajectory by trajectory: state, Jacobian, parameter Jacobian,
 * status, time reached and step counts.
 *
 * Agreement is asked to 1e-12, normwise per array (max |a − b| / max |b|). Fixed-step runs of polynomial models
 * are bitwise equal; adaptive runs differ in the last bits because the step-size factor err^(−1/(q+1)) comes
 * from V8's Math.pow in one and glibc's pow in the other (1 ulp apart at times), so the step sizes differ by
 * an ulp and the results by ~1e-15 relative.
 */
import { describe, expect, it } from 'vitest';
import { compile, type Solver } from '../../src/compile.ts';
import { type CudaEnsembleRun, prepareCpuEnsemble } from '../../src/ensemble/cuda.ts';
import type { EnsembleOptions } from '../../src/ensemble/types.ts';
import { IntegrationError } from '../../src/errors.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveResult } from '../../src/runtime/types.ts';
import {
  BLOWUP,
  FORCED,
  FUNCTIONS,
  haveCompiler,
  LORENZ,
  method,
  normwiseRelative,
  PENDULUM,
  row,
  rows,
  SEED,
  STIFF,
  system,
  TIES,
  VAN_DER_POL,
} from './support.ts';

const available = await haveCompiler('cpu', 'the g++ numerics tests of the CUDA target');

interface Expected {
  readonly status: string;
  readonly result: SolveResult;
}

const solvers = new Map<string, Solver>();

/** The TypeScript solver on trajectory i of an ensemble. */
function reference(spec: ModelSpec, methodName: string, options: EnsembleOptions, i: number): Expected {
  const key = `${spec.name}/${methodName}`;
  let solver = solvers.get(key);
  if (solver === undefined) {
    solver = compile(spec, { method: methodName, sensitivities: ['y0', 'params'] });
    solvers.set(key, solver);
  }
  const n = spec.states.length;
  const names = Object.keys(spec.params ?? {});
  const params = options.params
    ? Object.fromEntries(names.map((name, k) => [name, options.params![i * names.length + k]!]))
    : undefined;
  try {
    const result = solver.solve({
      t0: options.t0,
      t1: options.t1,
      y0: Array.from(row(options.y0, i, n)),
      params,
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

/** Runs the g++ build of the CUDA source and checks every trajectory against the TypeScript solver. */
async function matchesTypeScript(
  spec: ModelSpec,
  methodName: string,
  options: EnsembleOptions,
  tolerance = 1e-12,
  jacobianTolerance = tolerance,
): Promise<CudaEnsembleRun> {
  const ensemble = await prepareCpuEnsemble(system(spec), method(methodName), 'f64');
  const r = await ensemble.run(options);
  const n = spec.states.length;
  const p = Object.keys(spec.params ?? {}).length;
  const count = options.y0.length / n;
  expect(r.y).toHaveLength(count * n);
  expect(r.jacobian).toHaveLength(count * n * n);
  expect(r.paramJacobian).toHaveLength(count * n * p);
  const adaptive = method(methodName).errorEstimate !== undefined;
  for (let i = 0; i < count; i++) {
    const want = reference(spec, methodName, options, i);
    const where = `${spec.name}/${methodName}, trajectory ${i}`;
    expect(r.status[i], where).toBe(want.status);
    if (adaptive && want.status !== 'ok') {
      // Where an adaptive run stops early depends on its whole step sequence, which rounding perturbs: the
      // error estimate is a difference of nearly equal sums, so an ulp in y moves err, and h, by far more than
      // an ulp. The state at t1 does not care (it is within the tolerance either way); the stopping time does.
      expect(Math.abs(r.t[i]! - want.result.t), where).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want.result.t)));
      if (want.status === 'max-steps') {
        expect(r.acceptedSteps[i]! + r.rejectedSteps[i]!, where).toBe(options.maxSteps);
        expect(normwiseRelative(row(r.y, i, n), want.result.y), `${where}: y`).toBeLessThanOrEqual(1e-6);
      }
      continue;
    }
    expect(r.acceptedSteps[i], where).toBe(want.result.stats.steps);
    expect(r.rejectedSteps[i], where).toBe(want.result.stats.rejected);
    expect(Math.abs(r.t[i]! - want.result.t), where).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(want.result.t)),
    );
    expect(normwiseRelative(row(r.y, i, n), want.result.y), `${where}: y`).toBeLessThanOrEqual(tolerance);
    expect(
      normwiseRelative(row(r.jacobian!, i, n * n), want.result.jacobian!),
      `${where}: jacobian`,
    ).toBeLessThanOrEqual(jacobianTolerance);
    if (p > 0) {
      expect(
        normwiseRelative(row(r.paramJacobian!, i, n * p), want.result.paramJacobian!),
        `${where}: paramJacobian`,
      ).toBeLessThanOrEqual(jacobianTolerance);
    }
  }
  return r;
}

const N = 8;

describe.skipIf(!available)('the CUDA source built with g++ matches the TypeScript solver (f64)', () => {
  it('seed oscillator, RK45CK, rtol = atol = 1e-12, dt0 = 0.1, k varied', async () => {
    const r = await matchesTypeScript(SEED, 'RK45CK', {
      t0: 0,
      t1: 2 * Math.PI,
      y0: rows(N, 2, (i) => [1 + 0.1 * i, 1 - 0.2 * i]),
      params: rows(N, 1, (i) => [20 + i]),
      rtol: 1e-12,
      atol: 1e-12,
      dt: 0.1,
    });
    // Trajectory 0 is the seed problem: its Jacobian is expm(2πM).
    const w = Math.sqrt(20);
    const c = Math.cos(w * 2 * Math.PI);
    const s = Math.sin(w * 2 * Math.PI);
    expect(normwiseRelative(row(r.jacobian!, 0, 4), [c, s / w, -w * s, c])).toBeLessThan(1e-10);
    expect(r.stats.backend).toBe('cpu');
    expect(r.stats.trajectories).toBe(N);
  });

  const lorenz: EnsembleOptions = {
    t0: 0,
    t1: 1,
    y0: rows(N, 3, (i) => [1 + 0.1 * i, 0.5 * Math.sin(i), 0.25 * i]),
    params: rows(N, 3, (i) => [10, (28 * i) / (N - 1), 8 / 3 + 0.01 * i]),
    rtol: 1e-10,
    atol: 1e-10,
  };

  it('Lorenz, Dormand–Prince (FSAL), first step estimated, y0 and parameter sensitivities', async () => {
    await matchesTypeScript(LORENZ, 'Dormand-Prince', lorenz);
  });

  it('Lorenz, RK87 (13 stages)', async () => {
    await matchesTypeScript(LORENZ, 'RK87', lorenz);
  });

  it('pendulum with sin, RK4 with fixed steps', async () => {
    await matchesTypeScript(PENDULUM, 'RK4', {
      t0: 0,
      t1: 5,
      y0: rows(N, 2, (i) => [0.2 + 0.3 * i, -0.1 * i]),
      params: rows(N, 3, (i) => [9.81, 1 + 0.1 * i, 0.05 * i]),
      dt: 0.01,
    });
  });

  it('every function of the model language (sqrt, atan2, min, max, abs, sign, pow, exp, log, …), RK45CK', async () => {
    await matchesTypeScript(FUNCTIONS, 'RK45CK', {
      t0: 0,
      t1: 3,
      y0: rows(N, 2, (i) => [-1 + 0.3 * i, 0.8 - 0.25 * i]),
      params: rows(N, 2, (i) => [0.3 + 0.05 * i, 0.25 + 0.1 * i]),
      rtol: 1e-10,
      atol: 1e-12,
    });
  });

  it('explicit time (named s), RK87, forward and backward', async () => {
    const options = {
      y0: rows(N, 2, (i) => [1 - 0.1 * i, 0.1 * i]),
      params: rows(N, 2, (i) => [0.5 + 0.1 * i, 0.05 * i]),
      rtol: 1e-11,
      atol: 1e-11,
    };
    await matchesTypeScript(FORCED, 'RK87', { ...options, t0: 0, t1: 4 });
    const back = await matchesTypeScript(FORCED, 'RK87', { ...options, t0: 2, t1: -1.5 });
    expect(Array.from(back.t)).toEqual(new Array(N).fill(-1.5));
  });

  it('per-trajectory failures: blow-up (step-size-underflow or non-finite) next to trajectories that finish', async () => {
    // x' = x², x(0) = x0 blows up at t = 1/x0: x0 = 1 and 2 do so before t1 = 2; the others do not.
    const r = await matchesTypeScript(BLOWUP, 'RK45CK', {
      t0: 0,
      t1: 2,
      y0: Float64Array.of(1, -1, 0.1, 2, 0.25, 0, -3, 0.4),
      rtol: 1e-8,
      atol: 1e-8,
    });
    expect(r.status[0]).toMatch(/^(step-size-underflow|non-finite)$/);
    expect(Math.abs(r.t[0]! - 1)).toBeLessThan(1e-3);
    expect(r.status[3]).toMatch(/^(step-size-underflow|non-finite)$/);
    expect(Math.abs(r.t[3]! - 0.5)).toBeLessThan(1e-3);
    expect([1, 2, 4, 5, 6, 7].map((i) => r.status[i])).toEqual(new Array(6).fill('ok'));
  });

  it('stiffness: steps held at the stability boundary (sensitivities integrated), then the stiff status', async () => {
    // y' = -λ (y - cos t): for λ = 1000 the steps of RK45CK are limited by stability, not accuracy, and after
    // 1000 such steps the solver reports stiffness; smaller λ finish. Φ = ∂y/∂y0 decays like e^(-λt) to
    // 1e-216 and below, where its value hangs on every step size: compared to 1e-8.
    for (const m of ['RK45CK', 'Dormand-Prince']) {
      const r = await matchesTypeScript(
        STIFF,
        m,
        {
          t0: 0,
          t1: 10,
          y0: Float64Array.of(0, 1, 2, 0.5),
          params: Float64Array.of(1000, 10, 300, 50),
          rtol: 1e-6,
          atol: 1e-6,
        },
        1e-12,
        1e-8,
      );
      expect(r.status).toEqual(['stiff', 'ok', 'ok', 'ok']);
      expect(r.acceptedSteps[0]).toBeGreaterThanOrEqual(1000);
    }
  });

  it('stability control on a nonlinear problem (Van der Pol): the same step counts, give or take rounding', async () => {
    // ρ varies along the limit cycle, so how often it is estimated shows in the step counts (estimating it
    // on every step instead of every 4th and after rejections gave 59 rejections for μ = 10 instead of 38).
    // Step decisions at the stability boundary are thresholds, and an ulp of difference in the step-size
    // factor (V8's pow against the C library's) can flip one and shift the rest of the run slightly.
    const mus = [5, 10, 20, 30];
    const options: EnsembleOptions = {
      t0: 0,
      t1: 20,
      y0: rows(mus.length, 2, () => [2, 0]),
      params: Float64Array.from(mus),
      rtol: 1e-6,
      atol: 1e-6,
    };
    for (const m of ['RK45CK', 'Dormand-Prince']) {
      const r = await (await prepareCpuEnsemble(system(VAN_DER_POL), method(m), 'f64')).run(options);
      for (let i = 0; i < mus.length; i++) {
        const want = reference(VAN_DER_POL, m, options, i);
        const where = `${m}, μ = ${mus[i]}`;
        expect(r.status[i], where).toBe(want.status);
        expect(Math.abs(r.acceptedSteps[i]! - want.result.stats.steps), where).toBeLessThanOrEqual(
          1 + 0.02 * want.result.stats.steps,
        );
        expect(Math.abs(r.rejectedSteps[i]! - want.result.stats.rejected), where).toBeLessThanOrEqual(
          1 + 0.05 * want.result.stats.rejected,
        );
        expect(normwiseRelative(row(r.y, i, 2), want.result.y), where).toBeLessThan(1e-6);
      }
    }
  });

  it('per-trajectory failures: non-finite with fixed steps, and maxSteps', async () => {
    const fixed = await matchesTypeScript(BLOWUP, 'RK4', { t0: 0, t1: 2, y0: Float64Array.of(1, 0.1), dt: 0.25 });
    expect(fixed.status).toEqual(['non-finite', 'ok']);
    // Fixed steps: where maxSteps stops is exact.
    const fixedLimit = await matchesTypeScript(PENDULUM, 'RK4', {
      t0: 0,
      t1: 1,
      y0: rows(3, 2, (i) => [0.5 * i, 0]),
      dt: 0.01,
      maxSteps: 57,
    });
    expect(fixedLimit.status).toEqual(['max-steps', 'max-steps', 'max-steps']);
    expect(Array.from(fixedLimit.acceptedSteps)).toEqual([57, 57, 57]);
    const limited = await matchesTypeScript(SEED, 'RK45CK', {
      t0: 0,
      t1: 2 * Math.PI,
      y0: rows(4, 2, (i) => [1, 1 + i]),
      params: rows(4, 1, (i) => [20 * (i + 1) * (i + 1)]),
      rtol: 1e-10,
      atol: 1e-10,
      maxSteps: 1500,
    });
    // Stiffer springs need more steps (about 590, 1220, 1850, 2490): the last two hit the limit, where the
    // partial result is returned.
    expect(limited.status).toEqual(['ok', 'ok', 'max-steps', 'max-steps']);
    expect(limited.status[0]).toBe('ok');
    for (let i = 0; i < 4; i++) {
      if (limited.status[i] === 'max-steps') {
        expect(limited.acceptedSteps[i]! + limited.rejectedSteps[i]!).toBe(1500);
        expect(limited.t[i]).toBeLessThan(2 * Math.PI);
      }
    }
  });
});

describe.skipIf(!available)('min, max, sign, abs and heaviside at ties: JavaScript semantics', () => {
  it('one Euler step from signed zeros and ties is bitwise the TypeScript result', async () => {
    const options: EnsembleOptions = {
      t0: 0,
      t1: 1,
      y0: Float64Array.of(-0, 0, -0, 0, 0, -0, 0, -0, 1, 1, 0, 0, 2, 1, -1, 3, -2, -2, 5, -0),
      dt: 1,
    };
    const r = await (await prepareCpuEnsemble(system(TIES, ['y0']), method('Euler'), 'f64')).run(options);
    const solver = compile(TIES, { method: 'Euler' });
    for (let i = 0; i < 5; i++) {
      const want = solver.solve({ t0: 0, t1: 1, y0: Array.from(row(options.y0, i, 4)), dt: 1 });
      // toEqual tells -0 from 0.
      expect(Array.from(row(r.y, i, 4)), `trajectory ${i}: y`).toEqual(Array.from(want.y));
      expect(Array.from(row(r.jacobian!, i, 16)), `trajectory ${i}: jacobian`).toEqual(Array.from(want.jacobian!));
    }
    // min(-0, 0) = -0 and max(-0, 0) = 0; the Jacobian holds heaviside(0) = 1/2.
    expect(Object.is(r.y[0], -0)).toBe(true);
    expect(Object.is(r.y[1], 0)).toBe(true);
    expect(Array.from(row(r.jacobian!, 0, 16)).slice(0, 2)).toEqual([1.5, 0.5]);
  });
});

describe.skipIf(!available)('single precision (f32) builds', () => {
  it('agree with the double-precision TypeScript solver to float accuracy (same options)', async () => {
    const options: EnsembleOptions = {
      t0: 0,
      t1: 1,
      y0: rows(N, 3, (i) => [1 + 0.1 * i, 0, 0.25 * i]),
      params: rows(N, 3, (i) => [10, (28 * i) / (N - 1), 8 / 3]),
      rtol: 1e-6,
      atol: 1e-6,
    };
    const f32 = await prepareCpuEnsemble(system(LORENZ), method('Dormand-Prince'), 'f32');
    expect(f32.source).toContain('typedef float real;');
    const r = await f32.run(options);
    expect(r.stats.precision).toBe('f32');
    expect(r.status).toEqual(new Array(N).fill('ok'));
    // Seen: ≤ 7e-6 (y) and ≤ 5e-6 (Jacobians) against the f64 run with the same tolerances.
    for (let i = 0; i < N; i++) {
      const want = reference(LORENZ, 'Dormand-Prince', options, i).result;
      expect(normwiseRelative(row(r.y, i, 3), want.y)).toBeLessThan(1e-4);
      expect(normwiseRelative(row(r.jacobian!, i, 9), want.jacobian!)).toBeLessThan(1e-4);
      expect(normwiseRelative(row(r.paramJacobian!, i, 9), want.paramJacobian!)).toBeLessThan(1e-4);
    }
  });

  it('fixed steps with sin: RK4 on the pendulum', async () => {
    const options: EnsembleOptions = { t0: 0, t1: 5, y0: rows(N, 2, (i) => [0.2 + 0.3 * i, 0]), dt: 0.01 };
    const r = await (await prepareCpuEnsemble(system(PENDULUM), method('RK4'), 'f32')).run(options);
    for (let i = 0; i < N; i++) {
      const want = reference(PENDULUM, 'RK4', options, i).result;
      expect(normwiseRelative(row(r.y, i, 2), want.y)).toBeLessThan(1e-5);
      expect(normwiseRelative(row(r.jacobian!, i, 4), want.jacobian!)).toBeLessThan(1e-4);
    }
  });
});
