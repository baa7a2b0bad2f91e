/**
 * Equal-accuracy contenders (issue #14, goal 5): odeforge against CasADi and SciPy on the seed problem and on
 * Lorenz-96, state + full Jacobian ∂y(t1)/∂y0, every contender tuned to the cheapest setting whose Jacobian
 * error reaches the same target, 3 × the error of odeforge's RK45CK at the settings of the seed and scaling
 * sections (seed: rtol = atol = 1e-12; Lorenz-96: 1e-8).
 *
 * - odeforge: each adaptive explicit method of the library (RK45CK, Dormand–Prince, RK87, RK108, RK1412) at the
 *   loosest rtol = atol on the grid TOLERANCES that reaches the target; a short alternating race between them
 *   picks the fastest, which is odeforge's entry against the peers (the one the goals use).
 * - CasADi RK4 + AD, generated C: a fixed-step RK4 step and its forward-mode derivative along the columns of
 *   Φ (jtimes in SX, up to 10 columns per call, mapped over Φ), built in CasADi and generated to C by its
 *   CodeGenerator (bench/reference/contenders_python.py, codegen),
 *   compiled with gcc -O3 -march=native together with bench/reference/casadi_rk4_driver.c, which loops the
 *   steps and times itself inside C. Tuned to the fewest steps: doubling, then bisection.
 * - CasADi CVODES (Adams, and BDF) with forward sensitivities, and SciPy solve_ivp (DOP853, RK45, LSODA) on the
 *   variational system: bench/reference/contenders_python.py, tuned in one process, timed in Python.
 *
 * Timing follows bench/stiff.ts: alternating rounds, odeforge in-process (warmed up, batches of ~batchMs), the
 * C driver one process per batch, the Python contenders one process per round that times each of them after an
 * untimed warm-up solve; "× odeforge" is the median over rounds of contender / odeforge in the same round.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { compile } from '../src/compile.ts';
import { SEED_MODEL, SEED_PROBLEM, seedExactJacobian } from '../src/examples.ts';
import { AUTO } from '../src/methods/auto.ts';
import type { ModelSpec } from '../src/model/model.ts';
import { duration, ratio, round, type Section, sci, table } from './lib/format.ts';
import { buildC, referencePath, runJson, TMP_DIR } from './lib/native.ts';
import { jsBatch, median, race } from './lib/race.ts';
import { lorenz96, lorenz96Y0, maxAbsDiff } from './models.ts';
import { pythonVersions, type Versions } from './stiff.ts';

export interface ContendersOptions {
  /** Lorenz-96 size (the goal is at N = 100; --quick runs a smaller one). */
  readonly l96N: number;
  /** Alternating rounds per problem. */
  readonly rounds: number;
  /** Rounds of the race between odeforge's methods that picks its entry. */
  readonly methodRounds: number;
  /** Target length of an odeforge or C batch. */
  readonly batchMs: number;
  /** Target length of each Python contender's batch (at least one solve). */
  readonly pythonBatchMs: number;
  /** How long each odeforge solver runs untimed before it is sized (V8 tiers the generated code up). */
  readonly warmUpMs: number;
}

export function contendersOptions(quick: boolean): ContendersOptions {
  return quick
    ? { l96N: 10, rounds: 2, methodRounds: 3, batchMs: 20, pythonBatchMs: 50, warmUpMs: 100 }
    : { l96N: 100, rounds: 5, methodRounds: 7, batchMs: 100, pythonBatchMs: 250, warmUpMs: 500 };
}

