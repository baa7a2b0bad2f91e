/**
 * Ensembles on WebGPU: one generated WGSL compute shader (src/codegen/wgsl) integrates every trajectory in
 * f32, one invocation each, with its own adaptive step size; this file validates the options, emits the
 * shader and keeps the process's device, and webgpu-run.ts (the part a web page can load as well) converts the
 * f64 inputs to f32 buffers, dispatches, and converts the results back to Float64Array.
 *
 * The GPU comes from `navigator.gpu` where there is one (a browser, Deno), and from the npm package `webgpu`
 * (Dawn) in Node — the same code after that. On a machine without a GPU, Mesa's CPU Vulkan driver (lavapipe)
 * gives Dawn an adapter: `eval "$(bash scripts/webgpu-env.sh)"` before starting Node.
 *
 * One device per process, created on first use; compute pipelines are cached per shader source.
 */
import { emitWgslModule } from '../codegen/wgsl/module.ts';
import { OptionError } from '../errors.ts';
import { numericTableau } from '../methods/numeric.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../methods/types.ts';
import type { Model } from '../model/model.ts';
import type { AugmentedSystem } from '../variational/system.ts';
import { isMissingPackage, missingPackageMessage } from './optional-package.ts';
import type { EnsembleOptions, EnsembleResult } from './types.ts';
import { WebGpuUnavailableError } from './webgpu-error.ts';
import { createGpuContext, type GpuContext, packConfig, runEnsembleShader } from './webgpu-run.ts';

// The device side lives in webgpu-run.ts (no Node imports, so a web page can use it too); re-exported for the
// callers that have always found it here (bench/gpu, the tests).
export {
  fixedStepPlan,
  type GpuContext,
  MAP_READ,
  packConfig,
  type ShaderSettings,
  USAGE,
} from './webgpu-run.ts';
export { WebGpuUnavailableError };

const F32_MAX = 3.4028234663852886e38;

// The GPU object from `create([])` must stay referenced for as long as its adapters and devices are used:
// Dawn tears them down when it is collected.
let gpuRoot: GPU | undefined;
let context: Promise<GpuContext> | undefined;

async function getGpu(): Promise<GPU> {
  if (gpuRoot) return gpuRoot;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) {
    gpuRoot = nav.gpu;
    return gpuRoot;
  }
  let mod: { create(flags: string[]): GPU };
  try {
    mod = (await import('webgpu')) as { create(flags: string[]): GPU };
  } catch (e) {
    if (isMissingPackage(e, 'webgpu')) {
      throw new WebGpuUnavailableError(`no navigator.gpu, and ${missingPackageMessage('WebGPU', 'webgpu')}`);
    }
    throw new WebGpuUnavailableError(`no navigator.gpu, and the package "webgpu" could not be loaded (${String(e)})`);
  }
  gpuRoot = mod.create([]);
  return gpuRoot;
}

async function createContext(): Promise<GpuContext> {
  const ctx = await createGpuContext(await getGpu());
  const { device } = ctx;
  // A lost device (driver reset, destroy()) is replaced on the next call.
  void device.lost.then(() => {
    if (context !== undefined) {
      void context.then(
        (c) => {
          if (c === ctx) context = undefined;
        },
        () => {},
      );
    }
  });
  return ctx;
}

/** The device, layouts and compiled pipelines every ensemble shares (bench/gpu times its shader with them). */
export function getContext(): Promise<GpuContext> {
  if (context === undefined) {
    const attempt = createContext();
    context = attempt;
    // A failed attempt is not cached: the next call tries again (e.g. after the driver was installed).
    attempt.catch(() => {
      if (context === attempt) context = undefined;
    });
  }
  return context;
}

/**
 * Whether a WebGPU adapter is available here (and the device odeforge needs can be created); never throws.
 * The answer is cached while it is yes.
 */
export async function webGpuAvailable(): Promise<boolean> {
  try {
    await getContext();
    return true;
  } catch {
    return false;
  }
}

/** Destroys the device and forgets the compiled pipelines; the next solve creates them anew. */
export async function releaseWebGpu(): Promise<void> {
  const c = context;
  context = undefined;
  if (c === undefined) return;
  try {
    (await c).device.destroy();
  } catch {
    // it never existed
  }
}

let batchLimit = Number.POSITIVE_INFINITY;

/**
 * At most this many trajectories per dispatch (default: as many as the device's buffer limits allow). Smaller
 * batches bound the device memory in use and the duration of one dispatch (which some drivers cap); the
 * results do not depend on it. `undefined` restores the default.
 */
export function setWebGpuBatchLimit(trajectories: number | undefined): void {
  if (trajectories !== undefined && !(Number.isInteger(trajectories) && trajectories > 0)) {
    throw new OptionError('batch limit', `must be a positive integer, got ${trajectories}`);
  }
  batchLimit = trajectories ?? Number.POSITIVE_INFINITY;
}

// Emitted shaders by model, method and sensitivities: what the shader depends on (a system is rebuilt for
// every solve by compile().solveEnsemble, its model is not).
const shaders = new WeakMap<Model, Map<Method, Map<string, string>>>();

/** The WGSL shader for a system and a method (cached). */
export function ensembleShader(system: AugmentedSystem, method: Method): string {
  let byMethod = shaders.get(system.model);
  if (byMethod === undefined) {
    byMethod = new Map();
    shaders.set(system.model, byMethod);
  }
  let bySens = byMethod.get(method);
  if (bySens === undefined) {
    bySens = new Map();
    byMethod.set(method, bySens);
  }
  const key = system.sensitivities.join(',');
  let source = bySens.get(key);
  if (source === undefined) {
    source = emitWgslModule(system, method);
    bySens.set(key, source);
  }
  return source;
}

