/**
 * Loads a library built from a generated CUDA source (src/ensemble/cuda-build.ts) with koffi and declares its
 * C entry points (templates/cuda/explicit-rk.cu). Typed arrays are passed by pointer, without copies; calls
 * run on koffi's worker threads (`.async`), so a long integration does not block the event loop.
 */
import type { CudaPrecision } from '../codegen/cuda/dialect.ts';
import type { BuiltLibrary } from './cuda-build.ts';
import { CudaUnavailableError } from './cuda-build.ts';
import { isMissingPackage, missingPackageMessage } from './optional-package.ts';

/** The arrays of the shared entry points; `real` arrays are Float64Array (f64) or Float32Array (f32). */
export interface RawEnsembleArgs<R extends Float64Array | Float32Array = Float64Array | Float32Array> {
  readonly count: number;
  readonly t0: number;
  readonly t1: number;
  readonly y0: R;
  readonly params: R | null;
  readonly rtol: number;
  readonly atol: number;
  /** 0: estimate the first step. */
  readonly dt: number;
  readonly maxSteps: number;
  readonly y: R;
  readonly jacobian: R | null;
  readonly paramJacobian: R | null;
  /**
   * With order-2 sensitivities: count × secondSize, each row the second-order blocks of the augmented vector as
   * integrated (Ψ and Π as pairs j ≤ k; see unpackSecondOrder in cuda.ts); null: not copied out.
   */
  readonly secondOrder: R | null;
  readonly t: Float64Array | null;
  readonly status: Int32Array | null;
  readonly steps: Int32Array | null;
  readonly rejected: Int32Array | null;
}

export interface LibraryLayout {
  readonly n: number;
  readonly p: number;
  readonly m: number;
  readonly phiOffset: number;
  readonly sensOffset: number;
  /** sizeof(real): 8 or 4. */
  readonly realBytes: number;
  /** Offsets of the second-order blocks Ψ (∂²y/∂y0∂y0), Mx (∂²y/∂y0∂p), Π (∂²y/∂p∂p); -1: not integrated. */
  readonly hessOffset: number;
  readonly mixedOffset: number;
  readonly paramHessOffset: number;
  /** Where the second-order blocks begin (m at order 1) and how many components they hold (0 at order 1). */
  readonly secondOffset: number;
  readonly secondSize: number;
}

export interface EnsembleLibrary {
  readonly built: BuiltLibrary;
  readonly precision: CudaPrecision;
  readonly layout: LibraryLayout;
  /** odeforge_solve_cpu: every trajectory on the CPU. Returns 0. */
  solveCpu(args: RawEnsembleArgs): Promise<number>;
  /** The CUDA entry points; present in nvcc builds only. */
  readonly cuda?: {
    /**
     * A context (odeforge_cuda_context_create): device and pinned buffers kept between its runs, grown when a
     * run needs more, and the augmented vectors a run kept on the device.
     */
    createContext(): CudaContext;
    /** cudaGetDeviceCount: the error code and the count. */
    deviceCount(): { code: number; count: number };
    errorName(code: number): string;
    /** The name of device 0, or undefined when it cannot be read. */
    deviceName(): string | undefined;
  };
}

/** The arrays of odeforge_cuda_run: host arrays in double whatever the precision (converted in bulk in C). */
export interface GpuRunArgs extends RawEnsembleArgs<Float64Array> {
  /** Receives the accepted and rejected steps summed on the device (2 values). */
  readonly totals: Float64Array;
  /** Threads per block (0: 128). */
  readonly blockSize: number;
  /** Pieces the rows are cut into, each copied and run on its own stream (0: chosen by the library). */
  readonly chunks: number;
  /** Keep the final augmented vectors on the device (for a later `resume`). */
  readonly keep: boolean;
  /** Start from the augmented vectors the context holds (the same count) instead of y0. */
  readonly resume: boolean;
  /** 4 floats (ms): copies in, kernels, copies out (CUDA events), the whole call (host clock); or null. */
  readonly timing: Float32Array | null;
}

/** What a context holds (odeforge_cuda_context_stats). */
export interface CudaContextStats {
  readonly deviceBytes: number;
  readonly pinnedBytes: number;
  readonly residentBytes: number;
  /** Trajectories whose final augmented vectors are on the device; -1: none. */
  readonly residentCount: number;
  /** cudaMalloc and cudaHostAlloc calls so far. */
  readonly allocations: number;
}

/** One solver's device state: runs on it are queued one after another. */
export interface CudaContext {
  /** odeforge_cuda_run: returns a cudaError_t. */
  run(args: GpuRunArgs): Promise<number>;
  stats(): CudaContextStats;
  /** Frees the device and pinned memory (after the runs queued so far); the context cannot be used again. */
  destroy(): Promise<void>;
}

/** The flags of odeforge_cuda_run (templates/cuda/explicit-rk.cu). */
const KEEP_ON_DEVICE = 1;
const RESUME_ON_DEVICE = 2;

type Koffi = typeof import('koffi');

let koffiModule: Promise<Koffi> | undefined;

async function loadKoffi(): Promise<Koffi> {
  koffiModule ??= import('koffi');
  try {
    return await koffiModule;
  } catch (e) {
    koffiModule = undefined;
    if (isMissingPackage(e, 'koffi')) {
      throw new CudaUnavailableError('koffi-missing', missingPackageMessage('CUDA', 'koffi'));
    }
    throw new CudaUnavailableError('koffi-missing', `the koffi package cannot be loaded: ${(e as Error).message}`);
  }
}

/** How many ints odeforge_layout writes. */
export const LAYOUT_INTS = 11;

