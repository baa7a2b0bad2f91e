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
 * One device per process, created on first use; compute pipelines are cached per shader source, and each
 * runner (WebGpuRunner: one per compiled solver, or per model, method and sensitivities here) keeps its buffers.
 */
import { emitWgslModule } from '../codegen/wgsl/module.ts';
import { OptionError } from '../errors.ts';
import { numericTableau } from '../methods/numeric.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../methods/types.ts';
import type { Model } from '../model/model.ts';
import { checkOptionKeys, quoteValue } from '../options.ts';
import type { AugmentedSystem } from '../variational/system.ts';
import { isMissingPackage, missingPackageMessage } from './optional-package.ts';
import type { EnsembleOptions, EnsembleResult, WebGpuBackendOptions, WebGpuOutput } from './types.ts';
import { WebGpuUnavailableError } from './webgpu-error.ts';
import {
  checkF32Value,
  createGpuContext,
  EnsembleRunner,
  type EnsembleShape,
  type GpuContext,
  packConfig,
  toF32,
  unusableState,
  type WebGpuEnsembleResult,
  WebGpuState,
} from './webgpu-run.ts';

export type { WebGpuBackendOptions, WebGpuOutput } from './types.ts';
// The device side lives in webgpu-run.ts (no Node imports, so a web page can use it too); re-exported for the
// callers that have always found it here (bench/gpu, the tests).
export {
  fixedStepPlan,
  type GpuContext,
  MAP_READ,
  packConfig,
  type ShaderSettings,
  USAGE,
  type WebGpuEnsembleResult,
  WebGpuState,
} from './webgpu-run.ts';
export { WebGpuUnavailableError };

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

function nonNegative(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const v = checkF32Value(option, value);
  if (v < 0) throw new OptionError(option, `must be non-negative, got ${v}`);
  return v;
}

const WEBGPU_OPTION_KEYS = ['read', 'keep', 'y0'] as const;
const OUTPUTS: readonly WebGpuOutput[] = ['y', 'jacobian', 'paramJacobian'];

interface CheckedWebGpuOptions {
  readonly read: ReadonlySet<WebGpuOutput>;
  readonly keep: boolean;
  readonly from: WebGpuState | undefined;
}

/** The shape of a system's ensembles: what its shader reads and writes, and what a kept state of it holds. */
function shapeOf(system: AugmentedSystem): EnsembleShape {
  return {
    states: system.model.states.length,
    params: system.model.params.length,
    jacobian: system.phiOffset >= 0,
    paramJacobian: system.sensitivities.includes('params'),
  };
}

/** Checks `webgpu` options against the system's outputs and the ensemble's size. */
function checkWebGpuOptions(value: unknown, system: AugmentedSystem, count: number): CheckedWebGpuOptions {
  const o = checkOptionKeys(value, WEBGPU_OPTION_KEYS, 'webgpu', 'webgpu.') as {
    read?: unknown;
    keep?: unknown;
    y0?: unknown;
  };
  const has: Record<WebGpuOutput, boolean> = {
    y: true,
    jacobian: system.phiOffset >= 0,
    paramJacobian: system.sensitivities.includes('params'),
  };
  let read = new Set(OUTPUTS.filter((k) => has[k]));
  if (o.read !== undefined) {
    if (!Array.isArray(o.read)) {
      throw new OptionError(
        'webgpu.read',
        `expected an array of 'y', 'jacobian', 'paramJacobian', got ${quoteValue(o.read)}`,
      );
    }
    read = new Set();
    for (const k of o.read as unknown[]) {
      if (!OUTPUTS.includes(k as WebGpuOutput)) {
        throw new OptionError(
          'webgpu.read',
          `unknown output ${quoteValue(k)} (expected 'y', 'jacobian' or 'paramJacobian')`,
        );
      }
      const output = k as WebGpuOutput;
      if (read.has(output)) throw new OptionError('webgpu.read', `'${output}' is listed twice`);
      if (!has[output]) {
        const sens = output === 'jacobian' ? 'y0' : 'params';
        throw new OptionError(
          'webgpu.read',
          `'${output}' needs the '${sens}' sensitivities, which this solver does not compute`,
        );
      }
      read.add(output);
    }
  }
  if (o.keep !== undefined && typeof o.keep !== 'boolean') {
    throw new OptionError('webgpu.keep', `expected true or false, got ${quoteValue(o.keep)}`);
  }
  let from: WebGpuState | undefined;
  if (o.y0 !== undefined) {
    if (!(o.y0 instanceof WebGpuState)) {
      throw new OptionError(
        'webgpu.y0',
        `expected a WebGpuState (a result's \`state\` with keep: true), got ${quoteValue(o.y0)}`,
      );
    }
    from = o.y0;
    // Released, another shape, other sensitivities: refused before the call waits for the device (the runner
    // checks again, and that the state is on its device).
    const problem = unusableState(from, shapeOf(system), count);
    if (problem !== undefined) throw new OptionError('webgpu.y0', problem);
  }
  return { read, keep: o.keep === true, from };
}

