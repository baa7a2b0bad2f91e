/**
 * Ensembles: one model integrated for many initial states and parameter sets at once, each trajectory with
 * its own adaptive step size. Arrays are row-major, one trajectory per row.
 */

/** An output of the 'webgpu' backend that `webgpu.read` may list. */
export type WebGpuOutput = 'y' | 'jacobian' | 'paramJacobian';

/**
 * What a 'webgpu' ensemble kept on the device (`webgpu: { keep: true }`): the result's `state`, with the final
 * states and, when the solver computes them, the final sensitivities Φ = ∂y/∂y0 and S = ∂y/∂p. A later call of a
 * solver of the same model compiled for the same sensitivities takes it as `webgpu: { y0: state }` and continues
 * all of them. Starting from a state only reads it (it stays as it was and may start other calls); a call that
 * keeps gets a new state of its own, to release() separately. (Its class is WebGpuState in
 * src/ensemble/webgpu-run.ts; this interface keeps WebGPU's own types out of the public declarations.)
 */
export interface WebGpuDeviceState {
  /** The number of trajectories (rows). */
  readonly count: number;
  /** The number of states per trajectory (columns). */
  readonly states: number;
  /**
   * The sensitivities it holds, those of the solver that kept it: 'y0' (Φ, n×n per row), 'params' (S, n×p per
   * row); a call that starts from it must compute the same.
   */
  readonly sensitivities: readonly ('y0' | 'params')[];
  /** Whether release() was called (the state can no longer be used). */
  readonly released: boolean;
  /**
   * Frees the device memory now (states and sensitivities); later uses are OptionErrors. Calling it again does
   * nothing.
   */
  release(): void;
}

/**
 * The 'webgpu' backend's own options (`solveEnsemble(input, { backend: 'webgpu', webgpu: { … } })`): what to copy
 * back to the host and what to keep on the device, for a caller that runs ensemble after ensemble (an optimiser, a
 * continuation). Every key is checked; an unknown one is an OptionError.
 */
export interface WebGpuBackendOptions {
  /**
   * The outputs copied back (default: all that the solver computes). Leaving out 'jacobian' and 'paramJacobian'
   * skips their transposition, transfer and conversion to f64, and the result lacks them; leaving out 'y' gives
   * a zero-length `y`. Statuses and stats always come back.
   */
  readonly read?: readonly WebGpuOutput[];
  /**
   * Keep the final states, and the final Φ and S when the solver computes them, on the device: the result's
   * `state` (release() it when done). They are kept whatever `read` copies back: `read: ['y']` or `read: []`
   * still keep the sensitivities for a call that starts from the state.
   */
  readonly keep?: boolean;
  /**
   * Start from a kept state instead of uploading the input's y0, which then gives only the number of
   * trajectories (its values are not read: pass the earlier result's `y`, the same values in f64, or any array
   * of as many rows). The state must have as many rows and states, hold the sensitivities this solver computes
   * (the same as the solver that kept it), and be on the current device; else an OptionError on 'webgpu.y0'.
   * The sensitivities continue from the state's, as the 'cuda' backend's resumeOnDevice: the integration runs
   * from t0 (the previous t1, say) and the result's jacobian and paramJacobian are those of the whole
   * integration from the original y0 and params: Φ(t2, t0) = Φ(t2, t1)·Φ(t1, t0) and
   * S(t2, t0) = Φ(t2, t1)·S(t1, t0) + S(t2, t1), the last that of t1 → t2 alone. For S to be ∂y/∂p of the whole
   * integration, pass the same params as the call that kept the state. The state is only read: it stays valid,
   * and a call with `keep` returns a new one.
   */
  readonly y0?: WebGpuDeviceState;
}

/**
 * The integration problem of an ensemble, shared by all its trajectories except for y0 and params: every
 * trajectory runs from t0 to t1 with the same tolerances, each with its own adaptive step size.
 */
