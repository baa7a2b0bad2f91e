import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { checkEnsembleOptions } from '../../src/ensemble/options.ts';
import { ensemblePool } from '../../src/ensemble/pool.ts';
import { OptionError } from '../../src/errors.ts';

const LORENZ = {
  name: 'lorenz',
  states: ['x', 'y', 'z'],
  params: { sigma: 10, rho: 28, beta: 8 / 3 },
  rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
};

describe("solveEnsemble on the 'cpu' backend", () => {
  const solver = compile(LORENZ, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] });
  const count = 200; // enough for worker threads on a 2-core machine
  const y0 = new Float64Array(count * 3).map((_, i) => (i % 3 === 0 ? 1 + (i / 3) * 1e-3 : i % 3 === 1 ? 0 : 0.5));
  const params = new Float64Array(count * 3).map((_, i) => [10, (21 * Math.floor(i / 3)) / (count - 1), 8 / 3][i % 3]!);
  const options = { t0: 0, t1: 1, y0, params, rtol: 1e-9, atol: 1e-9 };

  it('gives every trajectory exactly what a single solve gives', async () => {
    const r = await solver.solveEnsemble(options);
    expect(r.stats.trajectories).toBe(count);
    expect(r.status.every((s) => s === 'ok')).toBe(true);
    for (const i of [0, 77, count - 1]) {
      const single = solver.solve({
        t0: 0,
        t1: 1,
        y0: y0.subarray(3 * i, 3 * i + 3),
        params: { sigma: params[3 * i]!, rho: params[3 * i + 1]!, beta: params[3 * i + 2]! },
        rtol: 1e-9,
        atol: 1e-9,
      });
      expect(Array.from(r.y.subarray(3 * i, 3 * i + 3))).toEqual(Array.from(single.y));
      expect(Array.from(r.jacobian!.subarray(9 * i, 9 * i + 9))).toEqual(Array.from(single.jacobian!));
      expect(Array.from(r.paramJacobian!.subarray(9 * i, 9 * i + 9))).toEqual(Array.from(single.paramJacobian!));
    }
  });

  it('reports failing trajectories in status and keeps going', async () => {
    const blowup = compile({ name: 'blowup', states: ['x'], params: { a: 1 }, rhs: { x: 'a*x^2' } });
    const r = await blowup.solveEnsemble({
      t0: 0,
      t1: 1.5,
      y0: Float64Array.of(1, 0.1, -1),
      params: Float64Array.of(1, 1, 1),
    });
    expect(r.status[0]).not.toBe('ok');
    expect(r.status.slice(1)).toEqual(['ok', 'ok']);
    expect(r.y[1]).toBeCloseTo(0.1 / (1 - 0.15), 6);
  });

  // Whether a refusal is thrown or returned as a rejected promise, it must be the OptionError.
  const refused = (run: () => Promise<unknown>) => expect((async () => run())()).rejects;

  it('checks the shapes of y0 and params', async () => {
    await refused(() => solver.solveEnsemble({ ...options, y0: new Float64Array(4) })).toThrow(OptionError);
    await refused(() => solver.solveEnsemble({ ...options, params: new Float64Array(5) })).toThrow(
      /params: expected 200×3/,
    );
    await refused(() => solver.solveEnsemble(options, { backend: 'tpu' as 'cpu' })).toThrow(/backend/);
  });

  it('refuses an unknown option with a suggestion', async () => {
    const typo = { ...options, rtoll: 1e-6 } as typeof options;
    await refused(() => solver.solveEnsemble(typo)).toThrow(OptionError);
    await refused(() => solver.solveEnsemble(typo)).toThrow(/rtoll.*did you mean 'rtol'/);
    await refused(() => solver.solveEnsemble(options, { worker: 2 } as unknown as { workers: number })).toThrow(
      /worker.*did you mean 'workers'/,
    );
  });

  it('takes y0 and params as plain arrays of numbers too', async () => {
    const rows = 70; // past the calling-thread limit, so the arrays go to workers
    const typed = { t0: 0, t1: 0.5, y0: y0.slice(0, 3 * rows), params: params.slice(0, 3 * rows) };
    const fromTyped = await solver.solveEnsemble(typed);
    // (Typed loosely so that this file also compiles against a Solver whose solveEnsemble takes Float64Arrays.)
    const plain = { ...typed, y0: Array.from(typed.y0), params: Array.from(typed.params) };
    const fromArrays = await solver.solveEnsemble(plain as unknown as Parameters<typeof solver.solveEnsemble>[0]);
    expect(Array.from(fromArrays.y)).toEqual(Array.from(fromTyped.y));
    expect(fromArrays.status).toEqual(fromTyped.status);
  });

  it('occupies at most `workers` threads', async () => {
    const pool = ensemblePool();
    await pool.drained();
    pool.resetPeaks();
    await solver.solveEnsemble(options, { workers: 1 });
    expect(pool.stats().peakBusy).toBe(1);
  });
});

