/*
 * The Rosenbrock (linearly implicit) family's part of a TypeScript solver module: its step, behind the
 * interface that templates/ts/driver.ts documents at its top. src/codegen/ts/module.ts drops the
 * `@odeforge:driver` stubs below, puts the rest in the driver's `@odeforge:family` region, and replaces the
 * `declare`s that are left with generated code (src/codegen/ts/rosenbrock.ts).
 *
 * The method, in the transformed form of Hairer & Wanner (Solving ODEs II, IV.7), for the augmented system
 * Y = [y | Φ | S] with F its right-hand side and 𝕁 = ∂F/∂Y at (t, Y), all evaluated once per step:
 *
 *     (I/(hγ) − 𝕁) u_i = F(t + c_i h, Y + Σ_{j<i} a_ij u_j) + Σ_{j<i} (C_ij / h) u_j + d_i h ∂F/∂t,
 *     Y_new = Y + Σ_j m_j u_j,        error estimate Σ_j (m_j − m̂_j) u_j.
 *
 * 𝕁 is block lower triangular (J on the diagonal, the coupling K below it: see src/codegen/ts/rosenbrock.ts),
 * so one LU of the n×n matrix I/(hγ) − J serves every block: the state's part of u_i first, then each column of
 * Φ and S with K·(its state part) added on the right. With 𝕁 exact, the sensitivities this produces are the
 * derivatives of the computed solution. J is evaluated once per accepted step (a rejected step retries from the
 * same point with the same J) and the matrix is factorized again only when h changes. Dense output (tEval) uses
 * the method's continuous extension from the u_i where it has one (Rodas4, Rodas5P), else cubic Hermite.
 */

// @odeforge:driver-begin — stubs of the driver's definitions (dropped when assembled).
export {};

declare const N: number;
declare const P: number;
declare const M: number;
declare const PHI_OFFSET: number;
declare const SENS_OFFSET: number;
declare const info: { readonly states: readonly string[] };
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
  steps: number;
  jacobianEvals?: number;
  factorizations?: number;
  linearSolves?: number;
}
declare class IntegrationError {
  readonly reason: 'non-finite' | 'singular-matrix' | 'newton-failure';
}
// and of templates/ts/newton-matrix.ts, which goes ahead of this file
declare const JAC_NONZEROS: number;
declare function jacobian(t: number, y: Float64Array, p: Float64Array, jac: Float64Array): void;
declare const SINGULAR: number;
declare const BAD_JACOBIAN: number;
interface ShiftedMatrix {
  readonly jac: Float64Array;
  shift: number;
  factorizations: number;
  linearSolves: number;
}
declare function newShiftedMatrix(jac: Float64Array): ShiftedMatrix;
declare function factorShifted(m: ShiftedMatrix, shift: number): boolean;
declare function solveShifted(
  m: ShiftedMatrix,
  t: number,
  y: Float64Array,
  p: Float64Array,
  r: Float64Array,
  coupled: Float64Array,
  withColumns: boolean,
): void;
declare function jacobianIsFinite(jac: Float64Array): boolean;
declare function sharedFailure(
  code: number,
  jac: Float64Array,
  matrix: string,
): { reason: IntegrationError['reason']; why: string } | undefined;
// @odeforge:driver-end

// ─── Rosenbrock: placeholders ───────────────────────────────────────────────────────────────────────────

/** Stages s and the diagonal γ of the method. */
declare const STAGES: number;
declare const GAMMA: number;
/** a and C, s×s row-major, zero on and above the diagonal; the nodes c, the weights d of h ∂F/∂t. */
declare const ROS_A: Float64Array;
declare const ROS_C: Float64Array;
declare const NODES: Float64Array;
declare const ROS_D: Float64Array;
/** Weights m of Y_new and m − m̂ of the error estimate (zeros for a fixed-step method). */
declare const ROS_M: Float64Array;
declare const ROS_E: Float64Array;
/**
 * The method's continuous extension: DENSE_ROWS rows of H (row-major, STAGES entries each), k_j = Σ_i H_ji u_i;
 * 0 rows: none, and the driver's cubic Hermite serves instead (see interpolate).
 */
