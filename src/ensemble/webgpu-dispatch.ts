/**
 * How many workgroups a WebGPU ensemble dispatch needs, kept apart from the runtime so it can be tested
 * without a GPU. WebGPU caps each dispatch dimension (maxComputeWorkgroupsPerDimension, 65,535 by default and
 * on every adapter seen so far): beyond 65,535 × 64 ≈ 4.2 M trajectories the workgroups form a 2-D grid of
 * rows of `x` workgroups, and the shader numbers its invocation gid.x + gid.y · x · 64.
 */
import { WGSL_MAX_WORKGROUPS_PER_DIMENSION, WGSL_WORKGROUP_SIZE } from '../codegen/wgsl/module.ts';

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
  maxPerDimension: number = WGSL_MAX_WORKGROUPS_PER_DIMENSION,
  workgroupSize: number = WGSL_WORKGROUP_SIZE,
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
