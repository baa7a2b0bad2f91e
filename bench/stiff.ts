/**
 * Stiff problems with parameter sensitivities (issue #11): odeforge's Rosenbrock solver (Rodas5P, compiled
 * in-process with sensitivities ['params']) against SciPy's solve_ivp Radau and BDF on the variational system
 * (state + S' = J S + ∂f/∂p, the analytic Jacobian of that system supplied) and against CasADi's CVODES (BDF)
 * with forward sensitivities, on Robertson (3 states, 3 parameters) and the 1-D Brusselator (BRUSS, N = 50:
 * 100 states, 2 parameters). The Python contenders are bench/reference/stiff_python.py, run as self-timing
 * subprocesses; a missing package (scipy, casadi) skips its rows and says so.
 *
 * Accuracy is measured against a tight reference: CVODES at rtol 1e-13 (checked in the same run against itself
 * at 1e-12) when CasADi is there, otherwise odeforge Rodas5P at rtol 1e-12 with the sensitivities in the error
 * norm (then odeforge's own errors are only a convergence check). odeforge's tight solve is reported against
 * CVODES's either way. No time is asserted anywhere: this is a benchmark.
 */
import { compile } from '../src/compile.ts';
import type { ModelSpec } from '../src/model/model.ts';
import type { SolveResult } from '../src/runtime/types.ts';
import { duration, ratio, round, type Section, sci, table } from './lib/format.ts';
import { referencePath, runJson } from './lib/native.ts';
import { jsBatch, median } from './lib/race.ts';
import { BRUSS_N, brusselator, brusselatorY0, ROBERTSON, ROBERTSON_Y0 } from './stiff-models.ts';

export interface StiffOptions {
  /** Alternating rounds per problem. */
  readonly rounds: number;
  /** Target length of one batch (a Python batch is at least one solve, whatever its length). */
  readonly batchMs: number;
  /** How long each odeforge variant runs untimed first (V8 tiers the generated code up over the first solves). */
  readonly warmUpMs: number;
  /** Whether to check the CVODES reference against CVODES at a looser tolerance (one more process per problem). */
  readonly checkReference: boolean;
}

interface Problem {
  /** The name stiff_python.py knows. */
  readonly key: 'robertson' | 'bruss';
  readonly title: string;
  readonly description: string;
  readonly spec: ModelSpec;
  readonly y0: readonly number[];
  readonly t1: number;
  readonly rtol: number;
  readonly atol: number;
  /**
   * Tolerances of the reference (CVODES), of its check (CVODES at a looser tolerance), and of odeforge's own tight
   * solve (errorControl 'all'), which is the reference when CasADi is missing.
   */
  readonly cvodesRef: { readonly rtol: number; readonly atol: number };
  readonly cvodesCheck: { readonly rtol: number; readonly atol: number };
  readonly odeforgeRef: { readonly rtol: number; readonly atol: number };
}

const PROBLEMS: readonly Problem[] = [
  {
    key: 'robertson',
    title: 'Robertson',
    description:
      'k1 = 0.04, k2 = 1e4, k3 = 3e7, y0 = (1, 0, 0), t ∈ [0, 4e10]; J = ∂y(t1)/∂(k1, k2, k3) (3×3). rtol 1e-8, atol 1e-14.',
    spec: ROBERTSON,
    y0: ROBERTSON_Y0,
    t1: 4e10,
    rtol: 1e-8,
    atol: 1e-14,
    // y2 ~ 2e-13 and ∂y2/∂k3 ~ 7e-21 at t1: the reference's atol must sit far below them.
    cvodesRef: { rtol: 1e-13, atol: 1e-22 },
    cvodesCheck: { rtol: 1e-12, atol: 1e-20 },
    odeforgeRef: { rtol: 1e-12, atol: 1e-20 },
  },
  {
    key: 'bruss',
    title: `Brusselator, N = ${BRUSS_N} (${2 * BRUSS_N} states)`,
    description: `1-D BRUSS by the method of lines (Hairer–Wanner II), α = 1/50, A = 1, B = 3, u = 1 and v = 3 at the boundary, u_i(0) = 1 + sin(2π x_i), v_i(0) = 3, t ∈ [0, 10]; J = ∂y(t1)/∂(A, B) (${2 * BRUSS_N}×2). rtol = atol = 1e-8.`,
    spec: brusselator(BRUSS_N),
    y0: brusselatorY0(BRUSS_N),
    t1: 10,
    rtol: 1e-8,
    atol: 1e-8,
    cvodesRef: { rtol: 1e-13, atol: 1e-13 },
    cvodesCheck: { rtol: 1e-12, atol: 1e-12 },
    odeforgeRef: { rtol: 1e-12, atol: 1e-12 },
  },
];