export interface EnsembleOptions {
  /** Initial time, a finite number. */
  readonly t0: number;
  /** Final time, a finite number (t1 < t0 integrates backward). */
  readonly t1: number;
  /** N×n initial states. N is y0.length / n. */
  readonly y0: Float64Array;
  /** N×p parameters (absent: every trajectory uses the model's defaults). */
  readonly params?: Float64Array;
  /** Relative tolerance of the error control, ≥ 0 (default 1e-6); rtol and atol may not both be 0. */
  readonly rtol?: number;
  /** Absolute tolerance of the error control, ≥ 0 (default 1e-9). */
  readonly atol?: number;
  /**
   * First step (adaptive methods; estimated when absent) or the step (fixed-step methods: required). A finite
   * number other than 0; its sign is ignored (t0 → t1 sets the direction).
   */
  readonly dt?: number;
  /** Limit on attempted steps per trajectory, a positive integer (default 1,000,000); past it: 'max-steps'. */
  readonly maxSteps?: number;
}

/**
 * What `solveEnsemble` accepts: EnsembleOptions, except that y0 and params may also be plain arrays of numbers
 * (copied once into Float64Arrays). Every value is checked before any work starts: an OptionError names the
 * option, and for a bad value its row and entry (`y0: row 3000, entry 0 (x): …`).
 */
export interface EnsembleInput extends Omit<EnsembleOptions, 'y0' | 'params'> {
  /** N×n initial states, row-major (one row per trajectory); its length must be a multiple of n. */
  readonly y0: Float64Array | readonly number[];
  /** N×p parameters, row-major, in the model's declared order (absent: the model's defaults for every row). */
  readonly params?: Float64Array | readonly number[];
}

/**
 * Where an ensemble runs: 'cpu' (the generated TypeScript on worker threads; every method), 'cuda' (generated
 * CUDA on an NVIDIA GPU through nvcc and the optional package koffi; explicit Runge–Kutta methods only) or
 * 'webgpu' (a generated WGSL compute shader, f32; explicit Runge–Kutta methods only; in Node through the
 * optional package webgpu).
 */
export type EnsembleBackend = 'cpu' | 'cuda' | 'webgpu';

/**
 * How and where `solveEnsemble` runs. Every key is checked before any work starts (an unknown one is an
 * OptionError).
 */
export interface EnsembleBackendOptions {
  /**
   * The backend (default 'cpu'). A 'cuda' ensemble rejects with CudaUnavailableError, CudaBuildError or
   * CudaRuntimeError, a 'webgpu' one with WebGpuUnavailableError, when the device cannot be used.
   */
  readonly backend?: EnsembleBackend;
  /** Arithmetic precision on the device: 'f64' (default for cpu and cuda) or 'f32' (the only one WGSL has). */
  readonly precision?: 'f64' | 'f32';
  /**
   * 'cpu' backend: how many worker threads this ensemble may occupy at once (a positive integer; default
   * `os.availableParallelism()`). All ensembles of a process share one pool of worker threads, which grows to
   * the largest `workers` among the ensembles running and queues the slices beyond it; idle threads do not keep
   * the process alive and exit after a while. Ensembles of fewer than 64 trajectories run on the calling thread.
   */
  readonly workers?: number;
  /**
   * Called as trajectories finish ('cpu' backend: after each slice of rows; the GPU backends: at the end) with
   * `{ done, total, fraction, elapsedMs, etaMs }`, and at the end with fraction 1.
   */
  readonly onProgress?: (progress: EnsembleProgress) => void;
  /**
   * Aborts the ensemble: the promise rejects with the signal's reason (an AbortError) and the worker threads
   * stop before their next trajectory ('cpu'); the GPU backends check it before they start.
   */
  readonly signal?: AbortSignalLike;
  /**
   * 'cuda' backend: keep every trajectory's final augmented vector (the state and, when compiled, its
   * sensitivities) in the solver's GPU memory, for a following call with resumeOnDevice; only y and the status
   * are copied back (the result has no jacobian, paramJacobian or Hessians). Default false.
   */
  readonly keepOnDevice?: boolean;
  /**
   * 'cuda' backend: start each trajectory from the final augmented vector that this solver's last call with
   * keepOnDevice left on the GPU for the same row (same trajectory count, else an OptionError), instead of from y0
   * (whose values are not read) and the identity: the integration continues from t0 — the previous t1, say — and
   * the Jacobians accumulate from the original y0. Default false.
   */
  readonly resumeOnDevice?: boolean;
  /**
   * 'webgpu' backend: what to copy back (`read`), whether to keep the final states on the device (`keep`: the
   * result's `state`), and a kept state to start from (`y0`); see WebGpuBackendOptions.
   */
  readonly webgpu?: WebGpuBackendOptions;
}

