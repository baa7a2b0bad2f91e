/*
 * The fully implicit Runge–Kutta family's part of a TypeScript solver module (Radau IIA, Lobatto III A/B/C,
 * Radau IA, Gauss–Legendre, backward Euler, …): its step, behind the interface that templates/ts/driver.ts
 * documents at its top. src/codegen/ts/module.ts drops the `@odeforge:driver` stubs below, puts the rest in the
 * driver's `@odeforge:family` region and replaces the `declare`s that are left with generated code
 * (src/codegen/ts/implicit-rk.ts).
 *
 * The stage equations, for the increments Z_i = Y_i − Y of the augmented vector Y = [y | Φ | S]:
 *
 *     Z_i = h Σ_j a_ij F(t + c_j h, Y + Z_j),        i = 1..s,
 *
 * solved by simplified Newton iterations with the matrix I − h A⊗𝕁, 𝕁 = ∂F/∂Y at the step's start (or a recent
 * one). 𝕁 is block lower triangular (J on the diagonal, the coupling K of the Φ and S blocks below: see
 * src/codegen/ts/rosenbrock.ts), so each iteration solves the state's stage system with the LU of the sN×sN matrix
 * I − h A⊗J, and then every column of Φ and S with the same LU, K·(the state's update) added on the right. The
 * iteration converges to the stage values of the augmented system itself — the sensitivities are those of the
 * discrete solution, as for any Runge–Kutta method (differentiation and discretisation commute), to the Newton
 * tolerance — and its test covers every component, sensitivities included.
 *
 * Then Y_new = Y + Z_s for stiffly accurate methods (b = last row of A), otherwise Y + h Σ b_j F(Y + Z_j) with
 * F evaluated again at the converged stages. Error estimates: none (fixed steps), embedded weights on the stage
 * derivatives, or Hairer's for Radau IIA 5 (RADAU5: Hairer & Wanner II, IV.8), filtered through (I/(hγ0) − 𝕁)^{-1}.
 * Newton's iteration follows RADAU5's control: the tolerance κ = max(10ε/rtol, min(0.03, √rtol)) on the scaled
 * update, the contraction θ watched from the second iteration on, failure when θ ≥ 0.99 or when the predicted
 * remaining error cannot fall below κ within NEWTON_MAX_ITERATIONS; J is kept for the next step when the
 * iteration contracted fast (θ < 1e-3), recomputed otherwise.
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
  rhsEvals: number;
  jacobianEvals?: number;
  factorizations?: number;
  linearSolves?: number;
  newtonIterations?: number;
}
declare class IntegrationError {
  readonly reason: 'non-finite' | 'singular-matrix' | 'newton-failure';
}
// and of templates/ts/newton-matrix.ts, which goes ahead of this file
declare const JAC_NONZEROS: number;
declare function jacobian(t: number, y: Float64Array, p: Float64Array, jac: Float64Array): void;
declare function coupling(t: number, y: Float64Array, p: Float64Array, u: Float64Array, dy: Float64Array): void;
declare const COLUMNS: number;
declare const SECOND_COLUMNS: number;
declare const SECOND_COMPONENTS: Int32Array;
declare function secondCoupling(t: number, y: Float64Array, p: Float64Array, u: Float64Array, dy: Float64Array): void;
declare const SINGULAR: number;
declare const BAD_JACOBIAN: number;
declare const NEWTON_FAILED: number;
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
declare const COLUMN_COMPONENTS: Int32Array;
declare function jacobianIsFinite(jac: Float64Array): boolean;
declare function sharedFailure(
  code: number,
  jac: Float64Array,
  matrix: string,
): { reason: IntegrationError['reason']; why: string } | undefined;
// @odeforge:driver-end

// ─── Implicit Runge–Kutta: placeholders ─────────────────────────────────────────────────────────────────

/** The tableau: s stages, A (s×s row-major), b, c; whether b is A's last row (then Y_new = Y + Z_s). */
declare const STAGES: number;
declare const IRK_A: Float64Array;
declare const IRK_B: Float64Array;
declare const IRK_C: Float64Array;
declare const STIFFLY_ACCURATE: boolean;
/** Whether the nodes are distinct and non-zero, so that stages can be extrapolated from the last step's. */
declare const PREDICTOR: boolean;
/**
 * The error estimate: NO_ESTIMATE (fixed steps), EMBEDDED (h Σ_j IRK_E_j F_j, IRK_E = b − b̂) or RADAU5
 * ((I/(hγ0) − 𝕁)^{-1} (F(t, Y) + Σ_i IRK_E_i Z_i / h), IRK_E = Hairer's stage weights, γ0 = ERROR_GAMMA0).
 */