/** The LibraryLayout of odeforge_layout's ints (templates/cuda/explicit-rk.cu says their order). */
export function layoutFrom(raw: Int32Array): LibraryLayout {
  if (raw.length < LAYOUT_INTS)
    throw new Error(`internal: odeforge_layout gives ${LAYOUT_INTS} ints, got ${raw.length}`);
  return {
    n: raw[0]!,
    p: raw[1]!,
    m: raw[2]!,
    phiOffset: raw[3]!,
    sensOffset: raw[4]!,
    realBytes: raw[5]!,
    hessOffset: raw[6]!,
    mixedOffset: raw[7]!,
    paramHessOffset: raw[8]!,
    secondOffset: raw[9]!,
    secondSize: raw[10]!,
  };
}

const loaded = new Map<string, Promise<EnsembleLibrary>>();

const SHARED_ARGS = (real: string) =>
  `int count, double t0, double t1, const ${real}* y0, const ${real}* params, double rtol, double atol, double dt, ` +
  `double max_steps, ${real}* y, ${real}* jacobian, ${real}* param_jacobian, ${real}* second_order, double* t, ` +
  'int* status, int* steps, int* rejected';

function callAsync(fn: { async: (...args: unknown[]) => void }, args: readonly unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (err: unknown, res: number) => (err ? reject(err) : resolve(res)));
  });
}

function argList(a: RawEnsembleArgs): unknown[] {
  return [
    a.count,
    a.t0,
    a.t1,
    a.y0,
    a.params,
    a.rtol,
    a.atol,
    a.dt,
    a.maxSteps,
    a.y,
    a.jacobian,
    a.paramJacobian,
    a.secondOrder,
    a.t,
    a.status,
    a.steps,
    a.rejected,
  ];
}

async function open(built: BuiltLibrary, precision: CudaPrecision): Promise<EnsembleLibrary> {
  const koffi = await loadKoffi();
  const lib = koffi.load(built.path);
  const real = precision === 'f64' ? 'double' : 'float';

  const layoutFn = lib.func('void odeforge_layout(_Out_ int* out)');
  const raw = new Int32Array(LAYOUT_INTS);
  layoutFn(raw);
  const layout = layoutFrom(raw);
  if (layout.realBytes !== (precision === 'f64' ? 8 : 4)) {
    throw new Error(`internal: ${built.path} was built for ${layout.realBytes}-byte reals, not ${precision}`);
  }

  const cpu = lib.func(`int odeforge_solve_cpu(${SHARED_ARGS(real)})`);
  let cuda: EnsembleLibrary['cuda'];
  if (built.target === 'cuda') {
    const create = lib.func('void* odeforge_cuda_context_create(void)');
    const destroy = lib.func('void odeforge_cuda_context_destroy(void* ctx)');
    const stats = lib.func('void odeforge_cuda_context_stats(void* ctx, _Out_ double* out)');
    const run = lib.func(
      `int odeforge_cuda_run(void* ctx, ${SHARED_ARGS('double')}, double* totals, int block_size, int chunks, int flags, float* timing_ms)`,
    );
    const count = lib.func('int odeforge_cuda_device_count(_Out_ int* count)');
    const errorName = lib.func('const char* odeforge_cuda_error_name(int code)');
    const deviceName = lib.func('int odeforge_cuda_device_name(_Out_ uint8_t* buf, int len)');
    cuda = {
      createContext: () => {
        const handle: unknown = create();
        if (handle === null) throw new Error('odeforge_cuda_context_create: out of host memory');
        // koffi runs async calls on worker threads; the C mutex would serialise them too, but queueing here keeps
        // a resumed run after the run that kept its state, in call order.
        let queue: Promise<unknown> = Promise.resolve();
        let destroyed = false;
        const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
          const next = queue.then(job, job);
          queue = next.catch(() => {});
          return next;
        };
        return {
          run: (a) =>
            enqueue(() => {
              if (destroyed) return Promise.reject(new Error('internal: the CUDA context was released'));
              const flags = (a.keep ? KEEP_ON_DEVICE : 0) | (a.resume ? RESUME_ON_DEVICE : 0);
              return callAsync(run, [handle, ...argList(a), a.totals, a.blockSize, a.chunks, flags, a.timing]);
            }),
          stats: () => {
            const out = new Float64Array(5);
            stats(handle, out);
            return {
              deviceBytes: out[0]!,
              pinnedBytes: out[1]!,
              residentBytes: out[2]!,
              residentCount: out[3]!,
              allocations: out[4]!,
            };
          },
          destroy: () =>
            enqueue(async () => {
              if (destroyed) return;
              destroyed = true;
              destroy(handle);
            }),
        };
      },
      deviceCount: () => {
        const c = new Int32Array(1);
        const code = count(c) as number;
        return { code, count: c[0]! };
      },
      errorName: (code) => String(errorName(code) ?? `error ${code}`),
      deviceName: () => {
        const buf = new Uint8Array(256);
        if ((deviceName(buf, buf.length) as number) !== 0) return undefined;
        const end = buf.indexOf(0);
        return new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
      },
    };
  }
  return { built, precision, layout, solveCpu: (args) => callAsync(cpu, argList(args)), cuda };
}

/** The library at built.path, loaded once per process. */
export function openEnsembleLibrary(built: BuiltLibrary, precision: CudaPrecision): Promise<EnsembleLibrary> {
  let lib = loaded.get(built.path);
  if (lib === undefined) {
    lib = open(built, precision);
    loaded.set(built.path, lib);
    lib.catch(() => loaded.delete(built.path));
  }
  return lib;
}
