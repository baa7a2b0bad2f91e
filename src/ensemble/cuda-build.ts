/**
 * Builds a generated CUDA source into a shared library, with nvcc (GPU kernel + launcher + CPU loop) or with a
 * plain C++ compiler (CPU loop only, the same numerics), and caches the result by a hash of the source, the
 * compiler's version and the flags: `~/.cache/odeforge/cuda/<hash>-<target>.so` (or $ODEFORGE_CACHE_DIR,
 * or $XDG_CACHE_HOME/odeforge/cuda). A build is written under a temporary name and renamed into place, so
 * concurrent processes building the same source do not see each other's half-written files.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_BRAND_PREFIX, OdeforgeError } from '../errors.ts';

/** Where the shared library runs: the GPU build (nvcc) or the CPU build (g++). */
export type CudaBuildTarget = 'cuda' | 'cpu';

// The classes of src/errors.ts recognise their instances by registered symbols (so errors from standalone
// generated modules count too); these subclasses do the same, or `instanceof` would inherit OdeforgeError's
// test and hold for every OdeforgeError.
function brand(target: object, className: string): void {
  Object.defineProperty(target, Symbol.for(ERROR_BRAND_PREFIX + className), { value: true });
}

function branded(x: unknown, className: string): boolean {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as Record<symbol, unknown>)[Symbol.for(ERROR_BRAND_PREFIX + className)] === true
  );
}

/** CUDA cannot be used here: no nvcc, no C++ compiler, no koffi, no driver or no device. */
export class CudaUnavailableError extends OdeforgeError {
  /** True for a CudaUnavailableError (recognised by its registered brand symbol, as for OdeforgeError). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'CudaUnavailableError');
  }
  /** 'CudaUnavailableError'. */
  override name = 'CudaUnavailableError';
  constructor(
    /**
     * What is missing: 'nvcc-missing' (no nvcc: $NVCC, else `nvcc` on the PATH), 'compiler-missing' (no C++
     * compiler for the CPU build), 'koffi-missing' (the optional package koffi is not installed or cannot be
     * loaded), 'no-device' (the CUDA runtime sees no GPU).
     */
    readonly reason: 'nvcc-missing' | 'compiler-missing' | 'koffi-missing' | 'no-device',
    message: string,
  ) {
    super(message);
    brand(this, 'CudaUnavailableError');
  }
}

/** The compiler rejected a generated source (a bug in odeforge, or an unsupported compiler). */
export class CudaBuildError extends OdeforgeError {
  /** True for a CudaBuildError (recognised by its registered brand symbol, as for OdeforgeError). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'CudaBuildError');
  }
  /** 'CudaBuildError'. */
  override name = 'CudaBuildError';
  constructor(
    message: string,
    /** The compiler command line that failed (program and arguments, for the final output path). */
    readonly command: readonly string[],
    /** The compiler's whole output (the message carries at most its first 4,000 characters). */
    readonly output: string,
  ) {
    super(message);
    brand(this, 'CudaBuildError');
  }
}

/** A CUDA runtime call failed (cudaMalloc, a copy, the kernel launch): the cudaError_t code and its name. */
export class CudaRuntimeError extends OdeforgeError {
  /** True for a CudaRuntimeError (recognised by its registered brand symbol, as for OdeforgeError). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'CudaRuntimeError');
  }
  /** 'CudaRuntimeError'. */
  override name = 'CudaRuntimeError';
  constructor(
    /** The cudaError_t value the call returned. */
    readonly code: number,
    /** Its name, as cudaGetErrorName gives it (e.g. 'cudaErrorMemoryAllocation'). */
    readonly codeName: string,
    what: string,
  ) {
    super(`${what} failed: CUDA error ${code} (${codeName})`);
    brand(this, 'CudaRuntimeError');
  }
}

export interface CudaBuildOptions {
  /** The nvcc executable (default: $NVCC, else `nvcc` on the PATH). */
  readonly nvcc?: string;
  /** The C++ compiler for CPU builds (default: `g++`). */
  readonly cxx?: string;
  /** GPU architecture for nvcc's -arch (default 'sm_90': H100/H200; PTX for compute_90 is embedded too). */
  readonly arch?: string;
  /**
   * Extra nvcc flags, appended. `--fmad=false` makes the GPU round like the CPU build (no fused multiply-add
   * contraction), at some cost in speed.
   */
  readonly nvccFlags?: readonly string[];
  /** Cache folder (default: $ODEFORGE_CACHE_DIR, else $XDG_CACHE_HOME/odeforge/cuda, else ~/.cache/odeforge/cuda). */
  readonly cacheDir?: string;
}