declare const ERROR_KIND: number;
declare const IRK_E: Float64Array;
declare const ERROR_GAMMA0: number;
/**
 * The stage matrix I − h A⊗J (sN×sN, unknowns stage by stage) in its factorization's array: STAGE_LU_INPUTS
 * zeroed, −h a_ij J at STAGE_JAC_SLOTS[(i·s + j)·JAC_NONZEROS + k] (−1 where a_ij = 0), 1 at STAGE_DIAG_SLOTS.
 */
declare const STAGE_LU_SIZE: number;
declare const STAGE_LU_INPUTS: Int32Array;
declare const STAGE_JAC_SLOTS: Int32Array;
declare const STAGE_DIAG_SLOTS: Int32Array;
declare function stageFactor(a: Float64Array, piv: Int32Array): number;
declare function stageSolve(a: Float64Array, piv: Int32Array, b: Float64Array, nrhs: number): void;

// ─── Implicit Runge–Kutta: the family interface ─────────────────────────────────────────────────────────
// work = [F(t, y), F(t + h, yNew), Z_1 … Z_s, F_1 … F_s, (K ΔZ_y)_1 … (K ΔZ_y)_s, e]: the stage increments, the
// stage derivatives, the coupling of each stage's state update, and the error estimate's vector.

const NO_ESTIMATE = 0;
const EMBEDDED = 1;
const RADAU5 = 2;

const F_NEW = 1;
const Z_AT = 2;
const F_AT: number = Z_AT + STAGES;
const COUPLED_AT: number = F_AT + STAGES;
const ERROR_AT: number = COUPLED_AT + STAGES;
const WORK_VECTORS: number = ERROR_AT + 1;
/** Evaluations depend on Newton's iterations: counted by the step (familyStats). */
const STEP_EVALS = 0;
/** A- or L-stable methods: no stability limit to watch. */
const STIFFNESS_DETECTION = false;
const STABILITY_BOUNDARY: number = Number.POSITIVE_INFINITY;
const SN: number = STAGES * N;
/** RADAU5's defaults: at most 7 iterations; J kept when they contracted by more than 1000 per iteration. */
const NEWTON_MAX_ITERATIONS = 7;
const FIXED_STEP_MAX_ITERATIONS = 100;
const KEEP_JACOBIAN_BELOW = 1e-3;

interface StepState {
  /**
   * Newton's iterations allowed per step: with adaptive steps a slow iteration is cut short (a smaller step
   * converges faster and costs less), with fixed steps it has to converge at the step it is given.
   */
  readonly maxIterations: number;
  /** J at the point jacobianT (possibly an earlier step's, see KEEP_JACOBIAN_BELOW). */
  readonly jac: Float64Array;
  /** I/(hγ0) − J, RADAU5's error filter. */
  readonly errorMatrix: ShiftedMatrix;
  jacobianT: number;
  hasJacobian: boolean;
  /** Whether the next step may reuse J (the last iteration contracted fast and the step was not a failure). */
  keepJacobian: boolean;
  /** I − h A⊗J, factorized for stageH (NaN: none). */
  readonly stageLu: Float64Array;
  readonly stagePiv: Int32Array;
  stageH: number;
  /** Right-hand sides of the stage systems: the state's (sN), every column of Φ and S (sN each). */
  readonly stateBlock: Float64Array;
  readonly columnBlock: Float64Array;
  /** Where the last converged step ended and its h: the next step from there extrapolates its stages. */
  predictorAt: number;
  predictorH: number;
  /** Hairer's η = θ/(1 − θ) of the last iteration, carried to the next step's first test. */
  eta: number;
  failure: number;
  jacobianEvals: number;
  factorizations: number;
  linearSolves: number;
  newtonIterations: number;
  rhsEvals: number;
}

