/*
 * The 'auto' family's part of a TypeScript solver module: an explicit Runge–Kutta method while the problem is
 * not stiff, a stiff method while it is. src/codegen/ts/module.ts puts the explicit family's template twice
 * (its top-level names prefixed explicit_ for the everyday method and tight_ for the high-order one), the
 * Rosenbrock family's (prefixed stiff_) and the implicit Runge–Kutta family's (prefixed tightStiff_), with
 * templates/ts/newton-matrix.ts ahead of them, and this file into the driver's family region; each keeps its own
 * step, state and work vectors, and this file routes the driver's calls to the one in use.
 *
 * Methods by tolerance: at the first step of a solve both methods are chosen for the whole solve — the tight_
 * explicit one when rtol ≤ TIGHT_RTOL, the tightStiff_ one when rtol ≤ TIGHT_STIFF_RTOL. The tight_ method has its
 * own error order (its step factors are proposed here) and its own stability boundary (its ρ is rescaled to the
 * driver's STABILITY_BOUNDARY, the explicit_ one's); the tightStiff_ one its own error order.
 *
 * Switching. To stiff: the driver watches h·ρ while the explicit method runs (stabilityLimited) and, after
 * STIFF_STEP_LIMIT steps held at its stability limit, asks switchToStiff. Back: after each accepted stiff step,
 * h·‖J‖∞ (‖J‖∞ ≥ the spectral radius of J, so this never underestimates) is compared with half the explicit
 * method's stability boundary; NON_STIFF_STEPS such steps in a row and the explicit method takes over. The
 * augmented vector [y | Φ | S] runs through both unchanged, so the sensitivities need no stitching.
 *
 * With sensitivities there is no way back: once stiff, the stiff method runs to the end. Where a stiff problem
 * turns non-stiff for a while it is usually a fast transition (a relaxation oscillation's jump), and there the
 * explicit method's sensitivities — the derivative of its solution on a grid held fixed — lose accuracy the
 * state keeps: measured on Van der Pol with μ = 1000 to t = 3000 at rtol 1e-8, ∂y/∂y0 2.7e-4 off with RK87
 * taking the transitions, 5.7e-8 with RadauIIA5 throughout (test/stiff/references.test.ts).
 */

// @odeforge:driver-begin — stubs of the driver's definitions and of the prefixed templates (dropped when assembled).
export {};

declare const N: number;
declare const M: number;
declare function stepFactor(err: number, accepted: boolean, exponent: number): number;
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
declare const tight_WORK_VECTORS: number;
declare const tight_F_NEW: number;
declare const tight_STEP_EVALS: number;
declare const tight_STABILITY_BOUNDARY: number;
type tight_StepState = undefined;
declare function tight_newStepState(adaptive: boolean): tight_StepState;
declare const tight_step: Step;
declare const tight_interpolate: Interpolate;
declare function tight_stiffnessEstimate(work: Float64Array[], yNew: Float64Array, state: never): number;
declare const tight_stepFailure: Failure;
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
declare const tightStiff_WORK_VECTORS: number;
declare const tightStiff_F_NEW: number;
declare const tightStiff_STEP_EVALS: number;
interface tightStiff_StepState {
  readonly jac: Float64Array;
}
declare function tightStiff_newStepState(adaptive: boolean): tightStiff_StepState;
declare const tightStiff_step: Step;
declare const tightStiff_interpolate: Interpolate;
declare const tightStiff_stepFailure: Failure;
declare function tightStiff_familyStats(state: tightStiff_StepState, stats: SolveStats): SolveStats;
// @odeforge:driver-end

// ─── auto: placeholders ─────────────────────────────────────────────────────────────────────────────────

