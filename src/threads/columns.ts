/**
 * `compile(…, { threads })`: one solve split across worker threads by the columns of its sensitivities.
 *
 * Φ' = JΦ and S' = JS + ∂f/∂p hold column by column, and with the error control on the state (the default) the
 * steps a solve takes depend on the state alone. So thread k integrates the state with its own slice of the
 * columns (a module generated for that slice: variational/system.ts, sliceColumns), all threads take the same
 * steps without ever talking to each other, and the slices are put together at the end — no lockstep, no
 * barrier per stage. The main thread integrates the first slice itself while the workers do the others.
 *
 * The solve stays synchronous: workers sleep in Atomics.wait on a shared counter, take their job from a
 * MessagePort with receiveMessageOnPort, and the main thread waits on a second counter for their replies.
 *
 * A solve the slices cannot do alone — callbacks (onStep, onSample, onProgress, signal), errorControl 'all' (the
 * norm then spans every column), time sensitivities — runs on the main thread with the whole
 * module, as does any solve where a slice failed or where the slices did not take identical steps (e.g. a
 * column overflowing in one slice only): the whole module then gives the result, or the error, it always gives.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { DenseOutput, SolveOptions, SolveResult, SolveStats } from '../runtime/types.ts';
import type { ColumnSlice } from '../variational/system.ts';

/** What a slice's solve needs: its module's solve and which columns it integrates. */
export interface SliceSolver {
  readonly slice: ColumnSlice;
  readonly solve: (options: SolveOptions) => SolveResult;
}

/** A slice to run in a worker: its module as evaluable JavaScript (see codegen/ts/evaluable.ts). */
export interface SliceModule {
  readonly slice: ColumnSlice;
  readonly js: string;
}

/**
 * Splits `count` columns into `parts` consecutive ranges whose sizes differ by at most one (the first ones
 * get the extra column).
 */
export function splitRange(count: number, parts: number): { from: number; count: number }[] {
  const out: { from: number; count: number }[] = [];
  let from = 0;
  for (let k = 0; k < parts; k++) {
    const size = Math.floor(count / parts) + (k < count % parts ? 1 : 0);
    out.push({ from, count: size });
    from += size;
  }
  return out;
}

/** The slices of Φ (n columns, or none) and S (np columns, or none) for `threads` threads. */
export function columnSlices(phiColumns: number, sensColumns: number, threads: number): ColumnSlice[] {
  const phi = splitRange(phiColumns, threads);
  const sens = splitRange(sensColumns, threads);
  return phi.map((p, k) => ({ phi: p, sens: sens[k]! }));
}

/** Control words in shared memory: the job generation the workers wait on, and the replies counted so far. */
const GENERATION = 0;
const REPLIES = 1;

interface SliceReply {
  readonly ok: boolean;
  readonly t?: number;
  readonly y?: Float64Array;
  readonly jacobian?: Float64Array;
  readonly paramJacobian?: Float64Array;
  readonly stats?: SolveStats;
  /** tEval's samples: each slice interpolates its own columns on the same steps. */
  readonly dense?: DenseOutput;
}

// A worker: evaluates its slice's module once, then loops — sleep until the generation moves, take the job,
// solve, reply, count the reply. It never returns to its event loop, so a job needs no message event.
const WORKER_SOURCE = `
'use strict';
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { js, port, control } = workerData;
let solve;
try {
  const m = { exports: {} };
  new Function('module', 'exports', js)(m, m.exports);
  solve = m.exports.solve;
} catch (e) {
  solve = undefined;
}
let seen = 0;
for (;;) {
  Atomics.wait(control, ${GENERATION}, seen);
  seen = Atomics.load(control, ${GENERATION});
  const job = receiveMessageOnPort(port);
  let reply = { ok: false };
  if (job !== undefined && solve !== undefined) {
    try {
      const r = solve(job.message);
      reply = { ok: true, t: r.t, y: r.y, jacobian: r.jacobian, paramJacobian: r.paramJacobian, stats: r.stats, dense: r.dense };
    } catch (e) {
      reply = { ok: false };
    }
  }
  const d = reply.dense;
  const arrays = [reply.y, reply.jacobian, reply.paramJacobian, d && d.jacobian, d && d.paramJacobian];
  const transfer = arrays.filter((a) => a !== undefined).map((a) => a.buffer);
  port.postMessage(reply, transfer);
  Atomics.add(control, ${REPLIES}, 1);
  Atomics.notify(control, ${REPLIES});
}
`;

interface Team {
  readonly workers: Worker[];
  readonly ports: MessagePort[];
  readonly control: Int32Array;
}

// Workers of a solver nobody holds any more are stopped (they are unref'd, so they never keep a process alive).
const teams = new FinalizationRegistry<Worker[]>((workers) => {
  for (const w of workers) void w.terminate();
});

/** Whether the slices alone can do this solve (see the header); otherwise the whole module does it. */
function splittable(o: SolveOptions): boolean {
  return (
    o.onStep === undefined &&
    o.onSample === undefined &&
    o.onProgress === undefined &&
    o.signal === undefined &&
    o.timeSensitivities !== true &&
    (o.errorControl === undefined || o.errorControl === 'state')
  );
}

