/**
 * Ensembles on WebGPU: one generated WGSL compute shader (src/codegen/wgsl) integrates every trajectory in
 * f32, one invocation each, with its own adaptive step size; this file validates the options, converts the
 * f64 inputs to f32 buffers, dispatches, and converts the results back to Float64Array.
 *
 * The GPU comes from `navigator.gpu` where there is one (a browser, Deno), and from the npm package `webgpu`
 * (Dawn) in Node — the same code after that. On a machine without a GPU, Mesa's CPU Vulkan driver (lavapipe)
 * gives Dawn an adapter: `eval "$(bash scripts/webgpu-env.sh)"` before starting Node.
 *
 * One device per process, created on first use; compute pipelines are cached per shader source.
 */
import { emitWgslModule, WGSL_BINDINGS, WGSL_CONFIG_BYTES, WGSL_ENTRY_POINT } from '../codegen/wgsl/module.ts';
import { OptionError } from '../errors.ts';
import { numericTableau } from '../methods/numeric.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../methods/types.ts';
import type { Model } from '../model/model.ts';
import type { AugmentedSystem } from '../variational/system.ts';
import { isMissingPackage, missingPackageMessage } from './optional-package.ts';
import { ENSEMBLE_STATUS, type EnsembleOptions, type EnsembleResult, type EnsembleStatus } from './types.ts';
import { dispatchGrid } from './webgpu-dispatch.ts';
import { WebGpuUnavailableError } from './webgpu-error.ts';

export { WebGpuUnavailableError };

// GPUBufferUsage, GPUMapMode and GPUShaderStage values (fixed by the WebGPU specification); Node has no such
// globals unless one installs them.
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_READ = 0x1;
const COMPUTE_STAGE = 0x4;

const F32_MAX = 3.4028234663852886e38;

export interface GpuContext {
  readonly device: GPUDevice;
  /** The adapter, in words (description / vendor / architecture). */
  readonly adapterName: string;
  readonly pipelineLayout: GPUPipelineLayout;
  readonly bindGroupLayout: GPUBindGroupLayout;
  /** Compute pipelines by shader source. */
  readonly pipelines: Map<string, Promise<GPUComputePipeline>>;
  readonly maxStorageBinding: number;
  readonly maxBufferSize: number;
  readonly maxWorkgroupsPerDimension: number;
}

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
  const gpu = await getGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('requestAdapter() found no adapter');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
  } catch (e) {
    throw new WebGpuUnavailableError(`requestDevice() failed (${String(e)})`);
  }
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: COMPUTE_STAGE,
    buffer: { type },
  });
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'odeforge ensemble',
    entries: [
      entry(WGSL_BINDINGS.config, 'uniform'),
      entry(WGSL_BINDINGS.y0, 'read-only-storage'),
      entry(WGSL_BINDINGS.params, 'read-only-storage'),
      entry(WGSL_BINDINGS.y, 'storage'),
      entry(WGSL_BINDINGS.jacobian, 'storage'),
      entry(WGSL_BINDINGS.paramJacobian, 'storage'),
      entry(WGSL_BINDINGS.status, 'storage'),
      entry(WGSL_BINDINGS.steps, 'storage'),
    ],
  });
  const info = adapter.info;
  const ctx: GpuContext = {
    device,
    adapterName: [info?.description, info?.vendor, info?.architecture].filter((x) => x).join(' / ') || 'unknown',
    bindGroupLayout,
    pipelineLayout: device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
    pipelines: new Map(),
    maxStorageBinding: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
  };
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