interface Run {
  readonly count: number;
  readonly config: ArrayBuffer;
  readonly y0: Float64Array;
  readonly params: Float64Array | undefined;
  readonly device: CheckedWebGpuOptions;
}

/**
 * Checks the options as the TypeScript solver does, and packs the uniform. The values of y0 and params are
 * checked later, as they are rounded to f32 (toF32), still before the device is touched.
 */
function prepare(system: AugmentedSystem, method: Method, options: EnsembleOptions, webgpu: unknown): Run {
  if (typeof options !== 'object' || options === null) throw new OptionError('options', 'expected an object');
  const m = system.model;
  const n = m.states.length;
  const p = m.params.length;
  const t0 = checkF32Value('t0', options.t0);
  const t1 = checkF32Value('t1', options.t1);
  const y0 = options.y0;
  if (!(y0 instanceof Float64Array)) throw new OptionError('y0', `expected a Float64Array of N×${n} values`);
  if (y0.length % n !== 0) {
    throw new OptionError(
      'y0',
      `expected N×${n} values (${m.states.map((s) => s.name).join(', ')} per row), got ${y0.length}`,
    );
  }
  const count = y0.length / n;
  const params = options.params;
  if (params !== undefined) {
    if (!(params instanceof Float64Array)) throw new OptionError('params', `expected a Float64Array of N×${p} values`);
    if (params.length !== count * p) {
      throw new OptionError(
        'params',
        `expected ${count}×${p} values (one row per trajectory of y0), got ${params.length}`,
      );
    }
  } else {
    for (const [k, q] of m.params.entries()) checkF32Value(`params (the default of ${q.name})`, m.paramDefaults[k]);
  }
  const rtol = nonNegative('rtol', options.rtol, 1e-6);
  const atol = nonNegative('atol', options.atol, 1e-9);
  if (rtol === 0 && atol === 0) throw new OptionError('rtol', 'rtol and atol cannot both be zero');
  const maxSteps = options.maxSteps === undefined ? 1_000_000 : checkF32Value('maxSteps', options.maxSteps);
  if (maxSteps <= 0) throw new OptionError('maxSteps', `must be positive, got ${maxSteps}`);
  const adaptive = numericTableau(method).errorOrder > 0;
  let dt = 0;
  if (options.dt !== undefined) {
    dt = Math.abs(checkF32Value('dt', options.dt));
    if (dt === 0 || Math.fround(dt) === 0) throw new OptionError('dt', `must be positive, got ${options.dt}`);
  } else if (!adaptive) {
    throw new OptionError('dt', `a fixed-step integration with ${method.name} needs dt`);
  }
  const device = checkWebGpuOptions(webgpu, system, count);
  const config = packConfig({ t0, t1, rtol, atol, dt, maxSteps }, adaptive);
  return { count, config, y0, params, device };
}

function emptyResult(read: ReadonlySet<WebGpuOutput>): EnsembleResult {
  return {
    y: new Float64Array(0),
    ...(read.has('jacobian') ? { jacobian: new Float64Array(0) } : {}),
    ...(read.has('paramJacobian') ? { paramJacobian: new Float64Array(0) } : {}),
    status: [],
    stats: { trajectories: 0, steps: 0, rejected: 0, backend: 'webgpu', precision: 'f32', ms: 0 },
  };
}