function newStepState(adaptive: boolean): StepState {
  const jac = new Float64Array(JAC_NONZEROS);
  return {
    maxIterations: adaptive ? NEWTON_MAX_ITERATIONS : FIXED_STEP_MAX_ITERATIONS,
    jac,
    errorMatrix: newShiftedMatrix(jac),
    jacobianT: Number.NaN,
    hasJacobian: false,
    keepJacobian: false,
    stageLu: new Float64Array(STAGE_LU_SIZE),
    stagePiv: new Int32Array(SN),
    stageH: Number.NaN,
    stateBlock: new Float64Array(SN),
    columnBlock: new Float64Array(SN * Math.max(COLUMNS, SECOND_COLUMNS)),
    predictorAt: Number.NaN,
    predictorH: 0,
    eta: 1,
    failure: 0,
    jacobianEvals: 0,
    factorizations: 0,
    linearSolves: 0,
    newtonIterations: 0,
    rhsEvals: 0,
  };
}

function familyStats(state: StepState, stats: SolveStats): SolveStats {
  stats.rhsEvals += state.rhsEvals;
  stats.jacobianEvals = state.jacobianEvals;
  stats.factorizations = state.factorizations + state.errorMatrix.factorizations;
  stats.linearSolves = state.linearSolves + state.errorMatrix.linearSolves;
  stats.newtonIterations = state.newtonIterations;
  return stats;
}

function stepFailure(state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  return sharedFailure(state.failure, state.jac, 'I − h A⊗J');
}

/** I − h A⊗J into state.stageLu, factorized; false when a pivot fails. */
function factorStageMatrix(state: StepState, h: number): boolean {
  const lu = state.stageLu;
  const jac = state.jac;
  for (let k = 0; k < STAGE_LU_INPUTS.length; k++) lu[STAGE_LU_INPUTS[k]!] = 0;
  for (let ij = 0; ij < STAGES * STAGES; ij++) {
    const a = IRK_A[ij]!;
    if (a === 0) continue;
    const factor = -h * a;
    const slots = ij * JAC_NONZEROS;
    for (let k = 0; k < JAC_NONZEROS; k++) lu[STAGE_JAC_SLOTS[slots + k]!]! += factor * jac[k]!;
  }
  for (let r = 0; r < SN; r++) lu[STAGE_DIAG_SLOTS[r]!]! += 1;
  state.factorizations++;
  state.stageH = Number.NaN;
  if (stageFactor(lu, state.stagePiv) !== 0) return false;
  state.stageH = h;
  return true;
}

/**
 * The first Newton iterate from the last step's stages (RADAU5's starting values): u(θ) = Y + Σ_j L_j(θ) Z_j is
 * the polynomial through (0, Y) and (c_j, Y + Z_j) in units of the last step h₀ — the collocation polynomial for
 * collocation methods — and the new step's stage i starts at u(1 + c_i h/h₀) − u(1). F's vectors are the scratch.
 */