declare const DENSE_ROWS: number;
declare const ROS_H: Float64Array;
/** Whether F reads t (else ∂F/∂t = 0 and its term is skipped). */
declare const NON_AUTONOMOUS: boolean;
/** dy = ∂F/∂t over the whole augmented vector. */
declare function timeDerivative(t: number, y: Float64Array, p: Float64Array, dy: Float64Array): void;

// ─── Rosenbrock: the family interface ───────────────────────────────────────────────────────────────────
// work = [F(t, y), F(t + h, yNew), u_1 … u_s, ∂F/∂t, K u]: the stage increments u_i of the augmented
// vector, the time derivative at (t, y), and the coupling's output.

const F_NEW = 1;
const STAGE_AT = 2;
const DFDT_AT: number = STAGE_AT + STAGES;
const COUPLED_AT: number = DFDT_AT + 1;
const WORK_VECTORS: number = COUPLED_AT + 1;
/** Stage 1 is F(t, y), which the driver holds; stages 2..s and F(t + h, yNew) are evaluated. */
const STEP_EVALS: number = STAGES;
/** A-stable methods: no stability limit to watch. */
const STIFFNESS_DETECTION = false;
const STABILITY_BOUNDARY: number = Number.POSITIVE_INFINITY;
interface StepState {
  /** J at (jacobianT, y) — the point the last step was tried from — and I/(hγ) − J factorized. */
  readonly matrix: ShiftedMatrix;
  jacobianT: number;
  hasJacobian: boolean;
  /** Why the last step failed: 0 (it did not, or a non-finite value), SINGULAR or BAD_JACOBIAN. */
  failure: number;
  jacobianEvals: number;
}

function newStepState(_adaptive: boolean): StepState {
  return {
    matrix: newShiftedMatrix(new Float64Array(JAC_NONZEROS)),
    jacobianT: Number.NaN,
    hasJacobian: false,
    failure: 0,
    jacobianEvals: 0,
  };
}

function familyStats(state: StepState, stats: SolveStats): SolveStats {
  stats.jacobianEvals = state.jacobianEvals;
  stats.factorizations = state.matrix.factorizations;
  stats.linearSolves = state.matrix.linearSolves;
  return stats;
}

function stepFailure(state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  return sharedFailure(state.failure, state.matrix.jac, 'I/(hγ) − J');
}

