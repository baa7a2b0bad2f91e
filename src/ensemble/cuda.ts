/**
 * Ensembles on an NVIDIA GPU: the model and method are emitted as one CUDA C++ source
 * (src/codegen/cuda/module.ts), built with nvcc into a shared library (cached by source hash), loaded with
 * koffi, and run with one GPU thread per trajectory, each with its own y0, parameters and adaptive step size.
 *
 *   const system = buildAugmentedSystem(buildModel(spec), ['y0', 'params']);
 *   const r = await solveEnsembleCuda(system, findMethod('Dormand-Prince'), { t0: 0, t1: 1, y0, params }, 'f64');
 *   r.y (N×n), r.jacobian (N×n×n), r.paramJacobian (N×n×p), r.status[i], r.stats
 *
 * With second-order sensitivities (a system from buildSecondOrderSystem, unrolled; f64 only) the kernel
 * integrates the second-order blocks with the rest, copies them out as integrated (pairs j ≤ k), and the result
 * carries r.hessian (N×n×n×n), r.paramHessian (N×n×p×p) and r.mixedHessian (N×n×n×p), unpacked here
 * (unpackSecondOrder) into the layouts of the TypeScript solver's hessian, paramHessian and mixedHessian.
 *
 * The same source also builds with g++ (no CUDA needed) and runs the same functions on the CPU
 * (solveEnsembleCudaOnCpu): that is how the GPU numerics are tested on machines without a GPU. For timing,
 * prepareCudaEnsemble builds once and `run` reports the CUDA-event times of the copies and of the kernel.
 */
import { type CudaPrecision, emitCudaModule } from '../codegen/cuda/module.ts';
import { OptionError } from '../errors.ts';
import { numericTableau } from '../methods/numeric.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../methods/types.ts';
import { pairCount, pairIndex } from '../variational/second-order.ts';
import type { AugmentedSystem } from '../variational/system.ts';
import {
  type BuiltLibrary,
  buildLibrary,
  type CudaBuildOptions,
  type CudaBuildTarget,
  CudaRuntimeError,
  CudaUnavailableError,
} from './cuda-build.ts';
import {
  type CudaContext,
  type CudaContextStats,
  type EnsembleLibrary,
  type GpuRunArgs,
  type LibraryLayout,
  openEnsembleLibrary,
  type RawEnsembleArgs,
} from './cuda-ffi.ts';
import { ENSEMBLE_STATUS, type EnsembleOptions, type EnsembleResult, type EnsembleStatus } from './types.ts';

export type { CudaPrecision } from '../codegen/cuda/module.ts';
export {
  type BuiltLibrary,
  buildLibrary,
  buildPtx,
  CudaBuildError,
  type CudaBuildOptions,
  type CudaBuildTarget,
  CudaRuntimeError,
  CudaUnavailableError,
  compilerAvailable,
  defaultCacheDir,
} from './cuda-build.ts';

export interface CudaRunOptions {
  /** Threads per block for the kernel (default 128). */
  readonly blockSize?: number;
  /** Run the library's CPU loop (odeforge_solve_cpu) instead of the kernel; the only choice for CPU builds. */
  readonly onCpu?: boolean;
  /**
   * GPU runs: copy back the per-trajectory t, acceptedSteps and rejectedSteps (default true). Without them those
   * arrays are empty (the totals in stats are summed on the device), and 16 bytes a trajectory are not copied.
   */
  readonly details?: boolean;
  /**
   * GPU runs: the pieces the rows are cut into, each copied in, run and copied back on its own stream so that
   * copies overlap kernels (an integer from 1 to 16; default: 1 below 131,072 trajectories, else one per
   * 65,536 up to 8). 1 gives the kernel's time alone in timing.kernelMs.
   */
  readonly chunks?: number;
  /** GPU runs: see EnsembleBackendOptions.keepOnDevice. */
  readonly keepOnDevice?: boolean;
  /** GPU runs: see EnsembleBackendOptions.resumeOnDevice. */
  readonly resumeOnDevice?: boolean;
}