/** One contender's entry in what stiff_python.py prints. */
interface PyResult {
  contender: string;
  nsPerSolve: number | null;
  steps: number;
  rejected?: number;
  nfev: number;
  njev: number;
  nlu: number;
  newton?: number;
  jtimes?: number;
  nominalSteps?: number;
  y: number[];
  paramJacobian: number[];
}

interface Row {
  /** 'odeforge-state', 'odeforge-all', or the stiff_python.py contender. */
  id: string;
  contender: string;
  /** Median µs per solve (state + ∂y/∂p). */
  us: number;
  /** Median over rounds of contender / odeforge (default error control) in the same round. */
  ratio: number;
  steps?: number;
  rejected?: number;
  fEvals?: number;
  jEvals?: number;
  factorizations?: number;
  yError?: number;
  sError?: number;
  /** µs per solve in each round. */
  samples?: number[];
  notes: string;
  skipped?: string;
}

/** Largest componentwise relative error |a − r| / |r| (every reference entry here is far from 0). */
function maxRelError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const d = Math.abs(a[i]! - r) / (r === 0 ? 1 : Math.abs(r));
    e = d > e || Number.isNaN(d) ? d : e;
  }
  return e;
}

/** The last line of a failed subprocess's stderr (a Python traceback ends with the message), or its message. */
function failure(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const lines = (String(err.stderr ?? '') || String(err.message ?? e)).trim().split('\n');
  return lines[lines.length - 1] ?? 'unknown error';
}

const SCRIPT = referencePath('stiff_python.py');

export type Versions = { scipy: string | null; casadi: string | null };

/** SciPy's and CasADi's versions, null where one does not import (stiff_python.py probe; contenders.ts too). */
export function pythonVersions(): Versions {
  try {
    return runJson<Versions>('python3', [SCRIPT, 'probe']);
  } catch {
    return { scipy: null, casadi: null };
  }
}

/** One Python process: each contender set up, warmed up (one untimed solve) and timed over its reps, in turn. */
function runPython(p: Problem, jobs: readonly (readonly [string, number])[], rtol = p.rtol, atol = p.atol): PyResult[] {
  const args = [SCRIPT, p.key, String(rtol), String(atol), ...jobs.map(([c, reps]) => `${c}:${reps}`)];
  return runJson<{ results: PyResult[] }>('python3', args).results;
}

/** A batch: µs per solve for each of the contenders it times (one for odeforge, one per contender of a process). */
interface Entry {
  readonly batch: () => number[];
}

/**
 * Alternating rounds (A B C … A B C …). bench/lib/race.ts sizes each contender's batch with two warm-up batches;
 * here a Python batch is a process that pays its interpreter start and imports (seconds on a loaded 2-core
 * machine) and warms up inside before timing, so the first round times one solve of each Python contender and
 * sizes the later rounds' batches, and the contenders of one package share a process in each round (SciPy:
 * Radau then BDF; CasADi: the two routes). odeforge is warmed up and sized before it gets here.
 */
function alternate(entries: readonly Entry[], rounds: number): number[][] {
  const samples: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    const times = entries.flatMap((e) => e.batch());
    times.forEach((t, i) => {
      if (samples[i] === undefined) samples[i] = [];
      samples[i]!.push(t);
    });
  }
  return samples;
}

interface ProblemResult {
  readonly markdown: string[];
  readonly json: unknown;
}

