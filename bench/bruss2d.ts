/**
 * npm run bench:bruss2d [-- --n 128 --t1 1 --generate-only] — the scale benchmark of the stiff families: the 2-D Brusselator by
 * the method of lines on an n×n periodic grid (2n² states; Hairer–Wanner II's BRUSS-2D kinetics and α = 0.1,
 * without its local source term, which the model language cannot switch on at t = 1.1), with BDF and the sparse
 * LU generated ahead of time. Reports generation time (state only, and with the sensitivities to the 2
 * parameters), peak memory, compile and solve time, factorizations; the refusal of y0 sensitivities (n⁴ values);
 * and SciPy's BDF with the Jacobian's sparsity on the same problem (state only) when python3 has SciPy.
 * Writes bench/results/tmp/bruss2d.{md,json}.
 *
 * --generate-only stops after the generation and the y0 refusal. The Node flags are printed with the results
 * (V8's young generation took a quarter of the generation time under --trace-gc: --max-semi-space-size=64 halves its scavenges, but
 * the total moved within this machine's noise, 2026-12-05).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { compile, generate } from '../src/compile.ts';
import type { ModelSpec } from '../src/model/model.ts';
import { describeMachine } from './lib/machine.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const N = arg('n', 128);
const T1 = arg('t1', 1);
const GENERATE_ONLY = process.argv.includes('--generate-only');
const RTOL = 1e-6;
const ATOL = 1e-8;

/** u, v on the periodic N×N grid, spacing 1/N; states u then v, each row-major in (i, j). */
export function bruss2d(n: number): ModelSpec {
  const c = 0.1 * n * n;
  const id = (i: number, j: number) => `${(i + n) % n}_${(j + n) % n}`;
  const states: string[] = [];
  for (const f of ['u', 'v']) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) states.push(`${f}${id(i, j)}`);
  const rhs: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [u, v] = [`u${id(i, j)}`, `v${id(i, j)}`];
      const lap = (f: string) =>
        `${c}*(${f}${id(i - 1, j)} + ${f}${id(i + 1, j)} + ${f}${id(i, j - 1)} + ${f}${id(i, j + 1)} - 4*${f}${id(i, j)})`;
      rhs[u] = `A + ${u}^2*${v} - (B + 1)*${u} + ${lap('u')}`;
      rhs[v] = `B*${u} - ${u}^2*${v} + ${lap('v')}`;
    }
  }
  return { name: `bruss2d-${n}`, states, params: { A: 1, B: 3.4 }, rhs };
}

function initialState(n: number): number[] {
  const y0: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y0.push(22 * (j / n) * (1 - j / n) ** 1.5);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y0.push(27 * (i / n) * (1 - i / n) ** 1.5);
  return y0;
}

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (from: number) => Number(((performance.now() - from) / 1e3).toFixed(2));
const machine = describeMachine();
const model = bruss2d(N);
const rows: string[] = [];
const json: Record<string, unknown> = { n: N, states: 2 * N * N, t1: T1, rtol: RTOL, atol: ATOL };

// Warm up on a small grid first: the timings below are the generation itself, not loading ts-morph (~0.6 s once).
generate(bruss2d(4), { method: 'BDF', sensitivities: ['params'] });
let start = performance.now();
const stateOnly = generate(model, { method: 'BDF', sensitivities: [] });
json.generateStateOnly = { seconds: seconds(start), megabytes: stateOnly.length / 1e6, peakRssMb: peakMb() };
start = performance.now();
const withParams = generate(model, { method: 'BDF', sensitivities: ['params'] });
json.generateParams = { seconds: seconds(start), megabytes: withParams.length / 1e6, peakRssMb: peakMb() };
try {
  generate(model, { method: 'BDF', sensitivities: ['y0'] });
  json.y0Refusal = 'not refused';
} catch (e) {
  json.y0Refusal = (e as Error).message;
}
if (GENERATE_ONLY) {
  console.log(`node ${process.execArgv.join(' ')}: ${JSON.stringify(json)}`);
  process.exit(0);
}
start = performance.now();
const solver = compile(model, { method: 'BDF', sensitivities: [] });
const compileS = seconds(start);
start = performance.now();
const r = solver.solve({ t0: 0, t1: T1, y0: initialState(N), rtol: RTOL, atol: ATOL });
const u = Array.from(r.y.subarray(0, N * N));
json.solve = {
  compileSeconds: compileS,
  solveSeconds: seconds(start),
  stats: r.stats,
  uSum: u.reduce((a, b) => a + b, 0),
  uMax: Math.max(...u),
  peakRssMb: peakMb(),
};
try {
  const out = execFileSync(
    'python3',
    [new URL('./reference/bruss2d_scipy.py', import.meta.url).pathname, `${N}`, `${T1}`, `${RTOL}`, `${ATOL}`],
    { encoding: 'utf8', timeout: 1_800_000 },
  );
  json.scipy = JSON.parse(out.trim().split('\n').pop()!);
} catch (e) {
  json.scipy = `not run: ${(e as Error).message.split('\n')[0]}`;
}

const g = json.generateStateOnly as { seconds: number; megabytes: number; peakRssMb: number };
const gp = json.generateParams as { seconds: number; megabytes: number; peakRssMb: number };
const s = json.solve as { compileSeconds: number; solveSeconds: number; stats: Record<string, number>; uSum: number };
const scipy = json.scipy as Record<string, number> | string;
rows.push(
  `# 2-D Brusselator, ${N}×${N} periodic grid (${2 * N * N} states), BDF with the generated sparse LU`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores; Node ${machine.node} (flags: ${process.execArgv.join(' ') || 'none'}). Run ${machine.date}; load average ${machine.loadAverage} → ${loadavg()[0]!.toFixed(2)}. \`npm run bench:bruss2d\`.`,
  '',
  '| what | time | source | peak RSS |',
  '|---|---|---|---|',
  `| generate, state only | ${g.seconds} s | ${g.megabytes.toFixed(1)} MB | ${g.peakRssMb} MB |`,
  `| generate, ∂y/∂(A, B) (${3 * 2 * N * N} equations) | ${gp.seconds} s | ${gp.megabytes.toFixed(1)} MB | ${gp.peakRssMb} MB |`,
  `| compile (generate + type erasure + load), state only | ${s.compileSeconds} s | | |`,
  `| solve to t = ${T1}, rtol ${RTOL.toExponential(0)}, atol ${ATOL.toExponential(0)} | ${s.solveSeconds} s | | ${(json.solve as { peakRssMb: number }).peakRssMb} MB |`,
  '',
  `odeforge stats: ${JSON.stringify(s.stats)}; Σu(t1) = ${s.uSum}.`,
  '',
  typeof scipy === 'string'
    ? `SciPy: ${scipy}`
    : `SciPy BDF (jac_sparsity): ${scipy.seconds!.toFixed(2)} s, ${scipy.steps} steps, ${scipy.nfev} f, ${scipy.njev} J, ${scipy.nlu} LU; Σu(t1) = ${scipy.uSum} — odeforge/SciPy solve time ${(s.solveSeconds / scipy.seconds!).toFixed(2)}×.`,
  '',
  `y0 sensitivities: ${json.y0Refusal}`,
);
const dir = new URL('./results/tmp/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('bruss2d.md', dir), `${rows.join('\n')}\n`);
writeFileSync(new URL('bruss2d.json', dir), `${JSON.stringify({ machine, ...json }, null, 2)}\n`);
console.log(rows.join('\n'));
