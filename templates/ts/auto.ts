/*
 * The 'auto' family's part of a TypeScript solver module: an explicit Runge–Kutta method while the problem is
 * not stiff, a Rosenbrock method while it is. src/codegen/ts/module.ts puts the explicit family's template (its
 * top-level names prefixed explicit_), the Rosenbrock family's (prefixed stiff_, with templates/ts/newton-matrix.ts
 * ahead of it) and this file into the driver's family region; each keeps its own step, state and work vectors,
 * and this file routes the driver's calls to the one in use.
 *
 * Switching. To stiff: the driver watches h·ρ while the explicit method runs (stabilityLimited) and, after
 * STIFF_STEP_LIMIT steps held at its stability limit, asks switchToStiff. Back: after each accepted stiff step,
 * h·‖J‖∞ (‖J‖∞ ≥ the spectral radius of J, so this never underestimates) is compared with half the explicit
 * method's stability boundary; NON_STIFF_STEPS such steps in a row and the explicit method takes over. The
 * augmented vector [y | Φ | S] runs through both unchanged, so the sensitivities need no stitching.
 */

// @odeforge:driver-begin — stubs of the driver's definitions and of the prefixed templates (dropped when assembled).
export {};

declare const N: number;
interface SolveStats {
  steps: number;
  rhsEvals: number;
  switches?: { t: number; method: string }[];
}
declare class IntegrationError {
  readonly reason: 'non-finite' | 'singular-matrix' | 'newton-failure';
}
declare const JAC_ROW_START: Int32Array;
interface ShiftedMatrix {
  readonly jac: Float64Array;
}
type Step = (
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  z: Float64Array,
  yNew: Float64Array,
  record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
  state: never,
) => number;
type Interpolate = (
  s: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  out: Float64Array,
  at: number,
  state: never,
) => void;
type Failure = (state: never) => { reason: IntegrationError['reason']; why: string } | undefined;
declare const explicit_WORK_VECTORS: number;
declare const explicit_F_NEW: number;
declare const explicit_STEP_EVALS: number;
declare const explicit_STABILITY_BOUNDARY: number;
type explicit_StepState = undefined;
declare function explicit_newStepState(adaptive: boolean): explicit_StepState;
declare const explicit_step: Step;
declare const explicit_interpolate: Interpolate;
declare function explicit_stiffnessEstimate(work: Float64Array[], yNew: Float64Array, state: never): number;
declare const explicit_stepFailure: Failure;
declare const stiff_WORK_VECTORS: number;
declare const stiff_F_NEW: number;
declare const stiff_STEP_EVALS: number;
interface stiff_StepState {
  readonly matrix: ShiftedMatrix;
}
declare function stiff_newStepState(adaptive: boolean): stiff_StepState;
declare const stiff_step: Step;
declare const stiff_interpolate: Interpolate;
declare const stiff_stepFailure: Failure;
declare function stiff_familyStats(state: stiff_StepState, stats: SolveStats): SolveStats;
// @odeforge:driver-end

// ─── auto: placeholders ─────────────────────────────────────────────────────────────────────────────────

/** The two methods' names, for the switches the statistics list. */
declare const EXPLICIT_NAME: string;
declare const STIFF_NAME: string;

// ─── auto: the family interface ─────────────────────────────────────────────────────────────────────────
// work = [F(t, y), F(t + h, yNew), the explicit method's other vectors, the stiff method's other vectors]

const F_NEW = 1;
const EXPLICIT_AT = 2;
const STIFF_AT: number = EXPLICIT_AT + explicit_WORK_VECTORS;
const WORK_VECTORS: number = STIFF_AT + stiff_WORK_VECTORS;
/** Evaluations per attempt depend on the method in use: counted here (familyStats). */
const STEP_EVALS = 0;
const STIFFNESS_DETECTION = true;
const STABILITY_BOUNDARY: number = explicit_STABILITY_BOUNDARY;
/** Fewer steps at the limit than a plain explicit solve tolerates: here switching is the cure. */
const STIFF_STEP_LIMIT = 100;
/** Accepted stiff steps in a row that the explicit method could have taken stably, before switching back. */
const NON_STIFF_STEPS = 20;

interface StepState {
  readonly explicitState: explicit_StepState;
  readonly stiffState: stiff_StepState;
  /** Each method's view of the work vectors: work[0] and work[F_NEW] shared, the rest its own. */
  readonly explicitWork: Float64Array[];
  readonly stiffWork: Float64Array[];
  /** The method in use, and the one that took the last step (dense output and failures ask it). */
  stiff: boolean;
  lastStiff: boolean;
  nonStiffSteps: number;
  explicitAttempts: number;
  stiffAttempts: number;
  readonly switches: { t: number; method: string }[];
}

