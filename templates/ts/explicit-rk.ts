/*
 * The explicit Runge–Kutta family's part of a TypeScript solver module: its step, stiffness detection and
 * dense output, behind the interface that templates/ts/driver.ts documents at its top. src/codegen/ts/module.ts
 * drops the `@odeforge:driver` stubs below (they stand for what the driver defines, so that this file
 * type-checks on its own), puts the rest in the driver's `@odeforge:family` region, and replaces the
 * `declare`s that are left — this family's placeholders — with generated code.
 */

// @odeforge:driver-begin — stubs of the driver's definitions (dropped when assembled).
export {};

declare const M: number;
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
  steps: number;
}
declare class IntegrationError {
  readonly reason: string;
}
// @odeforge:driver-end

// ─── Explicit Runge–Kutta: placeholders ─────────────────────────────────────────────────────────────────

/** Method data: stages, and whether the last stage is f(t + h, y_{n+1}). */
declare const STAGES: number;
declare const FSAL: boolean;
/**
 * Stiffness detection: a stage evaluated at t + h (c = 1) other than F(t + h, yNew), whose state part rkStep
 * copies into zStiff (-1: none); and the method's real stability boundary (see src/methods/stability.ts).
 */
declare const STIFF_STAGE: number;
declare const STABILITY_BOUNDARY: number;
/**
 * One attempted step from (t, y) with step h; k[0] holds F(t, y) on entry. Writes the new augmented vector
 * to yNew and F(t + h, yNew) to fNew (FSAL methods: to k[s-1], their last stage), evaluates stages 2..s into
 * k[1..] (at least, when `record` is set, the one the driver reads again: the stiffness stage, whose input it
 * then copies to zStiff), and returns the max norm of the local error estimate over
 * the first `controlled` components, each scaled by atol + rtol·max(|y|, |yNew|) — or Infinity when any new
 * value is not finite. Fixed-step methods return 0 (or Infinity).
 */
declare function rkStep(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  k: Float64Array[],
  z: Float64Array,
  yNew: Float64Array,
  fNew: Float64Array,
  zStiff: Float64Array,
  record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
): number;
/**
 * ρ ≈ ‖F(t+h, yNew) − F(t+h, z)‖ / ‖yNew − z‖ for the stiffness estimate: stiffnessRhoPortable below, or the
 * WebAssembly kernel's (the same arithmetic) on vectors in its memory.
 */
declare function stiffnessRho(fNew: Float64Array, fz: Float64Array, yNew: Float64Array, z: Float64Array): number;

// ─── Explicit Runge–Kutta: the family interface ─────────────────────────────────────────────────────────
// work = [k[0] … k[STAGES − 1], fNext, zStiff]: the stages (k[0] = F(t, y)), F(t + h, yNew) of a method
// without FSAL (FSAL methods have it as their last stage), and the input of the stiffness stage.

/** Where fNext and zStiff are in work. */
const FNEXT_AT: number = STAGES;
const ZSTIFF_AT: number = STAGES + 1;
const WORK_VECTORS: number = STAGES + 2;
const F_NEW: number = FSAL ? STAGES - 1 : FNEXT_AT;
const STEP_EVALS: number = FSAL ? STAGES - 1 : STAGES;
/** A stage at c = 1 other than F(t + h, yNew) gives ρ for free (the driver asks only when adaptive). */
const STIFFNESS_DETECTION: boolean = STIFF_STAGE >= 0;

/** The driver's step: rkStep on the stages in work (src/codegen/ts/module.ts may write it into the loop). */
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
  _state: StepState,
): number {
  return rkStep(t, h, y, p, work, z, yNew, work[FNEXT_AT]!, work[ZSTIFF_AT]!, record, rtol, atol, controlled);
}

/** Dense output: cubic Hermite on y and F at both ends (the stages are not used). */
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
  _state: StepState,
): void {
  hermite(s, h, y0, f0, y1, f1, out, at);
}

/** ρ from the stiffness stage that the step recorded: F and its input at t + h, against F(t + h, yNew). */
function proposeStepFactor(_state: StepState, _err: number, _accepted: boolean): number {
  return Number.NaN;
}

function stiffnessEstimate(work: Float64Array[], yNew: Float64Array, _state: StepState): number {
  return stiffnessRho(work[F_NEW]!, work[STIFF_STAGE]!, yNew, work[ZSTIFF_AT]!);
}

/**
 * ρ ≈ ‖fNew − fz‖ / ‖yNew − z‖: two slopes at t + h, at two nearby points, over the whole augmented vector.
 * The sensitivities matter here: Φ starts as I, so every direction is excited in it, including stiff ones the
 * state has long decayed out of. Each component is weighted by 1/(1 + |y_i|), so that large sensitivities do
 * not drown the rest; a difference at rounding level says nothing, and then the answer is NaN.
 */
function stiffnessRhoPortable(fNew: Float64Array, fz: Float64Array, yNew: Float64Array, z: Float64Array): number {
  let df = 0;
  let dz = 0;
  for (let i = 0; i < M; i++) {
    const w = 1 / (1 + Math.abs(yNew[i]!));
    df = Math.max(df, Math.abs(fNew[i]! - fz[i]!) * w);
    dz = Math.max(dz, Math.abs(yNew[i]! - z[i]!) * w);
  }
  return dz > 1e-13 ? df / dz : Number.NaN;
}

// ─── Explicit Runge–Kutta: no state between steps, no statistics or failures of its own ─────────────────

type StepState = undefined;

function newStepState(_adaptive: boolean): StepState {
  return undefined;
}

function familyStats(_state: StepState, stats: SolveStats): SolveStats {
  return stats;
}

function stepFailure(_state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  return undefined;
}

/** A stability limit while this method runs: always, for an explicit method. */
function stabilityLimited(_state: StepState): boolean {
  return true;
}

/** Consecutive steps held at the stability limit that make the problem stiff (then the solve stops: 'stiff'). */
const STIFF_STEP_LIMIT = 1000;

function switchToStiff(_state: StepState, _t: number): boolean {
  return false;
}
