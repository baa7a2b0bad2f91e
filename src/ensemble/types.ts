/**
 * Ensembles: one model integrated for many initial states and parameter sets at once, each trajectory with
 * its own adaptive step size. Arrays are row-major, one trajectory per row.
 */

export interface EnsembleOptions {
  readonly t0: number;
  readonly t1: number;
  /** N×n initial states. N is y0.length / n. */
  readonly y0: Float64Array;
  /** N×p parameters (absent: every trajectory uses the model's defaults). */
  readonly params?: Float64Array;
  readonly rtol?: number;
  readonly atol?: number;
  /** First step (adaptive methods) or the step (fixed-step methods). */
  readonly dt?: number;
  readonly maxSteps?: number;
}

/**
 * What `solveEnsemble` accepts: EnsembleOptions, except that y0 and params may also be plain arrays of numbers
 * (copied once into Float64Arrays). Every value is checked before any work starts: an OptionError names the
 * option, and for a bad value its row and entry (`y0: row 3000, entry 0 (x): …`).
 */
export interface EnsembleInput extends Omit<EnsembleOptions, 'y0' | 'params'> {
  readonly y0: Float64Array | readonly number[];
  readonly params?: Float64Array | readonly number[];
}

export type EnsembleBackend = 'cpu' | 'cuda' | 'webgpu';

export interface EnsembleBackendOptions {
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
  readonly total: number;
  readonly fraction: number;
  readonly elapsedMs: number;
  /** elapsed·(1 − f)/f, NaN at f = 0. */
  readonly etaMs: number;
}

import type { EnsembleStatus } from '../runtime/status.ts';

export { ENSEMBLE_STATUS, type EnsembleStatus } from '../runtime/status.ts';

export interface EnsembleResult {
  /** N×n final states. */
  readonly y: Float64Array;
  /** N×n×n, ∂y_i(t1)/∂y0_j per trajectory, when y0 sensitivities were compiled. */
  readonly jacobian?: Float64Array;
  /** N×n×p, when parameter sensitivities were compiled. */
  readonly paramJacobian?: Float64Array;
  /** Per trajectory: 'ok' or why it stopped. */
  readonly status: readonly EnsembleStatus[];
  readonly stats: {
    readonly trajectories: number;
    /** Sum over trajectories of accepted and rejected steps. */
    readonly steps: number;
    readonly rejected: number;
    readonly backend: EnsembleBackend;
    readonly precision: 'f64' | 'f32';
    /** Wall time of the device work (kernel plus transfers) in milliseconds. */
    readonly ms: number;
  };
}
