/**
 * Builds a generated CUDA source into a shared library, with nvcc (GPU kernel + launcher + CPU loop) or with a
 * plain C++ compiler (CPU loop only, the same numerics), and caches the result by a hash of the source, the
 * compiler's version and the flags: `~/.cache/odeforge/cuda/<hash>-<target>.so` (or $ODEFORGE_CACHE_DIR,
 * or $XDG_CACHE_HOME/odeforge/cuda). A build is written under a temporary name and renamed into place, so
 * concurrent processes building the same source do not see each other's half-written files.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
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
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'CudaUnavailableError');
  }
  override name = 'CudaUnavailableError';
  constructor(
    readonly reason: 'nvcc-missing' | 'compiler-missing' | 'koffi-missing' | 'no-device',
    message: string,
  ) {
    super(message);
    brand(this, 'CudaUnavailableError');
  }
}

/** The compiler rejected a generated source (a bug in odeforge, or an unsupported compiler). */
export class CudaBuildError extends OdeforgeError {
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'CudaBuildError');
  }
  override name = 'CudaBuildError';
  constructor(
    message: string,
    readonly command: readonly string[],
    readonly output: string,
  ) {
    super(message);
    brand(this, 'CudaBuildError');
  }
}

/** A CUDA runtime call failed (cudaMalloc, a copy, the kernel launch): the cudaError_t code and its name. */
export class CudaRuntimeError extends OdeforgeError {
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'CudaRuntimeError');
  }
  override name = 'CudaRuntimeError';
  constructor(
    readonly code: number,
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

function run(file: string, args: readonly string[], timeoutMs = 600_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ code: null, output, missing: true });
      else if (err)
        resolve({ code: typeof err.code === 'number' ? err.code : 1, output: output || err.message, missing: false });
      else resolve({ code: 0, output, missing: false });
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
  const result = await run(compiler, [...flags, sourcePath, '-o', tmp]);
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
