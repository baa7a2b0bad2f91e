/**
 * The CPU goals of the speed issue (#14) as ratio / target / PASS-FAIL rows, from the seed and scaling sections of
 * the same run (as bench/gpu.ts reports the GPU ones): the whole solve in WebAssembly against the hand-written
 * references (odeforge / reference ≤ target), and odeforge against the best equal-accuracy peer of the contenders
 * section (peer / odeforge ≥ target). A goal whose section did not run says so rather than show a number.
 */
import type { Section } from './lib/format.ts';

interface SeedRow {
  readonly contender: string;
  readonly ratio: number;
}
interface ScalingRow {
  readonly n: number;
  readonly generatedOverC: number;
  /** Only where the default ran the relaxed-SIMD kernel. */
  readonly plainOverC?: number;
}
interface ThreadsRow {
  readonly n: number;
  readonly threads: number;
  readonly splitOverOne: number;
}
interface ContendersProblem {
  readonly problem: string;
  readonly odeforgeMethod?: string;
  /** The fastest peer and the median over rounds of its time / odeforge's in the same round. */
  readonly best?: { readonly contender: string; readonly ratio: number };
}

/** 'le': the ratio must be at most the target (a time over a reference's); 'ge': at least (a peer's over ours). */
interface GoalRow {
  readonly goal: string;
  readonly ratio: number | undefined;
  readonly target: number;
  readonly kind: 'le' | 'ge';
}

export function goalsSection(sections: Record<string, Section>): Section {
  const seed = (sections.seed?.json as { rows?: SeedRow[] } | undefined)?.rows ?? [];
  const scaling = (sections.scaling?.json as { rows?: ScalingRow[] } | undefined)?.rows ?? [];
  const l96 = scaling.find((r) => r.n === 100);
  const threads = (sections.threads?.json as { rows?: ThreadsRow[] } | undefined)?.rows ?? [];
  const contenders = (sections.contenders?.json as { problems?: ContendersProblem[] } | undefined)?.problems ?? [];
  const peer = (problem: string) => contenders.find((p) => p.problem === problem);
  const peerGoal = (problem: string, label: string, target: number): GoalRow => {
    const p = peer(problem);
    const who = p?.best && p.odeforgeMethod ? ` (${p.best.contender} / odeforge ${p.odeforgeMethod})` : '';
    return {
      goal: `${label}, state + J at equal accuracy: fastest CasADi or SciPy contender / odeforge${who}`,
      ratio: p?.best?.ratio,
      target,
      kind: 'ge',
    };
  };
  // seed rows: "× generated" is contender time / generated time, so generated / contender is its inverse
  const over = (prefix: string) => {
    const row = seed.find((r) => r.contender.startsWith(prefix));
    return row === undefined ? undefined : 1 / row.ratio;
  };
  const rows: GoalRow[] = [
    {
      goal: 'seed, state + J: odeforge default / hand-specialised JS',
      ratio: over('hand-specialised JS'),
      target: 1.0,
      kind: 'le',
    },
    {
      goal: 'seed, state + J: odeforge default / hand-written C',
      ratio: over('hand-written C'),
      target: 1.5,
      kind: 'le',
    },
    {
      goal: 'Lorenz-96 N = 100, state + J: odeforge default / hand-written C (relaxed-SIMD kernel where the runtime has it: see the header)',
      ratio: l96?.generatedOverC,
      target: 1.5,
      kind: 'le',
    },
    {
      goal: 'Lorenz-96 N = 100, state + J: plain SIMD kernel (`fma: false`, or a runtime without relaxed SIMD) / hand-written C',
      // (the default itself where it ran the plain kernel)
      ratio: l96?.plainOverC ?? l96?.generatedOverC,
      target: 1.5,
      kind: 'le',
    },
    {
      goal: 'Lorenz-96 N = 200, state + J: 2 worker threads / 1 thread (`compile(…, { threads: 2 })`)',
      ratio: threads.find((r) => r.n === 200 && r.threads === 2)?.splitOverOne,
      target: 0.6,
      kind: 'le',
    },
    peerGoal('seed', 'seed', 10),
    peerGoal('l96:100', 'Lorenz-96 N = 100', 5),
  ];
  const verdict = (r: GoalRow) =>
    r.ratio === undefined
      ? 'not measured in this run'
      : (r.kind === 'le' ? r.ratio <= r.target : r.ratio >= r.target)
        ? 'PASS'
        : 'FAIL';
  const markdown = [
    '## Goals of the speed issue (CPU)',
    '',
    'From the sections above, same run. The equal-accuracy rows: the fastest CasADi or SciPy contender of the contenders',
    "section over odeforge's fastest method there, each tuned to the same Jacobian error, same-round medians.",
    '',
    '| goal | ratio | target | result |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.goal} | ${r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.kind === 'le' ? '≤' : '≥'} ${r.target}× | ${verdict(r)} |`,
    ),
    '',
  ];
  const json = rows.map((r) => ({ ...r, result: verdict(r) }));
  return { markdown, json };
}