export interface BuiltLibrary {
  readonly target: CudaBuildTarget;
  /** The shared library (or the .ptx file, for buildPtx). */
  readonly path: string;
  /** The source it was built from, kept next to it. */
  readonly sourcePath: string;
  /** The compiler command line. */
  readonly command: readonly string[];
  /** What the compiler printed (warnings) when it built this library; '' when it came from the cache. */
  readonly warnings: string;
  readonly cached: boolean;
}

export function defaultCacheDir(): string {
  const env = process.env;
  if (env.ODEFORGE_CACHE_DIR) return env.ODEFORGE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'odeforge', 'cuda');
}

interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly missing: boolean;
}

/** How long a compiler may take to exit after SIGTERM (timeouts only) before it gets SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Most output kept from a compiler (as execFile's maxBuffer did). */
const MAX_OUTPUT = 64 * 1024 * 1024;

/** A compiler running now: its process group and the temporary files to remove if it is interrupted. */
interface ActiveBuild {
  readonly pid: number;
  readonly temporaries: readonly string[];
}

const activeBuilds = new Set<ActiveBuild>();
const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Sends a signal to a process group; false when the group is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every running compiler's process group (nvcc runs cicc, ptxas, the host compiler, …) and removes the
 * temporary outputs. Synchronous, for signal and exit handlers; exported for programs that handle the signals
 * themselves and end the process another way.
 */
export function abortActiveBuilds(): void {
  for (const build of activeBuilds) {
    // SIGKILL, not SIGTERM: the process is about to end and cannot wait for the compilers to finish exiting.
    signalGroup(build.pid, 'SIGKILL');
    for (const path of build.temporaries) rmSync(path, { recursive: true, force: true });
  }
  activeBuilds.clear();
  uninstallHandlers();
}

function onInterrupt(signal: NodeJS.Signals): void {
  abortActiveBuilds();
  // Re-raise, so the process ends as the signal meant: with the handlers gone, the default action applies,
  // unless the program has handlers of its own (they have been called for this signal already).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  abortActiveBuilds();
}

let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of INTERRUPTS) process.on(signal, onInterrupt);
  process.on('exit', onExit);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  for (const signal of INTERRUPTS) process.off(signal, onInterrupt);
  process.off('exit', onExit);
}

/**
 * Runs a compiler in its own process group (so that a Ctrl-C, which the terminal sends to ours, does not leave
 * half of nvcc's subprocesses running): on SIGINT, SIGTERM or SIGHUP while it runs, the whole group is killed
 * and `temporaries` are removed before the signal takes its course.
 */
function run(
  file: string,
  args: readonly string[],
  timeoutMs = 600_000,
  temporaries: readonly string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, [...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let kept = 0;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      if (kept >= MAX_OUTPUT) return;
      into.push(chunk);
      kept += chunk.length;
    };
    child.stdout.on('data', keep(stdout));
    child.stderr.on('data', keep(stderr));
    let build: ActiveBuild | undefined;
    if (child.pid !== undefined) {
      build = { pid: child.pid, temporaries };
      activeBuilds.add(build);
      installHandlers();
    }
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      const pid = child.pid;
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    let settled = false;
    const settle = (result: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (build !== undefined) {
        activeBuilds.delete(build);
        if (activeBuilds.size === 0) uninstallHandlers();
      }
      resolve(result);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') settle({ code: null, output: '', missing: true });
      else settle({ code: 1, output: err.message, missing: false });
    });
    child.on('close', (code, signal) => {
      let output = `${Buffer.concat(stdout)}${Buffer.concat(stderr)}`;
      if (timedOut) output += `\n${file} timed out after ${timeoutMs / 1000} s`;
      else if (signal !== null) output += `\n${file} was killed by ${signal}`;
      settle({ code: code === 0 && !timedOut ? 0 : (code ?? 1) || 1, output, missing: false });
    });
  });
}

const versions = new Map<string, Promise<string | undefined>>();

/** `compiler --version`, once per process; undefined when the compiler is not there. */
function compilerVersion(compiler: string): Promise<string | undefined> {
  let v = versions.get(compiler);
  if (v === undefined) {
    v = run(compiler, ['--version'], 60_000).then((r) => (r.missing || r.code !== 0 ? undefined : r.output.trim()));
    versions.set(compiler, v);
  }
  return v;
}

export function nvccPath(options: CudaBuildOptions = {}): string {
  return options.nvcc ?? (process.env.NVCC || 'nvcc');
}

export function cxxPath(options: CudaBuildOptions = {}): string {
  return options.cxx ?? 'g++';
}

