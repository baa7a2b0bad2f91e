/**
 * The GPU ensemble benchmark (REFERENCES.md, "GPU ensemble"): odeforge's generated CUDA and WGSL against the
 * hand-written anchors of ../shared/anchors/gpu and the Python peers, on the same card in one run.
 *
 * Built into a folder to take to the GPU machine by bench/gpu/run.sh (see bench/results/gpu-README.md), run
 * there as
 *
 *   source .gpu-bundle/setup.sh; node .gpu-bundle/gpu-bench.mjs [--big]
 *
 * and writes $OUT/gpu-results.{md,json} (rewritten after every section) and prints the markdown. Here, without a
 * GPU, `--cpu` runs the same script with the g++ build of the generated CUDA source instead of the kernel and
 * WebGPU on lavapipe (`eval "$(bash scripts/webgpu-env.sh)"` first):
 *
 *   npx tsx bench/gpu.ts --cpu --n 1024          (or node .gpu-bundle/gpu-bench.mjs --cpu --n 1024)
 *
 * Options: --n N (default 2^20), --big (also N = 2^23 when the time budget allows), --big-n N, --budget-s S
 * (default 420: the whole run, checked before the optional parts), --reps R (default 5), --block-sizes
 * 128,256, --peers-timeout-s S (default 200), --no-peers, --no-webgpu, --cpu (or --dry-run), --out DIR (default $OUT, else
 * bench/results/tmp/gpu), --assets DIR (the anchors; default: next to the bundle, else ../shared/anchors/gpu).
 *
 * Every failure (no GPU, no nvcc, no adapter, no Python deps, a timeout) becomes a line in the report; the run
 * goes on with the next part.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  type CudaEnsemble,
  type CudaEnsembleRun,
  cudaEnsembleSource,
  prepareCpuEnsemble,
  prepareCudaEnsemble,
} from '../src/ensemble/cuda.ts';
import type { EnsembleResult } from '../src/ensemble/types.ts';
import { ensembleShader, releaseWebGpu, solveEnsembleWebGpu, webGpuAvailable } from '../src/ensemble/webgpu.ts';
import { findExplicitMethod as findMethod } from '../src/methods/index.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../src/methods/types.ts';
import { buildModel } from '../src/model/model.ts';
import { type AugmentedSystem, buildAugmentedSystem } from '../src/variational/system.ts';
import { buildAnchorCuda, runAnchorCuda, runAnchorWebGpu, runPeers } from './gpu/anchors.ts';
import {
  CUDA_VARIANTS,
  checkIndices,
  ensembleOptions,
  independentReference,
  LORENZ_GPU,
  maxRel,
  rhoOf,
  type Variant,
  WGSL_VARIANTS,
} from './gpu/lorenz.ts';
import { killActive } from './gpu/proc.ts';
import {
  type Best,
  type BlockTiming,
  type Check,
  type CudaRow,
  type Ratio,
  type Results,
  type SizeSection,
  toMarkdown,
  type WgslRow,
  writeResults,
} from './gpu/report.ts';
import { releaseHarness, timeWgslKernel } from './gpu/wgsl-kernel.ts';

// ─── Options ───────────────────────────────────────────────────────────────────────────────────────────

const argv = process.argv.slice(2);
function flag(name: string): boolean {
  return argv.includes(name);
}
function value(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
function num(name: string, fallback: number): number {
  const v = value(name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) {
    console.error(`gpu-bench: ${name} expects a positive number, got '${v}'`);
    process.exit(2);
  }
  return x;
}

const CPU_MODE = flag('--cpu') || flag('--dry-run');
const N = Math.round(num('--n', 1 << 20));
const BIG = flag('--big');
const BIG_N = Math.round(num('--big-n', 1 << 23));
const BUDGET_S = num('--budget-s', 420);
const REPS = Math.round(num('--reps', 5));
const BLOCK_SIZES = (value('--block-sizes') ?? '128,256').split(',').map(Number);
const PEERS_TIMEOUT_S = num('--peers-timeout-s', 200);
const NO_PEERS = flag('--no-peers');
const NO_WEBGPU = flag('--no-webgpu');
if (N < 2 || BLOCK_SIZES.some((b) => !Number.isInteger(b) || b < 1 || b > 1024)) {
  console.error('gpu-bench: --n must be ≥ 2 and --block-sizes integers in [1, 1024]');
  process.exit(2);
}

// nvcc where the CUDA toolkit puts it, when it is not on the PATH (cuda-build.ts reads $NVCC).
if (!process.env.NVCC && !probeOk('nvcc') && existsSync('/usr/local/cuda/bin/nvcc')) {
  process.env.NVCC = '/usr/local/cuda/bin/nvcc';
}
function probeOk(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

const scriptDir = dirname(resolve(process.argv[1] ?? '.'));
const BUNDLED = existsSync(join(scriptDir, 'anchors', 'lorenz_ensemble.cu'));
const ASSETS = resolve(
  value('--assets') ?? (BUNDLED ? join(scriptDir, 'anchors') : join(scriptDir, '..', '..', 'shared', 'anchors', 'gpu')),
);
const OUT_DIR = resolve(
  value('--out') ?? process.env.OUT ?? join(BUNDLED ? process.cwd() : join(scriptDir, 'results', 'tmp'), 'gpu'),
);
const WORK = join(tmpdir(), `odeforge-gpu-bench-${process.pid}`);
const CACHE_DIR = process.env.ODEFORGE_CACHE_DIR ?? join(tmpdir(), 'odeforge-gpu-bench-cache');

const started = performance.now();
const elapsedS = () => (performance.now() - started) / 1000;
const remainingS = () => BUDGET_S - elapsedS();
function log(line: string): void {
  console.error(`[gpu-bench ${elapsedS().toFixed(0).padStart(3)} s] ${line}`);
}
function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split('\n').slice(0, 4).join(' ')}`;
  return String(e);
}

// ─── Machine ───────────────────────────────────────────────────────────────────────────────────────────

function probe(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

const smi = probe('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']);
const [card, driver, gpuMemory] = (smi?.split('\n')[0] ?? '').split(',').map((s) => s.trim());
const nvccVersion = probe(process.env.NVCC || 'nvcc', ['--version'])
  ?.split('\n')
  .find((l) => l.includes('release'))
  ?.trim();

const results: Results = {
  schema: 'odeforge-gpu-bench/1',
  mode: CPU_MODE ? 'cpu-dry-run' : 'gpu',
  date: new Date().toISOString(),
  argv: ['node', 'gpu-bench.mjs', ...argv],
  machine: {
    card: card || undefined,
    driver: driver || undefined,
    gpuMemory: gpuMemory || undefined,
    nvidiaSmi: smi,
    nvcc: nvccVersion,
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
  },
  problem:
    'Lorenz σ=10, β=8/3, ρ_i = 21·i/(N−1), u0 = (1,0,0), t ∈ [0,1]; RK4 dt=1e-3, Dormand–Prince rtol=atol=1e-8 (first step 1e-3)',
  sizes: [],
  ratios: [],
  notes: [],
  elapsedSeconds: 0,
  finished: false,
};
// Written by bench/gpu/run.sh: which commit (and whether the tree had changes) the bundle was built from.
const buildInfoPath = join(scriptDir, 'build-info.json');
if (existsSync(buildInfoPath)) {
  try {
    results.build = JSON.parse(readFileSync(buildInfoPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    results.notes.push(`build-info.json unreadable: ${errorText(e)}`);
  }
}
if (!smi) results.notes.push('nvidia-smi: not available (no NVIDIA driver on this machine)');
if (!nvccVersion) results.notes.push(`nvcc: not found (tried '${process.env.NVCC || 'nvcc'}')`);
if (CPU_MODE) {
  results.notes.push(
    'CPU DRY RUN (--cpu): odeforge CUDA rows are the g++ build of the same generated source run on the CPU (wall time, not GPU time); the hand CUDA anchor is built with nvcc but not run; WebGPU runs on whatever adapter is there (lavapipe here). Ratios are not meaningful.',
  );
}

function save(): void {
  results.elapsedSeconds = elapsedS();
  try {
    writeResults(OUT_DIR, results);
  } catch (e) {
    console.error(`gpu-bench: could not write results to ${OUT_DIR}: ${errorText(e)}`);
  }
}

// The budget is checked before each optional part; the watchdog is the last resort if something hangs.
const watchdog = setTimeout(
  () => {
    results.notes.push(`watchdog: still running ${BUDGET_S + 60} s after start; stopped here`);
    killActive();
    save();
    console.log(toMarkdown(results));
    process.exit(3);
  },
  (BUDGET_S + 60) * 1000,
);
watchdog.unref();

// ─── Shared pieces ─────────────────────────────────────────────────────────────────────────────────────

const model = buildModel(LORENZ_GPU);
const systems = new Map<string, AugmentedSystem>();
function systemFor(jacobian: boolean): AugmentedSystem {
  const key = jacobian ? 'y0' : '';
  let s = systems.get(key);
  if (!s) {
    s = buildAugmentedSystem(model, jacobian ? ['y0'] : [], 'unrolled');
    systems.set(key, s);
  }
  return s;
}
const methodOf = (v: Variant): Method => findMethod(v.method);

function bestOf(values: number[]): Best {
  const s = [...values].sort((a, b) => a - b);
  return { best: s[0] ?? Number.NaN, median: s[(s.length - 1) >> 1] ?? Number.NaN };
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Rows `indices` of an N×width array. */
function rows(a: ArrayLike<number>, width: number, indices: readonly number[]): Float64Array {
  const out = new Float64Array(indices.length * width);
  indices.forEach((i, r) => {
    for (let c = 0; c < width; c++) out[r * width + c] = a[i * width + c]!;
  });
  return out;
}