function runProblem(p: Problem, o: StiffOptions, versions: Versions): ProblemResult {
  const compileStart = performance.now();
  const solver = compile(p.spec, { method: 'Rodas5P', sensitivities: ['params'] });
  const compileMs = performance.now() - compileStart;
  const options = { t0: 0, t1: p.t1, y0: p.y0, rtol: p.rtol, atol: p.atol };

  // The reference: CVODES at rtol 1e-13 when CasADi is there (checked against itself at 1e-12), else odeforge at
  // 1e-12. odeforge at 1e-12 is reported against CVODES either way.
  const tight = solver.solve({ ...options, rtol: p.odeforgeRef.rtol, atol: p.odeforgeRef.atol, errorControl: 'all' });
  const odeforgeRefName = `odeforge Rodas5P at rtol ${p.odeforgeRef.rtol}, atol ${p.odeforgeRef.atol}, errorControl 'all'`;
  let ref = { y: tight.y as ArrayLike<number>, s: tight.paramJacobian! as ArrayLike<number>, name: odeforgeRefName };
  let refSteps = tight.stats.steps;
  const refNotes: string[] = [];
  const refCheck: Record<string, unknown> = {};
  if (versions.casadi) {
    try {
      const [cv] = runPython(p, [['casadi-fsens', 0]], p.cvodesRef.rtol, p.cvodesRef.atol);
      ref = {
        y: cv!.y,
        s: cv!.paramJacobian,
        name: `CVODES (CasADi) at rtol ${p.cvodesRef.rtol}, atol ${p.cvodesRef.atol}`,
      };
      refSteps = cv!.steps;
      if (o.checkReference) {
        const [loose] = runPython(p, [['casadi-fsens', 0]], p.cvodesCheck.rtol, p.cvodesCheck.atol);
        const y = maxRelError(loose!.y, cv!.y);
        const s = maxRelError(loose!.paramJacobian, cv!.paramJacobian);
        refCheck.cvodesLooser = { rtol: p.cvodesCheck.rtol, atol: p.cvodesCheck.atol, y, s };
        refNotes.push(
          `CVODES at rtol ${p.cvodesCheck.rtol}, atol ${p.cvodesCheck.atol} (${loose!.steps} steps) is within ${sci(y)} of it in y and ${sci(s)} in ∂y/∂p (max relative)`,
        );
      }
      const y = maxRelError(tight.y, cv!.y);
      const s = maxRelError(tight.paramJacobian!, cv!.paramJacobian);
      refCheck.odeforgeTight = { rtol: p.odeforgeRef.rtol, atol: p.odeforgeRef.atol, y, s };
      refNotes.push(
        `${odeforgeRefName} (${tight.stats.steps} steps, ${tight.stats.rejected} rejected) is within ${sci(y)} in y and ${sci(s)} in ∂y/∂p`,
      );
    } catch (e) {
      refNotes.push(`the CVODES reference failed (${failure(e)}): odeforge's own tight solve is the reference`);
    }
  } else {
    refNotes.push(
      "CasADi not available: odeforge's own tight solve is the reference (so odeforge's errors are a convergence check only)",
    );
  }

  const entries: Entry[] = [];
  const rows: Row[] = [];
  const errors = (y: ArrayLike<number>, s: ArrayLike<number>) => ({
    yError: maxRelError(y, ref.y),
    sError: maxRelError(s, ref.s),
  });

  // odeforge: warmed up (V8 tiers the large generated functions up over the first solves: for BRUSS the first
  // ones run at half speed), then sized to about batchMs.
  const odeforgeRow = (
    errorControl: 'state' | 'all',
    name: string,
    notes: string,
    method: { name: string; solver: typeof solver } = { name: 'Rodas5P', solver },
  ) => {
    const run = () => method.solver.solve({ ...options, errorControl });
    let r: SolveResult = run();
    const warmUntil = performance.now() + o.warmUpMs;
    for (let k = 0; k < 5 || performance.now() < warmUntil; k++) r = run();
    const timeIt = jsBatch(run);
    const reps = Math.max(1, Math.round((o.batchMs * 1e3) / timeIt(3)));
    entries.push({ batch: () => [timeIt(reps)] });
    const s = r.stats;
    rows.push({
      id: method.name === 'Rodas5P' ? `odeforge-${errorControl}` : `odeforge-${method.name}-${errorControl}`,
      contender: name,
      us: Number.NaN,
      ratio: Number.NaN,
      steps: s.steps,
      rejected: s.rejected,
      fEvals: s.rhsEvals,
      jEvals: s.jacobianEvals,
      factorizations: s.factorizations,
      ...errors(r.y, r.paramJacobian!),
      notes: `${notes}; ${s.linearSolves} linear solves (one per right-hand side of length n)`,
    });
  };
  odeforgeRow('state', 'odeforge Rodas5P, error norm on y (default)', 'S not in the error norm');
  odeforgeRow('all', "odeforge Rodas5P, errorControl: 'all'", 'y and S in the error norm (as SciPy and CVODES here)');
  // The other two families for stiff problems, on the same terms as SciPy and CVODES (S in the error norm).
  for (const name of ['BDF', 'RadauIIA5']) {
    const other = compile(p.spec, { method: name, sensitivities: ['params'] });
    odeforgeRow('all', `odeforge ${name}, errorControl: 'all'`, 'y and S in the error norm', { name, solver: other });
  }
  const odeforgeRows = rows.length;

  const nParams = Object.keys(p.spec.params ?? {}).length;
  const groups: {
    needs: 'scipy' | 'casadi';
    contenders: { id: string; name: string; notes: (r: PyResult) => string }[];
  }[] = [
    {
      needs: 'scipy',
      contenders: [
        {
          id: 'scipy-radau',
          name: 'SciPy solve_ivp Radau (Radau IIA, order 5) on the variational system',
          notes: () =>
            `y and S in the error norm (RMS); analytic Jacobian of the variational system (${p.key === 'bruss' ? 'scipy.sparse, splu' : 'dense'}); solve_ivp reports no rejected count`,
        },
        {
          id: 'scipy-bdf',
          name: 'SciPy solve_ivp BDF (orders 1–5) on the variational system',
          notes: () => 'as Radau; BDF re-evaluates J only when Newton converges slowly',
        },
      ],
    },
    {
      needs: 'casadi',
      contenders: [
        {
          id: 'casadi-fsens',
          name: "CasADi CVODES (BDF) with forward sensitivities: the integrator behind 'jac:xf:p', called directly",
          notes: (r) =>
            `one CVODES integration of y and its ${nParams} p-directions (CasADi's augmented ODE, the n×n LU shared), all in the error test; ${r.newton} Newton iterations, ${r.jtimes} J·v products (second-order correction)`,
        },
        {
          id: 'casadi-jac',
          name: "CasADi CVODES, F.factory(…, ['xf', 'jac:xf:p']) (the public route)",
          notes: (r) =>
            `two integrations per call: the nominal one (${r.nominalSteps} steps) and the one above; counts are their sums`,
        },
      ],
    },
  ];

  // Each package's contenders share one process per round. Round 1 runs one timed solve of each (after the
  // process's own warm-up solve) and gives the statistics and values; later rounds size their batches from it.
  const pythonGroups: { rows: Row[]; failed?: string }[] = [];
  for (const g of groups) {
    const groupRows: Row[] = g.contenders.map((c) => ({
      id: c.id,
      contender: c.name,
      us: Number.NaN,
      ratio: Number.NaN,
      notes: '',
    }));
    rows.push(...groupRows);
    if (!versions[g.needs]) {
      for (const r of groupRows) r.skipped = `skipped: python3 -c 'import ${g.needs}' failed (pip install ${g.needs})`;
      console.error(`  stiff/${p.key}: ${g.needs} not available, its contenders skipped`);
      continue;
    }
    const group: { rows: Row[]; failed?: string } = { rows: groupRows };
    pythonGroups.push(group);
    let jobs: (readonly [string, number])[] = g.contenders.map((c) => [c.id, 1] as const);
    let first = true;
    entries.push({
      batch: () => {
        if (group.failed !== undefined) return groupRows.map(() => Number.NaN);
        let results: PyResult[];
        try {
          results = runPython(p, jobs);
        } catch (e) {
          group.failed = failure(e);
          console.error(`  stiff/${p.key}: ${g.needs} failed, its contenders skipped: ${group.failed}`);
          return groupRows.map(() => Number.NaN);
        }
        if (first) {
          first = false;
          // The later batches repeat the same deterministic solve: its statistics and values are these.
          results.forEach((r, i) => {
            Object.assign(groupRows[i]!, {
              steps: r.steps,
              rejected: r.rejected,
              fEvals: r.nfev,
              jEvals: r.njev,
              factorizations: r.nlu,
              ...errors(r.y, r.paramJacobian),
              notes: g.contenders[i]!.notes(r),
            });
          });
          jobs = g.contenders.map(
            (c, i) => [c.id, Math.max(1, Math.round((o.batchMs * 1e6) / results[i]!.nsPerSolve!))] as const,
          );
        }
        return results.map((r) => r.nsPerSolve! / 1e3);
      },
    });
  }

  // The entries' outputs, in order: the odeforge rows, then each Python group's rows.
  const samples = alternate(entries, o.rounds);
  const timed = [...rows.slice(0, odeforgeRows), ...pythonGroups.flatMap((g) => g.rows)];
  const base = samples[0]!;
  timed.forEach((r, i) => {
    r.us = median(samples[i]!);
    r.ratio = median(samples[i]!.map((v, k) => v / base[k]!));
    r.samples = samples[i]!.map((v) => round(v));
  });
  for (const g of pythonGroups) {
    if (g.failed !== undefined) for (const r of g.rows) r.skipped = `failed: ${g.failed}`;
  }

  const markdown = [
    `### ${p.title}`,
    '',
    p.description,
    '',
    `Reference: ${ref.name} (${refSteps} steps)${refNotes.length ? `; ${refNotes.join('; ')}` : ''}.`,
    '',
    ...table(
      [
        'contender',
        'time per solve (median)',
        '× odeforge',
        'steps',
        'rejected',
        'f evals',
        'J evals',
        'LU',
        'time per step',
        'y: max rel. error',
        '∂y/∂p: max rel. error',
        'notes',
      ],
      rows.map((r) =>
        r.skipped !== undefined
          ? [r.contender, '—', '—', '', '', '', '', '', '', '', '', r.skipped]
          : [
              r.contender,
              duration(r.us),
              ratio(r.ratio),
              r.steps?.toString() ?? '—',
              r.rejected?.toString() ?? '—',
              r.fEvals?.toString() ?? '—',
              r.jEvals?.toString() ?? '—',
              r.factorizations?.toString() ?? '—',
              r.steps ? duration(r.us / r.steps) : '—',
              sci(r.yError),
              sci(r.sError),
              r.notes,
            ],
      ),
    ),
    '',
    ...perStep(rows),
    `- odeforge compile (generate + type erasure + evaluate) took ${compileMs.toFixed(0)} ms, not counted above.`,
    '',
  ];
  const json = {
    problem: p.key,
    description: p.description,
    rtol: p.rtol,
    atol: p.atol,
    reference: { name: ref.name, steps: refSteps, ...refCheck },
    compileMs: round(compileMs),
    rounds: o.rounds,
    rows: rows.map((r) => ({ ...r, us: round(r.us), ratio: round(r.ratio, 3) })),
  };
  return { markdown, json };
}

