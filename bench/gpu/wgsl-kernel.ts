/**
 * Dispatch-only timing of odeforge's generated WGSL shader, measured the way lorenz_webgpu.mjs measures its
 * hand-written one: buffers created and filled once, then `dispatchWorkgroups` + `onSubmittedWorkDone`, best of
 * `reps` after a warm-up. solveEnsembleWebGpu (src/ensemble/webgpu.ts) times uploads, the kernel, the read-back
 * and the f64 conversions together; this isolates the kernel for the comparison with the anchors.
 *
 * It uses the ensemble's own device, bind-group layout and config packer (src/ensemble/webgpu.ts) and binds
 * the buffers as solveEnsembleWebGpu does (component-major arrays, dispatchGrid); the caller checks that the
 * outputs equal solveEnsembleWebGpu's for the same inputs, which checks this replica too.
 */
import {
  WGSL_BINDINGS,
  WGSL_CONFIG_BYTES,
  WGSL_CONFIG_FIELDS,
  WGSL_ENTRY_POINT,
} from '../../src/codegen/wgsl/module.ts';
import { ensembleShader, getContext, MAP_READ, packConfig, releaseWebGpu, USAGE } from '../../src/ensemble/webgpu.ts';
import { dispatchGrid } from '../../src/ensemble/webgpu-dispatch.ts';
import { numericTableau } from '../../src/methods/numeric.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';
import type { AugmentedSystem } from '../../src/variational/system.ts';

/** Destroys the shared WebGPU device (before the anchor's process wants the GPU to itself). */
export async function releaseHarness(): Promise<void> {
  await releaseWebGpu();
}

export interface WgslKernelInput {
  readonly count: number;
  readonly t0: number;
  readonly t1: number;
  /** 0: estimate the first step (adaptive methods only). */
  readonly dt: number;
  readonly rtol: number;
  readonly atol: number;
  readonly maxSteps?: number;
  /** Row-major N×n and N×p, as EnsembleOptions. */
  readonly y0: Float64Array;
  readonly params: Float64Array;
}

export interface WgslKernelTiming {
  readonly adapter: string;
  readonly bestMs: number;
  readonly medianMs: number;
  readonly allMs: number[];
  /** The last dispatch's outputs, row-major like EnsembleResult (for the comparison with solveEnsembleWebGpu). */
  readonly y: Float64Array;
  readonly jacobian?: Float64Array;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length === 0 ? Number.NaN : s[(s.length - 1) >> 1]!;
}

