/**
 * The device side of a WebGPU ensemble: a context (device, layouts, compiled pipelines) from any `GPU` object —
 * `navigator.gpu` in a web page, the npm package `webgpu` (Dawn) in Node — and one run of a generated shader over
 * packed inputs. Nothing here needs Node or the code generator (which reads its template with node:fs), so a page
 * that only has a shader's source, from a server or a build step, runs it with this same code (the playground
 * does). webgpu.ts adds the process-wide device, option checking and the shader cache on top.
 */
import { ENSEMBLE_STATUS } from '../runtime/status.ts';
import type { EnsembleResult, EnsembleStatus } from './types.ts';
import { dispatchGrid, SHADER_ABI } from './webgpu-dispatch.ts';
import { WebGpuUnavailableError } from './webgpu-error.ts';

// GPUBufferUsage, GPUMapMode and GPUShaderStage values (fixed by the WebGPU specification); Node has no such
// globals unless one installs them.
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_READ = 0x1;
const COMPUTE_STAGE = 0x4;

const BINDINGS = SHADER_ABI.bindings;

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

/**
 * An adapter and a device of `gpu` with the layouts every ensemble shader uses. Throws WebGpuUnavailableError
 * when there is no adapter or the device cannot be created.
 */
export async function createGpuContext(gpu: GPU): Promise<GpuContext> {
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
      entry(BINDINGS.config, 'uniform'),
      entry(BINDINGS.y0, 'read-only-storage'),
      entry(BINDINGS.params, 'read-only-storage'),
      entry(BINDINGS.y, 'storage'),
      entry(BINDINGS.jacobian, 'storage'),
      entry(BINDINGS.paramJacobian, 'storage'),
      entry(BINDINGS.status, 'storage'),
      entry(BINDINGS.steps, 'storage'),
    ],
  });
  const info = adapter.info;
  return {
    device,
    adapterName: [info?.description, info?.vendor, info?.architecture].filter((x) => x).join(' / ') || 'unknown',
    bindGroupLayout,
    pipelineLayout: device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
    pipelines: new Map(),
    maxStorageBinding: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
  };
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
      compute: { module, entryPoint: SHADER_ABI.entryPoint },
    });
  } catch (e) {
    throw new Error(`internal: the ensemble pipeline could not be created: ${String(e)}`);
  }
}

/** The compute pipeline of a shader source on this context (compiled once, then cached). */
export function getPipeline(ctx: GpuContext, source: string): Promise<GPUComputePipeline> {
  let p = ctx.pipelines.get(source);
  if (p === undefined) {
    p = createPipeline(ctx, source);
    ctx.pipelines.set(source, p);
    p.catch(() => ctx.pipelines.delete(source));
  }
  return p;
}

/** [hi, lo]: hi = fround(v), lo = fround(v − hi); hi + lo holds v to about 48 bits. */
function twoWords(v: number): [number, number] {
  const hi = Math.fround(v);
  return [hi, Math.fround(v - hi)];
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
  const config = new ArrayBuffer(SHADER_ABI.configBytes);
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

/** One ensemble for a generated shader: its source, its shape, and the inputs (checked by the caller). */
export interface ShaderJob {
  /** The WGSL (generate(model, { target: 'wgsl' }), or ensembleShader in webgpu.ts). */
  readonly source: string;
  /** States n and parameters p of the model. */
  readonly states: number;
  readonly params: number;
  /** Whether the shader integrates Φ = ∂y/∂y0 (sensitivities include 'y0'). */
  readonly jacobian: boolean;
  /** Whether the result has ∂y/∂p (sensitivities include 'params'; empty rows when the model has none). */
  readonly paramJacobian: boolean;
  /** The uniform, from packConfig. */
  readonly config: ArrayBuffer;
  /** count × n initial states, row-major (f64; rounded to f32 on upload). */
  readonly y0: Float64Array;
  /** count × p parameters, row-major; when absent, every trajectory takes paramDefaults. */
  readonly paramValues?: Float64Array | undefined;
  readonly paramDefaults: ArrayLike<number>;
  /** At most this many trajectories per dispatch (default: as many as the device's buffer limits allow). */
  readonly batchLimit?: number;
}

/**
 * Runs a generated shader over every trajectory of the job (in batches that fit the device's limits) and
 * returns the outputs as an ensemble result, row-major f64. `stats.ms` is the wall time of the device work
 * (uploads, kernel, read-back), after the pipeline is compiled.
 */
export async function runEnsembleShader(ctx: GpuContext, job: ShaderJob): Promise<EnsembleResult> {
  const pipeline = await getPipeline(ctx, job.source);
  const n = job.states;
  const p = job.params;
  const count = job.y0.length / n;
  const hasPhi = job.jacobian;
  const hasSens = job.paramJacobian && p > 0;
  const pa = Math.max(p, 1);
  const y = new Float64Array(count * n);
  const jacobian = hasPhi ? new Float64Array(count * n * n) : undefined;
  const paramJacobian = job.paramJacobian ? new Float64Array(count * n * p) : undefined;
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
      job.batchLimit ?? Number.POSITIVE_INFINITY,
      Math.floor(ctx.maxStorageBinding / (4 * widest)),
      Math.floor(ctx.maxBufferSize / (4 * outputWords)),
    ),
  );

  const started = performance.now();
  for (let first = 0; first < count; first += batchSize) {
    const b = Math.min(batchSize, count - first);
    const y0 = new Float32Array(n * b);
    const par = new Float32Array(pa * b);
    for (let i = 0; i < b; i++) {
      const row = first + i;
      for (let c = 0; c < n; c++) y0[c * b + i] = job.y0[row * n + c]!;
      for (let k = 0; k < p; k++)
        par[k * b + i] = job.paramValues ? job.paramValues[row * p + k]! : job.paramDefaults[k]!;
    }
    const out = await dispatch(ctx, pipeline, job.config, b, y0, par, {
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
        make(SHADER_ABI.configBytes, USAGE.UNIFORM | USAGE.COPY_DST, 'config'),
        make(y0.byteLength, USAGE.STORAGE | USAGE.COPY_DST, 'y0'),
        make(params.byteLength, USAGE.STORAGE | USAGE.COPY_DST, 'params'),
      ] as const;
      const outputs = sizes.map((bytes, k) => make(bytes, USAGE.STORAGE | USAGE.COPY_SRC, `output ${k}`));
      staging = make(offsets[4]! + sizes[4]!, USAGE.MAP_READ | USAGE.COPY_DST, 'read-back');
      device.queue.writeBuffer(inputs[0], 0, config);
      device.queue.writeBuffer(inputs[1], 0, y0);
      device.queue.writeBuffer(inputs[2], 0, params);
      const order = [BINDINGS.y, BINDINGS.jacobian, BINDINGS.paramJacobian, BINDINGS.status, BINDINGS.steps];
      const bindGroup = device.createBindGroup({
        layout: ctx.bindGroupLayout,
        entries: [
          { binding: BINDINGS.config, resource: { buffer: inputs[0] } },
          { binding: BINDINGS.y0, resource: { buffer: inputs[1] } },
          { binding: BINDINGS.params, resource: { buffer: inputs[2] } },
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
