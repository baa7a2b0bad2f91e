/**
 * Compiles WGSL files with Dawn (npm 'webgpu') and prints one JSON line: { "<file>": ["line:col: error", …] }.
 * Run in a child process whose environment points Vulkan at a driver (scripts/webgpu-env.sh: lavapipe on a
 * machine without a GPU):  npx tsx test/hardening/wgsl-validate.ts a.wgsl b.wgsl
 */
import { readFileSync } from 'node:fs';

const mod = (await import('webgpu')) as unknown as { create(flags: string[]): GPU };
const gpu = mod.create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  process.stdout.write(`${JSON.stringify({ error: 'no adapter' })}\n`);
  process.exit(3);
}
const device = await adapter.requestDevice();
const out: Record<string, string[]> = {};
for (const file of process.argv.slice(2)) {
  const module = device.createShaderModule({ code: readFileSync(file, 'utf8') });
  const info = await module.getCompilationInfo();
  out[file] = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos}: ${m.message}`);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
device.destroy();
process.exit(0);