/** Times of one GPU run, in milliseconds. */
export interface CudaTiming {
  /** CUDA events: the copies in, summed over the chunks. */
  readonly toDeviceMs: number;
  /** CUDA events: the kernels, from the first one's start to the last one's end. */
  readonly kernelMs: number;
  /** CUDA events: the copies back, summed over the chunks. */
  readonly fromDeviceMs: number;
  /**
   * The whole native call by the host clock: staging and converting the inputs and outputs through the pinned
   * buffer, the copies and the kernels (overlapping), and any growth of the buffers.
   */
  readonly totalMs: number;
}

/** An EnsembleResult with the per-trajectory details the C entry points return. */
export interface CudaEnsembleRun extends EnsembleResult {
  /** Per trajectory: the time reached (t1, or where it failed). */
  readonly t: Float64Array;
  /** Per trajectory: the status as its index in ENSEMBLE_STATUS. */
  readonly statusCodes: Int32Array;
  /** Per trajectory: accepted and rejected steps. */
  readonly acceptedSteps: Int32Array;
  readonly rejectedSteps: Int32Array;
  /** GPU runs only. */
  readonly timing?: CudaTiming;
}

/** A built and loaded ensemble solver: run it as often as needed. */
export interface CudaEnsemble {
  readonly target: CudaBuildTarget;
  readonly precision: CudaPrecision;
  /** The generated CUDA source. */
  readonly source: string;
  readonly library: BuiltLibrary;
  /** The name of GPU 0 (GPU builds on a machine that has one). */
  readonly device?: string;
  /**
   * Runs the ensemble. GPU runs go through one context of this object's: device and pinned buffers kept
   * between runs (grown when a run needs more) and the augmented vectors kept by keepOnDevice.
   */
  run(options: EnsembleOptions, runOptions?: CudaRunOptions): Promise<CudaEnsembleRun>;
  /** What the context holds (undefined before the first GPU run). */
  deviceStats(): CudaContextStats | undefined;
  /** Frees the context's device and pinned memory; a later GPU run makes a new one. */
  release(): Promise<void>;
}

/** The generated CUDA C++ source of an ensemble solver. */
export function cudaEnsembleSource(system: AugmentedSystem, method: Method, precision: CudaPrecision): string {
  return emitCudaModule(system, method, { precision });
}

// ─── Options ───────────────────────────────────────────────────────────────────────────────────────────

interface CheckedOptions {
  readonly count: number;
  readonly t0: number;
  readonly t1: number;
  readonly y0: ArrayLike<number>;
  readonly params: ArrayLike<number> | null;
  readonly rtol: number;
  readonly atol: number;
  readonly dt: number;
  readonly maxSteps: number;
}

function finite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(option, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(option: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  const v = finite(option, value);
  if (v < 0 || (v === 0 && !allowZero))
    throw new OptionError(option, `must be ${allowZero ? 'non-negative' : 'positive'}, got ${v}`);
  return v;
}

function numbers(option: string, value: unknown): ArrayLike<number> {
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<number>).length !== 'number') {
    throw new OptionError(option, 'expected a Float64Array');
  }
  const a = value as ArrayLike<number>;
  for (let i = 0; i < a.length; i++) finite(`${option}[${i}]`, a[i]);
  return a;
}

const INT32_MAX = 2 ** 31 - 1;

/** The same checks and defaults as the TypeScript solver's solve(), for a whole ensemble. */
function checkOptions(system: AugmentedSystem, method: Method, options: EnsembleOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw new OptionError('options', 'expected an object');
  const n = system.model.states.length;
  const p = system.model.params.length;
  const t0 = finite('t0', options.t0);
  const t1 = finite('t1', options.t1);
  const y0 = numbers('y0', options.y0);
  if (y0.length % n !== 0) {
    throw new OptionError(
      'y0',
      `expected N×${n} values (${system.model.states.map((s) => s.name).join(', ')} per trajectory), got ${y0.length}`,
    );
  }
  const count = y0.length / n;
  if (count > INT32_MAX) throw new OptionError('y0', `at most ${INT32_MAX} trajectories, got ${count}`);
  let params: ArrayLike<number> | null = null;
  if (options.params !== undefined) {
    params = numbers('params', options.params);
    if (params.length !== count * p) {
      throw new OptionError('params', `expected ${count}×${p} values (one row per trajectory), got ${params.length}`);
    }
  }
  const rtol = nonNegative('rtol', options.rtol, 1e-6, true);
  const atol = nonNegative('atol', options.atol, 1e-9, true);
  if (rtol === 0 && atol === 0) throw new OptionError('rtol', 'rtol and atol cannot both be zero');
  // Step counters are 32-bit on the device; a limit beyond them is no limit at all.
  const maxSteps = Math.min(nonNegative('maxSteps', options.maxSteps, 1_000_000, false), INT32_MAX);
  const adaptive = numericTableau(method).errorOrder > 0;
  const dt = options.dt === undefined ? 0 : nonNegative('dt', Math.abs(options.dt), 0, false);
  if (!adaptive && dt === 0) throw new OptionError('dt', `a fixed-step integration with ${method.name} needs dt`);
  return { count, t0, t1, y0, params, rtol, atol, dt, maxSteps };
}