/** rtol = atol = 10^(-k/2), 1e-4 down to 1e-15, loosest first: the grid every tolerance-driven contender is tuned on. */
const TOLERANCES = Array.from({ length: 23 }, (_, k) => 10 ** -(4 + k / 2));
/** The target is this many times odeforge RK45CK's own Jacobian error at the other sections' settings. */
const TARGET_FACTOR = 3;
/** After round 1, a Python contender slower than this × the fastest of its package is not timed again. */
const PRUNE = 3;
const ODEFORGE_METHODS = ['RK45CK', 'Dormand-Prince', 'RK87', 'RK108', 'RK1412'];
const PYTHON_CONTENDERS = [
  {
    id: 'cvodes-adams',
    needs: 'casadi',
    name: 'CasADi CVODES, Adams (functional iteration), forward sensitivities',
    notes:
      "CasADi's forward-sensitivity integrator for jac:xf:x0 called directly: one integration of y and its n directions, all in the error test; timed in Python",
  },
  {
    id: 'cvodes-bdf',
    needs: 'casadi',
    name: "CasADi CVODES, BDF (Newton, CasADi's default), forward sensitivities",
    notes: 'as above, BDF with Newton iteration (the n×n LU shared by the directions); timed in Python',
  },
  {
    id: 'scipy-dop853',
    needs: 'scipy',
    name: 'SciPy solve_ivp DOP853 on the variational system',
    notes:
      'y and Φ (n + n² equations) in the RMS error norm; vectorised numpy right-hand side, analytic J; timed in Python',
  },
  {
    id: 'scipy-rk45',
    needs: 'scipy',
    name: 'SciPy solve_ivp RK45 (Dormand–Prince) on the variational system',
    notes: 'as DOP853',
  },
  {
    id: 'scipy-lsoda',
    needs: 'scipy',
    name: 'SciPy solve_ivp LSODA on the variational system',
    notes: 'as DOP853; no Jacobian of the variational system passed (non-stiff: its Adams mode)',
  },
] as const;

const SCRIPT = referencePath('contenders_python.py');

/** Short names for the goal rows. */
const SHORT: Record<string, string> = {
  'casadi-rk4': 'CasADi RK4 + AD, generated C',
  'cvodes-adams': 'CasADi CVODES Adams',
  'cvodes-bdf': 'CasADi CVODES BDF',
  'scipy-dop853': 'SciPy DOP853',
  'scipy-rk45': 'SciPy RK45',
  'scipy-lsoda': 'SciPy LSODA',
};

interface Problem {
  /** 'seed' or 'l96:N', as contenders_python.py knows it. */
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly model: ModelSpec;
  readonly y0: readonly number[];
  readonly t1: number;
  /** First step of odeforge's solves. */
  readonly dt: number;
  /** The tolerance of odeforge RK45CK whose Jacobian error, × TARGET_FACTOR, is the target. */
  readonly baseTol: number;
}

interface PyResult {
  contender: string;
  nsPerSolve: number | null;
  steps: number;
  nfev: number;
  y: number[];
  jacobian: number[];
}

interface Tried {
  tol: number;
  error: number;
}

interface Row {
  id: string;
  contender: string;
  /** The setting it was tuned to: "rtol = atol = …" or "… steps". */
  setting: string;
  reached: boolean;
  tol?: number;
  us: number;
  /** Median over rounds of this / odeforge's entry in the same round. */
  ratio: number;
  steps?: number;
  fEvals?: number;
  jacobianError?: number;
  notes: string;
  skipped?: string;
  samples?: number[];
}

function failure(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const lines = (String(err.stderr ?? '') || String(err.message ?? e)).trim().split('\n');
  return lines[lines.length - 1] ?? 'unknown error';
}

const tolText = (t: number) => t.toExponential(2).replace(/\.00e/, 'e');

/** Loosest tolerance on the grid whose Jacobian error is within target; every tried one, for the record. */
function tuneTolerance(
  errorAt: (tol: number) => number,
  target: number,
): { tol?: number; error: number; tried: Tried[] } {
  const tried: Tried[] = [];
  for (const tol of TOLERANCES) {
    const error = errorAt(tol);
    tried.push({ tol, error });
    if (error <= target) return { tol, error, tried };
  }
  const best = tried.reduce((a, b) => (b.error < a.error ? b : a));
  return { error: best.error, tried };
}

