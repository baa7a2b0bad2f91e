/**
 * The hand-written references of ../shared/anchors/gpu, built and run as subprocesses, their output parsed:
 * lorenz_ensemble.cu (nvcc), lorenz_webgpu.mjs (node + Dawn), peers_lorenz.py (diffrax and torchdiffeq).
 * Nothing here throws: every failure becomes an `error` string.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProc, tail, whyFailed } from './proc.ts';

// ─── lorenz_ensemble.cu ────────────────────────────────────────────────────────────────────────────────

export interface AnchorCudaBuild {
  readonly ok: boolean;
  readonly path?: string;
  readonly command: string;
  readonly ms: number;
  readonly error?: string;
}

/** nvcc -O3 -gencode arch=compute_90,code=sm_90 (the flags of ../shared/gpu/README.md for H100/H200). */
export async function buildAnchorCuda(source: string, outDir: string, arch = '90'): Promise<AnchorCudaBuild> {
  mkdirSync(outDir, { recursive: true });
  const nvcc = process.env.NVCC || 'nvcc';
  const path = join(outDir, 'lorenz_ensemble');
  const args = ['-O3', '-gencode', `arch=compute_${arch},code=sm_${arch}`, source, '-o', path];
  const command = [nvcc, ...args].join(' ');
  const r = await runProc(nvcc, args, { timeoutMs: 300_000 });
  if (r.code !== 0) return { ok: false, command, ms: r.ms, error: whyFailed(r, 'nvcc (anchor)', 300) };
  return { ok: true, path, command, ms: r.ms };
}

export interface AnchorCudaRun {
  readonly ok: boolean;
  /** Kernel times by the anchor's variant name (best of 3–5 CUDA-event timings, ms). */
  readonly kernelMs: Record<string, number>;
  readonly meanSteps?: number;
  /** Its trajectory ρ = 21 (the last one), Dormand–Prince f64 with the 3×3 variational equations. */
  readonly rho21?: { readonly y: number[]; readonly phi00: number };
  /** What it printed after `cuda:` ("no error" when all went well). */
  readonly cudaStatus?: string;
  readonly ms: number;
  readonly stdout: string;
  readonly error?: string;
}

export function parseAnchorCuda(stdout: string): Omit<AnchorCudaRun, 'ok' | 'ms' | 'stdout' | 'error'> {
  const kernelMs: Record<string, number> = {};
  let meanSteps: number | undefined;
  let rho21: AnchorCudaRun['rho21'];
  let cudaStatus: string | undefined;
  for (const line of stdout.split('\n')) {
    const t = /^N=(\d+)\s+(\S+)\s+([-+\d.eE]+|nan|inf) ms(?:\s+mean_steps\s+([\d.]+))?/.exec(line.trim());
    if (t) {
      kernelMs[t[2]!] = Number(t[3]);
      if (t[4] !== undefined) meanSteps = Number(t[4]);
      continue;
    }
    const r = /^rho=21 final y=\(([^,]+), ([^,]+), ([^)]+)\) Phi00=(\S+)/.exec(line.trim());
    if (r) {
      rho21 = { y: [Number(r[1]), Number(r[2]), Number(r[3])], phi00: Number(r[4]) };
      continue;
    }
    const c = /^cuda: (.*)$/.exec(line.trim());
    if (c) cudaStatus = c[1]!.trim();
  }
  return { kernelMs, meanSteps, rho21, cudaStatus };
}

export async function runAnchorCuda(exe: string, count: number, timeoutS: number): Promise<AnchorCudaRun> {
  const r = await runProc(exe, [String(count)], { timeoutMs: timeoutS * 1000 });
  const parsed = parseAnchorCuda(r.stdout);
  let error: string | undefined;
  if (r.code !== 0 || r.timedOut) error = whyFailed(r, 'lorenz_ensemble', timeoutS);
  else if (parsed.cudaStatus !== 'no error') {
    error = `lorenz_ensemble: CUDA reported '${parsed.cudaStatus ?? 'nothing'}'${r.stderr ? ` (${tail(r.stderr)})` : ''}`;
  } else if (Object.keys(parsed.kernelMs).length < 5) error = `lorenz_ensemble: unexpected output: ${tail(r.stdout)}`;
  // Times printed by a run that failed (a kernel that never launched reads 0 ms) are not kept.
  const kernelMs = error === undefined ? parsed.kernelMs : {};
  return { ok: error === undefined, ...parsed, kernelMs, ms: r.ms, stdout: r.stdout, error };
}

// ─── lorenz_webgpu.mjs ─────────────────────────────────────────────────────────────────────────────────

export interface AnchorWebGpuRun {
  readonly ok: boolean;
  /** Best-of-5 dispatch times (dispatch + onSubmittedWorkDone) by variant name, ms. */
  readonly kernelMs: Record<string, number>;
  readonly maxRelErr: Record<string, number>;
  readonly adapter?: string;
  /** Lines that were neither results nor blank (a buffer limit, "no WebGPU adapter"). */
  readonly notes: string[];
  readonly ms: number;
  readonly stdout: string;
  readonly error?: string;
}