/**
 * What the ensembles use of an AbortSignal, spelled out so that the declarations need neither the DOM library nor
 * Node's types (an AbortSignal is one).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What an ensemble's onProgress receives. */
export interface EnsembleProgress {
  /** Trajectories finished, of `total`. */
  readonly done: number;
  /** The ensemble's number of trajectories. */
  readonly total: number;
  /** done / total, from 0 to 1. */
  readonly fraction: number;
  /** Milliseconds since the ensemble began. */
  readonly elapsedMs: number;
  /** elapsed·(1 − f)/f, NaN at f = 0. */
  readonly etaMs: number;
}

import type { EnsembleStatus } from '../runtime/status.ts';

export { ENSEMBLE_STATUS, type EnsembleStatus } from '../runtime/status.ts';

/** What `solveEnsemble` resolves with. Arrays are row-major, one row per trajectory, in the order of y0's rows. */
export interface EnsembleResult {
  /** N×n final states. */
  readonly y: Float64Array;
  /** N×n×n, ∂y_i(t1)/∂y0_j per trajectory, when y0 sensitivities were compiled. */
  readonly jacobian?: Float64Array;
  /** N×n×p, when parameter sensitivities were compiled. */
  readonly paramJacobian?: Float64Array;
  /**
   * With `order: 2` ('cuda' backend, f64), per trajectory the TypeScript solver's `hessian`: N×n×n×n,
   * hessian[((r*n + i)*n + j)*n + k] = ∂²y_i(t1)/∂y0_j∂y0_k of trajectory r, when y0 sensitivities were compiled.
   */
  readonly hessian?: Float64Array;
  /** With `order: 2`: N×n×p×p, ∂²y_i/∂p_j∂p_k per trajectory, when parameter sensitivities were compiled. */
  readonly paramHessian?: Float64Array;
  /** With `order: 2`: N×n×n×p, ∂²y_i/∂y0_j∂p_k per trajectory, when both were compiled. */
  readonly mixedHessian?: Float64Array;
  /**
   * N×E for a model with E events ('cpu' backend; absent for a model without events): the time at which each
   * event first happened on each trajectory, NaN where it did not (row i, column k: trajectory i, the model's k-th
   * event, in the order of info.events). A trajectory that a terminal event ended has that event's time in its row,
   * and its y, jacobian and paramJacobian are the event's (the state there and its total derivatives).
   */
  readonly eventTimes?: Float64Array;
  /** 'webgpu' backend with `webgpu: { keep: true }`: the final states, kept on the device (release() it when done). */
  readonly state?: WebGpuDeviceState;
  /** Per trajectory: 'ok' or why it stopped. */
  readonly status: readonly EnsembleStatus[];
  /** Totals over the ensemble. */
  readonly stats: {
    /** The number of trajectories, N. */
    readonly trajectories: number;
    /** Sum over trajectories of accepted and rejected steps. */
    readonly steps: number;
    /** Sum over trajectories of rejected steps. */
    readonly rejected: number;
    /** The backend that ran it. */
    readonly backend: EnsembleBackend;
    /** The arithmetic it ran in. */
    readonly precision: 'f64' | 'f32';
    /** Wall time of the device work (kernel plus transfers) in milliseconds. */
    readonly ms: number;
  };
}
