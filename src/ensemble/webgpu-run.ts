/**
 * The device side of a WebGPU ensemble: a context (device, layouts, compiled pipelines) from any `GPU` object —
 * `navigator.gpu` in a web page, the npm package `webgpu` (Dawn) in Node — and one run of a generated shader over
 * packed inputs, by an EnsembleRunner that keeps the pipeline and buffers for the next run. Nothing here needs
 * Node or the code generator (which reads its template with node:fs), so a page that only has a shader's source,
 * from a server or a build step, runs it with this same code (the playground does). webgpu.ts adds the
 * process-wide device, option checking and the shader cache on top.
 */
import { OptionError } from '../errors.ts';
import { ENSEMBLE_STATUS } from '../runtime/status.ts';
import type { EnsembleResult, EnsembleStatus, WebGpuDeviceState, WebGpuOutput } from './types.ts';
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

/**
 * The settings as the shader's uniform Config (fields in WGSL_CONFIG_FIELDS order); count is set per batch, and
 * resume (0 here: Φ = I and S = 0 at t0) per run.
 */
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
  u[13] = 0; // resume
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

// ─── The runner: device objects and buffers kept from one call to the next ───────────────────────────────

const F32_MAX = 3.4028234663852886e38;

/** `value`, if f32 can hold it (it may round, and tiny values may become 0); else an OptionError. */
export function checkF32Value(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(option, `must be a finite number, got ${String(value)}`);
  }
  if (Math.abs(value) > F32_MAX) {
    throw new OptionError(option, `${value} is beyond the range of f32 (±3.4028235e38), which WebGPU computes in`);
  }
  return value;
}

/**
 * Rounds `values` to f32 into `into` (same length) in one native conversion, then refuses what f32 cannot hold
 * with checkF32Value's OptionError naming `option[k]`. The scan looks at the f32 copy: NaN, and a finite value
 * past f32's range (which became ±Infinity or ±F32_MAX), fail `|v| < F32_MAX`; only those few are looked at
 * again in f64, so that F32_MAX itself and values that round down to it are still accepted.
 */
export function toF32(option: string, values: Float64Array, into: Float32Array): void {
  into.set(values);
  for (let k = 0; k < into.length; k++) {
    const v = into[k]!;
    if (!(v < F32_MAX && v > -F32_MAX)) checkF32Value(`${option}[${k}]`, values[k]);
  }
}

/** Outputs of an ensemble that a call can copy back to the host. */
export type { WebGpuOutput } from './types.ts';

/**
 * What a kept state holds besides its shape: kept out of the class so that its declarations name no GPU type.
 * Each array row-major (a batch-independent layout: a later call may batch differently), in a buffer of its own
 * (each then only has to fit the device's buffer size limit): count × n states, count × n·n Φ when the shape has
 * the Jacobian, count × n·p S when it has parameter sensitivities (and p > 0).
 */
interface KeptBuffers {
  readonly device: GPUDevice;
  readonly shape: EnsembleShape;
  readonly y: GPUBuffer;
  readonly jacobian: GPUBuffer | undefined;
  readonly paramJacobian: GPUBuffer | undefined;
}
const kept = new WeakMap<WebGpuState, KeptBuffers>();

/**
 * The final values of an ensemble kept on the GPU (`webgpu: { keep: true }`): the states and, when the solver
 * computes them, the sensitivities Φ = ∂y/∂y0 and S = ∂y/∂p, in buffers of the device that computed them. A later
 * WebGPU ensemble on the same device, by a solver with as many states and the same sensitivities, can start from
 * it (`webgpu: { y0: state }`) without the host copy and upload, and continues the sensitivities too: its
 * Jacobians are those of the whole integration from the original y0 (Φ(t2, t0) = Φ(t2, t1)·Φ(t1, t0), S
 * likewise), as the 'cuda' backend's resumeOnDevice.
 *
 * A call that starts from a state only reads it: the state stays as it was, and may start other calls. A call
 * that keeps gets a new state with buffers of its own, never those of the state it started from. Each holds
 * device memory until release() — or until it is garbage-collected or the device is lost.
 */