export function parseAnchorWebGpu(
  stdout: string,
): Pick<AnchorWebGpuRun, 'kernelMs' | 'maxRelErr' | 'adapter' | 'notes'> {
  const kernelMs: Record<string, number> = {};
  const maxRelErr: Record<string, number> = {};
  const notes: string[] = [];
  let adapter: string | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const t = /^N=(\d+)\s+(webgpu_\S+)\s+([\d.eE+-]+) ms\s+maxrelerr_vs_f64\s+(\S+)\s*(?:\((.*)\))?$/.exec(line);
    if (t) {
      kernelMs[t[2]!] = Number(t[3]);
      maxRelErr[t[2]!] = Number(t[4]);
      if (t[5] !== undefined) adapter = t[5];
    } else notes.push(line);
  }
  return { kernelMs, maxRelErr, adapter, notes };
}

/** node lorenz_webgpu.mjs N, with the same environment (NODE_PATH, Vulkan driver) as this process. */
export async function runAnchorWebGpu(script: string, count: number, timeoutS: number): Promise<AnchorWebGpuRun> {
  const r = await runProc(process.execPath, [script, String(count)], { timeoutMs: timeoutS * 1000 });
  const parsed = parseAnchorWebGpu(r.stdout);
  let error: string | undefined;
  if (r.code !== 0 || r.timedOut) error = whyFailed(r, 'lorenz_webgpu.mjs', timeoutS);
  else if (Object.keys(parsed.kernelMs).length === 0) error = `lorenz_webgpu.mjs: no timings (${tail(r.stdout)})`;
  if (error && parsed.notes.length > 0) error += ` [${parsed.notes.join('; ')}]`;
  return { ok: error === undefined, ...parsed, ms: r.ms, stdout: r.stdout, error };
}

// ─── peers_lorenz.py ───────────────────────────────────────────────────────────────────────────────────

export interface PeersRun {
  readonly ok: boolean;
  /** The last JSON object printed (the script prints its results so far after diffrax, then after torch). */
  readonly results: Record<string, number | string>;
  readonly python?: string;
  readonly ms: number;
  readonly timedOut: boolean;
  readonly error?: string;
}

export function parsePeers(stdout: string): Record<string, number | string> | undefined {
  let last: Record<string, number | string> | undefined;
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v = JSON.parse(t) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) last = v as Record<string, number | string>;
    } catch {
      // a line cut by the timeout
    }
  }
  return last;
}

const PROBE =
  'import sys, importlib.util as u\n' +
  "mods = [m for m in ('jax', 'diffrax', 'torch', 'torchdiffeq') if u.find_spec(m) is not None]\n" +
  "print(sys.version.split()[0] + ' with ' + (', '.join(mods) or 'none of jax, diffrax, torch, torchdiffeq'))\n" +
  'print(len(mods))';

/** $PYTHON, else whichever of python3 and python has the most of the peers' packages. */
async function choosePython(): Promise<{ python: string; description?: string; error?: string }> {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', 'python'];
  let best: { python: string; description: string; found: number } | undefined;
  let error = '';
  for (const python of candidates) {
    const r = await runProc(python, ['-c', PROBE], { timeoutMs: 60_000 });
    if (r.code !== 0) {
      error ||= whyFailed(r, python, 60);
      continue;
    }
    const [description = '', found = '0'] = r.stdout.trim().split('\n');
    if (!best || Number(found) > best.found) best = { python, description: description.trim(), found: Number(found) };
  }
  return best ? { python: best.python, description: `${best.python}: ${best.description}` } : { python: '', error };
}

/** python3 peers_lorenz.py N with a time limit; what it printed before a timeout is kept. */
export async function runPeers(script: string, count: number, timeoutS: number): Promise<PeersRun> {
  const { python, description, error: noPython } = await choosePython();
  if (noPython !== undefined) return { ok: false, results: {}, ms: 0, timedOut: false, error: noPython };
  const r = await runProc(python, [script, String(count)], {
    timeoutMs: timeoutS * 1000,
    env: { ...process.env, XLA_PYTHON_CLIENT_PREALLOCATE: 'false', PYTHONUNBUFFERED: '1' },
  });
  const results = parsePeers(r.stdout) ?? {};
  let error: string | undefined;
  if (r.timedOut) error = `peers_lorenz.py: timed out after ${timeoutS} s (results printed before are kept)`;
  else if (r.code !== 0) error = whyFailed(r, 'peers_lorenz.py', timeoutS);
  else if (Object.keys(results).length === 0)
    error = `peers_lorenz.py: no JSON printed (${tail(r.stderr || r.stdout)})`;
  return {
    ok: error === undefined,
    results,
    python: description,
    ms: r.ms,
    timedOut: r.timedOut,
    error,
  };
}
