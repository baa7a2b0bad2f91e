/**
 * The process-wide pool of worker threads behind the 'cpu' ensemble backend. Every solveEnsemble call submits
 * its slices here as one job; the pool runs them first come, first served, on at most as many threads as the
 * largest `workers` among the jobs running (each job itself never occupies more than its own `workers`), so
 * 400 concurrent calls queue instead of starting 800 threads.
 *
 * A worker evaluates a generated module once and keeps it (a few per worker, by a hash of the JavaScript), so a
 * call does not pay for evaluating it again. When a slice fails, the job is rejected at once, its queued slices
 * are dropped, and its running slices stop before their next row (a flag in shared memory); a slice still
 * running after a grace period has its thread terminated. Idle threads are unref'd, so they never keep a
 * script or a test runner alive, and exit after a while.
 *
 * Hand-written over node:worker_threads rather than piscina or tinypool: those fix the pool size when created
 * and cancel a running task by terminating its thread (which would drop the evaluated modules), and the glue
 * for per-job limits and module keys would be as long as this file.
 */
import { Worker } from 'node:worker_threads';
import type { SolverInfo } from '../runtime/types.ts';
import {
  CANCEL_FLAG,
  ROWS_STARTED,
  runSlice,
  type SliceOutcome,
  type SliceOutput,
  type SliceTask,
  sliceError,
} from './slice.ts';
import type { AbortSignalLike } from './types.ts';

/** How long an idle thread waits for work before exiting. */
const IDLE_MS = 30_000;
/** How long a cancelled slice may take to reach its next row before its thread is terminated. */
const CANCEL_GRACE_MS = 1000;
/** Generated modules a worker keeps evaluated. */
const MODULES_PER_WORKER = 16;

interface WorkerRequest {
  readonly key: string;
  readonly js: string;
  readonly task: SliceTask;
  readonly progress: Int32Array;
}

interface WorkerReply {
  readonly outcome: SliceOutcome;
  /** Whether the worker evaluated the module for this slice (it had not kept it). */
  readonly loaded: boolean;
}

const WORKER_SOURCE = `
'use strict';
// esbuild's keepNames helper, in case the functions below were compiled with it (tsx does, in development).
const __name = (f) => f;
const { parentPort } = require('node:worker_threads');
const runSlice = ${runSlice.toString()};
const modules = new Map();
parentPort.on('message', (request) => {
  const { key, js, task, progress } = request;
  let mod = modules.get(key);
  const loaded = mod === undefined;
  if (loaded) {
    try {
      const m = { exports: {} };
      new Function('module', 'exports', js)(m, m.exports);
      mod = m.exports;
    } catch (e) {
      const failure = {
        row: task.firstRow,
        name: (e && e.name) || 'Error',
        message: 'cannot evaluate the solver module: ' + ((e && e.message) || String(e)),
        stack: e && e.stack,
        brands: [],
      };
      parentPort.postMessage({ outcome: { ok: false, failure, rows: 0 }, loaded });
      return;
    }
    modules.set(key, mod);
    if (modules.size > ${MODULES_PER_WORKER}) modules.delete(modules.keys().next().value);
  } else {
    // Most recently used last: the first key is the one to drop.
    modules.delete(key);
    modules.set(key, mod);
  }
  const outcome = runSlice(mod, task, progress);
  const o = outcome.ok ? outcome.output : undefined;
  parentPort.postMessage({ outcome, loaded }, o ? [o.y.buffer, o.jacobian.buffer, o.paramJacobian.buffer, o.hessian.buffer, o.paramHessian.buffer, o.mixedHessian.buffer, o.eventTimes.buffer, o.status.buffer] : []);
});
`;

export interface EnsembleJob {
  /** A hash of `js`: the key under which workers keep the evaluated module. */
  readonly key: string;
  /** CommonJS text of the generated module. */
  readonly js: string;
  readonly info: SolverInfo;
  /** The slices; their y0 and params buffers are transferred to the workers (the caller must not reuse them). */
  readonly tasks: readonly SliceTask[];
  /** The most threads this job may occupy at once. */
  readonly workers: number;
  /** Called after each slice that completes, with the count of its job's rows completed so far. */
  readonly onSliceDone?: (rowsDone: number) => void;
  /** Aborting it rejects the job with the signal's reason and stops its slices (as a failed slice does). */
  readonly signal?: AbortSignalLike;
}