export class WebGpuState implements WebGpuDeviceState {
  /** Made by the runner only (one made otherwise holds nothing and counts as released). */
  constructor(
    /** The number of trajectories (rows). */
    readonly count: number,
    /** The number of states per trajectory (columns). */
    readonly states: number,
    /** The sensitivities it holds: 'y0' (Φ) and 'params' (S), those of the solver that kept it. */
    readonly sensitivities: readonly ('y0' | 'params')[] = [],
  ) {}
  /** Whether release() was called (the state can no longer be used). */
  get released(): boolean {
    return !kept.has(this);
  }
  /**
   * Frees the device memory now (states and sensitivities); later uses are OptionErrors. Calling it again does
   * nothing.
   */
  release(): void {
    const k = kept.get(this);
    kept.delete(this);
    k?.y.destroy();
    k?.jacobian?.destroy();
    k?.paramJacobian?.destroy();
  }
}

/** The sensitivities of a shape, as WebGpuState lists them. */
function sensitivitiesOf(shape: EnsembleShape): ('y0' | 'params')[] {
  return [...(shape.jacobian ? (['y0'] as const) : []), ...(shape.paramJacobian ? (['params'] as const) : [])];
}

/**
 * Why `state` cannot start a run of `count` trajectories of a shader of `shape` (the text of an OptionError on
 * 'webgpu.y0'), or undefined when it can (on this device or not: the runner checks that). The sensitivities must
 * be the same: the run continues Φ and S from the state, and a shader without them would drop them, one with
 * more would have nothing to start from.
 */
export function unusableState(state: WebGpuState, shape: EnsembleShape, count: number): string | undefined {
  const k = kept.get(state);
  if (k === undefined) return 'this state was released';
  if (state.states !== shape.states) return `this state has ${state.states} states per row, the model ${shape.states}`;
  if (state.count !== count) return `this state has ${state.count} rows, y0 ${count}`;
  if (k.shape.jacobian !== shape.jacobian || k.shape.paramJacobian !== shape.paramJacobian) {
    const list = (s: EnsembleShape) =>
      sensitivitiesOf(s)
        .map((x) => `'${x}'`)
        .join(', ') || 'none';
    return (
      `this state holds the sensitivities of a solver compiled for ${list(k.shape)}, this solver computes ` +
      `${list(shape)}: a call that starts from a state continues its sensitivities, so they must be the same`
    );
  }
  if (shape.paramJacobian && k.shape.params !== shape.params) {
    return `this state holds ∂y/∂p for ${k.shape.params} parameters, the model has ${shape.params}`;
  }
  return undefined;
}

/** A result of the WebGPU backend: with `keep`, the final states stay on the device as `state`. */
export interface WebGpuEnsembleResult extends EnsembleResult {
  readonly state?: WebGpuState;
}

/** The shape of a generated shader's ensemble. */
export interface EnsembleShape {
  /** States n and parameters p of the model. */
  readonly states: number;
  readonly params: number;
  /** Whether the shader integrates Φ = ∂y/∂y0 (sensitivities include 'y0'). */
  readonly jacobian: boolean;
  /** Whether the result has ∂y/∂p (sensitivities include 'params'; empty rows when the model has none). */
  readonly paramJacobian: boolean;
}

/** One call of a runner: the inputs already in f32 and checked (toF32), the outputs wanted. */
export interface RunRequest {
  /** The uniform, from packConfig (its count is set per batch). */
  readonly config: ArrayBuffer;
  readonly count: number;
  /**
   * count × n initial states, row-major; or a kept state of count rows on this device (unusableState says
   * nothing against it), whose Φ and S, when the shape has them, are the initial ones too.
   */
  readonly y0: Float32Array | WebGpuState;
  /** count × p parameters, row-major; absent: every trajectory takes paramDefaults. */
  readonly params?: Float32Array | undefined;
  readonly paramDefaults: ArrayLike<number>;
  /** At most this many trajectories per dispatch (default: as many as the device's buffer limits allow). */
  readonly batchLimit?: number | undefined;
  /** The outputs copied back (default: all the shape has). */
  readonly read?: ReadonlySet<WebGpuOutput> | undefined;
  /** Whether the final states (and Φ and S, when the shape has them) stay on the device as the result's `state`. */
  readonly keep?: boolean | undefined;
}

