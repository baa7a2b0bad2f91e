/**
 * src/ensemble/webgpu-dispatch.ts keeps its own copy of the generated shader's calling convention, so that a web
 * page (the playground) can dispatch a shader without loading the code generator, which reads its template with
 * node:fs. This checks the copy against the generator's figures.
 */
import { describe, expect, it } from 'vitest';
import {
  WGSL_BINDINGS,
  WGSL_CONFIG_BYTES,
  WGSL_ENTRY_POINT,
  WGSL_MAX_WORKGROUPS_PER_DIMENSION,
  WGSL_WORKGROUP_SIZE,
} from '../../src/codegen/wgsl/module.ts';
import { SHADER_ABI } from '../../src/ensemble/webgpu-dispatch.ts';

describe('the WebGPU runner speaks the generated shader’s convention', () => {
  it('entry point, workgroup size, dispatch limit, uniform size and bindings agree with the generator', () => {
    expect(SHADER_ABI.entryPoint).toBe(WGSL_ENTRY_POINT);
    expect(SHADER_ABI.workgroupSize).toBe(WGSL_WORKGROUP_SIZE);
    expect(SHADER_ABI.maxWorkgroupsPerDimension).toBe(WGSL_MAX_WORKGROUPS_PER_DIMENSION);
    expect(SHADER_ABI.configBytes).toBe(WGSL_CONFIG_BYTES);
    expect(SHADER_ABI.bindings).toEqual(WGSL_BINDINGS);
  });
});