function checkPrecision(precision: unknown, system: AugmentedSystem): void {
  if (precision !== 'f64' && precision !== 'f32') {
    throw new OptionError('precision', `expected 'f64' or 'f32', got '${String(precision)}'`);
  }
  if (system.secondOrder !== undefined && precision !== 'f64') {
    throw new OptionError('precision', `second-order sensitivities on the CUDA target compute in 'f64' only`);
  }
}

function checkChunks(chunks: number | undefined): number {
  if (chunks === undefined) return 0;
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > 16) {
    throw new OptionError('chunks', `must be an integer in [1, 16], got ${chunks}`);
  }
  return chunks;
}

function checkFlag(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new OptionError(option, `expected true or false, got ${String(value)}`);
  return value;
}

/** cudaErrorInvalidValue: what odeforge_cuda_run returns for a resumed run without state for its count. */
const CUDA_ERROR_INVALID_VALUE = 1;

function checkBlockSize(blockSize: number | undefined): number {
  if (blockSize === undefined) return 0;
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 1024) {
    throw new OptionError('blockSize', `must be an integer in [1, 1024], got ${blockSize}`);
  }
  return blockSize;
}

// ─── Running ───────────────────────────────────────────────────────────────────────────────────────────

function realArray(precision: CudaPrecision, n: number): Float64Array | Float32Array {
  return precision === 'f64' ? new Float64Array(n) : new Float32Array(n);
}

function realFrom(precision: CudaPrecision, a: ArrayLike<number>): Float64Array | Float32Array {
  if (precision === 'f64') return a instanceof Float64Array ? a : Float64Array.from(a);
  return Float32Array.from(a);
}

function toDouble(a: Float64Array | Float32Array): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

const STATUS_BY_CODE: readonly EnsembleStatus[] = ENSEMBLE_STATUS;

/** What unpackSecondOrder reads of a library's layout (odeforge_layout). */
export type SecondOrderLayout = Pick<
  LibraryLayout,
  'n' | 'p' | 'hessOffset' | 'mixedOffset' | 'paramHessOffset' | 'secondOffset' | 'secondSize'
>;

/** An ensemble's Hessians, in the layouts of EnsembleResult (each present when its block is integrated). */
export interface UnpackedSecondOrder {
  hessian?: Float64Array;
  paramHessian?: Float64Array;
  mixedHessian?: Float64Array;
}

/**
 * The Hessians of `count` trajectories from the second-order blocks the kernel copies out (`packed`: count rows
 * of layout.secondSize, each the augmented vector's components from layout.secondOffset on): Ψ and Π, stored
 * as pairs j ≤ k (src/variational/second-order.ts), filled out to both halves — hessian[((r·n + i)·n + j)·n + k]
 * = ∂²y_i/∂y0_j∂y0_k of trajectory r, paramHessian likewise n×p×p — and Mx copied as it is (n×n×p).
 */