/**
 * Moves a row-major rows × cols block of 32-bit words to cols × rows (one word per invocation; the block sits
 * at word src_offset of src and goes to word dst_offset of dst). The ensemble shader reads and writes its arrays
 * component-major (component c of trajectory i at c·count + i, so that neighbouring invocations touch
 * neighbouring words), the results are row-major: this pass turns one into the other on the GPU, so that the
 * host only converts between f64 and f32 in bulk. Words, not f32, so that every bit pattern moves unchanged.
 */
const TRANSPOSE_WGSL = `
struct Dims { rows: u32, cols: u32, src_offset: u32, dst_offset: u32, x_stride: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@compute @workgroup_size(${SHADER_ABI.workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x + gid.y * dims.x_stride;
  if (k >= dims.rows * dims.cols) { return; }
  let r = k / dims.cols;
  let c = k - r * dims.cols;
  dst[dims.dst_offset + c * dims.rows + r] = src[dims.src_offset + k];
}
`;
/** Bytes of Dims as a uniform binding (5 words, rounded up to WGSL's 16-byte struct alignment). */
const DIMS_BYTES = 32;
/** Transposes per batch at most: y0, params, and from a kept state Φ and S, in; y, ∂y/∂y0 and ∂y/∂p out. */
const TRANSPOSE_SLOTS = 7;

interface TransposeKit {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

// One transpose pipeline per device, shared by every runner on it.
const transposeKits = new WeakMap<GpuContext, Promise<TransposeKit>>();

function transposeKit(ctx: GpuContext): Promise<TransposeKit> {
  let kit = transposeKits.get(ctx);
  if (kit === undefined) {
    const { device } = ctx;
    const layout = device.createBindGroupLayout({
      label: 'odeforge transpose',
      entries: [
        { binding: 0, visibility: COMPUTE_STAGE, buffer: { type: 'uniform' } },
        { binding: 1, visibility: COMPUTE_STAGE, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: COMPUTE_STAGE, buffer: { type: 'storage' } },
      ],
    });
    kit = device
      .createComputePipelineAsync({
        label: 'odeforge transpose',
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ code: TRANSPOSE_WGSL }), entryPoint: 'main' },
      })
      .then((pipeline) => ({ pipeline, layout }));
    transposeKits.set(ctx, kit);
    kit.catch(() => transposeKits.delete(ctx));
  }
  return kit;
}

/** Where one batch's arrays sit in the runner's buffers (byte offsets; regions aligned for binding). */
interface Layout {
  /** inRows: the row-major uploads (y0, params). */
  readonly y0Rows: number;
  readonly paramRows: number;
  readonly inRowsBytes: number;
  /** inCols: the shader's component-major inputs. */
  readonly y0Cols: number;
  readonly paramCols: number;
  readonly inColsBytes: number;
  /** work: the shader's component-major outputs. */
  readonly yCols: number;
  readonly jacCols: number;
  readonly pjacCols: number;
  readonly workBytes: number;
  /** out (and its read-back copy): status, steps, then the row-major y, ∂y/∂y0, ∂y/∂p. */
  readonly status: number;
  readonly steps: number;
  readonly yRows: number;
  readonly jacRows: number;
  readonly pjacRows: number;
  readonly outBytes: number;
}

/** Byte sizes of one batch's arrays. */
function arrayBytes(shape: EnsembleShape, b: number) {
  const n = shape.states;
  const p = shape.params;
  return {
    y: 4 * n * b,
    params: 4 * Math.max(p, 1) * b,
    paramRows: 4 * p * b,
    jac: shape.jacobian ? 4 * n * n * b : 0,
    pjac: shape.paramJacobian && p > 0 ? 4 * n * p * b : 0,
    status: 4 * b,
    steps: 8 * b,
  };
}

function layoutOf(shape: EnsembleShape, b: number, align: number): Layout {
  const s = arrayBytes(shape, b);
  // Consecutive regions, each starting at a multiple of `align` and at least 4 bytes (a binding cannot be empty).
  const regions = (...sizes: number[]): number[] => {
    const at: number[] = [];
    let end = 0;
    for (const size of sizes) {
      const start = Math.ceil(end / align) * align;
      at.push(start);
      end = start + Math.max(4, size);
    }
    at.push(end);
    return at;
  };
  const [y0Rows, paramRows, inRowsBytes] = regions(s.y, s.paramRows) as [number, number, number];
  const [y0Cols, paramCols, inColsBytes] = regions(s.y, s.params) as [number, number, number];
  const [yCols, jacCols, pjacCols, workBytes] = regions(s.y, s.jac, s.pjac) as [number, number, number, number];
  const [status, steps, yRows, jacRows, pjacRows, outBytes] = regions(s.status, s.steps, s.y, s.jac, s.pjac) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    y0Rows,
    paramRows,
    inRowsBytes,
    y0Cols,
    paramCols,
    inColsBytes,
    yCols,
    jacCols,
    pjacCols,
    workBytes,
    status,
    steps,
    yRows,
    jacRows,
    pjacRows,
    outBytes,
  };
}