/** The f64 ensembles (by method and sensitivities) whose CPU loop (odeforge_solve_cpu) is the reference. */
const f64Ensembles = new Map<string, CudaEnsemble>();
const refKey = (method: string, jacobian: boolean) => `${method}|${jacobian}`;

async function cpuF64Reference(
  method: Variant['method'],
  jacobian: boolean,
  count: number,
  indices: number[],
): Promise<{ y: Float64Array; jacobian?: Float64Array }> {
  let ens = f64Ensembles.get(refKey(method, jacobian));
  if (!ens) {
    // The CUDA f64 library was not available: the g++ build of the same source has the same CPU loop.
    ens = await prepareCpuEnsemble(systemFor(jacobian), findMethod(method), 'f64', { cacheDir: CACHE_DIR });
    f64Ensembles.set(refKey(method, jacobian), ens);
  }
  const r = await ens.run(ensembleOptions(count, indices), { onCpu: true });
  return { y: r.y, jacobian: r.jacobian };
}

/** Compares rows `indices` of a result with the f64 CPU loop and with the hand-written f64 reference. */
async function check(
  v: Variant,
  count: number,
  indices: number[],
  y: Float64Array,
  jac?: Float64Array,
): Promise<Check> {
  const gy = rows(y, 3, indices);
  const gj = jac ? rows(jac, 9, indices) : undefined;
  let vsCpuF64: Check['vsCpuF64'];
  let cpuF64Error: string | undefined;
  try {
    const ref = await cpuF64Reference(v.method, v.jacobian, count, indices);
    vsCpuF64 = { y: maxRel(gy, ref.y), jacobian: gj && ref.jacobian ? maxRel(gj, ref.jacobian) : undefined };
  } catch (e) {
    cpuF64Error = errorText(e);
  }
  let what = '';
  const iy: number[] = [];
  const ij: number[] = [];
  for (const i of indices) {
    const ref = independentReference(v.method, rhoOf(i, count));
    what = ref.what;
    iy.push(...ref.values.subarray(0, 3));
    ij.push(...ref.values.subarray(3, 12));
  }
  return {
    indices,
    vsCpuF64,
    cpuF64Error,
    vsIndependent: { what, y: maxRel(gy, iy), jacobian: gj ? maxRel(gj, ij) : undefined },
  };
}

