/**
 * Without a driver there is no adapter, and the error says so and how to get one. Run in a child process whose
 * Vulkan loader is pointed at a driver list that does not exist (the test process itself may have lavapipe).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { WebGpuUnavailableError } from '../../src/ensemble/webgpu.ts';
import { OdeforgeError } from '../../src/errors.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const CHILD = `
import { solveEnsembleWebGpu, webGpuAvailable, WebGpuUnavailableError } from './src/ensemble/webgpu.ts';
import { OdeforgeError } from './src/errors.ts';
import { findMethod } from './src/methods/index.ts';
import { buildModel } from './src/model/model.ts';
import { buildAugmentedSystem } from './src/variational/system.ts';
const system = buildAugmentedSystem(buildModel({ name: 'd', states: ['u'], rhs: { u: '-u' } }), ['y0']);
const available = await webGpuAvailable();
try {
  await solveEnsembleWebGpu(system, findMethod('RK45CK'), { t0: 0, t1: 1, y0: Float64Array.of(1) });
  console.log(JSON.stringify({ available, solved: true }));
} catch (e) {
  console.log(JSON.stringify({ available, typed: e instanceof WebGpuUnavailableError, odeforge: e instanceof OdeforgeError, name: e.name, message: e.message }));
}
`;

it('no adapter: solveEnsembleWebGpu rejects with a WebGpuUnavailableError that names the lavapipe script', (ctx) => {
  const nowhere = '/nonexistent/odeforge-no-driver.json';
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, VK_ICD_FILENAMES: nowhere, VK_DRIVER_FILES: nowhere },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  // Dawn might still find a non-Vulkan backend on some machine: then there is nothing to test here.
  if (r.available) ctx.skip();
  expect(r).toMatchObject({ available: false, typed: true, odeforge: true, name: 'WebGpuUnavailableError' });
  expect(r.message).toContain('requestAdapter() found no adapter');
  expect(r.message).toContain('eval "$(bash scripts/webgpu-env.sh)"');
});

it('WebGpuUnavailableError is an OdeforgeError, and only its own instances are WebGpuUnavailableErrors', () => {
  const e = new WebGpuUnavailableError('test');
  expect(e).toBeInstanceOf(OdeforgeError);
  expect(e).toBeInstanceOf(WebGpuUnavailableError);
  expect(new OdeforgeError('other')).not.toBeInstanceOf(WebGpuUnavailableError);
  expect(e.detail).toBe('test');
});
