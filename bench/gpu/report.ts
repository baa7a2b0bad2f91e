/**
 * The results of bench/gpu.ts: one JSON-serialisable object, rewritten to gpu-results.json and gpu-results.md
 * after every section, so a run cut short still leaves what it measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Best {
  readonly best: number;
  readonly median: number;
}

export interface BlockTiming {
  readonly blockSize: number;
  /** CUDA-event times (GPU runs). */
  readonly kernelMs?: Best;
  readonly toDeviceMs?: Best;
  readonly fromDeviceMs?: Best;
  /** Copies in, kernel and copies out. */
  readonly totalMs?: Best;
  /** Wall time of the whole `run` call in Node (allocation, conversions, the FFI call). */
  readonly wallMs: Best;
}

export interface Check {
  readonly indices: number[];
  /** Against odeforge_solve_cpu of the f64 source with the same method and sensitivities. */
  readonly vsCpuF64?: { readonly y: number; readonly jacobian?: number };
  readonly cpuF64Error?: string;
  /** Against the hand-written f64 JavaScript reference (bench/gpu/lorenz.ts). */
  readonly vsIndependent: { readonly what: string; readonly y: number; readonly jacobian?: number };
}

export interface CudaRow {
  readonly variant: string;
  readonly label: string;
  readonly count: number;
  /** 'cuda': the nvcc build on the GPU; 'cpu-build': the g++ build of the same source (dry run). */
  readonly backend: 'cuda' | 'cpu-build';
  source?: { sha256: string; chars: number };
  build?: { command: string; cached: boolean; ms: number };
  /** Dry run: what the CUDA path said (the no-GPU error path). */
  cudaPath?: string;
  error?: string;
  blocks: BlockTiming[];
  best?: { blockSize: number; kernelMs?: number; totalMs?: number; wallMs: number };
  /**
   * As solveEnsemble runs it (chunked copies overlapping the kernels, no per-trajectory details), at the best
   * block size: the native call by the host clock (staging, copies, kernels) and the wall time of `run` in Node.
   */
  endToEnd?: { totalMs: Best; wallMs: Best };
  stepsPerTrajectory?: number;
  notOk?: number;
  check?: Check;
  checkError?: string;
  anchor?: { name: string; kernelMs?: number; ratioKernel?: number; ratioTotal?: number; error?: string };
}

export interface WgslRow {
  readonly variant: string;
  readonly label: string;
  readonly count: number;
  error?: string;
  shader?: { sha256: string; chars: number };
  adapter?: string;
  /** Dispatch + onSubmittedWorkDone of the generated shader (bench/gpu/wgsl-kernel.ts). */
  kernelMs?: Best;
  kernelError?: string;
  /** solveEnsembleWebGpu: uploads, kernel, read-back and f64 conversion (its stats.ms). */
  solveMs?: Best;
  /** Wall time of the solveEnsembleWebGpu call. */
  wallMs?: Best;
  /** max |kernel harness − solveEnsembleWebGpu| over all outputs (0: the harness runs the same computation). */
  harnessVsSolve?: number;
  stepsPerTrajectory?: number;
  notOk?: number;
  check?: Check;
  checkError?: string;
  anchorWgslMs?: number;
  anchorWgslMaxRelErr?: number;
  anchorCudaF32Ms?: number;
  odeforgeCudaF32Ms?: number;
}

export interface Ratio {
  readonly what: string;
  readonly value?: number;
  /** 'le': value ≤ target passes; 'ge': value ≥ target passes. */
  readonly target?: { readonly op: 'le' | 'ge'; readonly value: number };
  readonly pass?: boolean;
  readonly note?: string;
}

export interface SizeSection {
  readonly count: number;
  cuda: CudaRow[];
  anchorCuda?: {
    ran: boolean;
    kernelMs: Record<string, number>;
    meanSteps?: number;
    rho21?: { y: number[]; phi00: number };
    cudaStatus?: string;
    error?: string;
    note?: string;
  };
  dp5CrossCheck?: {
    odeforge: number[];
    anchor: number[];
    maxRel: number;
    odeforgeMeanSteps?: number;
    anchorMeanSteps?: number;
  };
  wgsl: WgslRow[];
  anchorWebGpu?: {
    kernelMs: Record<string, number>;
    maxRelErr: Record<string, number>;
    adapter?: string;
    error?: string;
    notes: string[];
  };
  seconds?: number;
  /** Of which building the libraries and the anchor. */
  buildSeconds?: number;
}