// ─── CUDA ──────────────────────────────────────────────────────────────────────────────────────────────

interface Prepared {
  readonly variant: Variant;
  readonly row: CudaRow;
  readonly ensemble?: CudaEnsemble;
}

/** Builds (nvcc, or g++ in the dry run) and loads every variant, in parallel. */
async function prepareVariants(count: number): Promise<Prepared[]> {
  return Promise.all(
    CUDA_VARIANTS.map(async (variant): Promise<Prepared> => {
      const row: CudaRow = {
        variant: variant.id,
        label: variant.label,
        count,
        backend: CPU_MODE ? 'cpu-build' : 'cuda',
        blocks: [],
      };
      const system = systemFor(variant.jacobian);
      const method = methodOf(variant);
      try {
        const source = cudaEnsembleSource(system, method, variant.precision);
        row.source = { sha256: sha(source), chars: source.length };
      } catch (e) {
        row.error = `generating the CUDA source failed: ${errorText(e)}`;
        return { variant, row };
      }
      const t = performance.now();
      let ensemble: CudaEnsemble | undefined;
      try {
        ensemble = await prepareCudaEnsemble(system, method, variant.precision, { cacheDir: CACHE_DIR });
      } catch (e) {
        if (CPU_MODE) row.cudaPath = errorText(e);
        else row.error = errorText(e);
      }
      if (CPU_MODE) {
        try {
          ensemble = await prepareCpuEnsemble(system, method, variant.precision, { cacheDir: CACHE_DIR });
        } catch (e) {
          row.error = errorText(e);
        }
      }
      if (ensemble) {
        row.build = {
          command: ensemble.library.command.join(' '),
          cached: ensemble.library.cached,
          ms: performance.now() - t,
        };
        if (variant.precision === 'f64') f64Ensembles.set(refKey(variant.method, variant.jacobian), ensemble);
        if (ensemble.device) results.machine.cudaDevice = ensemble.device;
      }
      return { variant, row, ensemble };
    }),
  );
}