export function unpackSecondOrder(
  packed: ArrayLike<number>,
  count: number,
  layout: SecondOrderLayout,
): UnpackedSecondOrder {
  const { n, p, secondOffset, secondSize: width } = layout;
  if (packed.length !== count * width) {
    throw new Error(`internal: ${count} rows of ${width} second-order components, got ${packed.length} values`);
  }
  /** A block of n rows of m(m+1)/2 pairs at `offset`, as count × n × m × m. */
  const symmetric = (offset: number, m: number): Float64Array => {
    const pairs = pairCount(m);
    const out = new Float64Array(count * n * m * m);
    for (let r = 0; r < count; r++) {
      const from = r * width + offset - secondOffset;
      const to = r * n * m * m;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < m; j++)
          for (let k = 0; k < m; k++) {
            const c = j <= k ? pairIndex(m, j, k) : pairIndex(m, k, j);
            out[to + (i * m + j) * m + k] = packed[from + i * pairs + c]!;
          }
    }
    return out;
  };
  const result: UnpackedSecondOrder = {};
  if (layout.hessOffset >= 0) result.hessian = symmetric(layout.hessOffset, n);
  if (layout.mixedOffset >= 0) {
    const size = n * n * p;
    const mixed = new Float64Array(count * size);
    for (let r = 0; r < count; r++) {
      const from = r * width + layout.mixedOffset - secondOffset;
      for (let c = 0; c < size; c++) mixed[r * size + c] = packed[from + c]!;
    }
    result.mixedHessian = mixed;
  }
  if (layout.paramHessOffset >= 0) result.paramHessian = symmetric(layout.paramHessOffset, p);
  return result;
}

/** Whether a library's second-order blocks lie where the system has them. */
function sameSecondOrder(layout: LibraryLayout, system: AugmentedSystem): boolean {
  const second = system.secondOrder;
  if (second === undefined) return layout.secondSize === 0;
  return (
    layout.m === system.components.length &&
    layout.hessOffset === second.hessOffset &&
    layout.mixedOffset === second.mixedOffset &&
    layout.paramHessOffset === second.paramHessOffset &&
    layout.secondOffset + layout.secondSize === layout.m
  );
}

/** Float64Array of y0 or params as given (no copy), or converted once. */
function float64(a: ArrayLike<number>): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

/**
 * The GPU path: one call of odeforge_cuda_run on the context. Host arrays are double (the library converts
 * f32 in bulk while staging through its pinned buffer), so nothing here loops over the values.
 */
async function runOnGpu(
  lib: EnsembleLibrary,
  system: AugmentedSystem,
  o: CheckedOptions,
  runOptions: CudaRunOptions,
  context: () => CudaContext,
): Promise<CudaEnsembleRun> {
  const { n, p, phiOffset, sensOffset, secondSize } = lib.layout;
  const blockSize = checkBlockSize(runOptions.blockSize);
  const chunks = checkChunks(runOptions.chunks);
  const details = checkFlag('details', runOptions.details ?? true);
  const keep = checkFlag('keepOnDevice', runOptions.keepOnDevice);
  const resume = checkFlag('resumeOnDevice', runOptions.resumeOnDevice);
  // With keepOnDevice the sensitivities stay on the device with the state: only y and the status come back.
  const copySensitivities = !keep;
  const args: GpuRunArgs = {
    count: o.count,
    t0: o.t0,
    t1: o.t1,
    y0: float64(o.y0),
    params: o.params === null ? null : float64(o.params),
    rtol: o.rtol,
    atol: o.atol,
    dt: o.dt,
    maxSteps: o.maxSteps,
    y: new Float64Array(o.count * n),
    jacobian: copySensitivities && phiOffset >= 0 ? new Float64Array(o.count * n * n) : null,
    paramJacobian: copySensitivities && sensOffset >= 0 ? new Float64Array(o.count * n * p) : null,
    secondOrder: copySensitivities && secondSize > 0 ? new Float64Array(o.count * secondSize) : null,
    t: details ? new Float64Array(o.count) : null,
    status: new Int32Array(o.count),
    steps: details ? new Int32Array(o.count) : null,
    rejected: details ? new Int32Array(o.count) : null,
    totals: new Float64Array(2),
    blockSize,
    chunks,
    keep,
    resume,
    timing: new Float32Array(4),
  };
  const code = await context().run(args);
  if (code === CUDA_ERROR_INVALID_VALUE && resume) {
    throw new OptionError(
      'resumeOnDevice',
      `no final state of ${o.count} trajectories is kept on the device (run with keepOnDevice first, with as many trajectories)`,
    );
  }
  if (code !== 0) throw new CudaRuntimeError(code, lib.cuda!.errorName(code), 'odeforge_cuda_run');
  const ms = args.timing!;
  const timing: CudaTiming = { toDeviceMs: ms[0]!, kernelMs: ms[1]!, fromDeviceMs: ms[2]!, totalMs: ms[3]! };
  const statusCodes = args.status!;
  const status: EnsembleStatus[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) status[i] = STATUS_BY_CODE[statusCodes[i]!] ?? 'non-finite';
  const result: { -readonly [K in keyof CudaEnsembleRun]: CudaEnsembleRun[K] } = {
    y: args.y,
    status,
    stats: {
      trajectories: o.count,
      steps: args.totals[0]! + args.totals[1]!,
      rejected: args.totals[1]!,
      backend: 'cuda',
      precision: lib.precision,
      ms: timing.totalMs,
    },
    t: args.t ?? new Float64Array(0),
    statusCodes,
    acceptedSteps: args.steps ?? new Int32Array(0),
    rejectedSteps: args.rejected ?? new Int32Array(0),
    timing,
  };
  if (args.jacobian !== null) result.jacobian = args.jacobian;
  if (copySensitivities && system.sensitivities.includes('params'))
    result.paramJacobian = args.paramJacobian ?? new Float64Array(0);
  if (args.secondOrder !== null) Object.assign(result, unpackSecondOrder(args.secondOrder, o.count, lib.layout));
  return result;
}