/** CasADi's RK4 step and its forward derivative, generated and compiled; or why not. */
function buildCasadiRk4(
  p: Problem,
): { path: string; directions: number; generateS: number; gccS: number | undefined } | string {
  const dir = `${TMP_DIR}casadi-rk4-${p.key.replace(':', '-')}/`;
  mkdirSync(dir, { recursive: true });
  let gen: { directions: number; seconds: number };
  try {
    gen = runJson('python3', [SCRIPT, 'codegen', p.key, dir]);
  } catch (e) {
    return `CasADi code generation failed: ${failure(e)}`;
  }
  // gcc -O3 takes tens of seconds on the generated C for N = 100: a build of byte-identical sources is reused.
  const driver = referencePath('casadi_rk4_driver.c');
  const flags = ['-O3', '-march=native'];
  const hash = createHash('sha256').update(flags.join(' '));
  for (const f of [driver, `${dir}rk4aug.c`, `${dir}rk4aug.h`, `${dir}problem.h`]) hash.update(readFileSync(f));
  const digest = hash.digest('hex');
  const stamp = `${dir}build.sha256`;
  if (existsSync(`${dir}rk4`) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    return { path: `${dir}rk4`, directions: gen.directions, generateS: gen.seconds, gccS: undefined };
  }
  const start = performance.now();
  try {
    execFileSync('gcc', [...flags, '-I', dir, '-o', `${dir}rk4`, driver, `${dir}rk4aug.c`, '-lm'], { stdio: 'pipe' });
  } catch (e) {
    return `gcc failed: ${failure(e)}`;
  }
  writeFileSync(stamp, digest);
  return {
    path: `${dir}rk4`,
    directions: gen.directions,
    generateS: gen.seconds,
    gccS: (performance.now() - start) / 1e3,
  };
}

interface Rk4Run {
  nsPerSolve: number;
  steps: number;
  jacobian: number[];
}

/** Fewest RK4 steps reaching the target: doubling from 8, then bisection between the last miss and the first hit. */
function tuneSteps(
  path: string,
  ref: ArrayLike<number>,
  target: number,
): { steps?: number; error: number; probes: number } {
  const errorAt = (m: number) => maxAbsDiff(runJson<Rk4Run>(path, [String(m), '1', 'jacobian']).jacobian, ref);
  let probes = 0;
  let lo = 4;
  let hi = 8;
  let error = errorAt(hi);
  probes++;
  let best = error;
  while (!(error <= target)) {
    if (hi >= 1 << 22) return { error: best, probes };
    lo = hi;
    hi *= 2;
    error = errorAt(hi);
    probes++;
    best = Math.min(best, error);
  }
  let hiError = error;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const e = errorAt(mid);
    probes++;
    if (e <= target) {
      hi = mid;
      hiError = e;
    } else lo = mid;
  }
  return { steps: hi, error: hiError, probes };
}

/** Tight reference Jacobian: exact for the seed; the C solver at 1e-12 for Lorenz-96, as bench/scaling.ts. */
function reference(p: Problem, n: number): { jacobian: ArrayLike<number>; name: string } {
  if (p.key === 'seed') return { jacobian: seedExactJacobian(p.t1), name: 'expm(2πM), exact' };
  const c = buildC('lorenz96.c');
  if (c.ok) {
    const args = [n, p.t1, 1e-12, p.dt, 1, 'jacobian'].map(String);
    return {
      jacobian: runJson<{ jacobian: number[] }>(c.path, args).jacobian,
      name: 'bench/reference/lorenz96.c at rtol = atol = 1e-12 (as the scaling section)',
    };
  }
  const tight = compile(p.model, { method: 'RK1412', sensitivities: ['y0'] }).solve({
    t0: 0,
    t1: p.t1,
    y0: p.y0,
    dt: p.dt,
    rtol: 1e-14,
    atol: 1e-14,
    errorControl: 'all',
  });
  return { jacobian: tight.jacobian!, name: `odeforge RK1412 at 1e-14, errorControl 'all' (C: ${c.reason})` };
}

/** A warmed-up in-process batch sized to about batchMs. */
function warmBatch(run: () => unknown, o: ContendersOptions): { batch: () => number } {
  const until = performance.now() + o.warmUpMs;
  for (let k = 0; k < 3 || performance.now() < until; k++) run();
  const timeIt = jsBatch(run);
  const reps = Math.max(1, Math.round((o.batchMs * 1e3) / timeIt(3)));
  return { batch: () => timeIt(reps) };
}