function predictStages(h: number, work: Float64Array[], state: StepState): void {
  const ratio = h / state.predictorH;
  for (let i = 0; i < STAGES; i++) {
    const out = work[F_AT + i]!;
    out.fill(0);
    const theta = 1 + IRK_C[i]! * ratio;
    for (let j = 0; j < STAGES; j++) {
      const w = lagrange(j, theta) - lagrange(j, 1);
      const zj = work[Z_AT + j]!;
      for (let k = 0; k < M; k++) out[k]! += w * zj[k]!;
    }
  }
  for (let i = 0; i < STAGES; i++) work[Z_AT + i]!.set(work[F_AT + i]!);
}

/** L_j(θ): the Lagrange polynomial over the nodes 0, c_1 … c_s that is 1 at c_j and 0 at the others. */
function lagrange(j: number, theta: number): number {
  const cj = IRK_C[j]!;
  let v = theta / cj;
  for (let m = 0; m < STAGES; m++) if (m !== j) v *= (theta - IRK_C[m]!) / (cj - IRK_C[m]!);
  return v;
}

/**
 * One simplified Newton iteration on the stage equations: F at the current stages, the residuals, the solves,
 * and the update of every Z_i. Returns the update's max norm, each component scaled by atol + rtol·|Y|.
 */
function newtonIteration(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  z: Float64Array,
  rtol: number,
  atol: number,
  state: StepState,
): number {
  for (let i = 0; i < STAGES; i++) {
    const zi = work[Z_AT + i]!;
    for (let k = 0; k < M; k++) z[k] = y[k]! + zi[k]!;
    rhs(t + IRK_C[i]! * h, z, p, work[F_AT + i]!);
  }
  state.rhsEvals += STAGES;
  state.newtonIterations++;
  // The state's residuals −Z_i + h Σ_j a_ij F_j, stage by stage, solved with the LU of I − h A⊗J.
  const sb = state.stateBlock;
  for (let i = 0; i < STAGES; i++) {
    const zi = work[Z_AT + i]!;
    for (let k = 0; k < N; k++) {
      let sum = 0;
      for (let j = 0; j < STAGES; j++) sum += IRK_A[i * STAGES + j]! * work[F_AT + j]![k]!;
      sb[i * N + k] = -zi[k]! + h * sum;
    }
  }
  stageSolve(state.stageLu, state.stagePiv, sb, 1);
  state.linearSolves++;
  let norm = 0;
  for (let i = 0; i < STAGES; i++) {
    const zi = work[Z_AT + i]!;
    for (let k = 0; k < N; k++) {
      const d = sb[i * N + k]!;
      zi[k]! += d;
      const scaled = Math.abs(d) / (atol + rtol * Math.abs(y[k]!));
      if (scaled > norm || Number.isNaN(scaled)) norm = scaled;
    }
  }
  if (COLUMNS === 0) return norm;
  // Each column's residual, plus h Σ_j a_ij K ΔZ_y,j (the coupling of the state's update), with the same LU.
  for (let j = 0; j < STAGES; j++) {
    for (let k = 0; k < N; k++) z[k] = sb[j * N + k]!;
    coupling(t, y, p, z, work[COUPLED_AT + j]!);
  }
  norm = stageColumnsIteration(h, y, work, rtol, atol, state, COLUMNS, COLUMN_COMPONENTS, norm);
  if (SECOND_COLUMNS === 0) return norm;
  // The second-order columns likewise, with h Σ_j a_ij L ΔZ_j: L along the updates of the state and of the
  // first-order columns (z holds stage j's, at their components).
  const cb = state.columnBlock;
  for (let j = 0; j < STAGES; j++) {
    for (let k = 0; k < N; k++) z[k] = sb[j * N + k]!;
    for (let c = 0; c < COLUMNS; c++) {
      for (let k = 0; k < N; k++) z[COLUMN_COMPONENTS[c * N + k]!] = cb[c * SN + j * N + k]!;
    }
    secondCoupling(t, y, p, z, work[COUPLED_AT + j]!);
  }
  return stageColumnsIteration(h, y, work, rtol, atol, state, SECOND_COLUMNS, SECOND_COMPONENTS, norm);
}

