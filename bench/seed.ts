/**
 * Seed problem (REFERENCES.md): y' = [[0, 1], [-20, 0]] y, y0 = [1, 1], t ∈ [0, 2π], dt0 = 0.1, RK45CK,
 * rtol = atol = 1e-12, state + 2×2 Jacobian, exact answer expm(2πM). The generated solver against the same
 * algorithm written by hand (JS and C), against finite differences (the generated solver and the npm peers,
 * tuned to equal Jacobian accuracy), against SciPy, and against the recorded PyTorch figure.
 */
import { execFileSync } from 'node:child_process';
import { compile } from '../src/compile.ts';
import { SEED_MODEL, SEED_PROBLEM, seedExactJacobian } from '../src/examples.ts';
import { duration, ratio, round, type Section, sci, table } from './lib/format.ts';
import { buildC, referencePath, runJson } from './lib/native.ts';
import { type Contender, jsBatch, race } from './lib/race.ts';
import { centralDifferences, maxAbsDiff } from './models.ts';
import { type EvalCounter, ode45Seed, odexSeed, type SeedSetup } from './peers.ts';
import { seedReference } from './reference/seed-rk45ck.ts';

export interface SeedOptions {
  readonly rounds: number;
  readonly batchMs: number;
  readonly scipyRounds: number;
}

interface Row {
  contender: string;
  /** Median µs per solve (state + Jacobian), or the recorded figure. */
  us: number;
  /** Median over rounds of contender / generated in the same round. */
  ratio: number;
  steps?: number;
  /** Right-hand-side evaluations for the state and J together (all 2n + 1 solves for finite differences). */
  evals?: number;
  jacobianError?: number;
  settings: string;
}

/** What a self-timing subprocess prints. */
interface Timed {
  nsPerSolve: number;
  steps: number;
  rejected?: number;
  nfev?: number;
  jacobian: number[];
}

// REFERENCES.md: DESolver 4.5.0 with torch 1.13 on CPU, 1148 steps: 0.50 s to integrate, 0.65 s of autograd.
const PYTORCH = { integrateS: 0.5, jacobianS: 0.65, steps: 1148, error: 3.5e-11 };

const FD_TOLERANCES = [1e-10, 1e-11, 1e-12, 1e-13, 1e-14];
const FD_STEPS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

interface FdChoice {
  tol: number;
  delta: number;
  error: number;
  reached: boolean;
}

/**
 * Equal accuracy: the loosest tolerance (cheapest run) at which some difference step gives a Jacobian error
 * within `target`; the most accurate combination when none does. The grid is small and each probe costs a
 * millisecond, so this is an honest stand-in for tuning by hand.
 */
function tuneFd(
  make: (tol: number) => (y0: readonly number[]) => ArrayLike<number>,
  exact: Float64Array,
  target: number,
): FdChoice {
  let mostAccurate: FdChoice | undefined;
  for (const tol of FD_TOLERANCES) {
    const solveState = make(tol);
    let best: FdChoice | undefined;
    for (const delta of FD_STEPS) {
      const error = maxAbsDiff(centralDifferences(solveState, SEED_PROBLEM.y0, delta), exact);
      if (best === undefined || error < best.error) best = { tol, delta, error, reached: error <= target };
    }
    if (best!.reached) return best!;
    if (mostAccurate === undefined || best!.error < mostAccurate.error) mostAccurate = best;
  }
  return mostAccurate!;
}

const pick = (stats: { steps: number; rhsEvals: number }) => ({ steps: stats.steps, evals: stats.rhsEvals });

function scipyAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import scipy'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