interface ProblemResult {
  markdown: string[];
  json: {
    problem: string;
    n: number;
    target: number;
    odeforgeMethod?: string;
    best?: { contender: string; ratio: number };
    [k: string]: unknown;
  };
}

function runProblem(p: Problem, o: ContendersOptions, versions: Versions): ProblemResult {
  const n = p.y0.length;
  const ref = reference(p, n);
  const solveOpts = (tol: number) => ({ t0: 0, t1: p.t1, y0: p.y0, dt: p.dt, rtol: tol, atol: tol });

  // ── odeforge: each adaptive explicit method at its loosest tolerance reaching the target ──
  const compiled = ODEFORGE_METHODS.map((method) => ({
    method,
    solver: compile(p.model, { method, sensitivities: ['y0'] }),
  }));
  const baseError = maxAbsDiff(compiled[0]!.solver.solve(solveOpts(p.baseTol)).jacobian!, ref.jacobian);
  const target = TARGET_FACTOR * baseError;
  const methods = compiled.map(({ method, solver }) => {
    const tuned = tuneTolerance((tol) => maxAbsDiff(solver.solve(solveOpts(tol)).jacobian!, ref.jacobian), target);
    const r = tuned.tol === undefined ? undefined : solver.solve(solveOpts(tuned.tol));
    return { method, solver, ...tuned, steps: r?.stats.steps, fEvals: r?.stats.rhsEvals, kernel: solver.stepKernel() };
  });
  const reached = methods.filter((m) => m.tol !== undefined);
  if (reached.length === 0) throw new Error(`contenders/${p.key}: no odeforge method reached ${sci(target)}`);
  // A short alternating race between odeforge's methods picks its entry.
  const methodRace = race(
    reached.map((m) => ({ name: m.method, batch: jsBatch(() => m.solver.solve(solveOpts(m.tol!))) })),
    o.methodRounds,
    o.batchMs,
  );
  const chosenIndex = methodRace.medians.indexOf(Math.min(...methodRace.medians));
  const chosen = reached[chosenIndex]!;
  const autoRuns = chosen.tol! <= AUTO.tightRtol ? AUTO.tight.name : AUTO.explicit.name;
  console.error(
    `  contenders/${p.key}: target ${sci(target)}; odeforge ${chosen.method} at ${tolText(chosen.tol!)} (${reached.map((m, i) => `${m.method} ${duration(methodRace.medians[i]!)}`).join(', ')})`,
  );

  const rows: Row[] = [];
  const entries: { batch: () => (readonly [string, number])[] }[] = [];
  const odeforgeEntry = (m: (typeof reached)[number], id: string, label: string) => {
    const w = warmBatch(() => m.solver.solve(solveOpts(m.tol!)), o);
    entries.push({ batch: () => [[id, w.batch()]] });
    rows.push({
      id,
      contender: label,
      setting: `rtol = atol = ${tolText(m.tol!)}`,
      reached: true,
      tol: m.tol,
      us: Number.NaN,
      ratio: Number.NaN,
      steps: m.steps,
      fEvals: m.fEvals,
      jacobianError: m.error,
      notes: `${m.kernel === 'webassembly' ? 'whole solve in its WebAssembly kernel' : 'TypeScript step'}; error control on the state`,
    });
  };
  odeforgeEntry(chosen, 'odeforge', `odeforge ${chosen.method} (fastest of its methods at the target)`);
  const rk45 = reached.find((m) => m.method === 'RK45CK');
  if (rk45 !== undefined && rk45 !== chosen) odeforgeEntry(rk45, 'odeforge-rk45ck', 'odeforge RK45CK');

  // ── CasADi RK4 + forward-mode AD, generated C ──
  const rk4Row: Row = {
    id: 'casadi-rk4',
    contender: 'CasADi RK4 + forward-mode AD, generated C (gcc -O3 -march=native)',
    setting: '',
    reached: false,
    us: Number.NaN,
    ratio: Number.NaN,
    notes: '',
  };
  rows.push(rk4Row);
  const built = versions.casadi ? buildCasadiRk4(p) : 'skipped: python3 -c "import casadi" failed (pip install casadi)';
  if (typeof built === 'string') rk4Row.skipped = built;
  else {
    const tuned = tuneSteps(built.path, ref.jacobian, target);
    rk4Row.reached = tuned.steps !== undefined;
    rk4Row.jacobianError = tuned.error;
    if (tuned.steps === undefined)
      rk4Row.skipped = `target not reached up to ${1 << 22} steps (error ${sci(tuned.error)})`;
    else {
      const steps = tuned.steps;
      const probe = runJson<Rk4Run>(built.path, [String(steps), '3']);
      const reps = Math.max(1, Math.round((o.batchMs * 1e6) / probe.nsPerSolve));
      rk4Row.setting = `${steps} steps`;
      rk4Row.steps = steps;
      rk4Row.fEvals = 4 * steps;
      rk4Row.notes = `fewest steps reaching the target (${tuned.probes} probes: doubling, then bisection); CasADi's forward mode (jtimes in SX), ${built.directions} directions per call, mapped over the ${n} columns of Φ; generated in ${built.generateS.toFixed(1)} s, ${built.gccS === undefined ? 'gcc: the build of identical sources from an earlier run' : `gcc ${built.gccS.toFixed(1)} s`}; timed inside C`;
      entries.push({
        batch: () => [['casadi-rk4', runJson<Rk4Run>(built.path, [String(steps), String(reps)]).nsPerSolve / 1e3]],
      });
    }
  }

  // ── Python: CVODES (CasADi) and SciPy, tuned in one process, then one process per round ──
  const pyRows = PYTHON_CONTENDERS.map(
    (c): Row => ({
      id: c.id,
      contender: c.name,
      setting: '',
      reached: false,
      us: Number.NaN,
      ratio: Number.NaN,
      notes: c.notes,
      ...(versions[c.needs]
        ? {}
        : { skipped: `skipped: python3 -c 'import ${c.needs}' failed (pip install ${c.needs})` }),
    }),
  );
  rows.push(...pyRows);
  const available = pyRows.filter((r) => r.skipped === undefined);
  const pyTried: Record<string, Tried[]> = {};
  let pyTimed: Row[] = [];
  if (available.length > 0) {
    const refFile = `${TMP_DIR}contenders-ref-${p.key.replace(':', '-')}.json`;
    mkdirSync(TMP_DIR, { recursive: true });
    writeFileSync(refFile, JSON.stringify({ jacobian: Array.from(ref.jacobian) }));
    try {
      const tuned = runJson<{ results: { contender: string; tried: Tried[]; tol: number | null }[] }>('python3', [
        SCRIPT,
        'tune',
        p.key,
        refFile,
        String(target),
        TOLERANCES.map(String).join(','),
        ...available.map((r) => r.id),
      ]).results;
      tuned.forEach((t, i) => {
        const row = available[i]!;
        pyTried[row.id] = t.tried;
        if (t.tol === null) {
          const best = t.tried.reduce((a, b) => (b.error < a.error ? b : a));
          row.jacobianError = best.error;
          row.skipped = `target not reached down to rtol = atol = ${tolText(TOLERANCES[TOLERANCES.length - 1]!)} (best ${sci(best.error)} at ${tolText(best.tol)})`;
        } else {
          row.reached = true;
          row.tol = t.tol;
          row.setting = `rtol = atol = ${tolText(t.tol)}`;
        }
      });
    } catch (e) {
      for (const r of available) r.skipped = `tuning failed: ${failure(e)}`;
    }
    pyTimed = available.filter((r) => r.reached);
  }
  if (pyTimed.length > 0) {
    let jobs: (readonly [Row, number])[] = pyTimed.map((r) => [r, 1] as const);
    let first = true;
    let failed: string | undefined;
    entries.push({
      batch: () => {
        if (failed !== undefined || jobs.length === 0) return [];
        let results: PyResult[];
        try {
          results = runJson<{ results: PyResult[] }>('python3', [
            SCRIPT,
            'time',
            p.key,
            ...jobs.map(([r, reps]) => `${r.id}:${r.tol}:${reps}`),
          ]).results;
        } catch (e) {
          failed = failure(e);
          for (const r of pyTimed) r.skipped = `failed: ${failed}`;
          return [];
        }
        const times = results.map((r, i) => [jobs[i]![0].id, r.nsPerSolve! / 1e3] as const);
        if (first) {
          first = false;
          results.forEach((r, i) => {
            Object.assign(pyTimed[i]!, {
              steps: r.steps,
              fEvals: r.nfev,
              jacobianError: maxAbsDiff(r.jacobian, ref.jacobian),
            });
          });
          // After round 1 only the contenders within PRUNE × their package's fastest go on (each Python round
          // pays every contender's warm-up solve and batch, seconds for Lorenz-96 N = 100).
          const packageOf = (r: Row) => PYTHON_CONTENDERS.find((c) => c.id === r.id)!.needs;
          const fastest = new Map<string, number>();
          times.forEach(([, us], i) => {
            const pkg = packageOf(pyTimed[i]!);
            fastest.set(pkg, Math.min(fastest.get(pkg) ?? Number.POSITIVE_INFINITY, us));
          });
          jobs = [];
          times.forEach(([, us], i) => {
            const r = pyTimed[i]!;
            const over = us / fastest.get(packageOf(r))!;
            if (over <= PRUNE) jobs.push([r, Math.max(1, Math.round((o.pythonBatchMs * 1e3) / us))]);
            else r.notes += `; timed in round 1 only (one solve, ${ratio(over)} the fastest ${packageOf(r)} contender)`;
          });
        }
        return times;
      },
    });
  }

  // ── Alternating rounds ──
  const timedRows = rows.filter((r) => r.skipped === undefined && (r.reached || r.id.startsWith('odeforge')));
  const samples = new Map<string, number[]>(timedRows.map((r) => [r.id, []]));
  for (let round = 0; round < o.rounds; round++) {
    for (const e of entries) for (const [id, us] of e.batch()) samples.get(id)![round] = us;
  }
  const base = samples.get('odeforge')!;
  for (const r of timedRows) {
    const rounds = samples.get(r.id)!.flatMap((us, k) => (us === undefined ? [] : [{ us, over: us / base[k]! }]));
    if (rounds.length === 0) continue;
    r.us = median(rounds.map((x) => x.us));
    r.ratio = median(rounds.map((x) => x.over));
    r.samples = rounds.map((x) => round(x.us));
  }

  const peers = timedRows.filter((r) => !r.id.startsWith('odeforge') && Number.isFinite(r.us));
  // The fastest peer by its same-round ratio to odeforge (the goals compare same-run ratios only).
  const bestPeer = peers.length ? peers.reduce((a, b) => (b.ratio < a.ratio ? b : a)) : undefined;

  const markdown = [
    `### ${p.title}`,
    '',
    p.description,
    '',
    `Target: Jacobian max abs error ≤ ${sci(target)} = ${TARGET_FACTOR} × odeforge RK45CK's at rtol = atol = ${tolText(p.baseTol)} (${sci(baseError)}); reference: ${ref.name}.`,
    '',
    "odeforge's methods, each at its loosest rtol = atol on the grid reaching the target, raced against each other (" +
      `${o.methodRounds} alternating rounds, medians):`,
    '',
    ...table(
      ['method', 'rtol = atol', 'J error', 'steps', 'f evals', 'time (median)', 'step'],
      methods.map((m) => {
        const i = reached.indexOf(m);
        return [
          m === chosen ? `**${m.method}** (chosen)` : m.method,
          m.tol === undefined ? `not reached (best ${sci(m.error)})` : tolText(m.tol),
          sci(m.error),
          m.steps?.toString() ?? '—',
          m.fEvals?.toString() ?? '—',
          i >= 0 ? duration(methodRace.medians[i]!) : '—',
          m.kernel === 'webassembly' ? 'wasm kernel' : 'TypeScript',
        ];
      }),
    ),
    '',
    `odeforge's entry: ${chosen.method}, the fastest of its methods at this accuracy ('auto' would run ${autoRuns} at rtol ${tolText(chosen.tol!)}). Against the peers, ${o.rounds} alternating rounds; "× odeforge" is the median over rounds of contender / odeforge ${chosen.method} in the same round:`,
    '',
    ...table(
      ['contender', 'setting', 'time per state + J (median)', '× odeforge', 'steps', 'f evals', 'J error', 'notes'],
      rows.map((r) =>
        r.skipped !== undefined
          ? [r.contender, r.setting || '—', '—', '—', '', '', sci(r.jacobianError), r.skipped]
          : [
              r.contender,
              r.setting,
              duration(r.us),
              ratio(r.ratio),
              r.steps?.toString() ?? '—',
              r.fEvals?.toString() ?? '—',
              sci(r.jacobianError),
              r.notes,
            ],
      ),
    ),
    '',
    bestPeer
      ? `- Fastest peer at this accuracy: ${bestPeer.contender}, ${ratio(bestPeer.ratio)} odeforge ${chosen.method}'s time.`
      : '- No peer reached the target in this run.',
    '',
  ];
  return {
    markdown,
    json: {
      problem: p.key,
      n,
      reference: ref.name,
      target,
      baseError,
      odeforgeMethod: chosen.method,
      odeforgeTol: chosen.tol,
      autoWouldRun: autoRuns,
      best: bestPeer
        ? { contender: SHORT[bestPeer.id] ?? bestPeer.contender, ratio: round(bestPeer.ratio, 3) }
        : undefined,
      methods: methods.map((m) => ({
        method: m.method,
        tol: m.tol,
        error: m.error,
        steps: m.steps,
        us: reached.includes(m) ? round(methodRace.medians[reached.indexOf(m)]!) : undefined,
        probes: m.tried.length,
      })),
      rows: rows.map((r) => ({ ...r, us: round(r.us), ratio: round(r.ratio, 3) })),
      pythonTuning: pyTried,
    },
  };
}

