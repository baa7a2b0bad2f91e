/**
 * The generated ensemble shader's calling convention as the host sees it (entry point, bindings, uniform size,
 * workgroup size), and how many workgroups a dispatch needs. Kept apart from the runtime so it can be tested
 * without a GPU, and free of imports so that a web page can load it: the code generator, which defines the same
 * figures (src/codegen/wgsl/module.ts: WGSL_BINDINGS, WGSL_CONFIG_BYTES, ...), reads its template with node:fs.
 * test/playground/wgsl-abi.test.ts checks that the two agree.
 *
 * WebGPU caps each dispatch dimension (maxComputeWorkgroupsPerDimension, 65,535 by default and on every adapter
 * seen so far): beyond 65,535 × 64 ≈ 4.2 M trajectories the workgroups form a 2-D grid of rows of `x`
 * workgroups, and the shader numbers its invocation gid.x + gid.y · x · 64.
 */

/** What the host must know of a generated shader (see the header comment each shader carries). */
export const SHADER_ABI = {
  /** The compute entry point. */
  entryPoint: 'main',
  /** Threads per workgroup of the entry point. */
  workgroupSize: 64,
  /** WebGPU's default (and usual) limit on workgroups per dispatch dimension. */
  maxWorkgroupsPerDimension: 65_535,
  /** Bytes of the uniform Config (16 four-byte fields; see packConfig in webgpu-run.ts). */
  configBytes: 64,
  /**
   * Word indices (four-byte fields, WGSL_CONFIG_FIELDS order) of the u32 fields of Config that the runner sets
   * for each dispatch: the batch's trajectory count, and whether Φ and S start from the jacobian and
   * paramJacobian bindings (1) or at I and 0 (0).
   */
  configWords: { count: 9, resume: 13 },
  /** Binding numbers, all in group 0. */
  bindings: { config: 0, y0: 1, params: 2, y: 3, jacobian: 4, paramJacobian: 5, status: 6, steps: 7 },
} as const;

export interface DispatchGrid {
  /** Workgroups in x and y: pass to dispatchWorkgroups(x, y). */
  readonly x: number;
  readonly y: number;
  /** Workgroups needed, ceil(count / workgroupSize); x · y may exceed it by less than one row. */
  readonly workgroups: number;
}

/** The dispatch for `count` trajectories, one invocation each. */
export function dispatchGrid(
  count: number,
  maxPerDimension: number = SHADER_ABI.maxWorkgroupsPerDimension,
  workgroupSize: number = SHADER_ABI.workgroupSize,
): DispatchGrid {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const workgroups = Math.ceil(count / workgroupSize);
  if (workgroups === 0) return { x: 0, y: 0, workgroups };
  const x = Math.min(workgroups, maxPerDimension);
  const y = Math.ceil(workgroups / x);
  if (y > maxPerDimension) {
    throw new RangeError(
      `${count} trajectories need ${workgroups} workgroups, more than ${maxPerDimension}² in one dispatch`,
    );
  }
  return { x, y, workgroups };
}
