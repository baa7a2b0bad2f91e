/*
 * The symplectic splitting family's part of a TypeScript solver module: its step, behind the interface that
 * templates/ts/driver.ts documents at its top. src/codegen/ts/module.ts drops the `@odeforge:driver` stubs below,
 * puts the rest in the driver's `@odeforge:family` region, and replaces the `declare`s that are left with
 * generated code (src/codegen/ts/symplectic.ts).
 *
 * The model is separable (checked when the module is generated): positions q with q' = f_q(p), momenta p with
 * p' = f_p(q, t). A step is a fixed composition of drifts, q += c·h·f_q(p), and kicks, p += c·h·f_p(q, t), each the
 * exact flow of its half. The augmented vector [y | Φ | S] is split the same way — the rows of Φ and S that belong
 * to a position drift with the positions (Φ_q += c·h·(∂f_q/∂p)·Φ_p, S_q += c·h·((∂f_q/∂p)·S_p + ∂f_q/∂k)), those of
 * a momentum kick with the momenta — and each of these updates is the exact derivative of its drift or kick, so
 * the Φ and S of a step are the derivatives of the discrete map, by the chain rule: the tangent map of a
 * symplectic map, itself symplectic. Fixed steps only: there is no error estimate (ERROR_ORDER = 0, so the
 * driver asks for dt).
 */

// @odeforge:driver-begin — stubs of the driver's definitions (dropped when assembled).
export {};

declare const M: number;
declare function rhs(t: number, y: Float64Array, p: Float64Array, dy: Float64Array): void;
declare function hermite(
  s: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  out: Float64Array,
  at: number,
): void;
interface SolveStats {
  rhsEvals: number;
}
declare class IntegrationError {
  readonly reason: string;
}
// @odeforge:driver-end

// ─── Symplectic splitting: placeholders ─────────────────────────────────────────────────────────────────

/** The composition, map by map: how many, which are kicks (the others are drifts), their coefficients. */
declare const MAPS: number;
declare const MAP_KICK: readonly boolean[];
declare const MAP_COEFFICIENT: Float64Array;
/** For each kick, the fraction of the step at which it is evaluated: the sum of the drifts before it. */
declare const MAP_TIME: Float64Array;
/**
 * The first and the last map are kicks: the last one's rates, at the new positions, are the next step's first
 * kick's (First Same As Last).
 */
declare const KICK_FSAL: boolean;
/** Kick rates evaluated in a step (FSAL methods: after the first step, one fewer than their kicks). */
declare const KICKS_PER_STEP: number;
/** d = the drift's rates: the right-hand side of the positions and of their rows of Φ and S (reads momenta only). */
declare function driftRate(y: Float64Array, p: Float64Array, d: Float64Array): void;
/** d = the kick's rates: the right-hand side of the momenta and of their rows of Φ and S (reads positions, t). */
declare function kickRate(t: number, y: Float64Array, p: Float64Array, d: Float64Array): void;
/** y += c·d over the drift's components. */
declare function applyDrift(y: Float64Array, d: Float64Array, c: number): void;
/** y += c·d over the kick's components. */
declare function applyKick(y: Float64Array, d: Float64Array, c: number): void;

// ─── Symplectic splitting: the family interface ─────────────────────────────────────────────────────────
// work = [F(t, y), F(t + h, yNew), rates]. The step never reads the first two: the driver fills work[0] at t0
// (its check of F(t0, y0)), and interpolate fills both when tEval asks for dense output. `rates` holds the drift's
// rates in the positions' components and the kick's in the momenta's, so the last kick's survive the step for an
// FSAL method's next one.

const WORK_VECTORS: number = 3;
const F_NEW: number = 1;
const RATES_AT: number = 2;
/** Counted in kicks, the evaluations of the momenta's right-hand side (the forces); drifts are not counted. */
const STEP_EVALS: number = KICKS_PER_STEP;
const STIFFNESS_DETECTION: boolean = false;
const STABILITY_BOUNDARY: number = 0;

/** What one solve keeps from step to step. */
interface StepState {
  /** The rates vector holds the kick's rates at the step's starting point (FSAL methods, after a step). */
  kickReady: boolean;
  /** Where the last step started, and the parameters: interpolate evaluates F at its ends. */
  t: number;
  p: Float64Array | undefined;
  /** Steps taken in this solve. */
  steps: number;
  /** Whether work[0] and work[F_NEW] hold F at the ends of the last step (dense output evaluates them once). */
  f0: boolean;
  f1: boolean;
  /** Evaluations beyond STEP_EVALS per step: FSAL's first kick, dense output's F. */
  extraEvals: number;
}

function newStepState(_adaptive: boolean): StepState {
  // f0: the driver has evaluated F(t0, y0) into work[0].
  return { kickReady: false, t: 0, p: undefined, steps: 0, f0: true, f1: false, extraEvals: 0 };
}

/** One step from (t, y): the drifts and kicks in yNew, in order. Returns 0, or Infinity for a non-finite value. */
function step(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  _z: Float64Array,
  yNew: Float64Array,
  _record: boolean,
  _rtol: number,
  _atol: number,
  _controlled: number,
  state: StepState,
): number {
  // The end of the last step is this one's start: F there is known if dense output evaluated it.
  state.f0 = state.steps === 0 ? true : state.f1;
  state.f1 = false;
  state.t = t;
  state.p = p;
  state.steps++;
  const rates = work[RATES_AT]!;
  yNew.set(y);
  for (let i = 0; i < MAPS; i++) {
    const c = MAP_COEFFICIENT[i]! * h;
    if (MAP_KICK[i]!) {
      if (i > 0 || !state.kickReady) {
        kickRate(t + MAP_TIME[i]! * h, yNew, p, rates);
        if (i === 0 && KICK_FSAL) state.extraEvals++;
      }
      applyKick(yNew, rates, c);
    } else {
      driftRate(yNew, p, rates);
      applyDrift(yNew, rates, c);
    }
  }
  state.kickReady = KICK_FSAL;
  // x·0 is ±0 for a finite x and NaN otherwise; the sum is 0 exactly when every value is finite.
  let bad = 0;
  for (let i = 0; i < M; i++) bad += yNew[i]! * 0;
  return bad === 0 ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * Dense output: cubic Hermite on y and F at both ends of the step, F evaluated here on the first sample of a step
 * (the step itself never forms F whole) and kept for the next step's start.
 */
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
  if (!state.f0) {
    rhs(state.t, y0, state.p!, f0);
    state.f0 = true;
    state.extraEvals++;
  }
  if (!state.f1) {
    rhs(state.t + h, y1, state.p!, f1);
    state.f1 = true;
    state.extraEvals++;
  }
  hermite(s, h, y0, f0, y1, f1, out, at);
}

function familyStats(state: StepState, stats: SolveStats): SolveStats {
  return { ...stats, rhsEvals: stats.rhsEvals + state.extraEvals };
}

// ─── Symplectic splitting: no step-size control, no stability watch, no failures of its own ─────────────

function proposeStepFactor(_state: StepState, _err: number, _accepted: boolean): number {
  return Number.NaN;
}

function stiffnessEstimate(_work: Float64Array[], _yNew: Float64Array, _state: StepState): number {
  return Number.NaN;
}

function stepFailure(_state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  return undefined;
}

function stabilityLimited(_state: StepState): boolean {
  return false;
}

const STIFF_STEP_LIMIT = 1000;

function switchToStiff(_state: StepState, _t: number): boolean {
  return false;
}