/** The shader's compilation messages, as one string. */
async function compilationErrors(module: GPUShaderModule): Promise<string[]> {
  const info = await module.getCompilationInfo();
  return info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos}: ${m.message}`);
}

async function createPipeline(ctx: GpuContext, source: string): Promise<GPUComputePipeline> {
  const { device } = ctx;
  // Each error scope is popped before anything is awaited, so that concurrent solves cannot swap scopes.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: 'odeforge ensemble', code: source });
  const scoped = device.popErrorScope();
  const errors = await compilationErrors(module);
  const error = await scoped;
  if (errors.length > 0 || error) {
    // Generated code that WGSL rejects is a bug in odeforge, not a user error.
    throw new Error(`internal: the generated WGSL does not compile:\n${errors.join('\n') || error?.message}`);
  }
  try {
    return await device.createComputePipelineAsync({
      label: 'odeforge ensemble',
      layout: ctx.pipelineLayout,
      compute: { module, entryPoint: WGSL_ENTRY_POINT },
    });
  } catch (e) {
    throw new Error(`internal: the ensemble pipeline could not be created: ${String(e)}`);
  }
}

function getPipeline(ctx: GpuContext, source: string): Promise<GPUComputePipeline> {
  let p = ctx.pipelines.get(source);
  if (p === undefined) {
    p = createPipeline(ctx, source);
    ctx.pipelines.set(source, p);
    p.catch(() => ctx.pipelines.delete(source));
  }
  return p;
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

/** [hi, lo]: hi = fround(v), lo = fround(v − hi); hi + lo holds v to about 48 bits. */
function twoWords(v: number): [number, number] {
  const hi = Math.fround(v);
  return [hi, Math.fround(v - hi)];
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

export interface ShaderSettings {
  readonly t0: number;
  readonly t1: number;
  readonly rtol: number;
  readonly atol: number;
  /** 0: estimate the first step (adaptive methods only). */
  readonly dt: number;
  readonly maxSteps: number;
}

/** The settings as the shader's uniform Config (fields in WGSL_CONFIG_FIELDS order); count is set per batch. */
export function packConfig(s: ShaderSettings, adaptive: boolean): ArrayBuffer {
  const config = new ArrayBuffer(WGSL_CONFIG_BYTES);
  const f = new Float32Array(config);
  const u = new Uint32Array(config);
  // at most 2^32 − 2, so that fixedStepPlan's maxSteps + 1 still fits a u32
  const maxSteps = Math.min(Math.ceil(s.maxSteps), 0xffff_fffe);
  [f[0], f[1]] = twoWords(s.t0);
  [f[2], f[3]] = twoWords(s.t1);
  f[4] = s.rtol;
  f[5] = s.atol;
  [f[6], f[7]] = s.dt === 0 ? [0, 0] : twoWords(s.dt);
  u[8] = maxSteps;
  u[9] = 0; // count
  f[10] = 1; // one
  if (!adaptive) {
    const plan = fixedStepPlan(s.t0, s.t1, s.dt, maxSteps);
    u[11] = plan.steps;
    f[12] = plan.lastStep;
  }
  return config;
}

/**
 * The steps a fixed-step run takes from t0 to t1 with step dt: steps of dt until the remainder is at most dt
 * (to a relative 1e-9), then one last step that lands on t1 — the TypeScript driver's rule (it counts
 * t_k = t0 + k·dt from t0 and takes the same max(1, ⌈span/dt − 1e-9⌉) steps). Capped at maxSteps + 1: the shader stops at
 * maxSteps with 'max-steps', as the driver does.
 */
export function fixedStepPlan(
  t0: number,
  t1: number,
  dt: number,
  maxSteps: number,
): { steps: number; lastStep: number } {
  const span = Math.abs(t1 - t0);
  if (span === 0) return { steps: 0, lastStep: 0 };
  const steps = Math.max(1, Math.ceil(span / dt - 1e-9));
  if (steps > maxSteps) return { steps: maxSteps + 1, lastStep: dt };
  return { steps, lastStep: span - (steps - 1) * dt };
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
  const ctx = await getContext();
  const pipeline = await getPipeline(ctx, source);

  const { count, n, p } = run;
  const hasPhi = system.phiOffset >= 0;
  const hasSens = system.sensOffset >= 0;
  const pa = Math.max(p, 1);
  const y = new Float64Array(count * n);
  const jacobian = hasPhi ? new Float64Array(count * n * n) : undefined;
  const paramJacobian = system.sensitivities.includes('params') ? new Float64Array(count * n * p) : undefined;
  const codes = new Uint32Array(count);
  let steps = 0;
  let rejected = 0;

  // Trajectories per dispatch: every buffer must fit the storage binding limit, the read-back buffer (all the
  // outputs) the buffer size limit.
  const widest = Math.max(n, pa, hasPhi ? n * n : 1, hasSens ? n * p : 1, 2);
  const outputWords = n + (hasPhi ? n * n : 0) + (hasSens ? n * p : 0) + 3;
  const batchSize = Math.max(
    1,
    Math.min(
      count,
      batchLimit,
      Math.floor(ctx.maxStorageBinding / (4 * widest)),
      Math.floor(ctx.maxBufferSize / (4 * outputWords)),
    ),
  );
  const defaults = Float64Array.from(system.model.paramDefaults);

  const started = performance.now();
  for (let first = 0; first < count; first += batchSize) {
    const b = Math.min(batchSize, count - first);
    const y0 = new Float32Array(n * b);
    const par = new Float32Array(pa * b);
    for (let i = 0; i < b; i++) {
      const row = first + i;
      for (let c = 0; c < n; c++) y0[c * b + i] = run.y0[row * n + c]!;
      for (let k = 0; k < p; k++) par[k * b + i] = run.params ? run.params[row * p + k]! : defaults[k]!;
    }
    const out = await dispatch(ctx, pipeline, run.config, b, y0, par, {
      y: n * b,
      jacobian: hasPhi ? n * n * b : 0,
      paramJacobian: hasSens ? n * p * b : 0,
    });
    for (let i = 0; i < b; i++) {
      const row = first + i;
      for (let c = 0; c < n; c++) y[row * n + c] = out.y[c * b + i]!;
      if (jacobian) for (let c = 0; c < n * n; c++) jacobian[row * n * n + c] = out.jacobian[c * b + i]!;
      if (paramJacobian && hasSens) {
        for (let c = 0; c < n * p; c++) paramJacobian[row * n * p + c] = out.paramJacobian[c * b + i]!;
      }
      codes[row] = out.status[i]!;
      // Attempts, as the other backends count them: accepted and rejected steps.
      steps += out.steps[i]! + out.steps[b + i]!;
      rejected += out.steps[b + i]!;
    }
  }
  const ms = performance.now() - started;

  const status: EnsembleStatus[] = Array.from(codes, (code) => {
    const s = ENSEMBLE_STATUS[code];
    if (s === undefined) throw new Error(`internal: the ensemble shader returned status ${code}`);
    return s;
  });
  return {
    y,
    ...(jacobian ? { jacobian } : {}),
    ...(paramJacobian ? { paramJacobian } : {}),
    status,
    stats: { trajectories: count, steps, rejected, backend: 'webgpu', precision: 'f32', ms },
  };
}

interface Outputs {
  readonly y: Float32Array;
  readonly jacobian: Float32Array;
  readonly paramJacobian: Float32Array;
  readonly status: Uint32Array;
  readonly steps: Uint32Array;
}

/** Uploads one batch, runs the shader over it and reads the outputs back (component-major). */
async function dispatch(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  configTemplate: ArrayBuffer,
  count: number,
  y0: Float32Array,
  params: Float32Array,
  lengths: { y: number; jacobian: number; paramJacobian: number },
): Promise<Outputs> {
  const { device } = ctx;
  const config = configTemplate.slice(0);
  new Uint32Array(config)[9] = count;
  // Outputs in this order (y, ∂y/∂y0, ∂y/∂p, status, steps), copied back into one read-back buffer.
  const sizes = [lengths.y, lengths.jacobian, lengths.paramJacobian, count, 2 * count].map((k) => 4 * k);
  const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
  const buffers: GPUBuffer[] = [];
  const make = (bytes: number, usage: number, label: string): GPUBuffer => {
    const buffer = device.createBuffer({ label: `odeforge ${label}`, size: Math.max(4, bytes), usage });
    buffers.push(buffer);
    return buffer;
  };
  try {
    // The error scope is popped before anything is awaited, so that concurrent solves cannot swap scopes.
    device.pushErrorScope('validation');
    let staging: GPUBuffer;
    let scoped: Promise<GPUError | null>;
    try {
      const inputs = [
        make(WGSL_CONFIG_BYTES, USAGE.UNIFORM | USAGE.COPY_DST, 'config'),
        make(y0.byteLength, USAGE.STORAGE | USAGE.COPY_DST, 'y0'),
        make(params.byteLength, USAGE.STORAGE | USAGE.COPY_DST, 'params'),
      ] as const;
      const outputs = sizes.map((bytes, k) => make(bytes, USAGE.STORAGE | USAGE.COPY_SRC, `output ${k}`));
      staging = make(offsets[4]! + sizes[4]!, USAGE.MAP_READ | USAGE.COPY_DST, 'read-back');
      device.queue.writeBuffer(inputs[0], 0, config);
      device.queue.writeBuffer(inputs[1], 0, y0);
      device.queue.writeBuffer(inputs[2], 0, params);
      const order = [
        WGSL_BINDINGS.y,
        WGSL_BINDINGS.jacobian,
        WGSL_BINDINGS.paramJacobian,
        WGSL_BINDINGS.status,
        WGSL_BINDINGS.steps,
      ];
      const bindGroup = device.createBindGroup({
        layout: ctx.bindGroupLayout,
        entries: [
          { binding: WGSL_BINDINGS.config, resource: { buffer: inputs[0] } },
          { binding: WGSL_BINDINGS.y0, resource: { buffer: inputs[1] } },
          { binding: WGSL_BINDINGS.params, resource: { buffer: inputs[2] } },
          ...outputs.map((buffer, k) => ({ binding: order[k]!, resource: { buffer } })),
        ],
      });
      const grid = dispatchGrid(count, ctx.maxWorkgroupsPerDimension);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(grid.x, grid.y);
      pass.end();
      sizes.forEach((bytes, k) => {
        if (bytes > 0) encoder.copyBufferToBuffer(outputs[k]!, 0, staging, offsets[k]!, bytes);
      });
      device.queue.submit([encoder.finish()]);
    } finally {
      scoped = device.popErrorScope();
    }
    const error = await scoped;
    if (error) throw new Error(`internal: WebGPU rejected the ensemble dispatch: ${error.message}`);

    await staging.mapAsync(MAP_READ);
    const data = staging.getMappedRange().slice(0);
    staging.unmap();
    const f32 = (k: number) => new Float32Array(data, offsets[k]!, sizes[k]! / 4);
    const u32 = (k: number) => new Uint32Array(data, offsets[k]!, sizes[k]! / 4);
    return { y: f32(0), jacobian: f32(1), paramJacobian: f32(2), status: u32(3), steps: u32(4) };
  } finally {
    for (const buffer of buffers) buffer.destroy();
  }
}