async function runLibrary(
  lib: EnsembleLibrary,
  system: AugmentedSystem,
  o: CheckedOptions,
  runOptions: CudaRunOptions,
  context?: () => CudaContext,
): Promise<CudaEnsembleRun> {
  const { n, p, phiOffset, sensOffset, secondSize } = lib.layout;
  if (n !== system.model.states.length || p !== system.model.params.length || !sameSecondOrder(lib.layout, system)) {
    throw new Error(`internal: library ${lib.built.path} does not match the system`);
  }
  if (lib.cuda !== undefined && runOptions.onCpu !== true) {
    const make = context ?? (() => lib.cuda!.createContext());
    return runOnGpu(lib, system, o, runOptions, make);
  }
  // The CPU loop has no device to keep anything on.
  if (runOptions.keepOnDevice === true || runOptions.resumeOnDevice === true) {
    const option = runOptions.keepOnDevice === true ? 'keepOnDevice' : 'resumeOnDevice';
    throw new OptionError(option, 'needs the GPU: this run is on the CPU');
  }
  const precision = lib.precision;
  const wantsParams = system.sensitivities.includes('params');
  const args: RawEnsembleArgs = {
    count: o.count,
    t0: o.t0,
    t1: o.t1,
    y0: realFrom(precision, o.y0),
    params: o.params === null ? null : realFrom(precision, o.params),
    rtol: o.rtol,
    atol: o.atol,
    dt: o.dt,
    maxSteps: o.maxSteps,
    y: realArray(precision, o.count * n),
    jacobian: phiOffset >= 0 ? realArray(precision, o.count * n * n) : null,
    paramJacobian: sensOffset >= 0 ? realArray(precision, o.count * n * p) : null,
    secondOrder: secondSize > 0 ? realArray(precision, o.count * secondSize) : null,
    t: new Float64Array(o.count),
    status: new Int32Array(o.count),
    steps: new Int32Array(o.count),
    rejected: new Int32Array(o.count),
  };

  const started = performance.now();
  await lib.solveCpu(args);
  const wall = performance.now() - started;

  const statusCodes = args.status!;
  const accepted = args.steps!;
  const rejected = args.rejected!;
  let steps = 0;
  let rejectedTotal = 0;
  const status: EnsembleStatus[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) {
    status[i] = STATUS_BY_CODE[statusCodes[i]!] ?? 'non-finite';
    steps += accepted[i]! + rejected[i]!;
    rejectedTotal += rejected[i]!;
  }
  const result: { -readonly [K in keyof CudaEnsembleRun]: CudaEnsembleRun[K] } = {
    y: toDouble(args.y),
    status,
    stats: {
      trajectories: o.count,
      steps,
      rejected: rejectedTotal,
      backend: 'cpu',
      precision,
      ms: wall,
    },
    t: args.t!,
    statusCodes,
    acceptedSteps: accepted,
    rejectedSteps: rejected,
  };
  if (args.jacobian !== null) result.jacobian = toDouble(args.jacobian);
  if (wantsParams)
    result.paramJacobian = args.paramJacobian !== null ? toDouble(args.paramJacobian) : new Float64Array(0);
  if (args.secondOrder !== null) Object.assign(result, unpackSecondOrder(args.secondOrder, o.count, lib.layout));
  return result;
}

