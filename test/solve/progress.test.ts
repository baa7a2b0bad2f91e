/**
 * onProgress and signal: a long solve reports how far it is (monotone fractions, an ETA, a last report at
 * fraction 1); a signal aborted from a callback stops it within a few steps with reason 'aborted' and the
 * partial result; an already aborted signal stops it before the first step; bad values are OptionErrors.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IntegrationError, OptionError } from '../../src/errors.ts';
import type { SolveProgress } from '../../src/runtime/types.ts';

const OSCILLATOR = { name: 'osc', states: ['x', 'v'], params: {}, rhs: { x: 'v', v: '-x' } };

describe('solve: onProgress and signal', () => {
  const solver = compile(OSCILLATOR, { method: 'RK45CK', sensitivities: ['y0'] });

  it('reports progress about every 0.1 s and once at the end, with the same result as without it', () => {
    const options = { t0: 0, t1: 3e4, y0: [1, 0], rtol: 1e-10, atol: 1e-10, maxSteps: 1e8 };
    const seen: SolveProgress[] = [];
    const r = solver.solve({ ...options, onProgress: (p) => seen.push({ ...p }) });
    const plain = solver.solve(options);
    expect(Array.from(r.y)).toEqual(Array.from(plain.y));
    expect(seen.length).toBeGreaterThanOrEqual(1);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ t: 3e4, fraction: 1, steps: r.stats.steps, etaMs: 0 });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.fraction).toBeGreaterThanOrEqual(seen[i - 1]!.fraction);
      expect(seen[i]!.elapsedMs).toBeGreaterThanOrEqual(seen[i - 1]!.elapsedMs);
    }
    for (const p of seen.slice(0, -1)) {
      expect(p.fraction).toBeCloseTo(p.t / 3e4, 12);
      expect(p.etaMs).toBeCloseTo((p.elapsedMs * (1 - p.fraction)) / p.fraction, 6);
    }
  });

  it('a signal aborted from a callback stops the solve with reason aborted and the partial result', () => {
    const controller = new AbortController();
    let stepsSeen = 0;
    const options = {
      t0: 0,
      t1: 1e5,
      y0: [1, 0],
      signal: controller.signal,
      onStep: () => {
        if (++stepsSeen === 1000) controller.abort();
      },
    };
    try {
      solver.solve(options);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IntegrationError);
      const err = e as IntegrationError;
      expect(err.reason).toBe('aborted');
      // within WATCH_EVERY_STEPS (32) steps of the abort
      const partial = err.partial as { t: number; stats: { steps: number }; jacobian: Float64Array };
      expect(partial.stats.steps).toBeGreaterThanOrEqual(1000);
      expect(partial.stats.steps).toBeLessThanOrEqual(1032);
      expect(partial.t).toBe(err.t);
      expect(partial.jacobian).toHaveLength(4);
    }
  });

  it('an aborted signal stops before the first step; a signal that is not one is an OptionError', () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => solver.solve({ t0: 0, t1: 1, y0: [1, 0], signal: controller.signal })).toThrow(
      /aborted before the first step/,
    );
    expect(() => solver.solve({ t0: 0, t1: 1, y0: [1, 0], signal: {} as AbortSignal })).toThrow(OptionError);
    expect(() => solver.solve({ t0: 0, t1: 1, y0: [1, 0], onProgress: 5 as never })).toThrow(/onProgress/);
  });

  it('works the same in a stiff family (the driver is shared)', () => {
    const stiff = compile(OSCILLATOR, { method: 'BDF', sensitivities: [] });
    const seen: number[] = [];
    stiff.solve({ t0: 0, t1: 10, y0: [1, 0], onProgress: (p) => seen.push(p.fraction) });
    expect(seen.at(-1)).toBe(1);
  });
});

describe('solveEnsemble: onProgress and signal', () => {
  const solver = compile(OSCILLATOR, { method: 'RK45CK', sensitivities: ['y0'] });
  const rows = 400;
  const input = { t0: 0, t1: 200, y0: new Float64Array(rows * 2).fill(1), rtol: 1e-10, atol: 1e-10 };

  it('reports finished trajectories, ending at fraction 1, with the same result as without it', async () => {
    const seen: { done: number; fraction: number }[] = [];
    const r = await solver.solveEnsemble(input, { workers: 2, onProgress: (p) => seen.push({ ...p }) });
    const plain = await solver.solveEnsemble(input, { workers: 2 });
    expect(Array.from(r.y)).toEqual(Array.from(plain.y));
    expect(seen.at(-1)).toMatchObject({ done: rows, fraction: 1 });
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThan(seen[i - 1]!.done);
  });

  it('lets go of its signal when it ends (a signal may serve many ensembles)', async () => {
    let listeners = 0;
    const signal = {
      aborted: false,
      addEventListener: () => {
        listeners++;
      },
      removeEventListener: () => {
        listeners--;
      },
    };
    await solver.solveEnsemble(input, { workers: 2, signal: signal as unknown as AbortSignal });
    expect(listeners).toBe(0);
  });

  it('an abort rejects with the signal reason and stops the rest', async () => {
    const controller = new AbortController();
    const run = solver.solveEnsemble(input, {
      workers: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 0 && p.fraction < 1) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const aborted = new AbortController();
    aborted.abort();
    await expect(solver.solveEnsemble(input, { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(solver.solveEnsemble(input, { signal: 'no' as never })).rejects.toThrow(OptionError);
  });
});
