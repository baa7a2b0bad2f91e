/**
 * The main job on the embedded default model (npm run demo): generate the seed oscillator's solver,
 * integrate it with RK45CK at rtol = atol = 1e-12, and compare its Jacobian with the exact expm(2πM).
 */
import { compile } from '../src/compile.ts';
import { SEED_MODEL, SEED_PROBLEM, seedExactJacobian } from '../src/examples.ts';

const started = performance.now();
const solver = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0'] });
const compileMs = performance.now() - started;

let r = solver.solve(SEED_PROBLEM);
// Time the solve as the median of repeated runs (the first runs also warm up the JIT).
const times: number[] = [];
for (let i = 0; i < 200; i++) {
  const s = performance.now();
  r = solver.solve(SEED_PROBLEM);
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1]!;

const exact = seedExactJacobian(SEED_PROBLEM.t1);
const J = r.jacobian!;
const err = Math.max(...J.map((v, i) => Math.abs(v - exact[i]!)));
const row = (a: ArrayLike<number>, i: number) => `[${a[2 * i]!.toPrecision(17)}, ${a[2 * i + 1]!.toPrecision(17)}]`;

console.log(`odeforge demo — seed oscillator y' = [[0, 1], [-20, 0]] y, y0 = [1, 1], t in [0, 2π]`);
console.log(`method RK45CK (Cash–Karp), rtol = atol = 1e-12, dt0 = 0.1; state + 2×2 Jacobian in one pass`);
console.log('');
console.log(`y(2π)          = [${r.y[0]!.toPrecision(17)}, ${r.y[1]!.toPrecision(17)}]`);
console.log(`jacobian       = [${row(J, 0)},`);
console.log(`                  ${row(J, 1)}]`);
console.log(`expm(2πM)      = [${row(exact, 0)},`);
console.log(`                  ${row(exact, 1)}]`);
console.log(`max |J - expm| = ${err.toExponential(2)}`);
console.log('');
console.log(`steps ${r.stats.steps}, rejected ${r.stats.rejected}, rhs evaluations ${r.stats.rhsEvals}`);
console.log(`compile (model → running solver, in-process): ${compileMs.toFixed(1)} ms`);
console.log(`solve, median of ${times.length}: ${(median * 1000).toFixed(1)} µs`);
if (!(err < 1e-10)) {
  console.error('the Jacobian does not match expm(2πM) to 1e-10');
  process.exitCode = 1;
}