/**
 * Runs a loaded library — its kernel, or with `onCpu` (or a CPU build) its CPU loop — on an ensemble, options
 * checked as solveEnsembleCuda checks them: what CudaEnsemble.run does. Exported so that a test can drive the
 * GPU path (the arrays handed to odeforge_solve_cuda and the result made of them) with a stand-in library.
 */
export function runEnsembleLibrary(
  lib: EnsembleLibrary,
  system: AugmentedSystem,
  method: Method,
  options: EnsembleOptions,
  runOptions: CudaRunOptions = {},
  context?: () => CudaContext,
): Promise<CudaEnsembleRun> {
  return runLibrary(lib, system, checkOptions(system, method, options), runOptions, context);
}

/**
 * Builds (or finds in the cache) and loads the library of a target without checking for a GPU: a 'cuda'
 * library loads on any machine (the CUDA runtime is linked in statically) and its CPU loop runs there
 * (`run(options, { onCpu: true })`); its kernel needs a GPU. Use prepareCudaEnsemble to require one.
 */
export async function loadEnsemble(
  target: CudaBuildTarget,
  system: AugmentedSystem,
  method: Method,
  precision: CudaPrecision = 'f64',
  build: CudaBuildOptions = {},
): Promise<CudaEnsemble> {
  checkPrecision(precision, system);
  return loadEnsembleSource(target, system, method, precision, cudaEnsembleSource(system, method, precision), build);
}

/**
 * loadEnsemble for a source generated beforehand (cudaEnsembleSource for the same system, method and
 * precision): for a bundled benchmark on a machine where the template is not at hand. The library's layout is
 * checked against the system when it runs.
 */
export async function loadEnsembleSource(
  target: CudaBuildTarget,
  system: AugmentedSystem,
  method: Method,
  precision: CudaPrecision,
  source: string,
  build: CudaBuildOptions = {},
): Promise<CudaEnsemble> {
  checkPrecision(precision, system);
  const library = await buildLibrary(source, target, build);
  const lib = await openEnsembleLibrary(library, precision);
  // Made by the first GPU run, kept for the next ones (its buffers are reused), freed by release().
  let context: CudaContext | undefined;
  const contextOf = () => {
    context ??= lib.cuda!.createContext();
    return context;
  };
  return {
    target,
    precision,
    source,
    library,
    device: lib.cuda?.deviceName(),
    run: (options, runOptions = {}) => runEnsembleLibrary(lib, system, method, options, runOptions, contextOf),
    deviceStats: () => context?.stats(),
    release: async () => {
      const c = context;
      context = undefined;
      await c?.destroy();
    },
  };
}

/** Throws CudaUnavailableError('no-device') unless the CUDA runtime of a loaded 'cuda' library sees a GPU. */
async function requireDevice(ensemble: CudaEnsemble): Promise<void> {
  const lib = await openEnsembleLibrary(ensemble.library, ensemble.precision);
  const { code, count } = lib.cuda!.deviceCount();
  if (code !== 0 || count === 0) {
    const why = code !== 0 ? `cudaGetDeviceCount failed with ${code} (${lib.cuda!.errorName(code)})` : 'no CUDA device';
    throw new CudaUnavailableError('no-device', `no GPU to run on: ${why}`);
  }
}

/**
 * Builds the ensemble solver with nvcc (cached) and loads it, checking that a GPU is there. Throws
 * CudaUnavailableError when nvcc, koffi, the driver or the device is missing.
 */
export async function prepareCudaEnsemble(
  system: AugmentedSystem,
  method: Method,
  precision: CudaPrecision = 'f64',
  build: CudaBuildOptions = {},
): Promise<CudaEnsemble> {
  const ensemble = await loadEnsemble('cuda', system, method, precision, build);
  await requireDevice(ensemble);
  return ensemble;
}

