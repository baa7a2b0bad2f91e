/**
 * Second-order sensitivities on the CUDA target (`order: 2`, f64): the generated source (its layout constants,
 * the refusals), the host's unpacking of the second-order blocks into hessian / paramHessian / mixedHessian
 * (the GPU path driven by a stand-in library, no GPU needed), and — built with g++ and called through koffi, the
 * harness of numerics.test.ts — the kernel's numerics against the TypeScript solver's order-2 result: Lorenz
 * (3×3×3 Hessian) with y0 and parameter sensitivities, Dormand–Prince and RK4 with fixed steps, the other
 * sensitivity sets, and every function of the model language. The nvcc builds are in nvcc.test.ts; the nvcc
 * library's CPU loop, and its kernel where there is a GPU, at the end here.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, generate, type Solver } from '../../src/compile.ts';
import {
  type CudaEnsembleRun,
  CudaUnavailableError,
  loadEnsemble,
  prepareCpuEnsemble,
  prepareCudaEnsemble,
  runEnsembleLibrary,
  solveEnsembleCuda,
  unpackSecondOrder,
} from '../../src/ensemble/cuda.ts';
import type { BuiltLibrary } from '../../src/ensemble/cuda-build.ts';
import { type EnsembleLibrary, LAYOUT_INTS, layoutFrom, type RawEnsembleArgs } from '../../src/ensemble/cuda-ffi.ts';
import type { EnsembleOptions } from '../../src/ensemble/types.ts';
import { IntegrationError, OptionError } from '../../src/errors.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import type { SolveResult } from '../../src/runtime/types.ts';
import { buildSecondOrderSystem } from '../../src/variational/second-order.ts';
import { type AugmentedSystem, buildAugmentedSystem, type Sensitivity } from '../../src/variational/system.ts';
import { FUNCTIONS, haveCompiler, LORENZ, method, normwiseRelative, row, rows } from './support.ts';

const gxx = await haveCompiler('cpu', 'the g++ numerics tests of order 2 on the CUDA target');
const nvcc = await haveCompiler('cuda', 'the nvcc runtime test of order 2 on the CUDA target');
const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const LORENZ_FILE = fileURLToPath(new URL('../../examples/lorenz.json', import.meta.url));

/** The unrolled second-order system that compile and generate build for the CUDA target. */
function secondOrder(spec: ModelSpec, sensitivities: readonly Sensitivity[] = ['y0', 'params']): AugmentedSystem {
  return buildSecondOrderSystem(buildAugmentedSystem(buildModel(spec), sensitivities, 'unrolled'));
}

/** The pairs j ≤ k of m indices in the order the blocks store them: (0,0), (0,1), …, (0,m−1), (1,1), …. */
function pairs(m: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < m; j++) for (let k = j; k < m; k++) out.push([j, k]);
  return out;
}

/** Where pair (j, k), in either order, is stored among the pairs of m indices. */
function storedPair(m: number, j: number, k: number): number {
  const [a, b] = j <= k ? [j, k] : [k, j];
  return pairs(m).findIndex(([x, y]) => x === a && y === b);
}

