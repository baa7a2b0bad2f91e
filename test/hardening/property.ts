/**
 * Running fast-check properties with a seed that is printed on failure and can be replayed:
 *
 *   FC_SEED=<seed> [FC_PATH=<path>] npx vitest run test/hardening/<file>
 *
 * Without FC_SEED each run draws a new seed (so the suite explores more over time); FC_RUNS scales the
 * number of runs (FC_RUNS=10 runs ten times as many).
 */
import fc from 'fast-check';

export interface PropertyRun {
  readonly seed: number;
  /** The runs asked for (after FC_RUNS); a replay (FC_PATH) runs only the path. */
  readonly asked: number;
  readonly replay: boolean;
  /** Runs that passed (skipped runs, fc.pre, not included). */
  readonly runs: number;
  readonly skips: number;
}

export function checkProperty<Ts>(
  name: string,
  file: string,
  property: fc.IProperty<Ts>,
  options: { numRuns: number; maxSkipsPerRun?: number },
): PropertyRun {
  const seed =
    process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const path = process.env.FC_PATH;
  const numRuns = Math.round(options.numRuns * Number(process.env.FC_RUNS ?? 1));
  const details = fc.check(property, {
    seed,
    path,
    numRuns,
    maxSkipsPerRun: options.maxSkipsPerRun ?? 100,
    endOnFailure: path !== undefined,
  });
  if (details.failed) {
    const replay = `FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''} npx vitest run ${file}`;
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${name}: property failed (seed ${details.seed}).\nReplay: ${replay}\n${cause}\n${fc.defaultReportMessage(details)}`,
    );
  }
  return {
    seed: details.seed,
    asked: numRuns,
    replay: path !== undefined,
    runs: details.numRuns,
    skips: details.numSkips,
  };
}