type BufferName = 'config' | 'dims' | 'inRows' | 'inCols' | 'work' | 'out' | 'staging';

const BUFFER_USAGE: Record<BufferName, number> = {
  config: USAGE.UNIFORM | USAGE.COPY_DST,
  dims: USAGE.UNIFORM | USAGE.COPY_DST,
  inRows: USAGE.STORAGE | USAGE.COPY_DST,
  inCols: USAGE.STORAGE | USAGE.COPY_DST,
  work: USAGE.STORAGE,
  out: USAGE.STORAGE | USAGE.COPY_SRC,
  staging: USAGE.MAP_READ | USAGE.COPY_DST,
};

/**
 * Runs one generated shader, call after call, on buffers it keeps: the first call (and a device that changed)
 * creates the pipeline and the buffers, a later call reuses them, and one that needs more replaces a buffer by a
 * larger one (never a smaller one: a smaller ensemble uses the front of each). Per batch of trajectories: one
 * writeBuffer per input (row-major f32, as converted in bulk by toF32), one command buffer (transposes to the
 * shader's component-major layout, the shader, transposes back to row-major, one copy into the read-back
 * buffer) and one mapAsync, after which the host converts each output to f64 in one native conversion.
 * A run that starts from a kept state transposes its arrays in instead of the y0 upload (Φ and S straight into
 * the shader's own output regions, which it reads first when Config.resume is 1); a run that keeps copies the
 * row-major outputs into the new state's buffers.
 *
 * Calls are run one at a time (`exclusive`): they share the buffers.
 */
export class EnsembleRunner {
  readonly #source: string;
  readonly #shape: EnsembleShape;
  #ctx: GpuContext | undefined;
  #pipeline: GPUComputePipeline | undefined;
  #kit: TransposeKit | undefined;
  readonly #buffers = new Map<BufferName, GPUBuffer>();
  /** The inCols buffer and batch size whose params region holds the defaults (no upload needed again). */
  #defaultsIn: { buffer: GPUBuffer; b: number } | undefined;
  readonly #scratch: (Float32Array | undefined)[] = [];
  #tail: Promise<unknown> = Promise.resolve();

  constructor(source: string, shape: EnsembleShape) {
    this.#source = source;
    this.#shape = shape;
  }

  /** Runs `work` after every earlier one has settled (a failure does not block the next). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.catch(() => {});
    return result;
  }

  /**
   * A Float32Array of `length` kept for host-side conversions (slot 0: y0, 1: params, 2: the runner's default parameters), grown when needed:
   * valid until the next call that asks for the same slot (within `exclusive`).
   */
  scratch(slot: 0 | 1 | 2, length: number): Float32Array {
    let a = this.#scratch[slot];
    if (a === undefined || a.length < length) {
      a = new Float32Array(length);
      this.#scratch[slot] = a;
    }
    return a.subarray(0, length);
  }