/**
 * One Newton update of `count` sensitivity columns (their components in `components`, N each): the stage
 * residuals −Z_i + h Σ_j a_ij (F_j + coupling_j) solved with the LU of I − h A⊗J, added to the stages. Leaves the
 * updates in state.columnBlock; returns the scaled norm, at least `norm`.
 */
function stageColumnsIteration(
  h: number,
  y: Float64Array,
  work: Float64Array[],
  rtol: number,
  atol: number,
  state: StepState,
  count: number,
  components: Int32Array,
  norm: number,
): number {
  const cb = state.columnBlock;
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < STAGES; i++) {
      const zi = work[Z_AT + i]!;
      for (let k = 0; k < N; k++) {
        const at = components[c * N + k]!;
        let sum = 0;
        for (let j = 0; j < STAGES; j++) {
          sum += IRK_A[i * STAGES + j]! * (work[F_AT + j]![at]! + work[COUPLED_AT + j]![at]!);
        }
        cb[c * SN + i * N + k] = -zi[at]! + h * sum;
      }
    }
  }
  stageSolve(state.stageLu, state.stagePiv, cb, count);
  state.linearSolves += count;
  let worst = norm;
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < STAGES; i++) {
      const zi = work[Z_AT + i]!;
      for (let k = 0; k < N; k++) {
        const at = components[c * N + k]!;
        const d = cb[c * SN + i * N + k]!;
        zi[at]! += d;
        const scaled = Math.abs(d) / (atol + rtol * Math.abs(y[at]!));
        if (scaled > worst || Number.isNaN(scaled)) worst = scaled;
      }
    }
  }
  return worst;
}

/**
 * RADAU5's estimate (I/(hγ0) − 𝕁)^{-1} (F(t, Y) + Σ_i e_i Z_i / h) into e, block by block like the stage
 * systems: the state with the n×n LU, then — when the error norm covers them — the sensitivity columns.
 */
function radauEstimate(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  controlled: number,
  state: StepState,
): void {
  const e = work[ERROR_AT]!;
  const f0 = work[0]!;
  const width = controlled > N ? M : N;
  for (let k = 0; k < width; k++) {
    let sum = 0;
    for (let i = 0; i < STAGES; i++) sum += IRK_E[i]! * work[Z_AT + i]![k]!;
    e[k] = f0[k]! + sum / h;
  }
  // (the columns only when the error norm covers them)
  solveShifted(state.errorMatrix, t, y, p, e, work[COUPLED_AT]!, width > N);
}

