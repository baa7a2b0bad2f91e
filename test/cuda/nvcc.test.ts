/**
 * The generated CUDA compiles with nvcc, without warnings, for sm_90 (the shared library the runtime loads,
 * built by the same cached build as solveEnsembleCuda) and for the PTX target compute_90, in double and single
 * precision, for several models and methods, and with second-order sensitivities (`order: 2`, f64 only). nvcc is slow (seconds per module): builds run two at a time and
 * land in the hash cache, so later runs and the runtime tests reuse them.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { emitCudaModule } from '../../src/codegen/cuda/module.ts';
import { generate } from '../../src/compile.ts';
import { type BuiltLibrary, buildLibrary, buildPtx } from '../../src/ensemble/cuda.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import { FORCED, FUNCTIONS, haveCompiler, LORENZ, method, PENDULUM, SEED, system } from './support.ts';

const available = await haveCompiler('cuda', 'the nvcc compile tests of the CUDA target');

// Two compilations at a time at most: nvcc's own passes are single-threaded.
const slots = Math.max(1, Math.min(2, availableParallelism()));
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const CASES: readonly (readonly [ModelSpec, string, string])[] = [
  [SEED, 'RK45CK', 'seed oscillator'],
  [LORENZ, 'Dormand-Prince', 'Lorenz, y0 and parameter sensitivities'],
  [PENDULUM, 'RK4', 'pendulum with sin, fixed step'],
  [FUNCTIONS, 'RK45CK', 'sqrt, atan2, min, max, abs, sign, pow, exp, log, …'],
  [FORCED, 'RK87', 'explicit time, 13 stages'],
];

/** Second-order sensitivities (y0 and params): the unrolled Ψ, Mx and Π blocks in the kernel, f64. */
const ORDER_2_CASES: readonly (readonly [ModelSpec, string, string])[] = [
  [LORENZ, 'Dormand-Prince', "Lorenz's 3×3×3 Hessian, adaptive"],
  [LORENZ, 'RK4', "Lorenz's 3×3×3 Hessian, fixed step"],
  [FUNCTIONS, 'RK45CK', 'second derivatives of every function'],
];

interface Builds {
  readonly library: Promise<BuiltLibrary>;
  readonly ptx: Promise<BuiltLibrary>;
}

/** Every build starts at once (two run at a time); each test waits for its own. */
const builds = new Map<string, Builds>();
if (available) {
  for (const [spec, m] of CASES) {
    for (const precision of ['f64', 'f32'] as const) {
      const source = emitCudaModule(system(spec), method(m), { precision });
      const b: Builds = {
        library: limited(() => buildLibrary(source, 'cuda')),
        ptx: limited(() => buildPtx(source)),
      };
      // Marked as handled here; the test that awaits them reports a failure.
      b.library.catch(() => {});
      b.ptx.catch(() => {});
      builds.set(`${spec.name}/${m}/${precision}`, b);
    }
  }
  for (const [spec, m] of ORDER_2_CASES) {
    const source = generate(spec, { target: 'cuda', method: m, sensitivities: ['y0', 'params'], order: 2 });
    const b: Builds = {
      library: limited(() => buildLibrary(source, 'cuda')),
      ptx: limited(() => buildPtx(source)),
    };
    b.library.catch(() => {});
    b.ptx.catch(() => {});
    builds.set(`${spec.name}/${m}/order 2`, b);
  }
}

describe.skipIf(!available)('generated CUDA compiles with nvcc', () => {
  for (const [spec, m, what] of CASES) {
    for (const precision of ['f64', 'f32'] as const) {
      it(`${spec.name} (${what}), ${m}, ${precision}: sm_90 library and compute_90 PTX`, async () => {
        const b = builds.get(`${spec.name}/${m}/${precision}`)!;
        const library = await b.library;
        expect(library.command).toContain('-arch=sm_90');
        expect(library.warnings).toBe('');
        const ptx = await b.ptx;
        expect(ptx.command).toContain('-arch=compute_90');
        expect(ptx.warnings).toBe('');
        const text = readFileSync(ptx.path, 'utf8');
        expect(text).toMatch(/^\.target sm_90\b/m);
        expect(text).toMatch(/\.entry _Z\d+odeforge_ensemble_kernel/);
        // Single precision stays single: no double arithmetic in the stages (time and step size are the only
        // doubles, and they are few: the PTX shows a handful of f64 operations against many f32 ones).
        if (precision === 'f32') {
          const f32 = (text.match(/\.f32\b/g) ?? []).length;
          const f64 = (text.match(/\.f64\b/g) ?? []).length;
          expect(f32).toBeGreaterThan(4 * f64);
        }
      }, 120_000);
    }
  }
});

describe.skipIf(!available)('generated CUDA with second-order sensitivities compiles with nvcc (f64)', () => {
  for (const [spec, m, what] of ORDER_2_CASES) {
    it(`${spec.name} (${what}), ${m}, order 2: sm_90 library and compute_90 PTX`, async () => {
      const b = builds.get(`${spec.name}/${m}/order 2`)!;
      const library = await b.library;
      expect(library.command).toContain('-arch=sm_90');
      expect(library.warnings).toBe('');
      const ptx = await b.ptx;
      expect(ptx.warnings).toBe('');
      const text = readFileSync(ptx.path, 'utf8');
      expect(text).toMatch(/^\.target sm_90\b/m);
      expect(text).toMatch(/\.entry _Z\d+odeforge_ensemble_kernel/);
    }, 180_000);
  }
});
