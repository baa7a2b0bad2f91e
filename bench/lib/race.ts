/**
 * The timing harness. These machines are shared and noisy, so no absolute time is trusted alone: contenders
 * run in alternating rounds (A B C A B C …), each round one batch per contender, and every comparison is the
 * median over rounds of the contender's time divided by the baseline's time in the same round.
 */

/** Runs `reps` solves and returns the time per solve in µs (measured by whoever runs it: JS or a subprocess). */
export type Batch = (reps: number) => number;

export interface Contender {
  readonly name: string;
  readonly batch: Batch;
}

export interface RaceResult {
  /** Median µs per solve, one per contender. */
  readonly medians: number[];
  /** Median over rounds of time / baseline time (contender 0) in the same round. */
  readonly ratios: number[];
  /** Solves per batch chosen for each contender. */
  readonly reps: number[];
  readonly rounds: number;
  /** µs per solve, per contender, per round. */
  readonly samples: number[][];
}

/** Median over rounds of contender a's time / contender b's time in the same round. */
export function sameRoundRatio(r: RaceResult, a: number, b: number): number {
  const bs = r.samples[b]!;
  return median(r.samples[a]!.map((v, round) => v / bs[round]!));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A batch for an in-process function, timed with the monotonic high-resolution clock. */
export function jsBatch(run: () => unknown): Batch {
  return (reps) => {
    const start = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) run();
    return Number(process.hrtime.bigint() - start) / 1e3 / reps;
  };
}

/**
 * Alternating rounds. Each contender first runs a few untimed batches (JIT warm-up) that also size its batch
 * to about `batchMs`, so fast and slow contenders each get a batch long enough to time yet short enough to
 * interleave often.
 */
export function race(contenders: readonly Contender[], rounds: number, batchMs: number): RaceResult {
  const reps = contenders.map((c) => {
    let perSolve = c.batch(1);
    // A second, larger warm-up: the first call of a JS solver runs before the JIT has compiled anything.
    perSolve = c.batch(Math.max(1, Math.min(1000, Math.round((batchMs * 1e3) / 4 / perSolve))));
    return Math.max(1, Math.round((batchMs * 1e3) / perSolve));
  });
  const samples = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    contenders.forEach((c, i) => {
      samples[i]!.push(c.batch(reps[i]!));
    });
  }
  const base = samples[0]!;
  return {
    medians: samples.map(median),
    ratios: samples.map((s) => median(s.map((v, r) => v / base[r]!))),
    reps,
    rounds,
    samples,
  };
}