/** Where the time goes: odeforge (default) against CVODES, per step. */
function perStep(rows: readonly Row[]): string[] {
  const a = rows.find((r) => r.id === 'odeforge-state');
  const b = rows.find((r) => r.id === 'casadi-fsens' && r.skipped === undefined);
  if (!a?.steps || !b?.steps) return [];
  const attempts = (r: Row) => r.steps! + (r.rejected ?? 0);
  const fixed = (x: number) => x.toFixed(x < 10 ? 1 : 0);
  return [
    `- Per step, odeforge against CVODES: ${fixed(a.fEvals! / attempts(a))} against ${fixed(b.fEvals! / attempts(b))} f evals per attempted step; a J and an LU every ${fixed(a.steps / a.jEvals!)} against every ${fixed(b.steps / b.factorizations!)} steps; ${ratio(b.steps / a.steps)} fewer steps for odeforge, at ${ratio(a.us / a.steps / (b.us / b.steps))} CVODES's time per step.`,
  ];
}

/** The settings of `npm run bench` and of --quick (one round, no reference check), shared with bench:stiff. */
export function stiffOptions(quick: boolean): StiffOptions {
  return quick
    ? { rounds: 1, batchMs: 50, warmUpMs: 300, checkReference: false }
    : { rounds: 5, batchMs: 300, warmUpMs: 1000, checkReference: true };
}