/**
 * Builds the same generated source with a C++ compiler (g++ -x c++ -DODEFORGE_HD=, cached) and loads it: the
 * GPU's numerics on the CPU, one trajectory after another.
 */
export function prepareCpuEnsemble(
  system: AugmentedSystem,
  method: Method,
  precision: CudaPrecision = 'f64',
  build: CudaBuildOptions = {},
): Promise<CudaEnsemble> {
  return loadEnsemble('cpu', system, method, precision, build);
}

/**
 * Integrates an ensemble on the GPU: one thread per trajectory, row i of options.y0 (and of options.params)
 * is trajectory i. Resolves to the final states, the Jacobians that `system` integrates, and a status per
 * trajectory; rejects with an OptionError for bad options, CudaUnavailableError when there is no GPU (or no
 * nvcc), CudaRuntimeError when a CUDA call fails.
 */
export async function solveEnsembleCuda(
  system: AugmentedSystem,
  method: Method,
  options: EnsembleOptions,
  precision: CudaPrecision = 'f64',
  build: CudaBuildOptions & CudaRunOptions = {},
): Promise<EnsembleResult> {
  // Bad options are reported before anything is built.
  checkPrecision(precision, system);
  checkOptions(system, method, options);
  checkBlockSize(build.blockSize);
  checkChunks(build.chunks);
  const ensemble = await prepareCudaEnsemble(system, method, precision, build);
  return ensemble.run(options, {
    blockSize: build.blockSize,
    chunks: build.chunks,
    details: false,
    keepOnDevice: build.keepOnDevice,
    resumeOnDevice: build.resumeOnDevice,
  });
}

/**
 * A compiled solver's CUDA ensembles (compile's solveEnsemble with backend 'cuda'): the built and loaded library
 * per precision, made once, with its context — device and pinned buffers reused from call to call, and the
 * state kept by keepOnDevice for this solver's next call with resumeOnDevice.
 */
export interface CudaSolverState {
  solve(
    system: () => AugmentedSystem,
    method: Method,
    options: EnsembleOptions,
    precision: CudaPrecision,
    backendOptions: { readonly keepOnDevice?: boolean; readonly resumeOnDevice?: boolean } | undefined,
  ): Promise<EnsembleResult>;
}

/** Memory of solvers that were garbage-collected without a release: their contexts are freed then. */
const abandoned =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Promise<CudaEnsemble>[]>((held) => {
        for (const p of held) p.then((e) => e.release()).catch(() => {});
      })
    : undefined;

export function cudaSolverState(): CudaSolverState {
  const ensembles = new Map<CudaPrecision, Promise<CudaEnsemble>>();
  const held: Promise<CudaEnsemble>[] = [];
  const state: CudaSolverState = {
    async solve(system, method, options, precision, backendOptions = {}) {
      let ensemble = ensembles.get(precision);
      if (ensemble === undefined) {
        const s = system();
        checkPrecision(precision, s);
        checkOptions(s, method, options);
        ensemble = prepareCudaEnsemble(s, method, precision);
        ensembles.set(precision, ensemble);
        held.push(ensemble);
        // A failed build or a missing GPU is tried again on the next call.
        ensemble.catch(() => ensembles.delete(precision));
      }
      return (await ensemble).run(options, {
        details: false,
        keepOnDevice: backendOptions.keepOnDevice,
        resumeOnDevice: backendOptions.resumeOnDevice,
      });
    },
  };
  abandoned?.register(state, held);
  return state;
}

/** solveEnsembleCuda's generated code, built with g++ and run on the CPU (no GPU or nvcc needed). */
export async function solveEnsembleCudaOnCpu(
  system: AugmentedSystem,
  method: Method,
  options: EnsembleOptions,
  precision: CudaPrecision = 'f64',
  build: CudaBuildOptions = {},
): Promise<EnsembleResult> {
  checkPrecision(precision, system);
  checkOptions(system, method, options);
  const ensemble = await prepareCpuEnsemble(system, method, precision, build);
  return ensemble.run(options);
}