  /** Destroys the buffers (the pipeline goes with its device); the next run creates them again. */
  release(): void {
    for (const buffer of this.#buffers.values()) buffer.destroy();
    this.#buffers.clear();
    this.#defaultsIn = undefined;
  }

  /** A buffer of at least `bytes`, reused when the one there is large enough. */
  #buffer(name: BufferName, bytes: number): GPUBuffer {
    const have = this.#buffers.get(name);
    if (have !== undefined && have.size >= bytes) return have;
    have?.destroy();
    const buffer = this.#ctx!.device.createBuffer({
      label: `odeforge ${name}`,
      size: Math.max(256, Math.ceil(bytes / 256) * 256),
      usage: BUFFER_USAGE[name],
    });
    this.#buffers.set(name, buffer);
    return buffer;
  }

  /** Runs every trajectory of the request (call within `exclusive`). */
  async run(ctx: GpuContext, job: RunRequest): Promise<WebGpuEnsembleResult> {
    if (this.#ctx !== ctx) {
      // A new device (the first call, or the old one was lost): nothing of the old one can be used.
      this.release();
      this.#ctx = ctx;
      this.#pipeline = undefined;
      this.#kit = undefined;
    }
    this.#pipeline ??= await getPipeline(ctx, this.#source);
    this.#kit ??= await transposeKit(ctx);
    const { device } = ctx;
    const shape = this.#shape;
    const n = shape.states;
    const p = shape.params;
    const count = job.count;
    const hasSens = shape.paramJacobian && p > 0;
    const read = job.read ?? new Set<WebGpuOutput>(['y', 'jacobian', 'paramJacobian']);
    const readY = read.has('y');
    const readJac = shape.jacobian && read.has('jacobian');
    const readPjac = shape.paramJacobian && read.has('paramJacobian');
    const from = job.y0 instanceof WebGpuState ? job.y0 : undefined;
    let fromBuffers: KeptBuffers | undefined;
    if (from !== undefined) {
      const problem = unusableState(from, shape, count);
      if (problem !== undefined) throw new OptionError('webgpu.y0', problem);
      fromBuffers = kept.get(from)!;
      if (fromBuffers.device !== device) {
        throw new OptionError('webgpu.y0', 'this state is on a WebGPU device that has since been lost or released');
      }
    }
    if (job.keep) {
      const sizes: [string, number][] = [['final states', 4 * n * count]];
      if (shape.jacobian) sizes.push(['∂y/∂y0', 4 * n * n * count]);
      if (hasSens) sizes.push(['∂y/∂p', 4 * n * p * count]);
      for (const [what, bytes] of sizes) {
        if (bytes > ctx.maxBufferSize) {
          throw new OptionError(
            'webgpu.keep',
            `the ${what} of ${count} trajectories (${bytes} bytes) exceed this device's buffer size limit (${ctx.maxBufferSize})`,
          );
        }
      }
    }

    // Trajectories per dispatch: each buffer is bound whole (by the transposes) and must fit the storage binding
    // limit, the read-back buffer the buffer size limit; `align` covers each region's padding.
    const align = Math.max(256, device.limits.minStorageBufferOffsetAlignment);
    const one = layoutOf(shape, 1, 4);
    const perTrajectory = Math.max(one.inRowsBytes, one.inColsBytes, one.workBytes, one.outBytes);
    const room = Math.min(ctx.maxStorageBinding, ctx.maxBufferSize) - 6 * align;
    const batchSize = Math.max(
      1,
      Math.min(count, job.batchLimit ?? Number.POSITIVE_INFINITY, Math.floor(room / perTrajectory)),
    );
    const most = layoutOf(shape, batchSize, align);

    const y = readY ? new Float64Array(count * n) : undefined;
    const jacobian = readJac ? new Float64Array(count * n * n) : undefined;
    const paramJacobian = readPjac ? new Float64Array(count * n * p) : undefined;
    const status: EnsembleStatus[] = new Array<EnsembleStatus>(count).fill('ok');
    let steps = 0;
    let rejected = 0;
    let state: WebGpuState | undefined;
    const uniformAlign = Math.max(DIMS_BYTES, device.limits.minUniformBufferOffsetAlignment);

    const started = performance.now();
    try {
      for (let first = 0; first < count; first += batchSize) {
        // A batch's commands are encoded and submitted without a pause (a state released after that is freed
        // once they are done), but the caller may release the state between two batches.
        if (from?.released) {
          throw new OptionError('webgpu.y0', 'this state was released while the call that started from it ran');
        }
        const b = Math.min(batchSize, count - first);
        const at = layoutOf(shape, b, align);
        // The error scope is popped before anything is awaited, so that concurrent solves cannot swap scopes.
        device.pushErrorScope('validation');
        let scoped: Promise<GPUError | null>;
        let readBytes: number;
        let staging: GPUBuffer;
        try {
          const buf = {
            config: this.#buffer('config', SHADER_ABI.configBytes),
            dims: this.#buffer('dims', TRANSPOSE_SLOTS * uniformAlign),
            inRows: this.#buffer('inRows', most.inRowsBytes),
            inCols: this.#buffer('inCols', most.inColsBytes),
            work: this.#buffer('work', most.workBytes),
            out: this.#buffer('out', most.outBytes),
          };
          if (job.keep && first === 0) {
            // New buffers, whatever the run started from: the state it returns shares nothing with another.
            const keptBuffer = (what: string, bytes: number) =>
              device.createBuffer({
                label: `odeforge kept ${what}`,
                size: Math.max(4, bytes),
                usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
              });
            state = new WebGpuState(count, n, sensitivitiesOf(shape));
            kept.set(state, {
              device,
              shape,
              y: keptBuffer('state', 4 * n * count),
              jacobian: shape.jacobian ? keptBuffer('∂y/∂y0', 4 * n * n * count) : undefined,
              paramJacobian: hasSens ? keptBuffer('∂y/∂p', 4 * n * p * count) : undefined,
            });
          }
          const config = job.config.slice(0);
          const words = new Uint32Array(config);
          words[SHADER_ABI.configWords.count] = b;
          // Resuming, the shader reads the initial Φ and S from its jacobian and paramJacobian bindings, which the
          // transposes below fill from the state; otherwise it starts them at I and 0.
          words[SHADER_ABI.configWords.resume] = from === undefined ? 0 : 1;
          device.queue.writeBuffer(buf.config, 0, config);

          // Transposes, each from a row-major rows × cols block of `src` (bound from byte `at`, word offset
          // `offset` within the binding) to `dst` at word `dstOffset`.
          interface Move {
            rows: number;
            cols: number;
            src: GPUBuffer;
            at?: number;
            offset: number;
            dst: GPUBuffer;
            dstOffset: number;
          }
          const moves: Move[] = [];
          if (from === undefined) {
            device.queue.writeBuffer(buf.inRows, at.y0Rows, job.y0 as Float32Array, first * n, b * n);
            moves.push({
              rows: b,
              cols: n,
              src: buf.inRows,
              offset: at.y0Rows / 4,
              dst: buf.inCols,
              dstOffset: at.y0Cols / 4,
            });
          } else {
            // The kept arrays hold all rows: each bound from this batch's first row (rounded down to the binding
            // alignment), so that no binding outgrows the storage binding limit.
            const fromKept = (src: GPUBuffer, cols: number, dst: GPUBuffer, dstOffset: number) => {
              const start = 4 * first * cols;
              const base = Math.floor(start / align) * align;
              moves.push({ rows: b, cols, src, at: base, offset: (start - base) / 4, dst, dstOffset: dstOffset / 4 });
            };
            fromKept(fromBuffers!.y, n, buf.inCols, at.y0Cols);
            // Φ and S go straight to where the shader writes its own (and, with resume = 1, reads them first).
            if (shape.jacobian) fromKept(fromBuffers!.jacobian!, n * n, buf.work, at.jacCols);
            if (hasSens) fromKept(fromBuffers!.paramJacobian!, n * p, buf.work, at.pjacCols);
          }
          if (job.params !== undefined && p > 0) {
            device.queue.writeBuffer(buf.inRows, at.paramRows, job.params, first * p, b * p);
            moves.push({
              rows: b,
              cols: p,
              src: buf.inRows,
              offset: at.paramRows / 4,
              dst: buf.inCols,
              dstOffset: at.paramCols / 4,
            });
            this.#defaultsIn = undefined;
          } else if (this.#defaultsIn?.buffer !== buf.inCols || this.#defaultsIn.b !== b) {
            // Every trajectory takes the defaults (one row of zeros without parameters): component-major
            // already, and the same from one call to the next, so written only when the layout changed.
            const defaults = this.scratch(2, Math.max(p, 1) * b);
            defaults.fill(0);
            for (let k = 0; k < p; k++) defaults.fill(job.paramDefaults[k]!, k * b, (k + 1) * b);
            device.queue.writeBuffer(buf.inCols, at.paramCols, defaults);
            this.#defaultsIn = { buffer: buf.inCols, b };
          }
          const before = moves.length;
          const out = (rows: number, from: number, to: number) =>
            moves.push({ rows, cols: b, src: buf.work, offset: from / 4, dst: buf.out, dstOffset: to / 4 });
          // What is kept is transposed too, whether it is read back or not: the state's arrays are row-major.
          if (readY || job.keep) out(n, at.yCols, at.yRows);
          if (readJac || (job.keep && shape.jacobian)) out(n * n, at.jacCols, at.jacRows);
          if ((readPjac || job.keep) && hasSens) out(n * p, at.pjacCols, at.pjacRows);

          const dims = new ArrayBuffer(TRANSPOSE_SLOTS * uniformAlign);
          const transposes = moves.map((m, slot) => {
            const grid = dispatchGrid(m.rows * m.cols, ctx.maxWorkgroupsPerDimension);
            new Uint32Array(dims, slot * uniformAlign, 5).set([
              m.rows,
              m.cols,
              m.offset,
              m.dstOffset,
              grid.x * SHADER_ABI.workgroupSize,
            ]);
            const src =
              m.at === undefined
                ? { buffer: m.src }
                : { buffer: m.src, offset: m.at, size: Math.min(m.src.size - m.at, 4 * (m.offset + m.rows * m.cols)) };
            const group = device.createBindGroup({
              layout: this.#kit!.layout,
              entries: [
                { binding: 0, resource: { buffer: buf.dims, offset: slot * uniformAlign, size: DIMS_BYTES } },
                { binding: 1, resource: src },
                { binding: 2, resource: { buffer: m.dst } },
              ],
            });
            return { group, grid };
          });
          device.queue.writeBuffer(buf.dims, 0, dims);

          const sizes = arrayBytes(shape, b);
          const region = (buffer: GPUBuffer, offset: number, size: number) => ({
            buffer,
            offset,
            size: Math.max(4, size),
          });
          const main = device.createBindGroup({
            layout: ctx.bindGroupLayout,
            entries: [
              { binding: BINDINGS.config, resource: { buffer: buf.config, size: SHADER_ABI.configBytes } },
              { binding: BINDINGS.y0, resource: region(buf.inCols, at.y0Cols, sizes.y) },
              { binding: BINDINGS.params, resource: region(buf.inCols, at.paramCols, sizes.params) },
              { binding: BINDINGS.y, resource: region(buf.work, at.yCols, sizes.y) },
              { binding: BINDINGS.jacobian, resource: region(buf.work, at.jacCols, sizes.jac) },
              { binding: BINDINGS.paramJacobian, resource: region(buf.work, at.pjacCols, sizes.pjac) },
              { binding: BINDINGS.status, resource: region(buf.out, at.status, sizes.status) },
              { binding: BINDINGS.steps, resource: region(buf.out, at.steps, sizes.steps) },
            ],
          });

          // Read back status and steps always, then up to the last output asked for (one contiguous copy).
          readBytes =
            readPjac && hasSens
              ? at.pjacRows + sizes.pjac
              : readJac
                ? at.jacRows + sizes.jac
                : readY
                  ? at.yRows + sizes.y
                  : at.steps + sizes.steps;
          staging = this.#buffer('staging', Math.max(most.outBytes, readBytes));

          const encoder = device.createCommandEncoder();
          // One pass: its dispatches run in order, each seeing what the earlier ones wrote.
          const pass = encoder.beginComputePass();
          const transpose = (k: number) => {
            const t = transposes[k]!;
            pass.setPipeline(this.#kit!.pipeline);
            pass.setBindGroup(0, t.group);
            pass.dispatchWorkgroups(t.grid.x, t.grid.y);
          };
          for (let k = 0; k < before; k++) transpose(k);
          const grid = dispatchGrid(b, ctx.maxWorkgroupsPerDimension);
          pass.setPipeline(this.#pipeline);
          pass.setBindGroup(0, main);
          pass.dispatchWorkgroups(grid.x, grid.y);
          for (let k = before; k < transposes.length; k++) transpose(k);
          pass.end();
          encoder.copyBufferToBuffer(buf.out, 0, staging, 0, readBytes);
          if (state !== undefined) {
            const to = kept.get(state)!;
            encoder.copyBufferToBuffer(buf.out, at.yRows, to.y, 4 * first * n, 4 * b * n);
            if (to.jacobian) {
              encoder.copyBufferToBuffer(buf.out, at.jacRows, to.jacobian, 4 * first * n * n, 4 * b * n * n);
            }
            if (to.paramJacobian) {
              encoder.copyBufferToBuffer(buf.out, at.pjacRows, to.paramJacobian, 4 * first * n * p, 4 * b * n * p);
            }
          }
          device.queue.submit([encoder.finish()]);
        } finally {
          scoped = device.popErrorScope();
        }
        const error = await scoped;
        if (error) throw new Error(`internal: WebGPU rejected the ensemble dispatch: ${error.message}`);

        await staging.mapAsync(MAP_READ, 0, readBytes);
        try {
          const data = staging.getMappedRange(0, readBytes);
          applyStatus(new Uint32Array(data, at.status, b), status, first);
          // Attempts, as the other backends count them: accepted and rejected steps.
          const failed = sumWords(new Uint32Array(data, at.steps + 4 * b, b));
          steps += sumWords(new Uint32Array(data, at.steps, b)) + failed;
          rejected += failed;
          // f32 → f64 in one native conversion per output, straight from the mapped range.
          if (y) y.set(new Float32Array(data, at.yRows, b * n), first * n);
          if (jacobian) jacobian.set(new Float32Array(data, at.jacRows, b * n * n), first * n * n);
          if (paramJacobian && hasSens) {
            paramJacobian.set(new Float32Array(data, at.pjacRows, b * n * p), first * n * p);
          }
        } finally {
          staging.unmap();
        }
      }
    } catch (e) {
      state?.release();
      throw e;
    }
    const ms = performance.now() - started;
    return {
      ...(y ? { y } : { y: new Float64Array(0) }),
      ...(jacobian ? { jacobian } : {}),
      ...(paramJacobian ? { paramJacobian } : {}),
      status,
      stats: { trajectories: count, steps, rejected, backend: 'webgpu', precision: 'f32', ms },
      ...(state ? { state } : {}),
    };
  }
}

// The per-trajectory loops of the read-back, small functions of their own so that the engine optimises them
// (inside the large async run() they could stay in the interpreter for a whole call).

/** Sets status[first + i] for every code that is not 0 ('ok', what the array was filled with). */
function applyStatus(codes: Uint32Array, status: EnsembleStatus[], first: number): void {
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) continue;
    const s = ENSEMBLE_STATUS[code];
    if (s === undefined) throw new Error(`internal: the ensemble shader returned status ${code}`);
    status[first + i] = s;
  }
}