/** The driver's step: one implicit Runge–Kutta step from (t, y) with step h (see the top of this file). */
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
  // J: a new one at a new point, unless the last step's iteration contracted fast enough to keep the old one.
  if (!state.hasJacobian || (state.jacobianT !== t && !state.keepJacobian)) {
    jacobian(t, y, p, state.jac);
    state.jacobianEvals++;
    state.jacobianT = t;
    state.hasJacobian = true;
    state.stageH = Number.NaN;
    state.errorMatrix.shift = Number.NaN;
    if (!jacobianIsFinite(state.jac)) {
      state.failure = BAD_JACOBIAN;
      return Number.POSITIVE_INFINITY;
    }
  }
  if (state.stageH !== h && !factorStageMatrix(state, h)) {
    state.failure = SINGULAR;
    return Number.POSITIVE_INFINITY;
  }
  // The first iterate: extrapolated from the last step when it ended here, else 0.
  if (PREDICTOR && state.predictorAt === t && state.predictorH !== 0) predictStages(h, work, state);
  else for (let i = 0; i < STAGES; i++) work[Z_AT + i]!.fill(0);
  state.predictorAt = Number.NaN;
  // Newton: κ, and η from the last step (Hairer: η = max(η_old, ε)^0.8) for the first iteration's test.
  const kappa = Math.max((10 * Number.EPSILON) / rtol, Math.min(0.03, Math.sqrt(rtol)));
  let eta = Math.max(state.eta, Number.EPSILON) ** 0.8;
  let previous = 0;
  let theta = 0;
  let converged = false;
  const maxIterations = state.maxIterations;
  for (let it = 0; it < maxIterations; it++) {
    const norm = newtonIteration(t, h, y, p, work, z, rtol, atol, state);
    if (!(norm < Number.POSITIVE_INFINITY)) break;
    if (it > 0) {
      theta = norm / previous;
      if (theta < 0.99) eta = theta / (1 - theta);
    }
    // Converged — tested first: an update at rounding level, where θ ≈ 1 says nothing, has converged.
    if (eta * norm <= kappa || norm === 0) {
      converged = true;
      break;
    }
    // Diverging, or too slow to reach κ in the iterations left: a smaller step (and a fresh J) instead.
    if (it > 0 && (!(theta < 0.99) || (eta * norm * theta ** (maxIterations - 1 - it)) / kappa >= 1)) break;
    previous = norm;
  }
  if (!converged) {
    state.failure = NEWTON_FAILED;
    // retry with a J of this point
    if (state.jacobianT !== t) state.hasJacobian = false;
    state.keepJacobian = false;
    return Number.POSITIVE_INFINITY;
  }
  state.eta = eta;
  // If this step is accepted, the next one starts where it ends: its stages extrapolate from these.
  state.predictorAt = t + h;
  state.predictorH = h;
  state.keepJacobian = theta < KEEP_JACOBIAN_BELOW;
  // The new value: Y + Z_s (stiffly accurate), or Y + h Σ b_j F(Y + Z_j) at the converged stages.
  const zLast = work[Z_AT + STAGES - 1]!;
  if (!STIFFLY_ACCURATE) {
    for (let i = 0; i < STAGES; i++) {
      const zi = work[Z_AT + i]!;
      for (let k = 0; k < M; k++) z[k] = y[k]! + zi[k]!;
      rhs(t + IRK_C[i]! * h, z, p, work[F_AT + i]!);
    }
    state.rhsEvals += STAGES;
  }
  let finite = 0;
  for (let k = 0; k < M; k++) {
    let v: number;
    if (STIFFLY_ACCURATE) v = y[k]! + zLast[k]!;
    else {
      let sum = 0;
      for (let j = 0; j < STAGES; j++) sum += IRK_B[j]! * work[F_AT + j]![k]!;
      v = y[k]! + h * sum;
    }
    yNew[k] = v;
    finite += v * 0;
  }
  if (finite !== 0) return Number.POSITIVE_INFINITY;
  let err = 0;
  if (ERROR_KIND !== NO_ESTIMATE) {
    const e = work[ERROR_AT]!;
    if (ERROR_KIND === EMBEDDED) {
      for (let k = 0; k < controlled; k++) {
        let sum = 0;
        for (let j = 0; j < STAGES; j++) sum += IRK_E[j]! * work[F_AT + j]![k]!;
        e[k] = h * sum;
      }
    } else if (ERROR_KIND === RADAU5) {
      const shift = 1 / (h * ERROR_GAMMA0);
      if (state.errorMatrix.shift !== shift && !factorShifted(state.errorMatrix, shift)) {
        state.failure = SINGULAR;
        return Number.POSITIVE_INFINITY;
      }
      radauEstimate(t, h, y, p, work, controlled, state);
    }
    for (let k = 0; k < controlled; k++) {
      const scaled = Math.abs(e[k]!) / (atol + rtol * Math.max(Math.abs(y[k]!), Math.abs(yNew[k]!)));
      if (scaled > err || Number.isNaN(scaled)) err = scaled;
    }
  }
  rhs(t + h, yNew, p, work[F_NEW]!);
  state.rhsEvals++;
  return err;
}

/** Dense output: cubic Hermite on y and F at both ends. */
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