/** A snapshot of the process's pool of ensemble worker threads: what `ensemblePool().stats()` returns. */
export interface EnsemblePoolStats {
  /** Live worker threads. */
  readonly threads: number;
  /** Threads running a slice. */
  readonly busy: number;
  /** Slices waiting for a thread. */
  readonly queued: number;
  /** Jobs not yet finished (including failed ones whose slices are still stopping). */
  readonly jobs: number;
  /** The most threads alive at any one time since the pool was created (or since resetPeaks). */
  readonly peakThreads: number;
  /** The most threads busy at any one time since the pool was created (or since resetPeaks). */
  readonly peakBusy: number;
  /** Times a worker evaluated a generated module. */
  readonly moduleLoads: number;
  /** Slices that came back (completed, failed or stopped by a cancellation). */
  readonly slices: number;
  /** Trajectories started on the pool's threads (a cancelled slice stops before its next row). */
  readonly rowsStarted: number;
  /** Threads terminated because a cancelled slice had not stopped after a grace period. */
  readonly killed: number;
}

interface Job extends EnsembleJob {
  next: number;
  inFlight: number;
  done: number;
  rowsDone: number;
  /** Removes the job's abort listener from its signal (a signal may outlive many jobs: it must not keep them). */
  detach: () => void;
  settled: boolean;
  readonly outputs: SliceOutput[];
  /** Shared with the workers: see CANCEL_FLAG and ROWS_STARTED. */
  readonly progress: Int32Array;
  readonly resolve: (outputs: SliceOutput[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Thread {
  readonly worker: Worker;
  job?: Job;
  slice?: number;
  timer?: NodeJS.Timeout;
  gone: boolean;
}

/** Why an aborted job rejects: the signal's reason (an AbortError by default), as fetch and timers do. */
export function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason ?? new DOMException('the ensemble was aborted', 'AbortError');
}

export class EnsemblePool {
  readonly #threads: Thread[] = [];
  readonly #jobs: Job[] = [];
  #drainWaiters: (() => void)[] = [];
  #peakThreads = 0;
  #peakBusy = 0;
  #moduleLoads = 0;
  #slices = 0;
  #rowsOfFinishedJobs = 0;
  #killed = 0;

  /** Runs a job's slices; resolves with their outputs in order, or rejects with the first failure's error. */
  run(job: EnsembleJob): Promise<SliceOutput[]> {
    return new Promise((resolve, reject) => {
      if (job.signal?.aborted) {
        reject(abortReason(job.signal));
        return;
      }
      if (job.tasks.length === 0) {
        resolve([]);
        return;
      }
      const queued: Job = {
        ...job,
        next: 0,
        inFlight: 0,
        done: 0,
        rowsDone: 0,
        detach: () => {},
        settled: false,
        outputs: new Array(job.tasks.length),
        progress: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)),
        resolve,
        reject,
      };
      this.#jobs.push(queued);
      const signal = job.signal;
      if (signal !== undefined) {
        const onAbort = () => {
          if (queued.settled) return;
          this.#fail(queued, abortReason(signal));
          this.#retireFinishedJobs();
          this.#pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queued.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.#pump();
    });
  }

  stats(): EnsemblePoolStats {
    let rows = this.#rowsOfFinishedJobs;
    for (const job of this.#jobs) rows += Atomics.load(job.progress, ROWS_STARTED);
    return {
      threads: this.#threads.length,
      busy: this.#busy(),
      queued: this.#jobs.reduce((a, j) => a + j.tasks.length - j.next, 0),
      jobs: this.#jobs.length,
      peakThreads: this.#peakThreads,
      peakBusy: this.#peakBusy,
      moduleLoads: this.#moduleLoads,
      slices: this.#slices,
      rowsStarted: rows,
      killed: this.#killed,
    };
  }

  /** Starts peakThreads and peakBusy again from the present counts. */
  resetPeaks(): void {
    this.#peakThreads = this.#threads.length;
    this.#peakBusy = this.#busy();
  }

  /** Resolves once no job is left and no thread is busy (also with the slices of failed jobs stopped). */
  drained(): Promise<void> {
    if (this.#jobs.length === 0 && this.#busy() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #busy(): number {
    return this.#threads.reduce((a, t) => a + (t.job === undefined ? 0 : 1), 0);
  }

  /** Starts queued slices while the limits allow. */
  #pump(): void {
    for (;;) {
      const limit = this.#jobs.reduce((a, j) => (j.settled ? a : Math.max(a, j.workers)), 0);
      if (this.#busy() >= limit) break;
      const job = this.#jobs.find((j) => !j.settled && j.next < j.tasks.length && j.inFlight < j.workers);
      if (job === undefined) break;
      // Spawn only when no thread is idle: then threads = busy < limit, so the pool never outgrows the limit.
      const thread = this.#threads.find((t) => t.job === undefined) ?? this.#spawn();
      this.#start(thread, job);
    }
    const busy = this.#busy();
    if (busy > this.#peakBusy) this.#peakBusy = busy;
    if (this.#jobs.length === 0 && busy === 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  #spawn(): Thread {
    const thread: Thread = { worker: new Worker(WORKER_SOURCE, { eval: true }), gone: false };
    this.#threads.push(thread);
    if (this.#threads.length > this.#peakThreads) this.#peakThreads = this.#threads.length;
    thread.worker.on('message', (reply: WorkerReply) => this.#finished(thread, reply));
    thread.worker.on('error', (error) => this.#lost(thread, error));
    thread.worker.on('exit', (code) => this.#lost(thread, new Error(`ensemble worker exited with code ${code}`)));
    return thread;
  }

  #start(thread: Thread, job: Job): void {
    const index = job.next++;
    job.inFlight++;
    thread.job = job;
    thread.slice = index;
    clearTimeout(thread.timer);
    thread.worker.ref();
    const task = job.tasks[index]!;
    const request: WorkerRequest = { key: job.key, js: job.js, task, progress: job.progress };
    const transfer = task.params === undefined ? [task.y0.buffer] : [task.y0.buffer, task.params.buffer];
    thread.worker.postMessage(request, transfer as ArrayBuffer[]);
  }

  #finished(thread: Thread, reply: WorkerReply): void {
    const job = thread.job;
    const index = thread.slice;
    if (job === undefined || index === undefined) return;
    this.#slices++;
    if (reply.loaded) this.#moduleLoads++;
    this.#release(thread, job);
    this.#idle(thread);
    if (!job.settled) {
      const { outcome } = reply;
      if (outcome.ok) {
        job.outputs[index] = outcome.output;
        job.rowsDone += outcome.output.status.length;
        job.onSliceDone?.(job.rowsDone);
        if (++job.done === job.tasks.length) {
          job.settled = true;
          job.detach();
          job.resolve(job.outputs);
        }
      } else {
        this.#fail(job, sliceError(outcome.failure, job.info));
      }
    }
    this.#retireFinishedJobs();
    this.#pump();
  }

  /** A thread that died (an error outside runSlice, out of memory) or exited: its slice's job fails. */
  #lost(thread: Thread, error: Error): void {
    if (thread.gone) return;
    thread.gone = true;
    clearTimeout(thread.timer);
    this.#threads.splice(this.#threads.indexOf(thread), 1);
    const job = thread.job;
    if (job !== undefined) {
      this.#release(thread, job);
      if (!job.settled) this.#fail(job, error);
    }
    this.#retireFinishedJobs();
    this.#pump();
  }

  #release(thread: Thread, job: Job): void {
    thread.job = undefined;
    thread.slice = undefined;
    job.inFlight--;
  }

  #idle(thread: Thread): void {
    // An idle thread must not keep the process alive; it exits after IDLE_MS without work.
    thread.worker.unref();
    thread.timer = setTimeout(() => void this.#terminate(thread), IDLE_MS).unref();
  }

  #terminate(thread: Thread): Promise<number> {
    // #lost runs from the 'exit' event; removing the thread now keeps it from being given more work.
    if (!thread.gone) {
      const job = thread.job;
      if (job !== undefined) this.#release(thread, job);
      thread.gone = true;
      clearTimeout(thread.timer);
      this.#threads.splice(this.#threads.indexOf(thread), 1);
      this.#retireFinishedJobs();
      this.#pump();
    }
    return thread.worker.terminate();
  }

  /** Rejects a job and stops its other slices: queued ones at once, running ones before their next row. */
  #fail(job: Job, error: unknown): void {
    job.settled = true;
    job.detach();
    job.next = job.tasks.length;
    Atomics.store(job.progress, CANCEL_FLAG, 1);
    job.reject(error);
    for (const thread of this.#threads) {
      if (thread.job !== job) continue;
      // Work nobody waits for must not keep the process alive either.
      thread.worker.unref();
      setTimeout(() => {
        if (thread.job !== job) return;
        this.#killed++;
        void this.#terminate(thread);
      }, CANCEL_GRACE_MS).unref();
    }
  }

  #retireFinishedJobs(): void {
    for (let i = this.#jobs.length - 1; i >= 0; i--) {
      const job = this.#jobs[i]!;
      if (job.settled && job.inFlight === 0) {
        this.#rowsOfFinishedJobs += Atomics.load(job.progress, ROWS_STARTED);
        this.#jobs.splice(i, 1);
      }
    }
  }
}

let shared: EnsemblePool | undefined;

/**
 * The process's pool of worker threads for the 'cpu' ensemble backend (created on first use; threads start only
 * when a job needs them), which every `solveEnsemble` of the process shares. For monitoring: `stats()` returns
 * an EnsemblePoolStats, `resetPeaks()` starts its peak counts again from the present ones, and `drained()`
 * resolves once no job is left and no thread is busy.
 */
export function ensemblePool(): EnsemblePool {
  shared ??= new EnsemblePool();
  return shared;
}
