/**
 * Kepler's problem, e = 0.6, over `periods` periods at `evals` force evaluations a period for every method (fixed
 * steps): the largest energy error |H − H0| in the first and in the last tenth of the steps — bounded for the
 * symplectic methods, growing for Dormand–Prince. The README's Hamiltonian table comes from
 *
 *   npx tsx bench/kepler-energy.ts 10000 1800     (and … 10000 600)
 */
import { readFileSync } from 'node:fs';
import { compile } from '../src/compile.ts';
import type { ModelSpec } from '../src/model/model.ts';

const spec = JSON.parse(readFileSync(new URL('../examples/kepler.json', import.meta.url), 'utf8')) as ModelSpec;
const e = 0.6;
const y0 = [1 - e, 0, 0, Math.sqrt((1 + e) / (1 - e))];
const energy = (y: ArrayLike<number>) => 0.5 * (y[2]! ** 2 + y[3]! ** 2) - 1 / Math.hypot(y[0]!, y[1]!);
const periods = Number(process.argv[2] ?? 1e4);
const evals = Number(process.argv[3] ?? 600);
const T = periods * 2 * Math.PI;
console.log('| method | force evaluations a step | steps a period | first tenth | last tenth | last / first | time |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const methods = [
  ['ABAs5o6H', 5],
  ['BABs9o7H', 9],
  ['SymplecticEuler', 1],
  ['Dormand-Prince', 6],
] as const;
for (const [method, perStep] of methods) {
  const solver = compile(spec, { method, sensitivities: [] });
  const perPeriod = Math.round(evals / perStep);
  const n = perPeriod * periods;
  const h0 = energy(y0);
  let k = 0;
  let first = 0;
  let last = 0;
  const began = performance.now();
  solver.solve({
    t0: 0,
    t1: T,
    y0,
    dt: T / n,
    adaptive: false,
    maxSteps: 2 * n,
    onStep: (_t, y) => {
      k++;
      const err = Math.abs(energy(y) - h0);
      if (k <= n / 10) first = Math.max(first, err);
      else if (k > n - n / 10) last = Math.max(last, err);
    },
  });
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  console.log(
    `| ${method} | ${perStep} | ${perPeriod} | ${first.toExponential(2)} | ${last.toExponential(2)} | ${(last / first).toFixed(2)} | ${seconds} s |`,
  );
}