/** Warm-up and `reps` timed runs per block size; checks the last run against the references. */
async function timeVariant(p: Prepared, count: number, reps: number, blockSizes: readonly number[]): Promise<void> {
  const { variant, row, ensemble } = p;
  if (!ensemble) return;
  const options = ensembleOptions(count);
  let last: CudaEnsembleRun | undefined;
  try {
    for (const blockSize of blockSizes) {
      const kernel: number[] = [];
      const total: number[] = [];
      const toDev: number[] = [];
      const fromDev: number[] = [];
      const wall: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const t = performance.now();
        // One chunk: timing.kernelMs is the kernel alone, as the hand kernel's is (goal 2).
        const run = await ensemble.run(options, { blockSize, chunks: 1 });
        const w = performance.now() - t;
        last = run;
        if (r === 0) continue; // warm-up
        wall.push(w);
        if (run.timing) {
          kernel.push(run.timing.kernelMs);
          total.push(run.timing.totalMs);
          toDev.push(run.timing.toDeviceMs);
          fromDev.push(run.timing.fromDeviceMs);
        }
      }
      const b: BlockTiming = {
        blockSize,
        wallMs: bestOf(wall),
        ...(kernel.length > 0
          ? {
              kernelMs: bestOf(kernel),
              totalMs: bestOf(total),
              toDeviceMs: bestOf(toDev),
              fromDeviceMs: bestOf(fromDev),
            }
          : {}),
      };
      row.blocks.push(b);
      if (CPU_MODE) break; // one block size is enough for the CPU loop
    }
  } catch (e) {
    row.error = errorText(e);
  }
  const key = (b: BlockTiming) => b.kernelMs?.best ?? b.wallMs.best;
  const best = [...row.blocks].sort((a, b) => key(a) - key(b))[0];
  if (best) {
    row.best = {
      blockSize: best.blockSize,
      kernelMs: best.kernelMs?.best,
      totalMs: best.totalMs?.best,
      wallMs: best.wallMs.best,
    };
  }
  // Goal 1: end to end as solveEnsemble runs it (chunks overlapping copies and kernels, no per-trajectory details).
  if (best && !CPU_MODE) {
    try {
      const total: number[] = [];
      const wall: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const t = performance.now();
        const run = await ensemble.run(options, { blockSize: best.blockSize, details: false });
        if (r > 0 && run.timing) {
          total.push(run.timing.totalMs);
          wall.push(performance.now() - t);
        }
      }
      if (total.length > 0) row.endToEnd = { totalMs: bestOf(total), wallMs: bestOf(wall) };
    } catch (e) {
      row.error = `end-to-end run: ${errorText(e)}`;
    }
  }
  if (!last) return;
  row.stepsPerTrajectory = last.stats.steps / count;
  row.notOk = last.status.filter((s) => s !== 'ok').length;
  try {
    row.check = await check(variant, count, checkIndices(count), last.y, last.jacobian);
  } catch (e) {
    row.checkError = errorText(e);
  }
  lastRuns.set(variant.id, {
    y: rows(last.y, 3, [count - 1]),
    jacobian: last.jacobian ? rows(last.jacobian, 9, [count - 1]) : undefined,
    stats: last.stats,
  });
}