export interface Results {
  schema: 'odeforge-gpu-bench/1';
  mode: 'gpu' | 'cpu-dry-run';
  date: string;
  argv: string[];
  /** bench/gpu/run.sh's build-info.json: commit, whether the tree was dirty, when the bundle was built. */
  build?: Record<string, unknown>;
  machine: {
    card?: string;
    driver?: string;
    gpuMemory?: string;
    nvidiaSmi?: string;
    cudaDevice?: string;
    nvcc?: string;
    node: string;
    cpu: string;
    cores: number;
    python?: string;
  };
  problem: string;
  sizes: SizeSection[];
  anchorBuild?: { ok: boolean; command: string; ms: number; error?: string };
  peers?: {
    count: number;
    results: Record<string, number | string>;
    seconds: number;
    error?: string;
    skipped?: string;
  };
  ratios: Ratio[];
  notes: string[];
  elapsedSeconds: number;
  finished: boolean;
}

// ─── Formatting ────────────────────────────────────────────────────────────────────────────────────────

export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

export function sci(v: number | undefined): string {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  return v === 0 ? '0' : v.toExponential(1);
}

export function ratio(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return v >= 100 ? `${v.toFixed(0)}×` : `${v.toFixed(2)}×`;
}

/** Table cells stay short: an error is cut after its first sentence or 240 characters (the JSON has it all). */
function cell(s: string): string {
  let t = s.replaceAll('\n', ' ');
  if (t.startsWith('error: ')) {
    const end = t.indexOf('. ', 7);
    if (end > 0) t = t.slice(0, end + 1);
    if (t.length > 240) t = `${t.slice(0, 240)}…`;
  }
  return t.replaceAll('|', '\\|');
}