export function runContenders(o: ContendersOptions): Section {
  const versions = pythonVersions();
  const problems: Problem[] = [
    {
      key: 'seed',
      title: 'Seed problem, state + 2×2 Jacobian',
      description: "y' = [[0, 1], [-20, 0]] y, y0 = [1, 1], t ∈ [0, 2π]; odeforge's first step 0.1.",
      model: SEED_MODEL,
      y0: SEED_PROBLEM.y0,
      t1: SEED_PROBLEM.t1,
      dt: SEED_PROBLEM.dt,
      baseTol: SEED_PROBLEM.rtol,
    },
    {
      key: `l96:${o.l96N}`,
      title: `Lorenz-96, N = ${o.l96N}, state + ${o.l96N}×${o.l96N} Jacobian`,
      description: `F = 8, y0_i = F + sin(i + 1), t ∈ [0, 0.5]; odeforge's first step 0.01.`,
      model: lorenz96(o.l96N),
      y0: lorenz96Y0(o.l96N),
      t1: 0.5,
      dt: 0.01,
      baseTol: 1e-8,
    },
  ];
  const parts = problems.map((p) => {
    const start = performance.now();
    const r = runProblem(p, o, versions);
    console.error(`  contenders/${p.key}: ${((performance.now() - start) / 1e3).toFixed(1)} s`);
    return r;
  });
  const markdown = [
    '## Equal-accuracy contenders: CasADi and SciPy',
    '',
    `SciPy ${versions.scipy ?? 'not available'}, CasADi ${versions.casadi ?? 'not available'}. Every contender is tuned to the cheapest setting whose Jacobian error reaches the target (tolerance-driven ones: the loosest rtol = atol on the grid 1e-4, 3.16e-5, …, 1e-15; fixed-step RK4: the fewest steps), then timed in alternating rounds. Python contenders run in one process per round and time themselves after an untimed warm-up solve (start-up, imports and set-up not counted); the generated C times itself over many solves.`,
    '',
    ...parts.flatMap((r) => r.markdown),
  ];
  return { markdown, json: { versions, problems: parts.map((r) => r.json) } };
}