/** The last trajectory (ρ = 21) of each variant's last run, for the cross-checks. */
const lastRuns = new Map<string, { y: Float64Array; jacobian?: Float64Array; stats: EnsembleResult['stats'] }>();

// ─── The hand CUDA anchor ──────────────────────────────────────────────────────────────────────────────

let anchorExe: Promise<string | undefined> | undefined;

function buildAnchorOnce(): Promise<string | undefined> {
  anchorExe ??= (async () => {
    const source = join(ASSETS, 'lorenz_ensemble.cu');
    if (!existsSync(source)) {
      results.anchorBuild = { ok: false, command: '', ms: 0, error: `${source} not found` };
      return undefined;
    }
    const b = await buildAnchorCuda(source, join(WORK, 'anchor'));
    results.anchorBuild = { ok: b.ok, command: b.command, ms: b.ms, error: b.error };
    return b.ok ? b.path : undefined;
  })();
  return anchorExe;
}

async function anchorCudaSection(section: SizeSection): Promise<void> {
  const exe = await buildAnchorOnce();
  if (!exe) {
    section.anchorCuda = { ran: false, kernelMs: {}, error: results.anchorBuild?.error ?? 'not built' };
    return;
  }
  if (CPU_MODE) {
    section.anchorCuda = { ran: false, kernelMs: {}, note: 'built with nvcc; not run (--cpu dry run)' };
    return;
  }
  const timeoutS = Math.max(60, Math.min(180, remainingS()));
  log(`hand CUDA lorenz_ensemble ${section.count}`);
  const r = await runAnchorCuda(exe, section.count, timeoutS);
  section.anchorCuda = {
    ran: true,
    kernelMs: r.kernelMs,
    meanSteps: r.meanSteps,
    rho21: r.rho21,
    cudaStatus: r.cudaStatus,
    error: r.error,
  };
}

function cudaRatios(section: SizeSection): void {
  const a = section.anchorCuda;
  for (const row of section.cuda) {
    const variant = CUDA_VARIANTS.find((v) => v.id === row.variant)!;
    const anchorMs = a?.kernelMs[variant.anchor];
    row.anchor = {
      name: variant.anchor,
      kernelMs: anchorMs,
      error: anchorMs === undefined ? (a?.error ?? a?.note ?? 'not run') : undefined,
    };
    if (anchorMs !== undefined && anchorMs > 0 && row.best?.kernelMs !== undefined) {
      row.anchor.ratioKernel = row.best.kernelMs / anchorMs;
      if (row.best.totalMs !== undefined) row.anchor.ratioTotal = row.best.totalMs / anchorMs;
    }
  }
  const dp = lastRuns.get('dp5_f64_jac');
  if (a?.rho21 && dp) {
    const ours = [dp.y[0]!, dp.y[1]!, dp.y[2]!, dp.jacobian?.[0] ?? Number.NaN];
    const theirs = [...a.rho21.y, a.rho21.phi00];
    section.dp5CrossCheck = {
      odeforge: ours,
      anchor: theirs,
      maxRel: maxRel(ours, theirs),
      odeforgeMeanSteps: dp.stats.steps / dp.stats.trajectories,
      anchorMeanSteps: a.meanSteps,
    };
  }
}

// ─── WebGPU ────────────────────────────────────────────────────────────────────────────────────────────