/**
 * The WebGPU ensembles of one system and method: the shader emitted once, and on the device (created on first
 * use) its pipeline and buffers, kept from one call to the next (see EnsembleRunner). `compile()` gives each
 * solver one, created on its first 'webgpu' ensemble; solveEnsembleWebGpu keeps one per model, method and
 * sensitivities. Calls on one runner run one after the other.
 */
export class WebGpuRunner {
  readonly #system: AugmentedSystem;
  readonly #method: Method;
  readonly #core: EnsembleRunner;

  /** Emits the shader (a ModelError when a constant of the model has no f32 value); touches no device. */
  constructor(system: AugmentedSystem, method: Method) {
    this.#system = system;
    this.#method = method;
    this.#core = new EnsembleRunner(ensembleShader(system, method), shapeOf(system));
  }

  /** solveEnsembleWebGpu on this runner's system and method. */
  solve(options: EnsembleOptions, webgpu?: WebGpuBackendOptions): Promise<WebGpuEnsembleResult> {
    // Every option is checked before the call waits for an earlier one.
    let run: Run;
    try {
      run = prepare(this.#system, this.#method, options, webgpu);
    } catch (e) {
      return Promise.reject(e);
    }
    if (run.count === 0) return Promise.resolve(emptyResult(run.device.read));
    const core = this.#core;
    const defaults = this.#system.model.paramDefaults;
    return core.exclusive(async () => {
      // Rounded to f32 in bulk into the runner's own arrays (and checked: an OptionError names the entry).
      let y0: Float32Array | WebGpuState;
      if (run.device.from !== undefined) y0 = run.device.from;
      else {
        y0 = core.scratch(0, run.y0.length);
        toF32('y0', run.y0, y0);
      }
      let params: Float32Array | undefined;
      if (run.params !== undefined) {
        params = core.scratch(1, run.params.length);
        toF32('params', run.params, params);
      }
      return core.run(await getContext(), {
        config: run.config,
        count: run.count,
        y0,
        params,
        paramDefaults: defaults,
        batchLimit,
        read: run.device.read,
        keep: run.device.keep,
      });
    });
  }

  /** Frees this runner's device buffers now (they are made again by the next call). */
  release(): Promise<void> {
    return this.#core.exclusive(async () => this.#core.release());
  }
}

// Runners of solveEnsembleWebGpu by model, method and sensitivities, as the shaders (a caller such as the bench
// passes the same system call after call; compile() holds its own runner).
const runnerCache = new WeakMap<Model, Map<Method, Map<string, WebGpuRunner>>>();

function runnerFor(system: AugmentedSystem, method: Method): WebGpuRunner {
  let byMethod = runnerCache.get(system.model);
  if (byMethod === undefined) {
    byMethod = new Map();
    runnerCache.set(system.model, byMethod);
  }
  let bySens = byMethod.get(method);
  if (bySens === undefined) {
    bySens = new Map();
    byMethod.set(method, bySens);
  }
  const key = system.sensitivities.join(',');
  let runner = bySens.get(key);
  if (runner === undefined) {
    runner = new WebGpuRunner(system, method);
    bySens.set(key, runner);
  }
  return runner;
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
 * the device work (uploads, kernel, read-back). `webgpu` selects the outputs read back, keeps the final states and
 * sensitivities on the device, or starts from ones kept so and continues them (WebGpuBackendOptions).
 *
 * The device, the pipeline and the buffers are kept for the next call with the same model, method and
 * sensitivities. Throws OptionError for bad options, WebGpuUnavailableError when there is no adapter.
 */
export function solveEnsembleWebGpu(
  system: AugmentedSystem,
  method: Method,
  options: EnsembleOptions,
  webgpu?: WebGpuBackendOptions,
): Promise<WebGpuEnsembleResult> {
  let runner: WebGpuRunner;
  try {
    runner = runnerFor(system, method);
  } catch (e) {
    return Promise.reject(e);
  }
  return runner.solve(options, webgpu);
}
