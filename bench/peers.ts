/**
 * The npm peers on the seed problem, state only (neither computes Jacobians; the benchmark differentiates
 * them by finite differences). Loaded with require: both are CommonJS without type declarations, so the
 * slice of their APIs used here is typed by hand.
 */
import { createRequire } from 'node:module';

interface OdexSolver {
  relativeTolerance: number;
  absoluteTolerance: number;
  initialStepSize: number;
  maxSteps: number;
  solve(
    f: (x: number, y: number[]) => number[],
    x0: number,
    y0: number[],
    xEnd: number,
  ): { y: number[]; outcome: number; xEnd: number; nEval: number };
}
interface Ode45Integrator {
  y: number[];
  t: number;
  steps(n: number, tLimit: number): boolean | undefined;
}
type Ode45Factory = (
  y0: number[],
  deriv: (dydt: number[], y: number[], t: number) => void,
  t0: number,
  dt0: number,
  options: { tol: number; verbose: boolean },
) => Ode45Integrator;

const require = createRequire(import.meta.url);
const { Solver: OdexSolverClass } = require('odex') as { Solver: new (n: number) => OdexSolver };
const ode45 = require('ode45-cash-karp') as Ode45Factory;

/** Counts right-hand-side evaluations when passed (left out of timed runs, where it would cost a little). */
export interface EvalCounter {
  evals: number;
}

export interface SeedSetup {
  readonly k: number;
  readonly t0: number;
  readonly t1: number;
  readonly dt: number;
}

/** Hairer & Wanner's ODEX (GBS extrapolation) ported to JS; rtol = atol = tol. */
export function odexSeed(p: SeedSetup, tol: number, counter?: EvalCounter): (y0: readonly number[]) => number[] {
  const solver = new OdexSolverClass(2);
  solver.relativeTolerance = tol;
  solver.absoluteTolerance = tol;
  solver.initialStepSize = p.dt;
  solver.maxSteps = 1_000_000;
  const f = (_x: number, y: number[]) => [y[1]!, -p.k * y[0]!];
  return (y0) => {
    const r = solver.solve(f, p.t0, [...y0], p.t1);
    // A solver that gave up would look fast: refuse it rather than time it.
    if (r.outcome !== 0) throw new Error(`odex did not converge (outcome ${r.outcome}) at x = ${r.xEnd}`);
    if (counter) counter.evals += r.nEval;
    return r.y;
  };
}

/**
 * scijs's Cash–Karp: one tolerance, on an error scaled by |y| + |h y'| (a relative error, so tol is not
 * directly comparable with rtol/atol elsewhere — which is why tolerances are tuned to equal Jacobian error).
 */
export function ode45Seed(p: SeedSetup, tol: number, counter?: EvalCounter): (y0: readonly number[]) => number[] {
  const plain = (dydt: number[], y: number[]) => {
    dydt[0] = y[1]!;
    dydt[1] = -p.k * y[0]!;
  };
  const deriv = counter
    ? (dydt: number[], y: number[]) => {
        counter.evals++;
        plain(dydt, y);
      }
    : plain;
  return (y0) => {
    const it = ode45([...y0], deriv, p.t0, p.dt, { tol, verbose: false });
    it.steps(Number.POSITIVE_INFINITY, p.t1);
    if (!(Math.abs(it.t - p.t1) <= 1e-9 * Math.abs(p.t1))) throw new Error(`ode45-cash-karp stopped at t = ${it.t}`);
    return it.y;
  };
}