/** Times `reps` dispatches of the odeforge shader after one warm-up; throws on a WebGPU error. */
export async function timeWgslKernel(
  system: AugmentedSystem,
  method: Method,
  input: WgslKernelInput,
  reps: number,
): Promise<WgslKernelTiming> {
  // The device and layouts solveEnsembleWebGpu uses (a failed attempt is retried on the next call).
  const h = await getContext();
  const { device } = h;
  const n = system.model.states.length;
  const p = system.model.params.length;
  const pa = Math.max(p, 1);
  const count = input.count;
  const hasPhi = system.phiOffset >= 0;
  const hasSens = system.sensOffset >= 0;

  const config = packConfig({ ...input, maxSteps: input.maxSteps ?? 1_000_000 }, numericTableau(method).errorOrder > 0);
  new Uint32Array(config)[WGSL_CONFIG_FIELDS.indexOf('count')] = count;

  const y0 = new Float32Array(n * count);
  const par = new Float32Array(pa * count);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < n; c++) y0[c * count + i] = input.y0[i * n + c]!;
    for (let k = 0; k < p; k++) par[k * count + i] = input.params[i * p + k]!;
  }
  const sizes = {
    y: 4 * n * count,
    jacobian: hasPhi ? 4 * n * n * count : 4,
    paramJacobian: hasSens ? 4 * n * p * count : 4,
    status: 4 * count,
    steps: 8 * count,
  };
  const biggest = Math.max(y0.byteLength, par.byteLength, ...Object.values(sizes));
  if (biggest > device.limits.maxStorageBufferBindingSize || biggest > device.limits.maxBufferSize) {
    throw new Error(
      `a ${biggest}-byte buffer exceeds this adapter's limits (binding ${device.limits.maxStorageBufferBindingSize}, buffer ${device.limits.maxBufferSize})`,
    );
  }
  const buffers: GPUBuffer[] = [];
  const make = (size: number, usage: number): GPUBuffer => {
    const b = device.createBuffer({ size: Math.max(4, size), usage });
    buffers.push(b);
    return b;
  };
  try {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: ensembleShader(system, method) });
    const pipeline = device.createComputePipeline({
      layout: h.pipelineLayout,
      compute: { module, entryPoint: WGSL_ENTRY_POINT },
    });
    const cfg = make(WGSL_CONFIG_BYTES, USAGE.UNIFORM | USAGE.COPY_DST);
    const in0 = make(y0.byteLength, USAGE.STORAGE | USAGE.COPY_DST);
    const in1 = make(par.byteLength, USAGE.STORAGE | USAGE.COPY_DST);
    const out = {
      y: make(sizes.y, USAGE.STORAGE | USAGE.COPY_SRC),
      jacobian: make(sizes.jacobian, USAGE.STORAGE | USAGE.COPY_SRC),
      paramJacobian: make(sizes.paramJacobian, USAGE.STORAGE | USAGE.COPY_SRC),
      status: make(sizes.status, USAGE.STORAGE | USAGE.COPY_SRC),
      steps: make(sizes.steps, USAGE.STORAGE | USAGE.COPY_SRC),
    };
    device.queue.writeBuffer(cfg, 0, config);
    device.queue.writeBuffer(in0, 0, y0);
    device.queue.writeBuffer(in1, 0, par);
    const bindGroup = device.createBindGroup({
      layout: h.bindGroupLayout,
      entries: [
        { binding: WGSL_BINDINGS.config, resource: { buffer: cfg } },
        { binding: WGSL_BINDINGS.y0, resource: { buffer: in0 } },
        { binding: WGSL_BINDINGS.params, resource: { buffer: in1 } },
        { binding: WGSL_BINDINGS.y, resource: { buffer: out.y } },
        { binding: WGSL_BINDINGS.jacobian, resource: { buffer: out.jacobian } },
        { binding: WGSL_BINDINGS.paramJacobian, resource: { buffer: out.paramJacobian } },
        { binding: WGSL_BINDINGS.status, resource: { buffer: out.status } },
        { binding: WGSL_BINDINGS.steps, resource: { buffer: out.steps } },
      ],
    });
    const setupError = await device.popErrorScope();
    if (setupError) throw new Error(`WebGPU rejected the set-up: ${setupError.message}`);
    const grid = dispatchGrid(count, device.limits.maxComputeWorkgroupsPerDimension);
    const dispatch = async (): Promise<void> => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(grid.x, grid.y);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await dispatch();
    const all: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      await dispatch();
      all.push(performance.now() - t);
    }
    // Read back y (and Φ) of the last dispatch.
    const readBytes = sizes.y + (hasPhi ? sizes.jacobian : 0);
    const staging = make(readBytes, USAGE.MAP_READ | USAGE.COPY_DST);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(out.y, 0, staging, 0, sizes.y);
    if (hasPhi) enc.copyBufferToBuffer(out.jacobian, 0, staging, sizes.y, sizes.jacobian);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_READ);
    const data = staging.getMappedRange().slice(0);
    staging.unmap();
    const ys = new Float32Array(data, 0, n * count);
    const y = new Float64Array(n * count);
    for (let i = 0; i < count; i++) for (let c = 0; c < n; c++) y[i * n + c] = ys[c * count + i]!;
    let jacobian: Float64Array | undefined;
    if (hasPhi) {
      const js = new Float32Array(data, sizes.y, n * n * count);
      jacobian = new Float64Array(n * n * count);
      for (let i = 0; i < count; i++) for (let c = 0; c < n * n; c++) jacobian[i * n * n + c] = js[c * count + i]!;
    }
    return { adapter: h.adapterName, bestMs: Math.min(...all), medianMs: median(all), allMs: all, y, jacobian };
  } finally {
    for (const b of buffers) b.destroy();
  }
}