function newStepState(adaptive: boolean): StepState {
  return {
    explicitState: explicit_newStepState(adaptive),
    stiffState: stiff_newStepState(adaptive),
    explicitWork: new Array<Float64Array>(explicit_WORK_VECTORS),
    stiffWork: new Array<Float64Array>(stiff_WORK_VECTORS),
    stiff: false,
    lastStiff: false,
    nonStiffSteps: 0,
    explicitAttempts: 0,
    stiffAttempts: 0,
    switches: [],
  };
}

/** A method's view of the work vectors: the driver's work[0] and work[F_NEW] where it expects them. */
function bind(view: Float64Array[], work: Float64Array[], at: number, fNew: number): Float64Array[] {
  for (let i = 0; i < view.length; i++) view[i] = work[at + i]!;
  view[0] = work[0]!;
  view[fNew] = work[F_NEW]!;
  return view;
}

/** ‖J‖∞ of the stiff method's current Jacobian: the largest row sum of |J_ij|. */
function jacobianNorm(state: StepState): number {
  const jac = state.stiffState.matrix.jac;
  let norm = 0;
  for (let i = 0; i < N; i++) {
    let row = 0;
    for (let k = JAC_ROW_START[i]!; k < JAC_ROW_START[i + 1]!; k++) row += Math.abs(jac[k]!);
    if (row > norm) norm = row;
  }
  return norm;
}

function step(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  z: Float64Array,
  yNew: Float64Array,
  record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
  state: StepState,
): number {
  if (state.switches.length === 0) state.switches.push({ t, method: EXPLICIT_NAME });
  state.lastStiff = state.stiff;
  if (!state.stiff) {
    state.explicitAttempts++;
    const view = bind(state.explicitWork, work, EXPLICIT_AT, explicit_F_NEW);
    return explicit_step(t, h, y, p, view, z, yNew, record, rtol, atol, controlled, state.explicitState as never);
  }
  state.stiffAttempts++;
  const view = bind(state.stiffWork, work, STIFF_AT, stiff_F_NEW);
  const err = stiff_step(t, h, y, p, view, z, yNew, record, rtol, atol, controlled, state.stiffState as never);
  if (err <= 1) {
    // Back to the explicit method once its steps would be stable at this h, for NON_STIFF_STEPS steps in a row.
    state.nonStiffSteps = Math.abs(h) * jacobianNorm(state) <= 0.5 * STABILITY_BOUNDARY ? state.nonStiffSteps + 1 : 0;
    if (state.nonStiffSteps >= NON_STIFF_STEPS) {
      state.stiff = false;
      state.nonStiffSteps = 0;
      state.switches.push({ t: t + h, method: EXPLICIT_NAME });
    }
  }
  return err;
}

function interpolate(
  s: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  _work: Float64Array[],
  out: Float64Array,
  at: number,
  state: StepState,
): void {
  if (state.lastStiff) stiff_interpolate(s, h, y0, f0, y1, f1, state.stiffWork, out, at, state.stiffState as never);
  else explicit_interpolate(s, h, y0, f0, y1, f1, state.explicitWork, out, at, state.explicitState as never);
}

/** (asked only while the explicit method runs: its view of the work vectors is the current one) */
function stiffnessEstimate(_work: Float64Array[], yNew: Float64Array, state: StepState): number {
  return explicit_stiffnessEstimate(state.explicitWork, yNew, state.explicitState as never);
}

function familyStats(state: StepState, stats: SolveStats): SolveStats {
  stats.rhsEvals += state.explicitAttempts * explicit_STEP_EVALS + state.stiffAttempts * stiff_STEP_EVALS;
  stiff_familyStats(state.stiffState, stats);
  stats.switches = state.switches.map((s) => ({ ...s }));
  return stats;
}

function stepFailure(state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  return state.lastStiff
    ? stiff_stepFailure(state.stiffState as never)
    : explicit_stepFailure(state.explicitState as never);
}

function proposeStepFactor(_state: StepState, _err: number, _accepted: boolean): number {
  return Number.NaN;
}

function stabilityLimited(state: StepState): boolean {
  return !state.stiff;
}

function switchToStiff(state: StepState, t: number): boolean {
  state.stiff = true;
  state.nonStiffSteps = 0;
  state.switches.push({ t, method: STIFF_NAME });
  return true;
}