describe('the order-2 CUDA source', () => {
  it('Lorenz, y0 and params: the blocks after [y | Φ | S], their offsets in the constants and the header', () => {
    const src = generate(LORENZ, { target: 'cuda', order: 2, sensitivities: ['y0', 'params'] });
    // 3 + 9 + 9, then Ψ 3×6 at 21, Mx 3×9 at 39, Π 3×6 at 66: 84 components, 63 of them second order
    expect(src).toMatch(/^#define ODEFORGE_M 84$/m);
    expect(src).toMatch(/^#define ODEFORGE_HESS_OFFSET 21$/m);
    expect(src).toMatch(/^#define ODEFORGE_MIXED_OFFSET 39$/m);
    expect(src).toMatch(/^#define ODEFORGE_PARAM_HESS_OFFSET 66$/m);
    expect(src).toMatch(/^#define ODEFORGE_SECOND_OFFSET 21$/m);
    expect(src).toMatch(/^#define ODEFORGE_SECOND_SIZE 63$/m);
    expect(src).toMatch(/^typedef double real;$/m);
    expect(src).toContain('sensitivities: y0, params, to order 2.');
    expect(src).toContain('Ψ = ∂²y/∂y0∂y0 (3×6, pairs j ≤ k) at 21');
    expect(src).toContain('real* second_order (count×63');
    // every component has its right-hand side: Ψ_x,xx of Lorenz is J·Ψ alone (f_x is linear)
    expect(src).toMatch(/dy\[21\] = .*\/\/ d\/dt ∂²x\/∂x\(t0\)∂x\(t0\)/);
    expect(src).toMatch(/dy\[83\] = .*\/\/ d\/dt ∂²z\/∂beta∂beta/);
    expect(src).not.toMatch(/dy\[84\]/);
  });

  it('order 1 is unchanged in layout: no second-order blocks', () => {
    const src = generate(LORENZ, { target: 'cuda', sensitivities: ['y0', 'params'] });
    expect(src).toMatch(/^#define ODEFORGE_M 21$/m);
    expect(src).toMatch(/^#define ODEFORGE_HESS_OFFSET \(-1\)$/m);
    expect(src).toMatch(/^#define ODEFORGE_SECOND_OFFSET 21$/m);
    expect(src).toMatch(/^#define ODEFORGE_SECOND_SIZE 0$/m);
    expect(src).toContain('real* second_order (NULL: no second-order blocks)');
  });

  it('y0 alone, params alone: the blocks that are integrated', () => {
    const y0 = generate(LORENZ, { target: 'cuda', order: 2, sensitivities: ['y0'] });
    expect(y0).toMatch(/^#define ODEFORGE_HESS_OFFSET 12$/m);
    expect(y0).toMatch(/^#define ODEFORGE_MIXED_OFFSET \(-1\)$/m);
    expect(y0).toMatch(/^#define ODEFORGE_PARAM_HESS_OFFSET \(-1\)$/m);
    expect(y0).toMatch(/^#define ODEFORGE_SECOND_SIZE 18$/m);
    const params = generate(LORENZ, { target: 'cuda', order: 2, sensitivities: ['params'] });
    expect(params).toMatch(/^#define ODEFORGE_HESS_OFFSET \(-1\)$/m);
    expect(params).toMatch(/^#define ODEFORGE_PARAM_HESS_OFFSET 12$/m);
    expect(params).toMatch(/^#define ODEFORGE_SECOND_OFFSET 12$/m);
    expect(params).toMatch(/^#define ODEFORGE_SECOND_SIZE 18$/m);
  });

  it('refused: f32, WGSL, a method for stiff problems, events, no sensitivities', () => {
    const refusal = (f: () => unknown, option: string, pattern: RegExp) => {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionError);
      expect((error as OptionError).option).toBe(option);
      expect((error as OptionError).message).toMatch(pattern);
    };
    refusal(
      () => generate(LORENZ, { target: 'cuda', order: 2, precision: 'f32' }),
      'precision',
      /CUDA target in 'f32' is not available yet/,
    );
    refusal(() => generate(LORENZ, { target: 'wgsl', order: 2 }), 'order', /target 'wgsl' is not available yet/);
    refusal(() => generate(LORENZ, { target: 'cuda', order: 2, method: 'Rodas4' }), 'method', /explicit Runge–Kutta/);
    refusal(() => generate(LORENZ, { target: 'cuda', order: 2, sensitivities: [] }), 'order', /needs sensitivities/);
    const ball = {
      name: 'ball',
      states: ['h', 'v'],
      params: { g: 9.81 },
      rhs: { h: 'v', v: '-g' },
      events: { ground: { expr: 'h', direction: -1, terminal: true } },
    } as ModelSpec;
    refusal(() => generate(ball, { target: 'cuda', order: 2 }), 'target', /does not locate events/);
  });

  it("ensembles of an order-2 solver: 'cpu' or 'cuda' in f64 only, refused before anything is built", async () => {
    const solver = compile(LORENZ, { order: 2, sensitivities: ['y0', 'params'] });
    const input = { t0: 0, t1: 1, y0: [1, 1, 1] };
    const rejected = async (backend: object) => {
      try {
        await solver.solveEnsemble(input, backend);
      } catch (e) {
        return e as OptionError;
      }
      throw new Error('expected a rejection');
    };
    const webgpu = await rejected({ backend: 'webgpu' });
    expect(webgpu).toBeInstanceOf(OptionError);
    expect(webgpu.option).toBe('backend');
    expect(webgpu.message).toMatch(/order 2 ensembles run on the 'cpu' and 'cuda' backends .*'webgpu'/);
    const f32 = await rejected({ backend: 'cuda', precision: 'f32' });
    expect(f32.option).toBe('precision');
    expect(f32.message).toMatch(/'f64' only/);
    // solveEnsembleCuda itself, for an order-2 system
    const direct = solveEnsembleCuda(
      secondOrder(LORENZ),
      method('RK45CK'),
      { t0: 0, t1: 1, y0: Float64Array.of(1, 1, 1) },
      'f32',
    );
    await expect(direct).rejects.toThrow(/second-order sensitivities on the CUDA target compute in 'f64' only/);
  });

  it('the CLI: generate --target cuda --order 2, and what stays refused (exit 2)', () => {
    const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
    const base = ['generate', LORENZ_FILE, '--method', 'Dormand-Prince', '--sens', 'y0,params', '--order', '2'];
    const ok = run([...base, '--target', 'cuda', '--out', '-']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^#define ODEFORGE_SECOND_SIZE 63$/m);
    expect(ok.stdout).toContain('--order 2 --target cuda');
    const f32 = run([...base, '--target', 'cuda', '--precision', 'f32', '--out', '-']);
    expect(f32.status).toBe(2);
    expect(f32.stdout).toBe('');
    expect(f32.stderr).toMatch(/^odeforge: precision: .*the CUDA target in 'f32' is not available yet\n$/);
    const wgsl = run([...base, '--target', 'wgsl', '--out', '-']);
    expect(wgsl.status).toBe(2);
    expect(wgsl.stderr).toMatch(/^odeforge: order: order 2 is available .*; target 'wgsl' is not available yet\n$/);
  });
});

describe('unpacking the second-order blocks (host side, no GPU)', () => {
  // Lorenz with y0 and params: Ψ 3×6 at 21, Mx 3×9 at 39, Π 3×6 at 66 (M = 84), blocks from 21 on.
  const layout = layoutFrom(Int32Array.of(3, 3, 84, 3, 12, 8, 21, 39, 66, 21, 63));
  /** Component c of trajectory r's augmented vector, as a stand-in kernel would copy it out. */
  const value = (r: number, c: number) => 1000 * r + c;

  it('hessian and paramHessian filled out to both halves, mixedHessian as it is, per trajectory', () => {
    const count = 3;
    const packed = new Float64Array(count * 63);
    for (let r = 0; r < count; r++) for (let c = 0; c < 63; c++) packed[r * 63 + c] = value(r, 21 + c);
    const u = unpackSecondOrder(packed, count, layout);
    expect(u.hessian).toHaveLength(count * 27);
    expect(u.mixedHessian).toHaveLength(count * 27);
    expect(u.paramHessian).toHaveLength(count * 27);
    for (let r = 0; r < count; r++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 3; k++) {
            const at = r * 27 + (i * 3 + j) * 3 + k;
            expect(u.hessian![at]).toBe(value(r, 21 + i * 6 + storedPair(3, j, k)));
            expect(u.paramHessian![at]).toBe(value(r, 66 + i * 6 + storedPair(3, j, k)));
            expect(u.mixedHessian![at]).toBe(value(r, 39 + (i * 3 + j) * 3 + k));
          }
  });

  it('only the blocks that are integrated; an empty ensemble; a wrong length is an internal error', () => {
    // y0 alone: Ψ 3×6 at 12, nothing else
    const y0Only = layoutFrom(Int32Array.of(3, 3, 30, 3, -1, 8, 12, -1, -1, 12, 18));
    const u = unpackSecondOrder(
      Float64Array.from({ length: 18 }, (_, c) => c),
      1,
      y0Only,
    );
    expect(Object.keys(u)).toEqual(['hessian']);
    expect(u.hessian![(2 * 3 + 1) * 3 + 0]).toBe(2 * 6 + storedPair(3, 0, 1));
    const empty = unpackSecondOrder(new Float64Array(0), 0, layout);
    expect(empty.hessian).toHaveLength(0);
    expect(() => unpackSecondOrder(new Float64Array(62), 1, layout)).toThrow(/internal/);
    expect(() => layoutFrom(new Int32Array(6))).toThrow(/internal/);
  });

  it("the GPU path: odeforge_solve_cuda's arrays, and the result made of them (a stand-in library)", async () => {
    const system = secondOrder(LORENZ);
    const m = system.components.length;
    let seen: RawEnsembleArgs | undefined;
    const built: BuiltLibrary = {
      target: 'cuda',
      path: '/nonexistent/stand-in.so',
      sourcePath: '/nonexistent/stand-in.cu',
      command: [],
      warnings: '',
      cached: true,
    };
    const raw = new Int32Array(LAYOUT_INTS);
    raw.set([3, 3, m, system.phiOffset, system.sensOffset, 8, 21, 39, 66, 21, m - 21]);
    const lib: EnsembleLibrary = {
      built,
      precision: 'f64',
      layout: layoutFrom(raw),
      solveCpu: () => Promise.reject(new Error('the GPU path must not run the CPU loop')),
      cuda: {
        createContext: () => ({
          run: async (args) => {
            seen = args;
            expect(args.blockSize).toBe(32);
            // what the kernel writes: y, Φ, S and the second-order blocks as they lie in the augmented vector
            for (let r = 0; r < args.count; r++) {
              for (let c = 0; c < 3; c++) args.y[r * 3 + c] = value(r, c);
              for (let c = 0; c < 9; c++) args.jacobian![r * 9 + c] = value(r, 3 + c);
              for (let c = 0; c < 9; c++) args.paramJacobian![r * 9 + c] = value(r, 12 + c);
              for (let c = 0; c < m - 21; c++) args.secondOrder![r * (m - 21) + c] = value(r, 21 + c);
            }
            args.steps?.fill(7);
            args.totals.set([14, 0]);
            args.timing?.set([0.1, 0.2, 0.3, 0.6]);
            return 0;
          },
          stats: () => ({ deviceBytes: 0, pinnedBytes: 0, residentBytes: 0, residentCount: -1, allocations: 0 }),
          destroy: async () => {},
        }),
        deviceCount: () => ({ code: 0, count: 1 }),
        errorName: (code) => `error ${code}`,
        deviceName: () => 'stand-in',
      },
    };
    const options: EnsembleOptions = { t0: 0, t1: 1, y0: Float64Array.of(1, 1, 1, 2, 2, 2), rtol: 1e-8, atol: 1e-8 };
    const r = await runEnsembleLibrary(lib, system, method('Dormand-Prince'), options, { blockSize: 32 });
    expect(seen!.secondOrder).toBeInstanceOf(Float64Array);
    expect(seen!.secondOrder).toHaveLength(2 * 63);
    expect(r.stats.backend).toBe('cuda');
    expect(r.timing?.totalMs).toBeCloseTo(0.6);
    expect(r.status).toEqual(['ok', 'ok']);
    expect(r.jacobian![9 + 4]).toBe(value(1, 3 + 4));
    // ∂²y/∂y0_2∂y0_0 of trajectory 1, state 1: Ψ's stored pair (0, 2) of row 1
    expect(r.hessian![27 + (1 * 3 + 2) * 3 + 0]).toBe(value(1, 21 + 6 + storedPair(3, 0, 2)));
    expect(r.mixedHessian![27 + (2 * 3 + 1) * 3 + 2]).toBe(value(1, 39 + (2 * 3 + 1) * 3 + 2));
    expect(r.paramHessian![(0 * 3 + 2) * 3 + 1]).toBe(value(0, 66 + storedPair(3, 1, 2)));
    // a library whose blocks lie elsewhere than the system's is not read
    const other = { ...lib, layout: layoutFrom(raw.map((v, i) => (i === 7 ? 40 : v))) };
    await expect(runEnsembleLibrary(other, system, method('Dormand-Prince'), options)).rejects.toThrow(
      /does not match/,
    );
  });
});

// ─── Numerics: the g++ build against the TypeScript solver ────────────────────────────────────────────

const solvers = new Map<string, Solver>();

/** The TypeScript solver's order-2 result on trajectory i (the same options), or its partial result. */
function reference(
  spec: ModelSpec,
  methodName: string,
  sensitivities: readonly Sensitivity[],
  options: EnsembleOptions,
  i: number,
): { status: string; result: SolveResult } {
  const key = `${spec.name}/${methodName}/${sensitivities.join(',')}`;
  let solver = solvers.get(key);
  if (solver === undefined) {
    solver = compile(spec, { method: methodName, sensitivities, order: 2 });
    solvers.set(key, solver);
  }
  const names = Object.keys(spec.params ?? {});
  const params = options.params
    ? Object.fromEntries(names.map((name, k) => [name, options.params![i * names.length + k]!]))
    : undefined;
  try {
    const result = solver.solve({
      t0: options.t0,
      t1: options.t1,
      y0: Array.from(row(options.y0, i, spec.states.length)),
      params,
      rtol: options.rtol,
      atol: options.atol,
      dt: options.dt,
    });
    return { status: 'ok', result };
  } catch (e) {
    if (!(e instanceof IntegrationError)) throw e;
    return { status: e.reason, result: e.partial as SolveResult };
  }
}

/** H[i][j][k] = H[i][k][j] exactly, trajectory by trajectory (blocks of n rows of m×m). */
function expectSymmetric(a: Float64Array, count: number, n: number, m: number, what: string): void {
  for (let r = 0; r < count; r++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++)
        for (let k = j + 1; k < m; k++) {
          const base = r * n * m * m + i * m * m;
          expect(a[base + j * m + k], `${what}[${r}][${i}][${j}][${k}]`).toBe(a[base + k * m + j]);
        }
}

/**
 * Runs the g++ build of the order-2 CUDA source and checks every trajectory against the TypeScript solver:
 * status, steps, state, Jacobians and the three Hessians (normwise relative per array), and their symmetry.
 */
async function matchesTypeScript(
  spec: ModelSpec,
  methodName: string,
  sensitivities: readonly Sensitivity[],
  options: EnsembleOptions,
  tolerance = 1e-12,
): Promise<CudaEnsembleRun> {
  const ensemble = await prepareCpuEnsemble(secondOrder(spec, sensitivities), method(methodName), 'f64');
  expect(ensemble.source).toBe(generate(spec, { target: 'cuda', method: methodName, sensitivities, order: 2 }));
  const r = await ensemble.run(options);
  const n = spec.states.length;
  const p = Object.keys(spec.params ?? {}).length;
  const count = options.y0.length / n;
  const withY0 = sensitivities.includes('y0');
  const withParams = sensitivities.includes('params') && p > 0;
  const blocks = [
    ['hessian', withY0, n * n * n],
    ['paramHessian', withParams, n * p * p],
    ['mixedHessian', withY0 && withParams, n * n * p],
  ] as const;
  for (const [name, present, width] of blocks) {
    if (present) expect(r[name], name).toHaveLength(count * width);
    else expect(r[name], name).toBeUndefined();
  }
  if (withY0) expectSymmetric(r.hessian!, count, n, n, 'hessian');
  if (withParams) expectSymmetric(r.paramHessian!, count, n, p, 'paramHessian');
  for (let i = 0; i < count; i++) {
    const want = reference(spec, methodName, sensitivities, options, i);
    const where = `${spec.name}/${methodName}/${sensitivities.join(',')}, trajectory ${i}`;
    expect(r.status[i], where).toBe(want.status);
    expect(r.acceptedSteps[i], where).toBe(want.result.stats.steps);
    expect(r.rejectedSteps[i], where).toBe(want.result.stats.rejected);
    expect(normwiseRelative(row(r.y, i, n), want.result.y), `${where}: y`).toBeLessThanOrEqual(tolerance);
    if (withY0) {
      const jacobian = normwiseRelative(row(r.jacobian!, i, n * n), want.result.jacobian!);
      expect(jacobian, `${where}: jacobian`).toBeLessThanOrEqual(tolerance);
    }
    if (withParams) {
      const paramJacobian = normwiseRelative(row(r.paramJacobian!, i, n * p), want.result.paramJacobian!);
      expect(paramJacobian, `${where}: paramJacobian`).toBeLessThanOrEqual(tolerance);
    }
    for (const [name, present, width] of blocks) {
      if (!present) {
        expect(want.result[name], `${where}: ${name}`).toBeUndefined();
        continue;
      }
      const expected = want.result[name]!;
      expect(expected, `${where}: ${name}`).toHaveLength(width);
      // not all zero: the comparison says something
      expect(Math.max(...expected.map(Math.abs)), `${where}: ${name}`).toBeGreaterThan(0);
      expect(normwiseRelative(row(r[name]!, i, width), expected), `${where}: ${name}`).toBeLessThanOrEqual(tolerance);
    }
  }
  return r;
}

const N = 6;
/** Lorenz from six initial states and parameter sets around the classic ones, to t = 1. */
const LORENZ_ENSEMBLE: EnsembleOptions = {
  t0: 0,
  t1: 1,
  y0: rows(N, 3, (i) => [1 + 0.2 * i, 1 - 0.3 * i, 20 + i]),
  params: rows(N, 3, (i) => [10 + 0.5 * i, 28 - i, 8 / 3 + 0.1 * i]),
  rtol: 1e-10,
  atol: 1e-10,
};

describe.skipIf(!gxx)('order 2: the CUDA source built with g++ matches the TypeScript solver (f64)', () => {
  it('Lorenz, y0 and params, Dormand–Prince (adaptive): hessian, paramHessian, mixedHessian', async () => {
    const r = await matchesTypeScript(LORENZ, 'Dormand-Prince', ['y0', 'params'], LORENZ_ENSEMBLE);
    expect(r.status).toEqual(new Array(N).fill('ok'));
  });

  it('Lorenz, y0 and params, RK4 with fixed steps', async () => {
    const options = { ...LORENZ_ENSEMBLE, rtol: undefined, atol: undefined, dt: 1 / 256 };
    const r = await matchesTypeScript(LORENZ, 'RK4', ['y0', 'params'], options);
    expect(r.acceptedSteps[0]).toBe(256);
  });

  it('Lorenz with y0 alone (Ψ only) and params alone (Π only), RK4', async () => {
    const options = { ...LORENZ_ENSEMBLE, t1: 0.5, dt: 1 / 128 };
    await matchesTypeScript(LORENZ, 'RK4', ['y0'], options);
    await matchesTypeScript(LORENZ, 'RK4', ['params'], options);
  });

  it('every function of the model language (their second derivatives), RK45CK', async () => {
    await matchesTypeScript(FUNCTIONS, 'RK45CK', ['y0', 'params'], {
      t0: 0,
      t1: 2,
      y0: rows(N, 2, (i) => [0.2 * i - 0.5, 0.3 * i - 0.4]),
      params: rows(N, 2, (i) => [0.3 + 0.05 * i, 0.25 + 0.02 * i]),
      rtol: 1e-10,
      atol: 1e-12,
    });
  });
});

// ─── The nvcc build: its CPU loop, and its kernel where there is a GPU ────────────────────────────────

describe.skipIf(!nvcc || !gxx)('order 2: the nvcc-built library', () => {
  it('its CPU loop equals the g++ build; its kernel runs on a GPU or fails cleanly', async () => {
    const system = secondOrder(LORENZ);
    const dp = method('Dormand-Prince');
    const gpuLib = await loadEnsemble('cuda', system, dp, 'f64');
    const reference = await (await prepareCpuEnsemble(system, dp, 'f64')).run(LORENZ_ENSEMBLE);
    const onHost = await gpuLib.run(LORENZ_ENSEMBLE, { onCpu: true });
    expect(onHost.status).toEqual(reference.status);
    for (const name of ['y', 'jacobian', 'paramJacobian', 'hessian', 'paramHessian', 'mixedHessian'] as const)
      expect(normwiseRelative(onHost[name]!, reference[name]!), name).toBeLessThanOrEqual(1e-14);

    const solver = compile(LORENZ, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'], order: 2 });
    let ready: Awaited<ReturnType<typeof prepareCudaEnsemble>> | undefined;
    try {
      ready = await prepareCudaEnsemble(system, dp, 'f64');
    } catch (e) {
      expect(e).toBeInstanceOf(CudaUnavailableError);
      console.warn(`no GPU here (${(e as Error).message}): the order-2 kernel itself is not run`);
      await expect(gpuLib.run(LORENZ_ENSEMBLE)).rejects.toThrow(/cudaError/);
      await expect(solver.solveEnsemble(LORENZ_ENSEMBLE, { backend: 'cuda' })).rejects.toBeInstanceOf(
        CudaUnavailableError,
      );
    }
    if (ready !== undefined) {
      // A GPU: the kernel against the CPU loop (fused multiply-adds make the last bits differ), through the
      // API too.
      const onGpu = await ready.run(LORENZ_ENSEMBLE, { blockSize: 64 });
      const api = await solver.solveEnsemble(LORENZ_ENSEMBLE, { backend: 'cuda' });
      for (const r of [onGpu, api]) {
        expect(r.stats.backend).toBe('cuda');
        expect(r.status).toEqual(reference.status);
        for (const name of ['y', 'hessian', 'paramHessian', 'mixedHessian'] as const)
          expect(normwiseRelative(r[name]!, reference[name]!), name).toBeLessThan(1e-9);
      }
    }
  }, 300_000);
});