async function webGpuSection(section: SizeSection, reps: number): Promise<void> {
  const count = section.count;
  let unavailable: string | undefined;
  if (!(await webGpuAvailable())) {
    try {
      await solveEnsembleWebGpu(systemFor(false), findMethod('RK4'), ensembleOptions(1));
      unavailable = 'webGpuAvailable() said no';
    } catch (e) {
      unavailable = errorText(e);
    }
  }
  for (const variant of WGSL_VARIANTS) {
    const row: WgslRow = { variant: variant.id, label: variant.label, count };
    section.wgsl.push(row);
    if (unavailable) {
      row.error = unavailable;
      continue;
    }
    const system = systemFor(variant.jacobian);
    const method = methodOf(variant);
    const options = ensembleOptions(count);
    log(`WebGPU ${variant.id} N=${count}`);
    try {
      const shader = ensembleShader(system, method);
      row.shader = { sha256: sha(shader), chars: shader.length };
    } catch (e) {
      row.error = `generating the WGSL shader failed: ${errorText(e)}`;
      continue;
    }
    let last: EnsembleResult | undefined;
    try {
      const solveMs: number[] = [];
      const wallMs: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const t = performance.now();
        last = await solveEnsembleWebGpu(system, method, options);
        if (r > 0) {
          wallMs.push(performance.now() - t);
          solveMs.push(last.stats.ms);
        }
      }
      row.solveMs = bestOf(solveMs);
      row.wallMs = bestOf(wallMs);
      row.stepsPerTrajectory = last!.stats.steps / count;
      row.notOk = last!.status.filter((s) => s !== 'ok').length;
    } catch (e) {
      row.error = errorText(e);
      continue;
    }
    try {
      const k = await timeWgslKernel(
        system,
        method,
        {
          count,
          t0: options.t0,
          t1: options.t1,
          dt: options.dt ?? 0,
          rtol: options.rtol ?? 1e-6,
          atol: options.atol ?? 1e-9,
          y0: options.y0,
          params: options.params!,
        },
        reps,
      );
      row.kernelMs = { best: k.bestMs, median: k.medianMs };
      row.adapter = k.adapter;
      let d = 0;
      for (let i = 0; i < k.y.length; i++) d = Math.max(d, Math.abs(k.y[i]! - last!.y[i]!));
      if (k.jacobian && last!.jacobian) {
        for (let i = 0; i < k.jacobian.length; i++) d = Math.max(d, Math.abs(k.jacobian[i]! - last!.jacobian[i]!));
      }
      row.harnessVsSolve = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    } catch (e) {
      row.kernelError = errorText(e);
    }
    try {
      row.check = await check(variant, count, checkIndices(count), last!.y, last!.jacobian);
    } catch (e) {
      row.checkError = errorText(e);
    }
  }
  // Free this process's devices before the anchor's process takes the GPU.
  await releaseHarness();
  await releaseWebGpu();

  const script = anchorWebGpuScript();
  if (!script) section.anchorWebGpu = { kernelMs: {}, maxRelErr: {}, notes: [], error: 'lorenz_webgpu.mjs not found' };
  else {
    log(`hand WGSL lorenz_webgpu.mjs N=${count}`);
    const r = await runAnchorWebGpu(script, count, Math.max(60, Math.min(180, remainingS())));
    section.anchorWebGpu = {
      kernelMs: r.kernelMs,
      maxRelErr: r.maxRelErr,
      adapter: r.adapter,
      error: r.error,
      notes: r.notes,
    };
  }
  for (const row of section.wgsl) {
    const v = WGSL_VARIANTS.find((w) => w.id === row.variant)!;
    const cudaV = CUDA_VARIANTS.find(
      (c) => c.precision === 'f32' && c.method === v.method && c.jacobian === v.jacobian,
    )!;
    row.anchorWgslMs = section.anchorWebGpu?.kernelMs[v.anchor];
    row.anchorWgslMaxRelErr = section.anchorWebGpu?.maxRelErr[v.anchor];
    row.anchorCudaF32Ms = section.anchorCuda?.kernelMs[cudaV.anchor];
    row.odeforgeCudaF32Ms = section.cuda.find((c) => c.variant === cudaV.id)?.best?.kernelMs;
  }
}

/**
 * lorenz_webgpu.mjs imports 'webgpu', which Node resolves from the script's folder upwards (ESM ignores
 * NODE_PATH): in the bundle it sits next to node_modules; from a checkout it is copied under bench/results/tmp.
 */
function anchorWebGpuScript(): string | undefined {
  const src = join(ASSETS, 'lorenz_webgpu.mjs');
  if (!existsSync(src)) return undefined;
  if (BUNDLED) return src;
  const dir = join(scriptDir, 'results', 'tmp', 'gpu-anchors');
  mkdirSync(dir, { recursive: true });
  copyFileSync(src, join(dir, 'lorenz_webgpu.mjs'));
  return join(dir, 'lorenz_webgpu.mjs');
}

// ─── One size ──────────────────────────────────────────────────────────────────────────────────────────