/** A finite number that f32 can hold (it may round, and tiny values may become 0). */
function f32Value(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(option, `must be a finite number, got ${String(value)}`);
  }
  if (Math.abs(value) > F32_MAX) {
    throw new OptionError(option, `${value} is beyond the range of f32 (±3.4028235e38), which WebGPU computes in`);
  }
  return value;
}

function nonNegative(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const v = f32Value(option, value);
  if (v < 0) throw new OptionError(option, `must be non-negative, got ${v}`);
  return v;
}

interface Run {
  readonly count: number;
  readonly n: number;
  readonly p: number;
  readonly config: ArrayBuffer;
  readonly y0: Float64Array;
  readonly params: Float64Array | undefined;
}

/** Checks the options as the TypeScript solver does, and packs the uniform. */
function prepare(system: AugmentedSystem, method: Method, options: EnsembleOptions): Run {
  if (typeof options !== 'object' || options === null) throw new OptionError('options', 'expected an object');
  const m = system.model;
  const n = m.states.length;
  const p = m.params.length;
  const t0 = f32Value('t0', options.t0);
  const t1 = f32Value('t1', options.t1);
  const y0 = options.y0;
  if (!(y0 instanceof Float64Array)) throw new OptionError('y0', `expected a Float64Array of N×${n} values`);
  if (y0.length % n !== 0) {
    throw new OptionError(
      'y0',
      `expected N×${n} values (${m.states.map((s) => s.name).join(', ')} per row), got ${y0.length}`,
    );
  }
  const count = y0.length / n;
  for (let k = 0; k < y0.length; k++) f32Value(`y0[${k}]`, y0[k]);
  const params = options.params;
  if (params !== undefined) {
    if (!(params instanceof Float64Array)) throw new OptionError('params', `expected a Float64Array of N×${p} values`);
    if (params.length !== count * p) {
      throw new OptionError(
        'params',
        `expected ${count}×${p} values (one row per trajectory of y0), got ${params.length}`,
      );
    }
    for (let k = 0; k < params.length; k++) f32Value(`params[${k}]`, params[k]);
  } else {
    for (const [k, q] of m.params.entries()) f32Value(`params (the default of ${q.name})`, m.paramDefaults[k]);
  }
  const rtol = nonNegative('rtol', options.rtol, 1e-6);
  const atol = nonNegative('atol', options.atol, 1e-9);
  if (rtol === 0 && atol === 0) throw new OptionError('rtol', 'rtol and atol cannot both be zero');
  const maxSteps = options.maxSteps === undefined ? 1_000_000 : f32Value('maxSteps', options.maxSteps);
  if (maxSteps <= 0) throw new OptionError('maxSteps', `must be positive, got ${maxSteps}`);
  const adaptive = numericTableau(method).errorOrder > 0;
  let dt = 0;
  if (options.dt !== undefined) {
    dt = Math.abs(f32Value('dt', options.dt));
    if (dt === 0 || Math.fround(dt) === 0) throw new OptionError('dt', `must be positive, got ${options.dt}`);
  } else if (!adaptive) {
    throw new OptionError('dt', `a fixed-step integration with ${method.name} needs dt`);
  }

  const config = packConfig({ t0, t1, rtol, atol, dt, maxSteps }, adaptive);
  return { count, n, p, config, y0, params };
}

function emptyResult(system: AugmentedSystem): EnsembleResult {
  return {
    y: new Float64Array(0),
    ...(system.phiOffset >= 0 ? { jacobian: new Float64Array(0) } : {}),
    ...(system.sensitivities.includes('params') ? { paramJacobian: new Float64Array(0) } : {}),
    status: [],
    stats: { trajectories: 0, steps: 0, rejected: 0, backend: 'webgpu', precision: 'f32', ms: 0 },
  };
}

/**
 * Integrates an ensemble on WebGPU in f32: trajectory i starts from row i of `options.y0` with row i of
 * `options.params` (or the model's defaults) and is integrated from t0 to t1 (backward when t1 < t0) by the
 * method, with the sensitivities the system was built with. Adaptive methods control the error of the states
 * (max norm, atol + rtol·|y|) and estimate the first step when dt is absent; fixed-step methods need dt.
 *
 * Each trajectory gets a status: 'ok', or why it stopped ('non-finite', 'step-size-underflow', 'max-steps',
 * 'stiff'), in which case its rows hold the state and sensitivities where it stopped. Tolerances below f32's
 * resolution (rtol ≲ 1e-6) end in 'step-size-underflow'. `stats.steps` sums the attempted (accepted and
 * rejected) steps over the trajectories, `stats.rejected` the rejected ones; `stats.ms` is the wall time of
 * the device work (uploads, kernel, read-back).
 *
 * Throws OptionError for bad options, WebGpuUnavailableError when there is no adapter.
 */
export async function solveEnsembleWebGpu(
  system: AugmentedSystem,
  method: Method,
  options: EnsembleOptions,
): Promise<EnsembleResult> {
  const run = prepare(system, method, options);
  const source = ensembleShader(system, method);
  if (run.count === 0) return emptyResult(system);
  return runEnsembleShader(await getContext(), {
    source,
    states: run.n,
    params: run.p,
    jacobian: system.phiOffset >= 0,
    paramJacobian: system.sensitivities.includes('params'),
    config: run.config,
    y0: run.y0,
    paramValues: run.params,
    paramDefaults: system.model.paramDefaults,
    batchLimit,
  });
}