export function runSeed(o: SeedOptions): Section {
  const { t0, t1, dt, rtol, atol } = SEED_PROBLEM;
  const exact = seedExactJacobian(t1);
  const setup: SeedSetup = { k: 20, t0, t1, dt };
  const solver = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0'] });
  const stateOnly = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: [] });

  const gen = solver.solve(SEED_PROBLEM);
  const genError = maxAbsDiff(gen.jacobian!, exact);
  const hand = Float64Array.of(1, 1, 1, 0, 0, 1);
  const handSteps = seedReference(hand, 20, t0, t1, dt, rtol, atol);

  const contenders: Contender[] = [];
  const rows: Row[] = [];
  const add = (c: Contender, row: Omit<Row, 'us' | 'ratio' | 'contender'>) => {
    contenders.push(c);
    rows.push({ contender: c.name, us: Number.NaN, ratio: Number.NaN, ...row });
  };
  add(
    {
      name: "odeforge generated RK45CK, state + Jacobian (variational; its WebAssembly kernel, wasm 'auto')",
      batch: jsBatch(() => solver.solve(SEED_PROBLEM)),
    },
    { steps: gen.stats.steps, evals: gen.stats.rhsEvals, jacobianError: genError, settings: 'rtol = atol = 1e-12' },
  );
  add(
    {
      name: 'hand-specialised JS, same algorithm (bench/reference/seed-rk45ck.ts)',
      batch: jsBatch(() => seedReference(Float64Array.of(1, 1, 1, 0, 0, 1), 20, t0, t1, dt, rtol, atol)),
    },
    { steps: handSteps, jacobianError: maxAbsDiff(hand.subarray(2), exact), settings: 'rtol = atol = 1e-12' },
  );
  // The default above runs the whole solve in the module's WebAssembly kernel (wasm 'auto': an adaptive solve
  // with sensitivities); here the same solver without it, its TypeScript loop with the step inlined.
  const withoutKernel = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0'], wasm: false });
  const plainRun = withoutKernel.solve(SEED_PROBLEM);
  add(
    {
      name: 'odeforge generated RK45CK, state + Jacobian, TypeScript only (wasm: false)',
      batch: jsBatch(() => withoutKernel.solve(SEED_PROBLEM)),
    },
    {
      steps: plainRun.stats.steps,
      evals: plainRun.stats.rhsEvals,
      jacobianError: maxAbsDiff(plainRun.jacobian!, exact),
      settings: 'rtol = atol = 1e-12',
    },
  );
  const c = buildC('seed_rk45ck.c');
  let cSkipped: string | undefined;
  if (c.ok) {
    const probe = runJson<Timed>(c.path, ['10']);
    add(
      {
        name: 'hand-written C, same algorithm, gcc -O3 -march=native',
        batch: (reps) => runJson<Timed>(c.path, [String(reps)]).nsPerSolve / 1e3,
      },
      {
        steps: probe.steps,
        evals: 6 * (probe.steps + probe.rejected!),
        jacobianError: maxAbsDiff(probe.jacobian, exact),
        settings: 'rtol = atol = 1e-12; timed inside C',
      },
    );
  } else cSkipped = c.reason;
  add(
    {
      name: 'odeforge generated RK45CK, state only (no Jacobian; for scale)',
      batch: jsBatch(() => stateOnly.solve(SEED_PROBLEM)),
    },
    { ...pick(stateOnly.solve(SEED_PROBLEM).stats), settings: 'rtol = atol = 1e-12' },
  );

  // Finite-difference contenders, each tuned to a Jacobian error comparable with the variational solver's.
  const target = 3 * genError;
  const fd = [
    {
      name: 'odeforge generated RK45CK, Jacobian by central differences',
      make: (tol: number, counter?: EvalCounter) => (y0: readonly number[]) => {
        const r = stateOnly.solve({ ...SEED_PROBLEM, y0, rtol: tol, atol: tol });
        if (counter) counter.evals += r.stats.rhsEvals;
        return r.y;
      },
    },
    {
      name: 'odex (npm, GBS extrapolation), Jacobian by central differences',
      make: (tol: number, counter?: EvalCounter) => odexSeed(setup, tol, counter),
    },
    {
      name: 'ode45-cash-karp (npm), Jacobian by central differences',
      make: (tol: number, counter?: EvalCounter) => ode45Seed(setup, tol, counter),
    },
  ];
  const tuned: Record<string, FdChoice> = {};
  for (const f of fd) {
    const choice = tuneFd(f.make, exact, target);
    tuned[f.name] = choice;
    const solveState = f.make(choice.tol);
    const y0 = SEED_PROBLEM.y0;
    const counter = { evals: 0 };
    centralDifferences(f.make(choice.tol, counter), y0, choice.delta);
    add(
      { name: f.name, batch: jsBatch(() => centralDifferences(solveState, y0, choice.delta)) },
      {
        evals: counter.evals,
        jacobianError: choice.error,
        settings: `5 solves; tol ${choice.tol.toExponential(0)}, step ${choice.delta.toExponential(0)}${choice.reached ? '' : ' (target not reached: most accurate on the grid)'}`,
      },
    );
  }

  const main = race(contenders, o.rounds, o.batchMs);
  rows.forEach((r, i) => {
    r.us = main.medians[i]!;
    r.ratio = main.ratios[i]!;
  });
  const genUs = main.medians[0]!;

  // SciPy is ~100× slower per solve and pays an interpreter start per batch, so it gets its own race against
  // the generated solver, with fewer and longer rounds.
  let scipyNote: string;
  if (scipyAvailable()) {
    const script = referencePath('seed_scipy.py');
    const probe = runJson<Timed>('python3', [script, '1']);
    const sr = race(
      [
        contenders[0]!,
        { name: 'scipy', batch: (reps) => runJson<Timed>('python3', [script, String(reps)]).nsPerSolve / 1e3 },
      ],
      o.scipyRounds,
      Math.max(o.batchMs, 300),
    );
    rows.push({
      contender: 'SciPy solve_ivp RK45 (Dormand–Prince) on the variational system',
      us: sr.medians[1]!,
      ratio: sr.ratios[1]!,
      steps: probe.steps,
      evals: probe.nfev,
      jacobianError: maxAbsDiff(probe.jacobian, exact),
      settings: `rtol = atol = 1e-12, RMS norm over all 6 components; own race, ${o.scipyRounds} rounds; timed inside Python`,
    });
    scipyNote = 'SciPy: measured (subprocess, own alternating race against the generated solver).';
  } else {
    rows.push({
      contender: 'SciPy solve_ivp RK45 on the variational system',
      us: Number.NaN,
      ratio: Number.NaN,
      settings: 'not available (python3 -c "import scipy" failed)',
    });
    scipyNote = 'SciPy: not available.';
  }

  const torchUs = (PYTORCH.integrateS + PYTORCH.jacobianS) * 1e6;
  rows.push({
    contender: 'DESolver + PyTorch 1.13 CPU, RK45CK + autograd (recorded, REFERENCES.md; not re-run)',
    us: torchUs,
    ratio: torchUs / genUs,
    steps: PYTORCH.steps,
    jacobianError: PYTORCH.error,
    settings: `fixed figure: ${PYTORCH.integrateS} s integrate + ${PYTORCH.jacobianS} s autograd, another machine`,
  });

  const markdown = [
    '## Seed problem: state + 2×2 Jacobian',
    '',
    "y' = [[0, 1], [-20, 0]] y, y0 = [1, 1], t ∈ [0, 2π], dt0 = 0.1, RK45CK, error control on the state.",
    `Alternating rounds: ${o.rounds} (batches of ~${o.batchMs} ms); "× generated" is the median over rounds of`,
    'contender time / generated time in the same round (> 1: the generated solver is faster).',
    '',
    ...table(
      [
        'contender',
        'time per state + J (median)',
        '× generated',
        'steps',
        'f evaluations',
        'J error: max abs vs expm(2πM)',
        'settings',
      ],
      rows.map((r) => [
        r.contender,
        duration(r.us),
        ratio(r.ratio),
        r.steps?.toString() ?? '—',
        r.evals?.toString() ?? '—',
        sci(r.jacobianError),
        r.settings,
      ]),
    ),
    '',
    `- Speed-up over the recorded PyTorch figure: ${ratio(torchUs / genUs)} (${duration(torchUs)} / ${duration(genUs)}; the PyTorch time was measured on another machine, so only the order of magnitude means anything).`,
    `- Finite differences are tuned to a Jacobian error ≤ ${sci(target)} (3 × the variational solver's), over tolerances ${FD_TOLERANCES.map((t) => t.toExponential(0)).join(', ')} and steps ${FD_STEPS.map((t) => t.toExponential(0)).join(', ')}; the loosest tolerance that reaches it is used. A step as large as 1e-2 is accurate here only because the problem is linear (no truncation error); on a non-linear model it would not be.`,
    `- ${scipyNote} ${cSkipped ? `C: skipped (${cSkipped}).` : 'C: built in this run, timed inside the process over many repetitions.'}`,
    '',
  ];
  const json = {
    problem: 'seed, RK45CK, rtol = atol = 1e-12, dt0 = 0.1',
    rounds: o.rounds,
    rows: rows.map((r) => ({ ...r, us: round(r.us), ratio: round(r.ratio, 3) })),
    finiteDifferenceTarget: target,
    finiteDifferenceChoices: tuned,
    speedupOverPyTorch: round(torchUs / genUs, 3),
  };
  return { markdown, json };
}