/** `blocks`: the block sizes to try, or per variant id (the big N uses each variant's best from the first N). */
async function sizeSection(
  count: number,
  reps: number,
  blocks: readonly number[] | ReadonlyMap<string, number>,
): Promise<SizeSection> {
  const t = performance.now();
  const section: SizeSection = { count, cuda: [], wgsl: [] };
  results.sizes.push(section);
  log(
    `N=${count}: building the odeforge ${CPU_MODE ? 'CUDA (nvcc, to show the no-GPU path) and g++' : 'CUDA'} libraries and the hand CUDA anchor`,
  );
  const [prepared] = await Promise.all([prepareVariants(count), buildAnchorOnce()]);
  section.cuda = prepared.map((p) => p.row);
  section.buildSeconds = (performance.now() - t) / 1000;
  save();
  for (const p of prepared) {
    log(
      `odeforge ${CPU_MODE ? 'g++ build' : 'CUDA'} ${p.variant.id} N=${count}${p.row.error ? `: ${p.row.error}` : ''}`,
    );
    const own = blocks instanceof Map ? blocks.get(p.variant.id) : undefined;
    await timeVariant(p, count, reps, own !== undefined ? [own] : Array.isArray(blocks) ? blocks : BLOCK_SIZES);
    save();
  }
  await anchorCudaSection(section);
  cudaRatios(section);
  save();
  if (!NO_WEBGPU) {
    await webGpuSection(section, reps);
    save();
  }
  section.seconds = (performance.now() - t) / 1000;
  return section;
}

// ─── Ratios ────────────────────────────────────────────────────────────────────────────────────────────

function judge(what: string, v: number | undefined, op: 'le' | 'ge', target: number, note?: string): Ratio {
  if (v === undefined || !Number.isFinite(v))
    return { what, target: { op, value: target }, note: note ?? 'not measured' };
  const pass = CPU_MODE ? undefined : op === 'le' ? v <= target : v >= target;
  return { what, value: v, target: { op, value: target }, pass, note: CPU_MODE ? 'dry run: not meaningful' : note };
}

function computeRatios(): void {
  const ratios: Ratio[] = [];
  for (const s of results.sizes) {
    const tag = `N=${s.count}`;
    for (const c of s.cuda) {
      // Goal 2: the generated kernel within 1.15× of the hand-written one.
      ratios.push(
        judge(`${tag} CUDA ${c.label}: odeforge kernel / hand CUDA kernel`, c.anchor?.ratioKernel, 'le', 1.15),
      );
    }
    for (const c of s.cuda) {
      // Goal 1: copies, staging and conversion cost at most 30% over the kernel (the native call, host clock).
      const total = c.endToEnd?.totalMs.best;
      const kernel = c.best?.kernelMs;
      ratios.push(
        judge(
          `${tag} CUDA ${c.label}: odeforge total (staging + copies + kernel) / odeforge kernel`,
          total !== undefined && kernel ? total / kernel : undefined,
          'le',
          1.3,
        ),
      );
    }
    for (const w of s.wgsl) {
      const k = w.kernelMs?.best;
      ratios.push(
        judge(
          `${tag} WebGPU ${w.label}: odeforge WGSL dispatch / hand CUDA f32 kernel`,
          k !== undefined && w.anchorCudaF32Ms ? k / w.anchorCudaF32Ms : undefined,
          'le',
          1.2,
        ),
      );
      // Goal 2: every WGSL row within 1.15× of its hand kernel.
      ratios.push(
        judge(
          `${tag} WebGPU ${w.label}: odeforge WGSL dispatch / hand WGSL dispatch`,
          k !== undefined && w.anchorWgslMs ? k / w.anchorWgslMs : undefined,
          'le',
          1.15,
        ),
      );
      // Goal 1: solveEnsembleWebGpu end to end (a warm call: uploads, kernel, read-back, conversion) within 2× of
      // its dispatch.
      ratios.push(
        judge(
          `${tag} WebGPU ${w.label}: solveEnsembleWebGpu end to end (warm) / odeforge WGSL dispatch`,
          k !== undefined && w.wallMs !== undefined ? w.wallMs.best / k : undefined,
          'le',
          2,
        ),
      );
    }
  }
  const s0 = results.sizes[0];
  const peers = results.peers?.results ?? {};
  const pc = results.peers?.count;
  const dp = s0?.cuda.find((c) => c.variant === 'dp5_f64_jac');
  const diffraxAdaptive = peers[`diffrax_tsit5_adaptive1e-8_f64_state_N${pc}_ms`];
  const dpMs = CPU_MODE ? dp?.best?.wallMs : dp?.best?.kernelMs;
  const da = typeof diffraxAdaptive === 'number' ? diffraxAdaptive : undefined;
  ratios.push(
    judge(
      `N=${pc ?? '—'} diffrax Tsit5 adaptive 1e-8 f64 state only / odeforge CUDA Dormand–Prince 1e-8 f64 + Jacobian (kernel)`,
      da !== undefined && dpMs ? da / dpMs : undefined,
      'ge',
      40,
      pc !== undefined && s0 && pc !== s0.count ? 'different N' : undefined,
    ),
  );
  // Goal 1's peer row: on odeforge's end-to-end total (staging, copies and kernel), not the kernel alone.
  const dpTotal = CPU_MODE ? undefined : dp?.endToEnd?.totalMs.best;
  ratios.push(
    judge(
      `N=${pc ?? '—'} same, on odeforge's total (staging + copies + kernel)`,
      da !== undefined && dpTotal ? da / dpTotal : undefined,
      'ge',
      40,
      CPU_MODE ? 'dry run: no GPU total' : undefined,
    ),
  );
  results.ratios = ratios;
}

