/**
 * The host side of the GPU path (odeforge_cuda_run in templates/cuda/explicit-rk.cu) without a GPU: the generated
 * source built by g++ against a stand-in for the CUDA runtime calls it makes (mock-cuda-runtime.h: host memory,
 * memcpy, the "kernel" run on the host), loaded as a 'cuda' library, so that what a GPU machine would run —
 * buffers kept and grown per context, chunks, staging and conversion through the pinned buffer, the device
 * totals, keepOnDevice / resumeOnDevice, failures — runs here, against the library's own CPU loop.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CudaPrecision,
  CudaRuntimeError,
  cudaEnsembleSource,
  runEnsembleLibrary,
} from '../../src/ensemble/cuda.ts';
import { type EnsembleLibrary, openEnsembleLibrary } from '../../src/ensemble/cuda-ffi.ts';
import type { EnsembleOptions } from '../../src/ensemble/types.ts';
import { OptionError } from '../../src/errors.ts';
import { haveCompiler, LORENZ, method, rows, system } from './support.ts';

const gxx = await haveCompiler('cpu', 'the mocked-CUDA host tests');
const scratch = mkdtempSync(join(tmpdir(), 'odeforge-cuda-mock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const MOCK = fileURLToPath(new URL('./mock-cuda-runtime.h', import.meta.url));

const lorenz = system(LORENZ);

/** The generated source built with the mock runtime, loaded as a 'cuda' library; its mock's counters. */
async function mockLibrary(methodName: string, precision: CudaPrecision) {
  const source = cudaEnsembleSource(lorenz, method(methodName), precision);
  const sourcePath = join(scratch, `${methodName}-${precision}.cu`);
  const path = join(scratch, `${methodName}-${precision}.so`);
  writeFileSync(sourcePath, source);
  const flags = ['-O1', '-x', 'c++', '-DODEFORGE_HD=', '-DODEFORGE_CUDA_MOCK', '-include', MOCK];
  const r = spawnSync('g++', [...flags, '-shared', '-fPIC', '-pthread', sourcePath, '-o', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`g++ failed: ${r.stderr}`);
  const lib = await openEnsembleLibrary(
    { target: 'cuda', path, sourcePath, command: [], warnings: '', cached: false },
    precision,
  );
  const koffi = (await import('koffi')).default;
  const so = koffi.load(path);
  const statsFn = so.func('void odeforge_mock_stats(_Out_ double* out)');
  const limitFn = so.func('void odeforge_mock_set_limit(double bytes)');
  const counts = () => {
    const out = new Float64Array(8);
    statsFn(out);
    return { mallocs: out[0]!, copiesIn: out[4]!, copiesOut: out[5]!, launches: out[6]! };
  };
  return { lib, counts, limit: (bytes: number) => limitFn(bytes) };
}

function lorenzOptions(count: number, t1 = 1): EnsembleOptions {
  return {
    t0: 0,
    t1,
    y0: rows(count, 3, (i) => [1 + i / count, 1, 1]),
    params: rows(count, 3, (i) => [10, 20 + (8 * i) / count, 8 / 3]),
    rtol: 1e-8,
    atol: 1e-8,
    dt: 1e-2,
  };
}

async function both(lib: EnsembleLibrary, name: string, options: EnsembleOptions, chunks?: number) {
  const context = lib.cuda!.createContext();
  const m = method(name);
  const gpu = await runEnsembleLibrary(lib, lorenz, m, options, { chunks }, () => context);
  const cpu = await runEnsembleLibrary(lib, lorenz, m, options, { onCpu: true });
  return { gpu, cpu, context };
}

describe.skipIf(!gxx)('the GPU host path against a mocked CUDA runtime', () => {
  for (const precision of ['f64', 'f32'] as const) {
    it(`${precision}: chunked staging gives the CPU loop's results, totals summed per chunk`, async () => {
      const { lib, counts } = await mockLibrary('Dormand-Prince', precision);
      const before = counts();
      const { gpu, cpu, context } = await both(lib, 'Dormand-Prince', lorenzOptions(37), 3);
      expect(gpu.stats.backend).toBe('cuda');
      expect(Array.from(gpu.y)).toEqual(Array.from(cpu.y));
      expect(Array.from(gpu.jacobian!)).toEqual(Array.from(cpu.jacobian!));
      expect(Array.from(gpu.paramJacobian!)).toEqual(Array.from(cpu.paramJacobian!));
      expect(gpu.status).toEqual(cpu.status);
      expect(Array.from(gpu.t)).toEqual(Array.from(cpu.t));
      expect(Array.from(gpu.acceptedSteps)).toEqual(Array.from(cpu.acceptedSteps));
      expect(gpu.stats.steps).toBe(cpu.stats.steps);
      expect(gpu.stats.rejected).toBe(cpu.stats.rejected);
      // one contiguous copy each way per chunk, one launch per chunk
      const after = counts();
      expect(after.copiesIn - before.copiesIn).toBe(3);
      expect(after.copiesOut - before.copiesOut).toBe(3);
      expect(after.launches - before.launches).toBe(3);
      expect(gpu.timing!.totalMs).toBeGreaterThanOrEqual(0);
      await context.destroy();
    });
  }

  it('buffers are made once, reused, grown only for a larger call; details and sensitivities can stay behind', async () => {
    const { lib } = await mockLibrary('RK4', 'f64');
    const context = lib.cuda!.createContext();
    const run = (count: number, extra = {}) =>
      runEnsembleLibrary(lib, lorenz, method('RK4'), lorenzOptions(count, 0.1), extra, () => context);
    await run(16);
    const first = context.stats();
    expect(first.allocations).toBe(2); // one device buffer, one pinned buffer
    await run(16);
    await run(5);
    expect(context.stats()).toEqual(first);
    const bigger = await run(400, { chunks: 4 });
    const grown = context.stats();
    expect(grown.allocations).toBe(4);
    expect(grown.deviceBytes).toBeGreaterThan(first.deviceBytes);
    await run(300, { chunks: 2 });
    expect(context.stats()).toEqual(grown);
    const cpu = await runEnsembleLibrary(lib, lorenz, method('RK4'), lorenzOptions(400, 0.1), { onCpu: true });
    expect(Array.from(bigger.y)).toEqual(Array.from(cpu.y));
    // without the per-trajectory details: empty arrays, totals still there
    const lean = await run(400, { details: false });
    expect(lean.t).toHaveLength(0);
    expect(lean.acceptedSteps).toHaveLength(0);
    expect(lean.stats.steps).toBe(cpu.stats.steps);
    expect(Array.from(lean.y)).toEqual(Array.from(cpu.y));
    await context.destroy();
  });

  it('keepOnDevice then resumeOnDevice continues state and Jacobians; a resume without kept state is refused', async () => {
    const { lib } = await mockLibrary('RK4', 'f64');
    const context = lib.cuda!.createContext();
    const m = method('RK4');
    const count = 9;
    const whole = await runEnsembleLibrary(lib, lorenz, m, lorenzOptions(count, 1), { onCpu: true });
    const refused = await runEnsembleLibrary(
      lib,
      lorenz,
      m,
      lorenzOptions(count),
      { resumeOnDevice: true },
      () => context,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OptionError);
    expect((refused as OptionError).option).toBe('resumeOnDevice');
    const first = await runEnsembleLibrary(
      lib,
      lorenz,
      m,
      lorenzOptions(count, 0.5),
      { keepOnDevice: true },
      () => context,
    );
    expect(first.jacobian).toBeUndefined();
    expect(first.paramJacobian).toBeUndefined();
    expect(context.stats().residentCount).toBe(count);
    const rest = { ...lorenzOptions(count, 1), t0: 0.5 };
    const second = await runEnsembleLibrary(lib, lorenz, m, rest, { resumeOnDevice: true }, () => context);
    for (let i = 0; i < whole.y.length; i++) expect(second.y[i]).toBeCloseTo(whole.y[i]!, 9);
    for (let i = 0; i < whole.jacobian!.length; i++) expect(second.jacobian![i]).toBeCloseTo(whole.jacobian![i]!, 7);
    // another count is refused; the CPU loop has no device
    const other = await runEnsembleLibrary(
      lib,
      lorenz,
      m,
      lorenzOptions(4),
      { resumeOnDevice: true },
      () => context,
    ).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(OptionError);
    await expect(
      runEnsembleLibrary(lib, lorenz, m, lorenzOptions(4), { onCpu: true, keepOnDevice: true }),
    ).rejects.toThrow(/keepOnDevice/);
    await context.destroy();
  });

  it('a failed allocation is a CudaRuntimeError and leaves the context usable', async () => {
    const { lib, limit } = await mockLibrary('RK4', 'f32');
    const context = lib.cuda!.createContext();
    const run = (count: number) =>
      runEnsembleLibrary(lib, lorenz, method('RK4'), lorenzOptions(count, 0.05), {}, () => context);
    await run(8);
    limit(1024);
    const e = await run(5000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CudaRuntimeError);
    expect((e as CudaRuntimeError).codeName).toBe('cudaErrorMemoryAllocation');
    limit(0);
    const ok = await run(5000);
    expect(ok.status.every((s) => s === 'ok')).toBe(true);
    await context.destroy();
  });
});