describe('checkEnsembleOptions', () => {
  const info = compile(LORENZ).info;
  const y0 = new Float64Array(6).fill(1);
  const base = { t0: 0, t1: 1, y0 };

  function refusal(options: unknown, backend?: unknown, solverInfo = info): OptionError {
    try {
      checkEnsembleOptions(solverInfo, options, backend);
    } catch (e) {
      expect(e).toBeInstanceOf(OptionError);
      return e as OptionError;
    }
    throw new Error('expected an OptionError');
  }

  it.each([
    ['options', null, /expected an object/],
    ['y0', { ...base, y0: new Float32Array(6) }, /Float64Array or an array of numbers.*Float32Array/],
    ['y0', { ...base, y0: [1, 2, '3', 4, 5, 6] }, /row 0, entry 2 \(z\): must be a finite number, got "3"/],
    ['y0', { ...base, y0: Float64Array.of(1, 2, 3, 4, Number.NaN, 6) }, /^y0: row 1, entry 1 \(y\): .* got NaN$/],
    ['y0', { ...base, y0: new Float64Array(4) }, /length 4 is not a multiple of the 3 states/],
    ['params', { ...base, params: new Float64Array(3) }, /expected 2×3 = 6 values, got 3/],
    ['params', { ...base, params: [10, 28, 1, 10, Number.POSITIVE_INFINITY, 1] }, /row 1, entry 1 \(rho\)/],
    ['t0', { ...base, t0: Number.NaN }, /finite/],
    ['t1', { ...base, t1: '1' }, /finite/],
    ['rtol', { ...base, rtol: -1e-6 }, /non-negative/],
    ['atol', { ...base, atol: Number.NaN }, /finite/],
    ['rtol', { ...base, rtol: 0, atol: 0 }, /both be zero/],
    ['dt', { ...base, dt: 0 }, /non-zero/],
    ['maxSteps', { ...base, maxSteps: 1.5 }, /positive integer/],
    ['maxSteps', { ...base, maxSteps: 0 }, /positive integer/],
    ['maxStep', { ...base, maxStep: 10 }, /did you mean 'maxSteps'/],
  ])('refuses a bad %s', (option, options, message) => {
    const e = refusal(options);
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it.each([
    ['backend', { backend: 'cudaa' }, /expected 'cpu', 'cuda' or 'webgpu', got "cudaa" \(did you mean 'cuda'\?\)/],
    ['precision', { precision: 'f16' }, /expected 'f64' or 'f32'/],
    ['precision', { precision: 'f32' }, /cpu backend computes in 'f64' only/],
    ['precision', { backend: 'webgpu', precision: 'f64' }, /'f32' only/],
    ['workers', { workers: 0 }, /integer from 1 to 1024, got 0/],
    ['workers', { workers: 1.5 }, /got 1.5/],
    ['workers', { workers: '2' }, /got "2"/],
    ['workers', { workers: 5000 }, /got 5000/],
    ['workers', { backend: 'cuda', workers: 2 }, /only the 'cpu' backend/],
    ['threads', { threads: 2 }, /unknown option/],
  ])('refuses a bad backend option %s', (option, backend, message) => {
    const e = refusal(base, backend);
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('needs dt for a fixed-step method', () => {
    const e = refusal(base, undefined, { ...info, adaptive: false, method: 'RK4' });
    expect(e.option).toBe('dt');
    expect(e.message).toMatch(/fixed-step integration with RK4 needs dt/);
  });

  it('normalises what it accepts', () => {
    const typed = checkEnsembleOptions(info, { ...base, params: new Float64Array(6), rtol: undefined });
    expect(typed.count).toBe(2);
    expect(typed.options.y0).toBe(y0); // no copy of a Float64Array
    expect(typed).toMatchObject({ backend: 'cpu', precision: 'f64', workers: availableParallelism() });
    const plain = checkEnsembleOptions(info, { ...base, y0: [1, 2, 3] }, { backend: 'webgpu' });
    expect(plain.options.y0).toEqual(Float64Array.of(1, 2, 3));
    expect(plain).toMatchObject({ count: 1, backend: 'webgpu', precision: 'f32' });
    expect(checkEnsembleOptions(info, base, { backend: 'cuda' }).precision).toBe('f64');
    expect(checkEnsembleOptions(info, base, { workers: 3 }).workers).toBe(3);
    expect(checkEnsembleOptions(info, { ...base, y0: [] }).count).toBe(0);
  });
});
