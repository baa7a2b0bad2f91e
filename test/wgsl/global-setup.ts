/**
 * vitest globalSetup for the WebGPU tests (list it in vitest.config.ts: `globalSetup: ['test/wgsl/global-setup.ts']`).
 *
 * Dawn finds a Vulkan driver through the environment (VK_ICD_FILENAMES, and LD_LIBRARY_PATH for the loader
 * and the newer libdrm), which the dynamic linker reads when a process starts. A globalSetup runs in vitest's
 * main process before the test workers are forked, so what it puts in process.env reaches them in time.
 *
 * Unless a driver is already configured (VK_ICD_FILENAMES or VK_DRIVER_FILES set) or the WebGPU tests are
 * skipped (ODEFORGE_SKIP_WEBGPU=1), this runs scripts/webgpu-env.sh — which installs Mesa's CPU Vulkan
 * driver (lavapipe) into ~/.cache/lavapipe the first time, a few seconds — and adopts its exports. A failed
 * install is reported and the run goes on: the GPU tests then fail with the reason.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/webgpu-env.sh', import.meta.url));
const VARIABLES = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'LD_LIBRARY_PATH', 'XDG_RUNTIME_DIR'];

export default function setup(): void {
  if (process.env.ODEFORGE_SKIP_WEBGPU === '1') return;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return;
  let out: string;
  try {
    // The script prints `export` lines with shell expansions: let bash evaluate them and print the result.
    out = execFileSync('bash', ['-c', `eval "$(bash "$0")" && env -0`, SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
    });
  } catch (e) {
    console.warn(`test/wgsl/global-setup.ts: could not install lavapipe (${String(e)}); WebGPU tests will fail`);
    return;
  }
  for (const entry of out.split('\0')) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq);
    if (VARIABLES.includes(name)) process.env[name] = entry.slice(eq + 1);
  }
}