/** The sum of the words (exact while it stays below 2^53, e.g. 2^20 trajectories of up to 2^32 steps). */
function sumWords(words: Uint32Array): number {
  let sum = 0;
  for (let i = 0; i < words.length; i++) sum += words[i]!;
  return sum;
}

/** One ensemble for a generated shader: its source, its shape, and the inputs (checked by the caller). */
export interface ShaderJob extends EnsembleShape {
  /** The WGSL (generate(model, { target: 'wgsl' }), or ensembleShader in webgpu.ts). */
  readonly source: string;
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

// Runners by device and shader source, for runEnsembleShader's callers (a page that has only a shader's source).
const runners = new WeakMap<GpuContext, Map<string, EnsembleRunner>>();

/**
 * Runs a generated shader over every trajectory of the job (in batches that fit the device's limits) and
 * returns the outputs as an ensemble result, row-major f64. `stats.ms` is the wall time of the device work
 * (uploads, kernel, read-back), after the pipeline is compiled. The runner (buffers, pipeline) is kept per
 * device and shader for the next call.
 */
export function runEnsembleShader(ctx: GpuContext, job: ShaderJob): Promise<EnsembleResult> {
  let bySource = runners.get(ctx);
  if (bySource === undefined) {
    bySource = new Map();
    runners.set(ctx, bySource);
  }
  let runner = bySource.get(job.source);
  if (runner === undefined) {
    runner = new EnsembleRunner(job.source, job);
    bySource.set(job.source, runner);
  }
  const r = runner;
  return r.exclusive(async () => {
    const count = job.y0.length / job.states;
    const y0 = r.scratch(0, job.y0.length);
    toF32('y0', job.y0, y0);
    let params: Float32Array | undefined;
    if (job.paramValues !== undefined) {
      params = r.scratch(1, job.paramValues.length);
      toF32('params', job.paramValues, params);
    }
    return r.run(ctx, {
      config: job.config,
      count,
      y0,
      params,
      paramDefaults: job.paramDefaults,
      batchLimit: job.batchLimit,
    });
  });
}
