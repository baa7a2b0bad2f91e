/**
 * The CPU goals of the speed issue (#14) as ratio / target / PASS-FAIL rows, from the seed and scaling sections of
 * the same run (as bench/gpu.ts reports the GPU ones): the whole solve in WebAssembly against the hand-written
 * references. Goals with nothing built for them yet say so rather than show a number.
 */
import type { Section } from './lib/format.ts';

interface SeedRow {
  readonly contender: string;
  readonly ratio: number;
}
interface ScalingRow {
  readonly n: number;
  readonly generatedOverC: number;
}

export function goalsSection(sections: Record<string, Section>): Section {
  const seed = (sections.seed?.json as { rows?: SeedRow[] } | undefined)?.rows ?? [];
  const scaling = (sections.scaling?.json as { rows?: ScalingRow[] } | undefined)?.rows ?? [];
  // seed rows: "× generated" is contender time / generated time, so generated / contender is its inverse
  const over = (prefix: string) => {
    const row = seed.find((r) => r.contender.startsWith(prefix));
    return row === undefined ? undefined : 1 / row.ratio;
  };
  const rows: { goal: string; ratio: number | undefined; target: number }[] = [
    {
      goal: 'seed, state + J: odeforge default / hand-specialised JS',
      ratio: over('hand-specialised JS'),
      target: 1.0,
    },
    { goal: 'seed, state + J: odeforge default / hand-written C', ratio: over('hand-written C'), target: 1.5 },
    {
      goal: 'Lorenz-96 N = 100, state + J: odeforge default / hand-written C',
      ratio: scaling.find((r) => r.n === 100)?.generatedOverC,
      target: 1.5,
    },
  ];
  const verdict = (r: { ratio: number | undefined; target: number }) =>
    r.ratio === undefined ? 'not measured in this run' : r.ratio <= r.target ? 'PASS' : 'FAIL';
  const markdown = [
    '## Goals of the speed issue (CPU)',
    '',
    'From the sections above, same run. Not built yet, so not measured: worker-thread columns (Lorenz-96 N = 200',
    'on 2 threads ≤ 0.6× one), CasADi and SciPy as equal-accuracy contenders on the seed and Lorenz-96 N = 100.',
    '',
    '| goal | ratio | target | result |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.goal} | ${r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`} | ≤ ${r.target}× | ${verdict(r)} |`,
    ),
    '',
  ];
  const json = rows.map((r) => ({ ...r, result: verdict(r) }));
  return { markdown, json };
}