/** Same bits: the slices must have taken the same steps to the same state for their columns to fit together. */
function sameRun(a: SolveResult, b: SliceReply): boolean {
  if (b.y === undefined || b.stats === undefined || !Object.is(a.t, b.t) || a.y.length !== b.y.length) return false;
  for (let i = 0; i < a.y.length; i++) if (!Object.is(a.y[i], b.y[i])) return false;
  const s = a.stats as unknown as Record<string, unknown>;
  const r = b.stats as unknown as Record<string, unknown>;
  return Object.keys(s).every((k) => Object.is(s[k], r[k]));
}

/**
 * A solve function over slices: `own` runs on the calling thread, each of `others` in a worker thread (started
 * on the first solve that splits, stopped once the function is unreachable), `whole` where the slices cannot
 * (see the header). n and np: the states and parameters, for the assembled arrays.
 */
export function splitSolve(
  whole: (options: SolveOptions) => SolveResult,
  own: SliceSolver,
  others: readonly SliceModule[],
  n: number,
  np: number,
): (options: SolveOptions) => SolveResult {
  let team: Team | undefined;
  const start = (): Team => {
    const control = new Int32Array(new SharedArrayBuffer(8));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    for (const m of others) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { js: m.js, port: port2, control },
        transferList: [port2],
      });
      worker.unref();
      workers.push(worker);
      ports.push(port1);
    }
    // stopped once nothing holds this solve function (the solver's)
    teams.register(split, workers);
    return { workers, ports, control };
  };

  const split = (options: SolveOptions): SolveResult => {
    if (!splittable(options)) return whole(options);
    team ??= start();
    const { ports, control } = team;
    // Every worker gets a copy of the caller's options. One that cannot be copied (a function under a misspelt
    // key, say) goes to the whole module, whose checks name what is wrong — before any worker has a message.
    let job: SolveOptions;
    try {
      job = structuredClone(options);
    } catch {
      return whole(options);
    }
    Atomics.store(control, REPLIES, 0);
    for (const port of ports) port.postMessage(job);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    let mine: SolveResult | undefined;
    try {
      mine = own.solve(options);
    } catch {
      mine = undefined;
    }
    for (;;) {
      const done = Atomics.load(control, REPLIES);
      if (done >= ports.length) break;
      Atomics.wait(control, REPLIES, done);
    }
    const replies = ports.map((p) => receiveMessageOnPort(p)?.message as SliceReply | undefined);
    // A failed slice (a bad option, a failed integration) or slices that parted ways: the whole module answers,
    // with its own result or its own error.
    if (mine === undefined || replies.some((r) => r === undefined || !r.ok || !sameRun(mine, r))) {
      return whole(options);
    }
    const parts: { slice: ColumnSlice; r: SliceReply | SolveResult }[] = [
      { slice: own.slice, r: mine },
      ...replies.map((r, k) => ({ slice: others[k]!.slice, r: r! })),
    ];
    // The sensitivities of `rows` n-row blocks (1, or tEval's samples), from each slice's columns.
    const assemble = (rows: number, block: (r: SliceReply | SolveResult) => Float64Array | undefined, phi: boolean) => {
      const width = phi ? n : np;
      const out = new Float64Array(rows * n * width);
      if (out.length === 0) return out;
      for (const { slice, r } of parts) place(out, block(r)!, rows * n, width, phi ? slice.phi : slice.sens);
      return out;
    };
    const out: { -readonly [K in keyof SolveResult]: SolveResult[K] } = { t: mine.t, y: mine.y, stats: mine.stats };
    if (mine.jacobian !== undefined) out.jacobian = assemble(1, (r) => r.jacobian, true);
    if (mine.paramJacobian !== undefined) {
      out.paramJacobian =
        mine.paramJacobian.length === 0 ? mine.paramJacobian : assemble(1, (r) => r.paramJacobian, false);
    }
    if (mine.dense !== undefined) {
      const samples = mine.dense.t.length;
      const dense: { -readonly [K in keyof DenseOutput]: DenseOutput[K] } = { t: mine.dense.t, y: mine.dense.y };
      if (mine.dense.jacobian !== undefined) dense.jacobian = assemble(samples, (r) => r.dense?.jacobian, true);
      if (mine.dense.paramJacobian !== undefined) {
        dense.paramJacobian =
          mine.dense.paramJacobian.length === 0
            ? mine.dense.paramJacobian
            : assemble(samples, (r) => r.dense?.paramJacobian, false);
      }
      out.dense = dense;
    }
    return out;
  };
  return split;
}

/** Writes a slice's rows (n × range.count, row-major) into its columns of the n × width matrix `into`. */
function place(
  into: Float64Array,
  part: Float64Array,
  n: number,
  width: number,
  range: { from: number; count: number },
): void {
  for (let i = 0; i < n; i++) {
    into.set(part.subarray(i * range.count, (i + 1) * range.count), i * width + range.from);
  }
}