export function runStiff(o: StiffOptions): Section {
  const versions = pythonVersions();
  const parts = PROBLEMS.map((p) => {
    const start = performance.now();
    const r = runProblem(p, o, versions);
    console.error(`  stiff/${p.key}: ${((performance.now() - start) / 1e3).toFixed(1)} s`);
    return r;
  });
  const markdown = [
    '## Stiff problems: Rodas5P with ∂y/∂p against SciPy (Radau, BDF) and CVODES (CasADi)',
    '',
    `SciPy ${versions.scipy ?? 'not available'}, CasADi ${versions.casadi ?? 'not available'}. Alternating rounds: ${o.rounds} per problem (batches of ~${o.batchMs} ms; a Python batch is at least one solve). "× odeforge" is the median over rounds of contender time / odeforge time (default error control) in the same round (> 1: odeforge is faster). The Python contenders run in one process per package per round and time themselves after an untimed warm-up solve (interpreter start, imports and model set-up not counted).`,
    '',
    "Counts: f evals are evaluations of the whole augmented right-hand side (y and S together) for every contender; J evals are of ∂f/∂y (odeforge: every step; SciPy: of the variational system's Jacobian; CVODES: at each linear-solver setup); LU: factorizations (odeforge and CVODES: of the n×n matrix, shared by the sensitivity columns; SciPy: of the n(p+1)-square matrix of the variational system, Radau's real and complex ones counted separately as SciPy reports them). Errors: max over entries of |a − ref| / |ref|, y and ∂y/∂p separately (no reference entry is near 0).",
    '',
    ...parts.flatMap((r) => r.markdown),
  ];
  return { markdown, json: { versions, problems: parts.map((r) => r.json) } };
}