/** The methods' names, for the switches the statistics list. */
declare const EXPLICIT_NAME: string;
declare const TIGHT_NAME: string;
declare const STIFF_NAME: string;
declare const TIGHT_STIFF_NAME: string;
/** The tight_ method runs instead of the explicit_ one when rtol ≤ TIGHT_RTOL; the order of its error estimate. */
declare const TIGHT_RTOL: number;
declare const TIGHT_ERROR_ORDER: number;
/** The fraction of its stability boundary at which the tight_ method's h·ρ counts as at its limit (see AutoMethod). */
declare const TIGHT_DETECTION: number;
/** The tightStiff_ method runs instead of the stiff_ one when rtol ≤ TIGHT_STIFF_RTOL; the order of its error estimate. */
declare const TIGHT_STIFF_RTOL: number;
declare const TIGHT_STIFF_ERROR_ORDER: number;

// ─── auto: the family interface ─────────────────────────────────────────────────────────────────────────
// work = [F(t, y), F(t + h, yNew), the explicit methods' other vectors, the stiff method's other vectors]

const F_NEW = 1;
const EXPLICIT_AT = 2;
const TIGHT_AT: number = EXPLICIT_AT + explicit_WORK_VECTORS;
const STIFF_AT: number = TIGHT_AT + tight_WORK_VECTORS;
const TIGHT_STIFF_AT: number = STIFF_AT + stiff_WORK_VECTORS;
const WORK_VECTORS: number = TIGHT_STIFF_AT + tightStiff_WORK_VECTORS;
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
  readonly tightState: tight_StepState;
  readonly stiffState: stiff_StepState;
  readonly tightStiffState: tightStiff_StepState;
  /** Each method's view of the work vectors: work[0] and work[F_NEW] shared, the rest its own. */
  readonly explicitWork: Float64Array[];
  readonly tightWork: Float64Array[];
  readonly stiffWork: Float64Array[];
  readonly tightStiffWork: Float64Array[];
  /** Whether this solve's explicit and stiff methods are the tight_ and tightStiff_ ones (chosen from rtol). */
  tight: boolean;
  tightStiff: boolean;
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
    tightState: tight_newStepState(adaptive),
    stiffState: stiff_newStepState(adaptive),
    tightStiffState: tightStiff_newStepState(adaptive),
    explicitWork: new Array<Float64Array>(explicit_WORK_VECTORS),
    tightWork: new Array<Float64Array>(tight_WORK_VECTORS),
    stiffWork: new Array<Float64Array>(stiff_WORK_VECTORS),
    tightStiffWork: new Array<Float64Array>(tightStiff_WORK_VECTORS),
    tight: false,
    tightStiff: false,
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
  const jac = state.tightStiff ? state.tightStiffState.jac : state.stiffState.matrix.jac;
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
  if (state.switches.length === 0) {
    state.tight = rtol <= TIGHT_RTOL;
    state.tightStiff = rtol <= TIGHT_STIFF_RTOL;
    state.switches.push({ t, method: explicitName(state) });
  }
  state.lastStiff = state.stiff;
  if (!state.stiff) {
    state.explicitAttempts++;
    if (state.tight) {
      const view = bind(state.tightWork, work, TIGHT_AT, tight_F_NEW);
      return tight_step(t, h, y, p, view, z, yNew, record, rtol, atol, controlled, state.tightState as never);
    }
    const view = bind(state.explicitWork, work, EXPLICIT_AT, explicit_F_NEW);
    return explicit_step(t, h, y, p, view, z, yNew, record, rtol, atol, controlled, state.explicitState as never);
  }
  state.stiffAttempts++;
  const err = state.tightStiff
    ? tightStiff_step(
        t,
        h,
        y,
        p,
        bind(state.tightStiffWork, work, TIGHT_STIFF_AT, tightStiff_F_NEW),
        z,
        yNew,
        record,
        rtol,
        atol,
        controlled,
        state.tightStiffState as never,
      )
    : stiff_step(
        t,
        h,
        y,
        p,
        bind(state.stiffWork, work, STIFF_AT, stiff_F_NEW),
        z,
        yNew,
        record,
        rtol,
        atol,
        controlled,
        state.stiffState as never,
      );
  if (err <= 1 && M === N) {
    // Back to the explicit method once its steps would be stable at this h, for NON_STIFF_STEPS steps in a row.
    state.nonStiffSteps = Math.abs(h) * jacobianNorm(state) <= 0.5 * STABILITY_BOUNDARY ? state.nonStiffSteps + 1 : 0;
    if (state.nonStiffSteps >= NON_STIFF_STEPS) {
      state.stiff = false;
      state.nonStiffSteps = 0;
      state.switches.push({ t: t + h, method: explicitName(state) });
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
  if (state.lastStiff && state.tightStiff)
    tightStiff_interpolate(s, h, y0, f0, y1, f1, state.tightStiffWork, out, at, state.tightStiffState as never);
  else if (state.lastStiff)
    stiff_interpolate(s, h, y0, f0, y1, f1, state.stiffWork, out, at, state.stiffState as never);
  else if (state.tight) tight_interpolate(s, h, y0, f0, y1, f1, state.tightWork, out, at, state.tightState as never);
  else explicit_interpolate(s, h, y0, f0, y1, f1, state.explicitWork, out, at, state.explicitState as never);
}

/**
 * (asked only while an explicit method runs: its view of the work vectors is the current one). The tight_
 * method's ρ is scaled so that the driver's test h·ρ against STABILITY_BOUNDARY (explicit_'s) tests its own
 * boundary.
 */
function stiffnessEstimate(_work: Float64Array[], yNew: Float64Array, state: StepState): number {
  if (state.tight)
    return (
      tight_stiffnessEstimate(state.tightWork, yNew, state.tightState as never) *
      (STABILITY_BOUNDARY / (TIGHT_DETECTION * tight_STABILITY_BOUNDARY))
    );
  return explicit_stiffnessEstimate(state.explicitWork, yNew, state.explicitState as never);
}

function explicitName(state: StepState): string {
  return state.tight ? TIGHT_NAME : EXPLICIT_NAME;
}

function familyStats(state: StepState, stats: SolveStats): SolveStats {
  const explicitEvals = state.tight ? tight_STEP_EVALS : explicit_STEP_EVALS;
  const stiffEvals = state.tightStiff ? tightStiff_STEP_EVALS : stiff_STEP_EVALS;
  stats.rhsEvals += state.explicitAttempts * explicitEvals + state.stiffAttempts * stiffEvals;
  if (state.tightStiff) tightStiff_familyStats(state.tightStiffState, stats);
  else stiff_familyStats(state.stiffState, stats);
  stats.switches = state.switches.map((s) => ({ ...s }));
  return stats;
}

function stepFailure(state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  if (state.lastStiff)
    return state.tightStiff
      ? tightStiff_stepFailure(state.tightStiffState as never)
      : stiff_stepFailure(state.stiffState as never);
  return state.tight
    ? tight_stepFailure(state.tightState as never)
    : explicit_stepFailure(state.explicitState as never);
}

/**
 * The driver's controller with the tight_ or tightStiff_ method's error order; NaN (the driver's, with
 * ERROR_ORDER: the explicit_ and stiff_ methods') otherwise.
 */
function proposeStepFactor(state: StepState, err: number, accepted: boolean): number {
  if (state.lastStiff)
    return state.tightStiff ? stepFactor(err, accepted, -1 / (TIGHT_STIFF_ERROR_ORDER + 1)) : Number.NaN;
  if (!state.tight) return Number.NaN;
  return stepFactor(err, accepted, -1 / (TIGHT_ERROR_ORDER + 1));
}

function stabilityLimited(state: StepState): boolean {
  return !state.stiff;
}

function switchToStiff(state: StepState, t: number): boolean {
  state.stiff = true;
  state.nonStiffSteps = 0;
  state.switches.push({ t, method: state.tightStiff ? TIGHT_STIFF_NAME : STIFF_NAME });
  return true;
}
