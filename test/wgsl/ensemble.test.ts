/**
 * Ensembles on WebGPU (f32) against the f64 TypeScript solver, trajectory by trajectory.
 *
 * What agreement to expect: both integrate the same equations with the same controller, but in f32 the step
 * sequences drift apart from the f64 ones (the error estimates differ in their last bits, so an accept or a
 * reject can flip), and f32 rounding alone leaves ~1e-6 relative per quantity. At rtol = 1e-5 each solution
 * is within about 1e-4 of the exact one, so the two agree to ~1e-4; the tests ask for 1e-3, norm-wise per
 * trajectory and per quantity (‖gpu − ts‖∞ / ‖ts‖∞ over the state, the Jacobian, the parameter Jacobian).
 * Measured on lavapipe: 1e-6 … 3e-4 over these models and methods.
 */
import { afterAll, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { ENSEMBLE_STATUS } from '../../src/ensemble/types.ts';
import { releaseWebGpu, setWebGpuBatchLimit, solveEnsembleWebGpu } from '../../src/ensemble/webgpu.ts';
import { IntegrationError } from '../../src/errors.ts';
import { SEED_MODEL, seedExactJacobian, seedExactParamJacobian } from '../../src/examples.ts';
import { findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
import { compareWithTypeScript, describeGpu, FORCED, FUNCTIONS, hash01, LORENZ, PENDULUM } from './support.ts';

const AGREEMENT = 1e-3;

/** count rows of initial states and parameters, each entry lo + (hi − lo)·u with u pseudo-random. */
function ensemble(count: number, y0: [number, number][], params: [number, number][]) {
  const draw = (ranges: [number, number][], salt: number) => {
    const a = new Float64Array(count * ranges.length);
    for (let i = 0; i < count; i++) {
      ranges.forEach(([lo, hi], c) => {
        a[i * ranges.length + c] = lo + (hi - lo) * hash01(i * 97 + c * 13 + salt);
      });
    }
    return a;
  };
  return { y0: draw(y0, 1), params: draw(params, 2) };
}

const CASES: [string, ModelSpec, { t0: number; t1: number; y0: Float64Array; params: Float64Array }][] = [
  [
    'seed oscillator',
    SEED_MODEL,
    {
      t0: 0,
      t1: 2 * Math.PI,
      ...ensemble(
        128,
        [
          [0.5, 1.5],
          [-1, 1],
        ],
        [[5, 30]],
      ),
    },
  ],
  [
    'Lorenz',
    LORENZ,
    {
      t0: 0,
      t1: 1,
      ...ensemble(
        128,
        [
          [1, 1.5],
          [0, 0.5],
          [0, 0.5],
        ],
        [
          [9, 11],
          [5, 28],
          [2, 3],
        ],
      ),
    },
  ],
  [
    'pendulum',
    PENDULUM,
    {
      t0: 0,
      t1: 5,
      ...ensemble(
        128,
        [
          [-2.5, 2.5],
          [-1, 1],
        ],
        [
          [5, 15],
          [0.8, 1.2],
          [0, 0.2],
        ],
      ),
    },
  ],
  [
    'functions',
    FUNCTIONS,
    {
      t0: 0,
      t1: 2,
      ...ensemble(
        128,
        [
          [0.5, 2.5],
          [-1.5, 1.5],
        ],
        [
          [0.3, 0.7],
          [0.5, 1],
        ],
      ),
    },
  ],
  [
    'explicit time',
    FORCED,
    {
      t0: 0,
      t1: 2 * Math.PI,
      ...ensemble(
        128,
        [
          [-1, 1],
          [-1, 1],
        ],
        [
          [1, 5],
          [0, 1],
        ],
      ),
    },
  ],
  [
    'explicit time, backward',
    FORCED,
    {
      t0: 0,
      t1: -2 * Math.PI,
      ...ensemble(
        64,
        [
          [-1, 1],
          [-1, 1],
        ],
        [
          [1, 5],
          [0, 1],
        ],
      ),
    },
  ],
];

const METHODS: [string, { rtol?: number; atol?: number; dt?: number }][] = [
  ['RK45CK', { rtol: 1e-5, atol: 1e-6 }],
  ['Dormand-Prince', { rtol: 1e-5, atol: 1e-6 }],
  ['RK4', { dt: 0.005 }],
];

describeGpu('ensembles on WebGPU match the f64 TypeScript solver', () => {
  afterAll(() => releaseWebGpu());

  for (const [method, tolerances] of METHODS) {
    it.each(CASES)(`${method}: %s`, async (_, spec, problem) => {
      const a = await compareWithTypeScript(spec, method, ['y0', 'params'], { ...problem, ...tolerances });
      expect(a.result.status.every((s) => s === 'ok')).toBe(true);
      expect(a.y).toBeLessThan(AGREEMENT);
      expect(a.jacobian).toBeLessThan(AGREEMENT);
      expect(a.paramJacobian).toBeLessThan(AGREEMENT);
      if (tolerances.dt) {
        // Fixed steps: exactly the same number, the last one landing on t1 (two-word time in the shader).
        expect(a.gpuSteps).toBe(a.tsSteps);
      } else {
        expect(Math.abs(a.gpuSteps - a.tsSteps)).toBeLessThan(0.02 * a.tsSteps);
      }
      expect(a.result.stats).toMatchObject({
        backend: 'webgpu',
        precision: 'f32',
        trajectories: problem.y0.length / spec.states.length,
      });
    });
  }

  it('the seed oscillator reproduces expm(2πM) and dy/dk to f32 accuracy', async () => {
    const system = buildAugmentedSystem(buildModel(SEED_MODEL), ['y0', 'params']);
    const y0 = new Float64Array(64 * 2).fill(1);
    const r = await solveEnsembleWebGpu(system, findMethod('Dormand-Prince'), {
      t0: 0,
      t1: 2 * Math.PI,
      y0,
      rtol: 1e-6,
      atol: 1e-7,
    });
    const J = seedExactJacobian(2 * Math.PI);
    const S = seedExactParamJacobian(2 * Math.PI, [1, 1]);
    for (let i = 0; i < 64; i++) {
      for (let c = 0; c < 4; c++) expect(Math.abs(r.jacobian![i * 4 + c]! - J[c]!)).toBeLessThan(2e-4);
      for (let c = 0; c < 2; c++) expect(Math.abs(r.paramJacobian![i * 2 + c]! - S[c]!)).toBeLessThan(2e-4);
    }
  });

  it('without params every trajectory takes the model defaults', async () => {
    const system = buildAugmentedSystem(buildModel(SEED_MODEL), ['y0']);
    const r = await solveEnsembleWebGpu(system, findMethod('RK45CK'), {
      t0: 0,
      t1: 1,
      y0: Float64Array.of(1, 1, 1, 1),
    });
    expect(r.paramJacobian).toBeUndefined();
    const ref = compile(SEED_MODEL).solve({ t0: 0, t1: 1, y0: [1, 1] });
    for (let c = 0; c < 4; c++) expect(r.jacobian![4 + c]).toBeCloseTo(ref.jacobian![c]!, 4);
  });

  it('time far from 0 keeps its precision: fixed steps land on t1, a clock reads the elapsed time', async () => {
    // In plain f32, 1000 + 0.001 rounds to a multiple of 2^-14: 1024 steps, and u = 1.024 at the end.
    const system = buildAugmentedSystem(buildModel({ name: 'clock', states: ['u'], rhs: { u: '1' } }), []);
    const r = await solveEnsembleWebGpu(system, findMethod('RK4'), {
      t0: 1000,
      t1: 1001,
      y0: new Float64Array(4),
      dt: 1e-3,
    });
    expect(r.stats.steps).toBe(4 * 1000);
    for (const u of r.y) expect(Math.abs(u - 1)).toBeLessThan(1e-4);
  });

  it('fixed steps: a trajectory that overflows reports non-finite (NaN values, the steps before it); maxSteps', async () => {
    // x' = a x²: blows up at t = 1/(a x0). a = 0: stays at x0; a = 2: overflows f32 before t = 1.
    const spec: ModelSpec = { name: 'blowup', states: ['x'], params: { a: 0 }, rhs: { x: 'a*x*x' } };
    const system = buildAugmentedSystem(buildModel(spec), ['y0']);
    const options = { t0: 0, t1: 1, y0: Float64Array.of(1, 1, 1), params: Float64Array.of(0, 2, 0.5), dt: 1e-3 };
    const r = await solveEnsembleWebGpu(system, findMethod('RK4'), options);
    expect(r.status).toEqual(['ok', 'non-finite', 'ok']);
    expect(r.y[0]).toBe(1);
    expect(Number.isNaN(r.y[1])).toBe(true);
    expect(Number.isNaN(r.jacobian![1])).toBe(true);
    expect(Math.abs(r.y[2]! - 2) / 2).toBeLessThan(1e-5); // x(1) = 1/(1 − 0.5)
    // the failed one took about 500 steps before its state overflowed (blow-up at t = 0.5; RK4 runs a
    // few steps past the singularity before f32 overflows)
    expect(r.stats.steps - 2 * 1000).toBeGreaterThan(480);
    expect(r.stats.steps - 2 * 1000).toBeLessThan(520);
    const capped = await solveEnsembleWebGpu(system, findMethod('RK4'), { ...options, maxSteps: 100 });
    // 100 steps reach t = 0.1, before the blow-up: all three stop there
    expect(capped.status).toEqual(['max-steps', 'max-steps', 'max-steps']);
    expect(capped.stats.steps).toBe(3 * 100);
  });

  it('each trajectory has its own status, and the others are unaffected', async () => {
    // x'' = -k x + c x²: a slow oscillator (ok), a very fast one (max-steps), a blow-up (step-size underflow),
    // one whose c·x² overflows f32 at t0 (non-finite), another slow one (ok).
    const spec: ModelSpec = {
      name: 'osc',
      states: ['x', 'v'],
      params: { k: 1, c: 0 },
      rhs: { x: 'v', v: '-k*x + c*x*x' },
    };
    const y0 = Float64Array.of(1, 0, 1, 0, 1, 1, 1e20, 0, 0.5, 0);
    const params = Float64Array.of(1, 0, 1e8, 0, 0, 1, 1, 1, 4, 0);
    const options = { t0: 0, t1: 2 * Math.PI, y0, params, rtol: 1e-5, atol: 1e-6, maxSteps: 3000 };
    const r = await solveEnsembleWebGpu(buildAugmentedSystem(buildModel(spec), ['y0']), findMethod('RK45CK'), options);
    expect(r.status).toEqual(['ok', 'max-steps', 'step-size-underflow', 'non-finite', 'ok']);
    // The status codes of the shader are indices into ENSEMBLE_STATUS.
    const explicitReasons = ENSEMBLE_STATUS.filter((s) => !['stiff', 'singular-matrix', 'newton-failure'].includes(s));
    expect(new Set(r.status)).toEqual(new Set(explicitReasons));
    // The f64 solver fails the same ways on the trajectories whose failure is not an f32 overflow.
    const solver = compile(spec, { method: 'RK45CK' });
    for (const i of [1, 2]) {
      let reason: unknown;
      try {
        solver.solve({
          ...options,
          y0: y0.subarray(2 * i, 2 * i + 2),
          params: { k: params[2 * i]!, c: params[2 * i + 1]! },
        });
      } catch (e) {
        expect(e).toBeInstanceOf(IntegrationError);
        reason = (e as IntegrationError).reason;
      }
      expect(reason).toBe(r.status[i]);
    }
    // A failed trajectory returns where it stopped: finite values, not NaN.
    for (const v of r.y.subarray(2, 6)) expect(Number.isFinite(v)).toBe(true);
    for (const i of [0, 4]) {
      const ref = solver.solve({ ...options, y0: y0.subarray(2 * i, 2 * i + 2), params: { k: params[2 * i]!, c: 0 } });
      expect(Math.abs(r.y[2 * i]! - ref.y[0]!)).toBeLessThan(1e-3);
    }
    // Counted: every attempt of the max-steps trajectory, stopped at the limit.
    expect(r.stats.steps).toBeGreaterThanOrEqual(3000);
    expect(r.stats.rejected).toBeGreaterThan(0);
  });

  it.each(['RK45CK', 'Dormand-Prince'])('%s reports stiffness where the TypeScript driver does', async (method) => {
    // u' = -λ (u - cos t): with λ = 1e4 the step is held at the stability boundary, 1000 steps in a row.
    const spec: ModelSpec = { name: 'stiff', states: ['u'], params: { lam: 1 }, rhs: { u: '-lam*(u - cos(t))' } };
    const lams = [1, 1e4];
    const options = { t0: 0, t1: 10, y0: new Float64Array(2), params: Float64Array.from(lams), rtol: 1e-5, atol: 1e-6 };
    const system = buildAugmentedSystem(buildModel(spec), ['y0']);
    const r = await solveEnsembleWebGpu(system, findMethod(method), options);
    expect(r.status).toEqual(['ok', 'stiff']);
    const solver = compile(spec, { method });
    expect(() => solver.solve({ ...options, y0: [0], params: { lam: 1e4 } })).toThrow(/appears stiff/);
    expect(solver.solve({ ...options, y0: [0], params: { lam: 1 } }).y[0]).toBeCloseTo(r.y[0]!, 4);
  });

  it('no usable first step (atol = 0 with a zero state) is non-finite at t0, as in the TypeScript driver', async () => {
    const spec: ModelSpec = { name: 'decay', states: ['x'], rhs: { x: '-x' } };
    const options = { t0: 0, t1: 1, y0: Float64Array.of(0, 1), rtol: 1e-6, atol: 0 };
    const r = await solveEnsembleWebGpu(buildAugmentedSystem(buildModel(spec), []), findMethod('RK45CK'), options);
    expect(r.status[0]).toBe('non-finite');
    expect(r.status[1]).toBe('ok');
    const solver = compile(spec, { method: 'RK45CK', sensitivities: [] });
    expect(() => solver.solve({ ...options, y0: [0] })).toThrow(
      expect.objectContaining({ reason: 'non-finite', t: 0 }),
    );
  });

  it('splitting an ensemble into batches changes nothing', async () => {
    const system = buildAugmentedSystem(buildModel(LORENZ), ['y0', 'params']);
    const { y0, params } = ensemble(
      300,
      [
        [1, 1.5],
        [0, 0.5],
        [0, 0.5],
      ],
      [
        [9, 11],
        [5, 28],
        [2, 3],
      ],
    );
    const options = { t0: 0, t1: 0.5, y0, params, rtol: 1e-5, atol: 1e-6 };
    const whole = await solveEnsembleWebGpu(system, findMethod('RK45CK'), options);
    setWebGpuBatchLimit(64);
    try {
      const batched = await solveEnsembleWebGpu(system, findMethod('RK45CK'), options);
      expect(batched.y).toEqual(whole.y);
      expect(batched.jacobian).toEqual(whole.jacobian);
      expect(batched.paramJacobian).toEqual(whole.paramJacobian);
      expect(batched.status).toEqual(whole.status);
      expect(batched.stats.steps).toBe(whole.stats.steps);
    } finally {
      setWebGpuBatchLimit(undefined);
    }
  });

  it('more than 65,535 × 64 trajectories run as a 2-D grid, every one of them', async () => {
    const system = buildAugmentedSystem(
      buildModel({ name: 'ramp', states: ['u'], params: { a: 1 }, rhs: { u: 'a' } }),
      [],
    );
    const count = 65_535 * 64 + 1000; // the last 1000 are in the grid's second row
    const params = new Float64Array(count);
    for (let i = 0; i < count; i++) params[i] = i;
    const r = await solveEnsembleWebGpu(system, findMethod('Euler'), {
      t0: 0,
      t1: 1,
      y0: new Float64Array(count),
      params,
      dt: 1,
    });
    let wrong = 0;
    for (let i = 0; i < count; i++) if (r.y[i] !== i || r.status[i] !== 'ok') wrong++;
    expect(wrong).toBe(0);
    expect(r.stats.steps).toBe(count);
  });
});
