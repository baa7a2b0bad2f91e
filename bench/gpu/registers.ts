/**
 * Registers per thread of the generated CUDA kernels against the hand-written anchor, from
 * `nvcc -arch=sm_90 -Xptxas -v` (ptxas' own report): the issue-#14 variants, measurable without a GPU.
 *
 *   npx tsx bench/gpu/registers.ts [--arch sm_90] [--anchor ../shared/anchors/gpu/lorenz_ensemble.cu] [--keep DIR]
 *
 * Prints one line per variant: odeforge registers (and spill bytes) vs the anchor kernel's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cudaEnsembleSource } from '../../src/ensemble/cuda.ts';
import { findExplicitMethod } from '../../src/methods/index.ts';
import { buildModel } from '../../src/model/model.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
import { CUDA_VARIANTS, LORENZ_GPU } from './lorenz.ts';

/** ptxas' report per kernel: registers, spill stores and loads (bytes), stack frame. */
export interface KernelRegisters {
  readonly registers: number;
  readonly spillStores: number;
  readonly spillLoads: number;
  readonly stackFrame: number;
}

/**
 * Parses `-Xptxas -v` output into a map from the mangled kernel name to its report. ptxas prints, per entry,
 * "Compiling entry function 'NAME'", then "N bytes stack frame, S bytes spill stores, L bytes spill loads", then
 * "Used R registers".
 */
export function parsePtxasReport(output: string): Map<string, KernelRegisters> {
  const out = new Map<string, KernelRegisters>();
  let current: string | undefined;
  let frame = { stackFrame: 0, spillStores: 0, spillLoads: 0 };
  for (const line of output.split('\n')) {
    const entry = /Compiling entry function '([^']+)'/.exec(line);
    if (entry) {
      current = entry[1]!;
      frame = { stackFrame: 0, spillStores: 0, spillLoads: 0 };
      continue;
    }
    const f = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line);
    if (f && current) {
      frame = { stackFrame: Number(f[1]), spillStores: Number(f[2]), spillLoads: Number(f[3]) };
      continue;
    }
    const r = /Used (\d+) registers/.exec(line);
    if (r && current) {
      out.set(current, { registers: Number(r[1]), ...frame });
      current = undefined;
    }
  }
  return out;
}

function ptxas(nvcc: string, source: string, arch: string): Map<string, KernelRegisters> {
  // ptxas reports on stderr.
  const r = spawnSync(nvcc, [`-arch=${arch}`, '-O3', '-Xptxas', '-v', '-cubin', source, '-o', `${source}.cubin`], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${nvcc} failed on ${source}: ${r.stderr || r.error?.message}`);
  return parsePtxasReport(`${r.stdout}${r.stderr}`);
}

/** The anchor's kernel for a variant, by the template arguments in its mangled name. */
function anchorKernel(report: Map<string, KernelRegisters>, anchor: string): KernelRegisters | undefined {
  const want: Record<string, RegExp> = {
    rk4_fixed_f32_state: /rk4_kernel.*IfLb0E/,
    rk4_fixed_f64_state: /rk4_kernel.*IdLb0E/,
    rk4_fixed_f32_var3x3: /rk4_kernel.*IfLb1E/,
    rk4_fixed_f64_var3x3: /rk4_kernel.*IdLb1E/,
    dp5_adaptive_f64_var3x3: /dp5_var_kernel/,
  };
  for (const [name, r] of report) if (want[anchor]?.test(name)) return r;
  return undefined;
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const arch = opt('--arch') ?? 'sm_90';
  const nvcc = process.env.NVCC || 'nvcc';
  const anchorPath = resolve(
    opt('--anchor') ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'anchors', 'gpu', 'lorenz_ensemble.cu'),
  );
  const keep = opt('--keep');
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'odeforge-registers-'));
  mkdirSync(dir, { recursive: true });
  try {
    const anchor = existsSync(anchorPath) ? ptxas(nvcc, anchorPath, arch) : new Map<string, KernelRegisters>();
    const model = buildModel(LORENZ_GPU);
    const show = (r: KernelRegisters | undefined) =>
      r === undefined
        ? '—'
        : `${r.registers}${r.spillStores + r.spillLoads > 0 ? ` (spill ${r.spillStores}/${r.spillLoads} B)` : ''}`;
    for (const v of CUDA_VARIANTS) {
      const system = buildAugmentedSystem(model, v.jacobian ? ['y0'] : [], 'unrolled');
      const source = cudaEnsembleSource(system, findExplicitMethod(v.method), v.precision);
      const path = join(dir, `${v.id}.cu`);
      writeFileSync(path, source);
      const report = ptxas(nvcc, path, arch);
      const ours = [...report].find(([name]) => name.includes('odeforge_ensemble_kernel'))?.[1];
      console.log(`${v.id.padEnd(14)} odeforge ${show(ours).padEnd(24)} hand ${show(anchorKernel(anchor, v.anchor))}`);
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

main();