function table(head: string[], rows: string[][]): string {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function pow2(n: number): string {
  const k = Math.log2(n);
  return Number.isInteger(k) ? `2^${k} = ${n}` : String(n);
}

function checkText(c: Check | undefined, err: string | undefined): [string, string] {
  if (!c) return [err ? `error: ${err}` : '—', '—'];
  const f = (v: { y: number; jacobian?: number } | undefined) =>
    v ? (v.jacobian !== undefined ? `${sci(v.y)} / J ${sci(v.jacobian)}` : sci(v.y)) : '—';
  return [c.vsCpuF64 ? f(c.vsCpuF64) : c.cpuF64Error ? `error: ${c.cpuF64Error}` : '—', f(c.vsIndependent)];
}

/** peers_lorenz.py's keys and the odeforge CUDA variant computing the same thing (or more: with the Jacobian). */
const PEER_COUNTERPART: readonly (readonly [string, string])[] = [
  ['diffrax_tsit5_fixed_f32_state', 'rk4_f32_state'],
  ['diffrax_tsit5_fixed_f64_state', 'rk4_f64_state'],
  ['diffrax_tsit5_fixed_f64_jacfwd3x3', 'rk4_f64_jac'],
  ['diffrax_tsit5_adaptive1e-8_f64_state', 'dp5_f64_jac'],
  ['torchdiffeq_rk4_fixed_f32_state', 'rk4_f32_state'],
  ['torchdiffeq_rk4_fixed_f64_state', 'rk4_f64_state'],
];

export function toMarkdown(r: Results): string {
  const out: string[] = [];
  const dry = r.mode === 'cpu-dry-run';
  out.push(`# odeforge GPU ensemble benchmark${dry ? ' — CPU DRY RUN (times are not GPU times)' : ''}`);
  out.push('');
  out.push(
    `- card: ${r.machine.card ?? 'none (nvidia-smi gave nothing)'}${r.machine.driver ? `, driver ${r.machine.driver}` : ''}${r.machine.gpuMemory ? `, ${r.machine.gpuMemory}` : ''}`,
  );
  if (r.machine.cudaDevice) out.push(`- CUDA device 0: ${r.machine.cudaDevice}`);
  out.push(
    `- date: ${r.date}; node ${r.machine.node}; nvcc ${r.machine.nvcc ?? 'not found'}; python ${r.machine.python ?? '—'}; CPU ${r.machine.cpu} ×${r.machine.cores}`,
  );
  if (r.build)
    out.push(
      `- bundle: ${Object.entries(r.build)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')}`,
    );
  out.push(`- problem: ${r.problem}`);
  out.push(
    `- command: \`${r.argv.join(' ')}\`; ${r.finished ? 'finished' : 'NOT FINISHED (partial results)'} in ${r.elapsedSeconds.toFixed(0)} s`,
  );
  out.push(
    '- times: best of the repetitions after a warm-up; CUDA kernel and total (copies in + kernel + copies out) from CUDA events, hand CUDA kernel from its own CUDA events; WebGPU: dispatch + onSubmittedWorkDone (as lorenz_webgpu.mjs), and solveEnsembleWebGpu end to end. max rel = max |Δ| / max(1, |ref|) over the checked trajectories (y, and J = ∂y(1)/∂y0).',
  );
  if (r.ratios.length > 0) {
    out.push('');
    out.push('## Targets');
    out.push('');
    out.push(
      table(
        ['ratio', 'value', 'target', 'result'],
        r.ratios.map((q) => [
          q.what,
          ratio(q.value),
          q.target ? `${q.target.op === 'le' ? '≤' : '≥'} ${q.target.value}×` : '—',
          q.pass === undefined ? (q.note ?? 'n/a') : `${q.pass ? 'PASS' : 'FAIL'}${q.note ? ` (${q.note})` : ''}`,
        ]),
      ),
    );
  }
  for (const s of r.sizes) {
    out.push('');
    out.push(`## N = ${pow2(s.count)}${s.seconds !== undefined ? ` (section took ${s.seconds.toFixed(0)} s)` : ''}`);
    out.push('');
    out.push(`### CUDA: odeforge's generated kernels vs hand-written lorenz_ensemble.cu`);
    out.push('');
    out.push(
      table(
        [
          'variant',
          dry ? 'odeforge (g++ CPU build, wall)' : 'odeforge kernel',
          'odeforge total',
          'block (kernel by block size)',
          'hand CUDA kernel',
          'kernel ratio',
          'steps/traj',
          'max rel vs f64 CPU (same source)',
          'max rel vs independent f64',
        ],
        s.cuda.map((c) => {
          if (c.error && !c.best) return [c.label, `error: ${c.error}`, '', '', ms(c.anchor?.kernelMs), '', '', '', ''];
          const [a, b] = checkText(c.check, c.checkError);
          return [
            c.label,
            ms(dry ? c.best?.wallMs : c.best?.kernelMs),
            dry ? '—' : ms(c.best?.totalMs),
            c.best
              ? `${c.best.blockSize}${dry ? '' : ` (${c.blocks.map((b) => `${b.blockSize}: ${ms(b.kernelMs?.best)}`).join(', ')})`}`
              : '—',
            c.anchor?.kernelMs !== undefined ? ms(c.anchor.kernelMs) : (c.anchor?.error ?? '—'),
            ratio(c.anchor?.ratioKernel),
            c.stepsPerTrajectory !== undefined
              ? `${c.stepsPerTrajectory.toFixed(1)}${c.notOk ? ` (${c.notOk} not ok)` : ''}`
              : '—',
            a,
            b,
          ];
        }),
      ),
    );
    const dryNotes = s.cuda.filter((c) => c.cudaPath).map((c) => `- ${c.label}: CUDA path: ${c.cudaPath}`);
    if (dryNotes.length > 0) out.push('', ...dryNotes);
    if (s.anchorCuda) {
      const a = s.anchorCuda;
      out.push('');
      out.push(
        `Hand CUDA: ${a.ran ? `ran (cuda: ${a.cudaStatus ?? '?'}; DP5 mean steps ${a.meanSteps ?? '—'})` : 'not run'}${a.error ? `; error: ${a.error}` : ''}${a.note ? `; ${a.note}` : ''}`,
      );
    }
    if (s.dp5CrossCheck) {
      const d = s.dp5CrossCheck;
      out.push(
        `DP5 ρ = 21 cross-check (y and Φ00, odeforge vs hand CUDA): max rel ${sci(d.maxRel)}; mean steps (accepted + rejected) odeforge ${d.odeforgeMeanSteps?.toFixed(1) ?? '—'}, hand ${d.anchorMeanSteps ?? '—'} (accepted)`,
      );
    }
    if (s.wgsl.length > 0 || s.anchorWebGpu) {
      out.push('');
      out.push(`### WebGPU (f32): odeforge's generated WGSL vs hand-written lorenz_webgpu.mjs and hand CUDA f32`);
      out.push('');
      const adapter = s.wgsl.find((w) => w.adapter)?.adapter ?? s.anchorWebGpu?.adapter;
      if (adapter) out.push(`Adapter: ${adapter}`, '');
      out.push(
        table(
          [
            'variant',
            'odeforge WGSL dispatch',
            'solveEnsembleWebGpu (with transfers)',
            'hand WGSL',
            'hand CUDA f32',
            'odeforge CUDA f32',
            'vs hand WGSL',
            'vs hand CUDA f32',
            'max rel vs f64 CPU',
            'max rel vs independent f64',
          ],
          s.wgsl.map((w) => {
            if (w.error)
              return [w.label, `error: ${w.error}`, '', ms(w.anchorWgslMs), ms(w.anchorCudaF32Ms), '', '', '', '', ''];
            const [a, b] = checkText(w.check, w.checkError);
            return [
              w.label,
              w.kernelMs ? ms(w.kernelMs.best) : `error: ${w.kernelError ?? '?'}`,
              ms(w.solveMs?.best),
              ms(w.anchorWgslMs),
              ms(w.anchorCudaF32Ms),
              ms(w.odeforgeCudaF32Ms),
              ratio(w.kernelMs && w.anchorWgslMs ? w.kernelMs.best / w.anchorWgslMs : undefined),
              ratio(w.kernelMs && w.anchorCudaF32Ms ? w.kernelMs.best / w.anchorCudaF32Ms : undefined),
              a,
              b,
            ];
          }),
        ),
      );
      const hv = s.wgsl.filter((w) => w.harnessVsSolve !== undefined);
      if (hv.length > 0) {
        out.push(
          '',
          `Dispatch harness vs solveEnsembleWebGpu outputs, max |Δ|: ${hv.map((w) => `${w.variant} ${sci(w.harnessVsSolve)}`).join(', ')}`,
        );
      }
      if (s.anchorWebGpu?.error) out.push('', `Hand WGSL: error: ${s.anchorWebGpu.error}`);
      else if (s.anchorWebGpu) {
        const e = Object.entries(s.anchorWebGpu.maxRelErr).map(([k, v]) => `${k} ${sci(v)}`);
        out.push(
          '',
          `Hand WGSL max rel err vs its f64 CPU run: ${e.join(', ') || '—'}${s.anchorWebGpu.notes.length ? `; ${s.anchorWebGpu.notes.join('; ')}` : ''}`,
        );
      }
    }
  }
  if (r.peers) {
    const p = r.peers;
    out.push('');
    out.push(`## Python peers (peers_lorenz.py, N = ${pow2(p.count)})`);
    out.push('');
    if (p.skipped) out.push(`Skipped: ${p.skipped}`);
    else {
      const same = r.sizes.find((s) => s.count === p.count);
      const rows = Object.entries(p.results).map(([k, v]) => {
        if (typeof v !== 'number') return [k, `error: ${v}`, '', '', ''];
        if (!k.endsWith('_ms')) return [k, String(v), '', '', ''];
        const id = PEER_COUNTERPART.find(([prefix]) => k.startsWith(prefix))?.[1];
        const row = id ? same?.cuda.find((c) => c.variant === id) : undefined;
        const ours = dry ? row?.best?.wallMs : row?.best?.kernelMs;
        return [k, ms(v), row?.label ?? '—', ms(ours), ratio(ours ? v / ours : undefined)];
      });
      out.push(
        rows.length > 0
          ? table(['what', 'time', 'odeforge CUDA counterpart', 'odeforge kernel', 'peer / odeforge'], rows)
          : 'No results.',
      );
      if (p.error) out.push('', `Error: ${p.error}`);
      out.push('', `(${p.seconds.toFixed(0)} s including imports and JIT)`);
    }
  }
  if (r.notes.length > 0) {
    out.push('');
    out.push('## Notes');
    out.push('');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  out.push('');
  return out.join('\n');
}

export function writeResults(dir: string, r: Results): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gpu-results.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, 'gpu-results.md'), toMarkdown(r));
}