/** The driver's step: one Rosenbrock step from (t, y) with step h (see the top of this file). */
function step(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  z: Float64Array,
  yNew: Float64Array,
  _record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
  state: StepState,
): number {
  state.failure = 0;
  const dfdt = work[DFDT_AT]!;
  const coupled = work[COUPLED_AT]!;
  const matrix = state.matrix;
  // J (and ∂F/∂t) at the step's start: new after an accepted step, the same on a retry from the same point.
  if (!state.hasJacobian || state.jacobianT !== t) {
    jacobian(t, y, p, matrix.jac);
    if (NON_AUTONOMOUS) timeDerivative(t, y, p, dfdt);
    state.jacobianEvals++;
    state.jacobianT = t;
    state.hasJacobian = true;
    matrix.shift = Number.NaN;
  }
  const shift = 1 / (h * GAMMA);
  if (matrix.shift !== shift && !factorShifted(matrix, shift)) {
    // Which: a non-finite entry of J fails every h, a singular matrix only some.
    state.failure = jacobianIsFinite(matrix.jac) ? SINGULAR : BAD_JACOBIAN;
    return Number.POSITIVE_INFINITY;
  }
  for (let i = 0; i < STAGES; i++) {
    const u = work[STAGE_AT + i]!;
    // u = F(t + c_i h, y + Σ_{j<i} a_ij u_j); stage 1 is F(t, y), which the driver holds in work[0].
    if (i === 0) u.set(work[0]!);
    else {
      z.set(y);
      for (let j = 0; j < i; j++) {
        const a = ROS_A[i * STAGES + j]!;
        if (a === 0) continue;
        const uj = work[STAGE_AT + j]!;
        for (let k = 0; k < M; k++) z[k]! += a * uj[k]!;
      }
      rhs(t + NODES[i]! * h, z, p, u);
    }
    // … + Σ_{j<i} (C_ij / h) u_j + d_i h ∂F/∂t
    for (let j = 0; j < i; j++) {
      const c = ROS_C[i * STAGES + j]! / h;
      if (c === 0) continue;
      const uj = work[STAGE_AT + j]!;
      for (let k = 0; k < M; k++) u[k]! += c * uj[k]!;
    }
    if (NON_AUTONOMOUS && ROS_D[i] !== 0) {
      const d = ROS_D[i]! * h;
      for (let k = 0; k < M; k++) u[k]! += d * dfdt[k]!;
    }
    solveShifted(matrix, t, y, p, u, coupled, true);
  }
  // Y_new = Y + Σ m_j u_j; its finiteness (x·0 is 0 for finite x, NaN otherwise) and the error estimate.
  let finite = 0;
  let err = 0;
  for (let k = 0; k < M; k++) {
    let v = y[k]!;
    let e = 0;
    for (let j = 0; j < STAGES; j++) {
      const uj = work[STAGE_AT + j]![k]!;
      v += ROS_M[j]! * uj;
      e += ROS_E[j]! * uj;
    }
    yNew[k] = v;
    finite += v * 0;
    if (k < controlled) {
      const scaled = Math.abs(e) / (atol + rtol * Math.max(Math.abs(y[k]!), Math.abs(v)));
      if (scaled > err || Number.isNaN(scaled)) err = scaled;
    }
  }
  if (finite !== 0) return Number.POSITIVE_INFINITY;
  rhs(t + h, yNew, p, work[F_NEW]!);
  return err;
}

/**
 * Dense output at t + s·h of the accepted step. With the method's continuous extension (Hairer's rodas.f,
 * CONTRO; OrdinaryDiffEq.jl's Rodas `H` tableaus and rosenbrock_interpolants.jl), from the step's stage
 * increments u_i, still in work[STAGE_AT + i] (the driver interpolates before the next step):
 *
 *     k_j = Σ_i H_ji u_i,   Y(t + s h) ≈ (1 − s) Y0 + s (Y1 + (1 − s)(k_1 + s (k_2 + … + s k_R))),
 *
 * for the whole augmented vector: the u_i of Φ and S are the derivatives of those of y, so this is the
 * derivative of the interpolated state. s = 0 gives Y0 and s = 1 gives Y1 exactly. The k_j are formed per
 * component on each call (no storage; a few samples per step cost less than keeping them for every step).
 * Without one (DENSE_ROWS = 0): cubic Hermite on Y and F at both ends.
 */
function interpolate(
  s: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  out: Float64Array,
  at: number,
  _state: StepState,
): void {
  if (DENSE_ROWS === 0) {
    hermite(s, h, y0, f0, y1, f1, out, at);
    return;
  }
  const s1 = 1 - s;
  for (let k = 0; k < M; k++) {
    // Horner from the last row: acc = k_R, then acc = k_j + s·acc down to k_1.
    let acc = 0;
    for (let j = DENSE_ROWS - 1; j >= 0; j--) {
      let kj = 0;
      const row = j * STAGES;
      for (let i = 0; i < STAGES; i++) kj += ROS_H[row + i]! * work[STAGE_AT + i]![k]!;
      acc = kj + s * acc;
    }
    out[at + k] = s1 * y0[k]! + s * (y1[k]! + s1 * acc);
  }
}

function proposeStepFactor(_state: StepState, _err: number, _accepted: boolean): number {
  return Number.NaN;
}

function stiffnessEstimate(_work: Float64Array[], _yNew: Float64Array, _state: StepState): number {
  return Number.NaN;
}

/** No stability limit to watch (STIFFNESS_DETECTION is false): these three are never called. */
function stabilityLimited(_state: StepState): boolean {
  return false;
}

const STIFF_STEP_LIMIT = 0;

function switchToStiff(_state: StepState, _t: number): boolean {
  return false;
}