// ─── Main ──────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  log(
    `mode ${results.mode}, N=${N}${BIG ? ` and ${BIG_N} if time allows` : ''}, budget ${BUDGET_S} s, out ${OUT_DIR}, anchors ${ASSETS}, card ${card || 'none'}`,
  );
  save();

  // 1. CUDA (odeforge + hand) and WebGPU at N.
  const first = await sizeSection(N, REPS, BLOCK_SIZES);
  computeRatios();
  save();

  // 2. The Python peers at N (the REFERENCES table's variants; slow: time-limited).
  if (NO_PEERS) results.peers = { count: N, results: {}, seconds: 0, skipped: '--no-peers' };
  else {
    const script = join(ASSETS, 'peers_lorenz.py');
    const timeoutS = Math.floor(Math.min(PEERS_TIMEOUT_S, remainingS() - 20));
    if (!existsSync(script)) results.peers = { count: N, results: {}, seconds: 0, error: `${script} not found` };
    else if (remainingS() - 20 < 30) {
      results.peers = {
        count: N,
        results: {},
        seconds: 0,
        skipped: `only ${remainingS().toFixed(0)} s of the budget left`,
      };
    } else {
      log(`python peers_lorenz.py ${N} (time limit ${timeoutS} s)`);
      const p = await runPeers(script, N, timeoutS);
      results.machine.python = p.python;
      results.peers = { count: N, results: p.results, seconds: p.ms / 1000, error: p.error };
    }
  }
  computeRatios();
  save();

  // 3. The large ensemble, when asked for and when the time left allows it (estimated from N's timings).
  if (BIG) {
    // The timed part scales with N; the big run has 3 repetitions and one block size.
    const timed = (first.seconds ?? 60) - (first.buildSeconds ?? 0);
    const estimate = timed * (BIG_N / N) * (4 / ((REPS + 1) * BLOCK_SIZES.length)) * 1.5 + 30;
    if (remainingS() < estimate) {
      results.notes.push(
        `N=${BIG_N} skipped: estimated ${estimate.toFixed(0)} s, ${remainingS().toFixed(0)} s of the ${BUDGET_S} s budget left`,
      );
    } else {
      const blocks = new Map<string, number>();
      for (const c of first.cuda) if (c.best) blocks.set(c.variant, c.best.blockSize);
      await sizeSection(BIG_N, 3, blocks);
      computeRatios();
    }
  }
  results.finished = true;
  save();
}

try {
  await main();
} catch (e) {
  results.notes.push(`the run stopped on an unexpected error: ${errorText(e)}`);
  save();
}
console.log(toMarkdown(results));
console.error(`gpu-bench: wrote ${join(OUT_DIR, 'gpu-results.md')} and gpu-results.json`);
await releaseHarness();
await releaseWebGpu();
rmSync(WORK, { recursive: true, force: true });
process.exit(results.finished ? 0 : 1);
