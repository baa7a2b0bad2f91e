/**
 * Dawn (npm 'webgpu') accepts the template and the emitted shaders: the module compiles without errors and a
 * compute pipeline can be made from it. Runs on whatever adapter the process has (lavapipe in CI).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { create } from 'webgpu';
import { emitWgslModule, WGSL_ENTRY_POINT } from '../../src/codegen/wgsl/module.ts';
import { SEED_MODEL } from '../../src/examples.ts';
import { EXPLICIT_METHODS, findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { buildAugmentedSystem, type Sensitivity } from '../../src/variational/system.ts';
import { describeGpu, FORCED, FUNCTIONS, LORENZ, PENDULUM } from './support.ts';

describeGpu('Dawn accepts the WGSL', () => {
  // Dawn tears the adapter down when the object from create() is collected: keep it referenced.
  let gpu: GPU;
  let device: GPUDevice;

  beforeAll(async () => {
    gpu = create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('no adapter');
    device = await adapter.requestDevice();
  });
  afterAll(() => device?.destroy());

  /** Compilation errors and warnings, and the pipeline validation error if any. */
  async function check(code: string): Promise<string[]> {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code });
    const info = await module.getCompilationInfo();
    const problems = info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`);
    if (!info.messages.some((m) => m.type === 'error')) {
      await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: WGSL_ENTRY_POINT } });
    }
    const error = await device.popErrorScope();
    if (error) problems.push(`validation ${error.message}`);
    return problems;
  }

  it('the template on its own', async () => {
    expect(
      await check(readFileSync(new URL('../../templates/wgsl/explicit-rk.wgsl', import.meta.url), 'utf8')),
    ).toEqual([]);
  });

  it('a shader with an error is reported (the check can fail)', async () => {
    const problems = await check('@compute @workgroup_size(1) fn main() { let x: f32 = 1e39f; }');
    expect(problems.some((p) => p.startsWith('error'))).toBe(true);
  });

  const cases: [string, ModelSpec, string, Sensitivity[]][] = [
    ['seed oscillator', SEED_MODEL, 'RK45CK', ['y0', 'params']],
    ['Lorenz, y0 and params sensitivities', LORENZ, 'RK45CK', ['y0', 'params']],
    ['Lorenz, Dormand-Prince', LORENZ, 'Dormand-Prince', ['y0', 'params']],
    ['Lorenz, RK4, state only', LORENZ, 'RK4', []],
    ['pendulum (sin)', PENDULUM, 'Dormand-Prince', ['y0', 'params']],
    ['sqrt atan2 min max abs sign pow exp log tanh', FUNCTIONS, 'RK45CK', ['y0', 'params']],
    ['explicit time (forced oscillator)', FORCED, 'RK4', ['y0', 'params']],
    ['no parameters', { name: 'decay', states: ['u'], rhs: { u: '-u^5 + cos(t)' } }, 'RK45CK', ['y0', 'params']],
  ];
  it.each(cases)('%s', async (_, spec, method, sens) => {
    expect(await check(emitWgslModule(buildAugmentedSystem(buildModel(spec), sens), findMethod(method)))).toEqual([]);
  });

  it('every method of the registry, on the seed oscillator', async () => {
    for (const method of EXPLICIT_METHODS) {
      const code = emitWgslModule(buildAugmentedSystem(buildModel(SEED_MODEL), ['y0']), method);
      expect([method.name, await check(code)]).toEqual([method.name, []]);
    }
  });
});
