/**
 * npm run bench — speed as ratios measured in the same run, contenders alternated (A B A B …) and medians
 * taken, because these machines are shared and noisy. Writes bench/results/latest.md and latest.json.
 *
 * Seed problem (REFERENCES.md): the generated RK45CK solver with its 2×2 Jacobian against a hand-specialised
 * JS implementation of the same algorithm (bench/reference/seed-rk45ck.ts), and against the same generated
 * solver computing the Jacobian by central finite differences (2n + 1 solves).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { compile } from '../src/compile.ts';
import { SEED_MODEL, SEED_PROBLEM, seedExactJacobian } from '../src/examples.ts';
import { seedReference } from './reference/seed-rk45ck.ts';

interface Contender {
  readonly name: string;
  /** Runs once, returns the Jacobian it computed (row-major). */
  run(): ArrayLike<number>;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
  return e;
}

/** Median time per run (µs) of each contender, alternating them round by round. */
function race(contenders: readonly Contender[], rounds: number, repsPerRound: number): number[] {
  const samples = contenders.map(() => [] as number[]);
  for (let w = 0; w < 50; w++) for (const c of contenders) c.run();
  for (let r = 0; r < rounds; r++) {
    contenders.forEach((c, i) => {
      const start = process.hrtime.bigint();
      for (let k = 0; k < repsPerRound; k++) c.run();
      samples[i]!.push(Number(process.hrtime.bigint() - start) / 1e3 / repsPerRound);
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]!);
}

const solver = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0'] });
const solverStateOnly = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: [] });
const exact = seedExactJacobian(SEED_PROBLEM.t1);
const { t0, t1, dt, rtol, atol } = SEED_PROBLEM;

const fdStep = 1e-6;
const contenders: Contender[] = [
  {
    name: 'odeforge generated RK45CK, state + Jacobian (variational)',
    run: () => solver.solve(SEED_PROBLEM).jacobian!,
  },
  {
    name: 'hand-specialised JS, same algorithm (bench/reference)',
    run: () => {
      const s = Float64Array.of(1, 1, 1, 0, 0, 1);
      seedReference(s, 20, t0, t1, dt, rtol, atol);
      return s.subarray(2);
    },
  },
  {
    name: 'odeforge generated RK45CK, Jacobian by central differences (2n+1 solves)',
    run: () => {
      solverStateOnly.solve(SEED_PROBLEM);
      const J = new Float64Array(4);
      for (let j = 0; j < 2; j++) {
        const plus = [...SEED_PROBLEM.y0];
        const minus = [...SEED_PROBLEM.y0];
        plus[j]! += fdStep;
        minus[j]! -= fdStep;
        const yp = solverStateOnly.solve({ ...SEED_PROBLEM, y0: plus }).y;
        const ym = solverStateOnly.solve({ ...SEED_PROBLEM, y0: minus }).y;
        for (let i = 0; i < 2; i++) J[i * 2 + j] = (yp[i]! - ym[i]!) / (2 * fdStep);
      }
      return J;
    },
  },
];

const medians = race(contenders, 31, 20);
const rows = contenders.map((c, i) => ({
  contender: c.name,
  medianMicroseconds: Number(medians[i]!.toFixed(1)),
  ratioToGenerated: Number((medians[i]! / medians[0]!).toFixed(2)),
  jacobianError: maxError(c.run(), exact),
}));

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
};
const results = { machine, seed: { problem: 'REFERENCES.md seed, RK45CK, rtol = atol = 1e-12, dt0 = 0.1', rows } };

const md = [
  '# odeforge benchmarks',
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${machine.date}.`,
  'Medians of 31 alternating rounds; ratios are against the generated solver in the same run.',
  '',
  '## Seed problem: state + 2×2 Jacobian',
  '',
  '| contender | median µs | ratio to generated | max error of J vs expm(2πM) |',
  '|---|---|---|---|',
  ...rows.map(
    (r) => `| ${r.contender} | ${r.medianMicroseconds} | ${r.ratioToGenerated} | ${r.jacobianError.toExponential(1)} |`,
  ),
  '',
].join('\n');

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.md', import.meta.url), md);
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(md);
