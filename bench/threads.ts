/**
 * Threads: one Lorenz-96 solve (state + N×N Jacobian, RK45CK, t ∈ [0, 0.5], rtol = atol = 1e-8, as in the
 * scaling section) split by the columns of Φ across worker threads (`compile(…, { threads })`), against the same
 * solver on one thread, in alternating rounds. Both give the same bits (checked here on every size).
 * The thread counts tried: 2, and every power of two up to the machine's available parallelism.
 */
import { availableParallelism } from 'node:os';
import { compile } from '../src/compile.ts';
import { duration, round, type Section, table } from './lib/format.ts';
import { type Contender, jsBatch, race, sameRoundRatio } from './lib/race.ts';
import { lorenz96, lorenz96Y0 } from './models.ts';

export interface ThreadsOptions {
  readonly sizes: readonly number[];
  readonly rounds: number;
  readonly batchMs: number;
}

interface Row {
  n: number;
  threads: number;
  oneUs: number;
  splitUs: number;
  /** split time / one-thread time, median of same-round ratios. */
  splitOverOne: number;
  identical: boolean;
}

export function threadCounts(cores: number): number[] {
  const counts = [2];
  for (let t = 4; t <= cores; t *= 2) counts.push(t);
  return counts;
}

export function runThreads(o: ThreadsOptions): Section {
  const cores = availableParallelism();
  const rows: Row[] = [];
  for (const n of o.sizes) {
    const model = lorenz96(n);
    const problem = { t0: 0, t1: 0.5, y0: lorenz96Y0(n), rtol: 1e-8, atol: 1e-8, dt: 0.01 };
    const one = compile(model);
    const reference = one.solve(problem);
    for (const threads of threadCounts(cores)) {
      const split = compile(model, { threads });
      const r = split.solve(problem);
      const identical =
        r.y.every((v, i) => Object.is(v, reference.y[i])) &&
        r.jacobian!.every((v, i) => Object.is(v, reference.jacobian![i]));
      const contenders: Contender[] = [
        { name: 'one thread', batch: jsBatch(() => one.solve(problem)) },
        { name: `${threads} threads`, batch: jsBatch(() => split.solve(problem)) },
      ];
      const result = race(contenders, o.rounds, o.batchMs);
      rows.push({
        n,
        threads,
        oneUs: round(result.medians[0]!),
        splitUs: round(result.medians[1]!),
        splitOverOne: round(sameRoundRatio(result, 1, 0)),
        identical,
      });
    }
  }
  const markdown = [
    '## Threads: one solve split by the columns of Φ',
    '',
    'Lorenz-96, state + N×N Jacobian, RK45CK, t ∈ [0, 0.5], rtol = atol = 1e-8 (as in the scaling section):',
    '`compile(model, { threads })` against the same solver on one thread (each with its WebAssembly kernel), in',
    `alternating rounds (${o.rounds}); "split / one" is the median of same-round ratios (< 1: faster). This machine has`,
    `${cores} logical cores, shared with whatever else runs on it.`,
    '',
    ...table(
      ['N', 'threads', 'one thread', 'split', 'split / one', 'same bits'],
      rows.map((r) => [
        String(r.n),
        String(r.threads),
        duration(r.oneUs),
        duration(r.splitUs),
        `${r.splitOverOne.toFixed(2)}×`,
        r.identical ? 'yes' : 'NO',
      ]),
    ),
    '',
  ];
  return { markdown, json: { cores, rows } };
}
