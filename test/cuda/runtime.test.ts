/**
 * The CUDA runtime (src/ensemble/cuda.ts): option errors before any build, typed errors when nvcc or the GPU
 * is missing or a build fails, the build cache, and — with nvcc — the library that solveEnsembleCuda loads:
 * its CPU loop (host code compiled by nvcc) against the g++ build, and its kernel on a GPU when there is one
 * (on a machine without, the kernel's launch must fail with a CudaRuntimeError, not crash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildLibrary,
  CudaBuildError,
  CudaRuntimeError,
  CudaUnavailableError,
  loadEnsemble,
  prepareCpuEnsemble,
  prepareCudaEnsemble,
  solveEnsembleCuda,
  solveEnsembleCudaOnCpu,
} from '../../src/ensemble/cuda.ts';
import type { EnsembleOptions } from '../../src/ensemble/types.ts';
import { OdeforgeError, OptionError } from '../../src/errors.ts';
import { haveCompiler, LORENZ, method, normwiseRelative, SEED, system } from './support.ts';

const gxx = await haveCompiler('cpu', 'the g++ runtime tests of the CUDA target');
const nvcc = await haveCompiler('cuda', 'the nvcc runtime tests of the CUDA target');
const scratch = mkdtempSync(join(tmpdir(), 'odeforge-cuda-runtime-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const seed = system(SEED);
const rk45 = method('RK45CK');
const NO_NVCC = { nvcc: join(scratch, 'no-such-nvcc') };

const SEED_ENSEMBLE: EnsembleOptions = {
  t0: 0,
  t1: 2 * Math.PI,
  y0: Float64Array.of(1, 1, 0.5, -1, 2, 0, 0, 1),
  params: Float64Array.of(20, 10, 30, 1),
  rtol: 1e-12,
  atol: 1e-12,
  dt: 0.1,
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('bad options are an OptionError, before anything is built', () => {
  it.each([
    ['y0', { y0: Float64Array.of(1, 2, 3) }, /y0: expected N×2 values \(x, v per trajectory\), got 3/],
    ['y0[1]', { y0: Float64Array.of(1, Number.NaN) }, /y0\[1\]: must be a finite number/],
    ['params', { params: Float64Array.of(1, 2) }, /params: expected 4×1 values/],
    ['rtol', { rtol: -1 }, /rtol: must be non-negative/],
    ['rtol', { rtol: 0, atol: 0 }, /rtol and atol cannot both be zero/],
    ['t1', { t1: Number.POSITIVE_INFINITY }, /t1: must be a finite number/],
    ['maxSteps', { maxSteps: 0 }, /maxSteps: must be positive/],
  ])('%s', async (option, override, message) => {
    const e = (await rejection(
      solveEnsembleCuda(seed, rk45, { ...SEED_ENSEMBLE, ...override }, 'f64', NO_NVCC),
    )) as OptionError;
    expect(e).toBeInstanceOf(OptionError);
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('a fixed-step method needs dt; the block size must be valid', async () => {
    const noDt = { ...SEED_ENSEMBLE, dt: undefined };
    const e = (await rejection(solveEnsembleCuda(seed, method('RK4'), noDt, 'f64', NO_NVCC))) as OptionError;
    expect(e.option).toBe('dt');
    const b = (await rejection(
      solveEnsembleCuda(seed, rk45, SEED_ENSEMBLE, 'f64', { ...NO_NVCC, blockSize: 0 }),
    )) as OptionError;
    expect(b.option).toBe('blockSize');
    const p = (await rejection(solveEnsembleCuda(seed, rk45, SEED_ENSEMBLE, 'f16' as 'f32', NO_NVCC))) as OptionError;
    expect(p.option).toBe('precision');
  });
});

describe('typed errors', () => {
  it('no nvcc: CudaUnavailableError with reason nvcc-missing', async () => {
    const e = (await rejection(prepareCudaEnsemble(seed, rk45, 'f64', NO_NVCC))) as CudaUnavailableError;
    expect(e).toBeInstanceOf(CudaUnavailableError);
    expect(e).toBeInstanceOf(OdeforgeError);
    expect(e).not.toBeInstanceOf(OptionError);
    expect(e.reason).toBe('nvcc-missing');
    expect(e.message).toMatch(/nvcc not found/);
    // The brands keep the classes apart both ways.
    expect(new OptionError('x', 'y')).not.toBeInstanceOf(CudaUnavailableError);
    expect(new CudaRuntimeError(100, 'cudaErrorNoDevice', 'x')).not.toBeInstanceOf(CudaUnavailableError);
  });

  it.skipIf(!gxx)('a source the compiler rejects: CudaBuildError with the compiler output', async () => {
    const e = (await rejection(
      buildLibrary('this is not C++;', 'cpu', { cacheDir: join(scratch, 'cache') }),
    )) as CudaBuildError;
    expect(e).toBeInstanceOf(CudaBuildError);
    expect(e.output).toMatch(/error/);
    expect(e.command[0]).toBe('g++');
  });
});

describe.skipIf(!gxx)('builds are cached by source hash', () => {
  it('the second build of the same source is the cached file', async () => {
    const cacheDir = join(scratch, 'cache');
    const source = (await prepareCpuEnsemble(seed, rk45)).source;
    const first = await buildLibrary(source, 'cpu', { cacheDir });
    const second = await buildLibrary(source, 'cpu', { cacheDir });
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.path).toBe(first.path);
    expect(first.path.startsWith(cacheDir)).toBe(true);
    const other = await buildLibrary(`${source}\n// another source\n`, 'cpu', { cacheDir });
    expect(other.path).not.toBe(first.path);
  });
});

describe.skipIf(!gxx)('solveEnsembleCudaOnCpu', () => {
  it('parameters default to the model’s; an empty ensemble gives empty arrays', async () => {
    const lorenz = system(LORENZ);
    const dp = method('Dormand-Prince');
    const y0 = Float64Array.of(1, 0, 0, 2, 1, 0);
    const base = { t0: 0, t1: 0.5, y0, rtol: 1e-9, atol: 1e-9 };
    const implicit = await solveEnsembleCudaOnCpu(lorenz, dp, base);
    const explicit = await solveEnsembleCudaOnCpu(lorenz, dp, {
      ...base,
      params: Float64Array.of(10, 28, 8 / 3, 10, 28, 8 / 3),
    });
    expect(Array.from(implicit.y)).toEqual(Array.from(explicit.y));
    expect(Array.from(implicit.paramJacobian!)).toEqual(Array.from(explicit.paramJacobian!));
    expect(implicit.stats).toMatchObject({ trajectories: 2, backend: 'cpu', precision: 'f64' });
    expect(implicit.stats.steps).toBeGreaterThan(0);

    const empty = await solveEnsembleCudaOnCpu(lorenz, dp, { ...base, y0: new Float64Array(0) });
    expect(empty.y).toHaveLength(0);
    expect(empty.jacobian).toHaveLength(0);
    expect(empty.status).toEqual([]);
  });

  it('t1 = t0: the initial state, the identity, no step', async () => {
    const r = await solveEnsembleCudaOnCpu(seed, rk45, { ...SEED_ENSEMBLE, t1: 0, dt: undefined });
    expect(Array.from(r.y)).toEqual(Array.from(SEED_ENSEMBLE.y0));
    expect(Array.from(r.jacobian!.subarray(0, 4))).toEqual([1, 0, 0, 1]);
    expect(Array.from(r.paramJacobian!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.status).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(r.stats.steps).toBe(0);
  });

  it('without sensitivities there is no Jacobian', async () => {
    const r = await solveEnsembleCudaOnCpu(system(SEED, []), rk45, SEED_ENSEMBLE);
    expect(r.jacobian).toBeUndefined();
    expect(r.paramJacobian).toBeUndefined();
    expect(r.y).toHaveLength(8);
  });
});

describe.skipIf(!nvcc || !gxx)('the nvcc-built library', () => {
  it('its CPU loop (nvcc host code) equals the g++ build; its kernel runs on a GPU or fails cleanly', async () => {
    const gpuLib = await loadEnsemble('cuda', seed, rk45, 'f64');
    const cpuLib = await prepareCpuEnsemble(seed, rk45, 'f64');
    expect(gpuLib.source).toBe(cpuLib.source);
    const onHost = await gpuLib.run(SEED_ENSEMBLE, { onCpu: true });
    const reference = await cpuLib.run(SEED_ENSEMBLE);
    expect(onHost.status).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(normwiseRelative(onHost.y, reference.y)).toBeLessThanOrEqual(1e-15);
    expect(normwiseRelative(onHost.jacobian!, reference.jacobian!)).toBeLessThanOrEqual(1e-15);

    let ready: Awaited<ReturnType<typeof prepareCudaEnsemble>> | undefined;
    try {
      ready = await prepareCudaEnsemble(seed, rk45, 'f64');
    } catch (e) {
      expect(e).toBeInstanceOf(CudaUnavailableError);
      expect((e as CudaUnavailableError).reason).toBe('no-device');
      console.warn(`no GPU here (${(e as Error).message}): the kernel itself is not run`);
      // Running the kernel anyway reports the CUDA error instead of crashing.
      const failure = (await rejection(gpuLib.run(SEED_ENSEMBLE))) as CudaRuntimeError;
      expect(failure).toBeInstanceOf(CudaRuntimeError);
      expect(failure.code).toBeGreaterThan(0);
      expect(failure.message).toMatch(/cudaError/);
      const rejected = await rejection(solveEnsembleCuda(seed, rk45, SEED_ENSEMBLE));
      expect(rejected).toBeInstanceOf(CudaUnavailableError);
    }
    if (ready !== undefined) {
      // A GPU: the kernel against the CPU loop (fused multiply-adds on the GPU make the last bits differ).
      const onGpu = await ready.run(SEED_ENSEMBLE, { blockSize: 64 });
      expect(onGpu.stats.backend).toBe('cuda');
      expect(onGpu.status).toEqual(reference.status);
      expect(normwiseRelative(onGpu.y, reference.y)).toBeLessThan(1e-10);
      expect(normwiseRelative(onGpu.jacobian!, reference.jacobian!)).toBeLessThan(1e-10);
      expect(normwiseRelative(onGpu.paramJacobian!, reference.paramJacobian!)).toBeLessThan(1e-10);
      expect(onGpu.timing!.kernelMs).toBeGreaterThan(0);
      expect(onGpu.timing!.totalMs).toBeGreaterThanOrEqual(onGpu.timing!.kernelMs);
    }
  }, 120_000);
});
