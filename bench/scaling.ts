/**
 * Scaling: Lorenz-96 with the full N×N Jacobian (N + N² equations), RK45CK, t ∈ [0, 0.5], rtol = atol = 1e-8,
 * dt0 = 0.01. The generated solver against hand-written C of the same algorithm (bench/reference/lorenz96.c)
 * and against the same generated solver differentiated by central differences (2N + 1 state solves).
 * Jacobian errors are measured against the C solver run at rtol = atol = 1e-12.
 */
import { compile } from '../src/compile.ts';
import { duration, ratio, round, type Section, sci, table } from './lib/format.ts';
import { buildC, runJson } from './lib/native.ts';
import { type Contender, jsBatch, race, sameRoundRatio } from './lib/race.ts';
import { centralDifferences, lorenz96, lorenz96Y0, maxAbsDiff } from './models.ts';

export interface ScalingOptions {
  readonly sizes: readonly number[];
  readonly rounds: (n: number) => number;
  readonly batchMs: number;
  /** A size whose solve is predicted to take longer than this (s) is skipped, with the reason reported. */
  readonly maxSolveS: number;
}

const T1 = 0.5;
const TOL = 1e-8;
const DT = 0.01;
const REF_TOL = 1e-12;
const FD_STEPS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7];

interface Timed {
  nsPerSolve: number;
  steps: number;
  jacobian?: number[];
}

interface Row {
  n: number;
  equations: number;
  skipped?: string;
  firstSolveMs?: number;
  steps?: number;
  cSteps?: number;
  generatedUs?: number;
  /** The same solver without its WebAssembly kernel (the TypeScript step). */
  typescriptUs?: number;
  typescriptOverC?: number;
  kernel?: string;
  /** Whether the default solver ran the relaxed-SIMD kernel (CompileOptions.fma). */
  fma?: boolean;
  /** The same solver with the plain kernel (fma: false: the TypeScript step's bits). */
  plainUs?: number;
  plainOverC?: number;
  cUs?: number;
  /** generated / C, median of same-round ratios. */
  generatedOverC?: number;
  fdUs?: number;
  /** finite differences / generated. */
  fdOverGenerated?: number;
  fdDelta?: number;
  generatedError?: number;
  fdError?: number;
  cError?: number;
}