/** Whether the compiler for a target answers `--version`. */
export async function compilerAvailable(target: CudaBuildTarget, options: CudaBuildOptions = {}): Promise<boolean> {
  return (await compilerVersion(target === 'cuda' ? nvccPath(options) : cxxPath(options))) !== undefined;
}

/** The flags of a build, before the source and output paths. */
export function buildFlags(target: CudaBuildTarget, options: CudaBuildOptions = {}): string[] {
  if (target === 'cuda') {
    return ['-shared', '-Xcompiler', '-fPIC', '-O3', `-arch=${options.arch ?? 'sm_90'}`, ...(options.nvccFlags ?? [])];
  }
  // -ffp-contract=off: no fused multiply-add, so the build rounds exactly as the TypeScript solver (on x86-64
  // without -march there is none anyway; on other CPUs GCC would contract by default).
  return ['-O2', '-ffp-contract=off', '-DODEFORGE_HD=', '-shared', '-fPIC', '-x', 'c++'];
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** What one cached compilation makes: a shared library for a target, or PTX assembly. */
type Product = CudaBuildTarget | 'ptx';

function productFlags(product: Product, options: CudaBuildOptions): string[] {
  if (product !== 'ptx') return buildFlags(product, options);
  const arch = options.arch ?? 'sm_90';
  return [`-arch=${arch.replace(/^sm_/, 'compute_')}`, '-ptx', ...(options.nvccFlags ?? [])];
}

async function compileCached(source: string, product: Product, options: CudaBuildOptions): Promise<BuiltLibrary> {
  const target: CudaBuildTarget = product === 'cpu' ? 'cpu' : 'cuda';
  const compiler = target === 'cuda' ? nvccPath(options) : cxxPath(options);
  const version = await compilerVersion(compiler);
  if (version === undefined) {
    throw target === 'cuda'
      ? new CudaUnavailableError(
          'nvcc-missing',
          `nvcc not found (tried '${compiler}'): install the CUDA toolkit or set NVCC`,
        )
      : new CudaUnavailableError('compiler-missing', `C++ compiler not found (tried '${compiler}')`);
  }
  const flags = productFlags(product, options);
  const hash = createHash('sha256')
    .update(JSON.stringify({ product, compiler, version, flags }))
    .update('\0')
    .update(source)
    .digest('hex')
    .slice(0, 32);
  const dir = options.cacheDir ?? defaultCacheDir();
  mkdirSync(dir, { recursive: true });
  const sourcePath = join(dir, `${hash}.cu`);
  const extension = product === 'ptx' ? 'ptx' : 'so';
  const path = join(dir, `${hash}-${product}.${extension}`);
  // The command recorded is the one for the final paths (the build itself writes a temporary file).
  const command = [compiler, ...flags, sourcePath, '-o', path];
  if (existsSync(path)) return { target, path, sourcePath, command, warnings: '', cached: true };

  if (!existsSync(sourcePath)) writeAtomic(sourcePath, source);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.${extension}`;
  // The compiler's own intermediate files (nvcc's tmpxft_*, g++'s cc*.s) go to a folder of this build's, so
  // that they are removed with it even when the compiler is killed before it can clean up.
  const scratch = mkdtempSync(join(tmpdir(), 'odeforge-build-'));
  let result: RunResult;
  try {
    const env = { ...process.env, TMPDIR: scratch };
    result = await run(compiler, [...flags, sourcePath, '-o', tmp], undefined, [tmp, scratch], env);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (result.code !== 0) {
    rmSync(tmp, { force: true });
    const shown = result.output.length > 4000 ? `${result.output.slice(0, 4000)}…` : result.output;
    throw new CudaBuildError(`${compiler} failed to build ${sourcePath}:\n${shown}`, command, result.output);
  }
  renameSync(tmp, path);
  return { target, path, sourcePath, command, warnings: result.output.trim(), cached: false };
}

/**
 * Builds (or finds in the cache) the shared library of a generated source. Throws CudaUnavailableError when
 * the compiler is missing, CudaBuildError when it fails.
 */
export function buildLibrary(
  source: string,
  target: CudaBuildTarget,
  options: CudaBuildOptions = {},
): Promise<BuiltLibrary> {
  return compileCached(source, target, options);
}

/**
 * Compiles a generated source to PTX for the virtual architecture of options.arch (compute_90 by default),
 * cached like the libraries: `nvcc -arch=compute_90 -ptx`. For inspection and for checking that the
 * device code builds for a PTX target.
 */
export function buildPtx(source: string, options: CudaBuildOptions = {}): Promise<BuiltLibrary> {
  return compileCached(source, 'ptx', options);
}