export function runScaling(o: ScalingOptions): Section {
  const c = buildC('lorenz96.c');
  const rows: Row[] = [];
  let previous: { n: number; firstSolveMs: number } | undefined;
  for (const n of o.sizes) {
    const row: Row = { n, equations: n + n * n };
    rows.push(row);
    // Solve cost grows at least like N² (the N×N variational block); predict before paying for it.
    const predictedS = previous ? (previous.firstSolveMs / 1e3) * (n / previous.n) ** 2 : 0;
    if (predictedS > o.maxSolveS) {
      row.skipped = `predicted ~${predictedS.toFixed(0)} s per solve from N = ${previous!.n} (budget ${o.maxSolveS} s)`;
      continue;
    }
    if (!c.ok) {
      row.skipped = `no C reference to compare with: ${c.reason}`;
      continue;
    }
    const model = lorenz96(n);
    const solver = compile(model, { method: 'RK45CK', sensitivities: ['y0'] });
    const typescript = compile(model, { method: 'RK45CK', sensitivities: ['y0'], wasm: false });
    const plain = compile(model, { method: 'RK45CK', sensitivities: ['y0'], fma: false });
    row.kernel = solver.stepKernel();
    row.fma = solver.stepKernelFma();
    const stateOnly = compile(model, { method: 'RK45CK', sensitivities: [] });
    const y0 = lorenz96Y0(n);
    const problem = { t0: 0, t1: T1, y0, rtol: TOL, atol: TOL, dt: DT };

    const start = performance.now();
    const gen = solver.solve(problem);
    row.firstSolveMs = performance.now() - start;
    previous = { n, firstSolveMs: row.firstSolveMs };
    row.steps = gen.stats.steps;

    const cArgs = (tol: number, reps: number, extra: string[] = []) => [n, T1, tol, DT, reps, ...extra].map(String);
    const ref = runJson<Timed>(c.path, cArgs(REF_TOL, 1, ['jacobian'])).jacobian!;
    const cProbe = runJson<Timed>(c.path, cArgs(TOL, 1, ['jacobian']));
    row.cSteps = cProbe.steps;
    row.cError = maxAbsDiff(cProbe.jacobian!, ref);
    row.generatedError = maxAbsDiff(gen.jacobian!, ref);

    // The difference step costs nothing in time, so take the most accurate one on the grid.
    const solveState = (y: readonly number[]) => stateOnly.solve({ ...problem, y0: y }).y;
    for (const delta of FD_STEPS) {
      const error = maxAbsDiff(centralDifferences(solveState, y0, delta), ref);
      if (row.fdError === undefined || error < row.fdError) {
        row.fdError = error;
        row.fdDelta = delta;
      }
    }
    const delta = row.fdDelta!;

    const contenders: Contender[] = [
      { name: 'generated', batch: jsBatch(() => solver.solve(problem)) },
      { name: 'C', batch: (reps) => runJson<Timed>(c.path, cArgs(TOL, reps)).nsPerSolve / 1e3 },
      { name: 'finite differences', batch: jsBatch(() => centralDifferences(solveState, y0, delta)) },
      { name: 'TypeScript step', batch: jsBatch(() => typescript.solve(problem)) },
      ...(row.fma ? [{ name: 'plain kernel', batch: jsBatch(() => plain.solve(problem)) }] : []),
    ];
    const r = race(contenders, o.rounds(n), o.batchMs);
    [row.generatedUs, row.cUs, row.fdUs, row.typescriptUs, row.plainUs] = r.medians;
    row.generatedOverC = sameRoundRatio(r, 0, 1);
    row.fdOverGenerated = r.ratios[2];
    row.typescriptOverC = sameRoundRatio(r, 3, 1);
    if (row.fma) row.plainOverC = sameRoundRatio(r, 4, 1);
    console.error(`  lorenz96 N = ${n}: generated ${duration(row.generatedUs!)}, C ${duration(row.cUs!)}`);
  }

  // Growth between consecutive measured sizes: the exponent p in time ∝ N^p.
  const measured = rows.filter((r) => r.generatedUs !== undefined);
  const growth = measured.slice(1).map((r, i) => {
    const p = measured[i]!;
    const exp = (a: number, b: number) => Math.log(b / a) / Math.log(r.n / p.n);
    return {
      from: p.n,
      to: r.n,
      generated: exp(p.generatedUs!, r.generatedUs!),
      c: exp(p.cUs!, r.cUs!),
      fd: exp(p.fdUs!, r.fdUs!),
    };
  });

  const markdown = [
    '## Scaling: Lorenz-96, state + full N×N Jacobian',
    '',
    'dx_i/dt = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F (cyclic), F = 8, y0_i = F + sin(i + 1); RK45CK, t ∈ [0, 0.5],',
    `rtol = atol = ${TOL}, dt0 = ${DT}, error control on the state. J errors against the C solver at rtol = atol = ${REF_TOL}.`,
    '"gen / C": generated time over C time; "FD / gen": finite differences (2N + 1 state solves) over generated.',
    '"generated" is what `compile` gives by default: from 6 states on the step runs in the',
    'module\'s WebAssembly SIMD kernel ("wasm+fma": its relaxed-SIMD variant, where the runtime has relaxed SIMD);',
    '"plain kernel" is the same solver with `fma: false` and "TS step" with `wasm: false` (both bit-identical to each other).',
    '',
    ...table(
      [
        'N',
        'equations',
        'steps (gen / C)',
        'generated',
        'C',
        'gen / C',
        'plain kernel / C',
        'TS step',
        'TS step / C',
        'FD (2N+1 solves)',
        'FD / gen',
        'first solve (cold JIT)',
        'J error gen / C / FD',
      ],
      rows.map((r) =>
        r.skipped
          ? [String(r.n), String(r.equations), `skipped (${r.skipped})`, '', '', '', '', '', '', '', '', '', '']
          : [
              String(r.n),
              String(r.equations),
              `${r.steps} / ${r.cSteps}`,
              `${duration(r.generatedUs!)} (${r.kernel === 'webassembly' ? (r.fma ? 'wasm+fma' : 'wasm') : 'TS'})`,
              duration(r.cUs!),
              ratio(r.generatedOverC!),
              r.plainOverC === undefined ? '(same)' : ratio(r.plainOverC),
              duration(r.typescriptUs!),
              ratio(r.typescriptOverC!),
              duration(r.fdUs!),
              ratio(r.fdOverGenerated!),
              duration(r.firstSolveMs! * 1e3),
              `${sci(r.generatedError)} / ${sci(r.cError)} / ${sci(r.fdError)} (step ${sci(r.fdDelta)})`,
            ],
      ),
    ),
    '',
    'Growth, time ∝ N^p between consecutive sizes:',
    '',
    ...table(
      ['N', 'p generated', 'p C', 'p FD'],
      growth.map((g) => [`${g.from} → ${g.to}`, g.generated.toFixed(2), g.c.toFixed(2), g.fd.toFixed(2)]),
    ),
    '',
  ];
  const json = {
    problem: `lorenz96, RK45CK, t in [0, ${T1}], rtol = atol = ${TOL}, dt0 = ${DT}; reference J: C at ${REF_TOL}`,
    rows: rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? round(v) : v]),
      ),
    ),
    growth: growth.map((g) => ({ ...g, generated: round(g.generated, 3), c: round(g.c, 3), fd: round(g.fd, 3) })),
  };
  return { markdown, json };
}
