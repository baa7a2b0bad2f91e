/*
 * The BDF family's part of a TypeScript solver module: variable-order (1–5), variable-step backward
 * differentiation formulas in the fixed-leading-coefficient form with backward differences, behind the interface
 * that templates/ts/driver.ts documents at its top. src/codegen/ts/module.ts drops the `@odeforge:driver` stubs
 * below, puts the rest in the driver's `@odeforge:family` region and replaces the `declare`s that are left with
 * generated code (src/codegen/ts/bdf.ts).
 *
 * The method: the numerical differentiation formulas (NDF) of Shampine and Reichelt (SIAM J. Sci. Comput. 18,
 * 1997), BDF with the κ corrections of KAPPA (all 0: plain BDF). The history is D[j] = ∇^j Y_n, the backward
 * differences of the augmented vector Y = [y | Φ | S] at a constant step h (rescaled when h changes). A step of
 * order k predicts Y⁰ = Σ_{j≤k} D[j], then solves
 *
 *     (1 − κ_k) γ_k (Y − Y⁰) + Σ_{j=1..k} γ_j ∇^j Y⁰ = h F(t + h, Y)       (γ_k = Σ_{j≤k} 1/j)
 *
 * by simplified Newton with the matrix I − c𝕁, c = h / ((1 − κ_k) γ_k). 𝕁 = ∂F/∂Y is block lower triangular (see
 * src/codegen/ts/rosenbrock.ts), so every iteration solves the state with the LU of I/c − J and then each column
 * of Φ and S with the same LU after the coupling of the state's update: the iteration converges to the BDF
 * solution of the augmented system, whose Φ and S are the derivatives of the computed y (to the Newton
 * tolerance). J is reused from step to step and evaluated again only when Newton's iteration fails.
 *
 * The error estimate is (κ_k γ_k + 1/(k+1))·(Y − Y⁰); after k + 1 steps at the same h the order moves by one when
 * the estimates of orders k ± 1 (from D[k] and D[k+2]) allow a larger step, and this family proposes the step
 * factor itself (proposeStepFactor). Dense output is the interpolating polynomial of the history.
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
declare function jacobianIsFinite(jac: Float64Array): boolean;
declare function sharedFailure(
  code: number,
  jac: Float64Array,
  matrix: string,
): { reason: IntegrationError['reason']; why: string } | undefined;
// @odeforge:driver-end

// ─── BDF: placeholders ──────────────────────────────────────────────────────────────────────────────────

/** The highest order, and κ_k for k = 0 … MAX_ORDER (the NDF corrections; index 0 unused). */
declare const MAX_ORDER: number;
declare const KAPPA: Float64Array;

// ─── BDF: the family interface ──────────────────────────────────────────────────────────────────────────
// work = [F(t, y) at t0, (unused), D[0] … D[MAX_ORDER + 2], the predictor Y⁰, ψ, d = Y − Y⁰, F, K·dy, scratch …]

const F_NEW = 1;
const D_AT = 2;
const HISTORY: number = MAX_ORDER + 3;
const PREDICTED_AT: number = D_AT + HISTORY;
const PSI_AT: number = PREDICTED_AT + 1;
const CORRECTION_AT: number = PSI_AT + 1;
const F_AT: number = CORRECTION_AT + 1;
const COUPLED_AT: number = F_AT + 1;
/** Scratch for rescaling the history: MAX_ORDER + 1 vectors. */
const SCRATCH_AT: number = COUPLED_AT + 1;
const WORK_VECTORS: number = SCRATCH_AT + MAX_ORDER + 1;
/** Evaluations depend on Newton's iterations: counted by the step (familyStats). */
const STEP_EVALS = 0;
const STIFFNESS_DETECTION = false;
const STABILITY_BOUNDARY: number = Number.POSITIVE_INFINITY;
/** Newton's iterations per attempt (with adaptive steps: a failure is answered by a fresh J, then a smaller h). */
const NEWTON_MAX_ITERATIONS = 4;
const FIXED_STEP_MAX_ITERATIONS = 100;
/** Newton's convergence threshold, in units of the error tolerance (see correct). */
const NEWTON_TOLERANCE = 0.1;
/** Step factors: at most 10 after a successful step, at least 0.2 after a rejected one. */
const MAX_FACTOR = 10;
const MIN_FACTOR = 0.2;

/** γ_k = Σ_{j=1..k} 1/j, α_k = (1 − κ_k) γ_k, and the error constants κ_k γ_k + 1/(k + 1). */
const GAMMA_K: Float64Array = (() => {
  const g = new Float64Array(MAX_ORDER + 2);
  for (let k = 1; k <= MAX_ORDER + 1; k++) g[k] = g[k - 1]! + 1 / k;
  return g;
})();
const ALPHA_K: Float64Array = GAMMA_K.map((g, k) => (1 - (KAPPA[k] ?? 0)) * g);
const ERROR_CONSTANT: Float64Array = GAMMA_K.map((g, k) => (KAPPA[k] ?? 0) * g + 1 / (k + 1));

interface StepState {
  readonly adaptive: boolean;
  /** Whether the history holds this solve's start (set by the first step). */
  started: boolean;
  /** The order of the next step, the step the history is spaced by, and the steps taken at it. */
  order: number;
  h: number;
  equalSteps: number;
  /** The order of the last accepted step (dense output interpolates with it). */
  stepOrder: number;
  /** The step factor proposed with the last error estimate (NaN: the driver's rule). */
  proposal: number;
  /** J (kept from step to step), whether it was evaluated for the step being tried, and I/c − J factorized. */
  readonly matrix: ShiftedMatrix;
  hasJacobian: boolean;
  jacobianCurrent: boolean;
  /** Newton's iterations of the last attempt (the safety factor of the step proposals uses them). */
  lastIterations: number;
  /** η of the last converged iteration (see correct). */
  eta: number;
  failure: number;
  jacobianEvals: number;
  newtonIterations: number;
  rhsEvals: number;
}

function newStepState(adaptive: boolean): StepState {
  return {
    adaptive,
    started: false,
    order: 1,
    h: Number.NaN,
    equalSteps: 0,
    stepOrder: 1,
    proposal: Number.NaN,
    matrix: newShiftedMatrix(new Float64Array(JAC_NONZEROS)),
    hasJacobian: false,
    jacobianCurrent: false,
    lastIterations: 0,
    eta: 1,
    failure: 0,
    jacobianEvals: 0,
    newtonIterations: 0,
    rhsEvals: 0,
  };
}

function familyStats(state: StepState, stats: SolveStats): SolveStats {
  stats.rhsEvals += state.rhsEvals;
  stats.jacobianEvals = state.jacobianEvals;
  stats.factorizations = state.matrix.factorizations;
  stats.linearSolves = state.matrix.linearSolves;
  stats.newtonIterations = state.newtonIterations;
  return stats;
}

function stepFailure(state: StepState): { reason: IntegrationError['reason']; why: string } | undefined {
  return sharedFailure(state.failure, state.matrix.jac, 'I − cJ');
}

function proposeStepFactor(state: StepState, _err: number, _accepted: boolean): number {
  return state.proposal;
}

/**
 * R(order, factor) of the history's rescaling: R[i][j] = Π_{m=1..i} (m − 1 − factor·j)/m (R[0][j] = 1), the
 * matrix that maps backward differences at spacing h to those at spacing factor·h. Into `out`, (order+1)².
 */
function rescalingMatrix(order: number, factor: number, out: Float64Array): void {
  const size = order + 1;
  for (let j = 0; j < size; j++) {
    let v = 1;
    out[j] = 1;
    for (let i = 1; i < size; i++) {
      v *= j === 0 ? 0 : (i - 1 - factor * j) / i;
      out[i * size + j] = v;
    }
  }
}

const R_MATRIX = new Float64Array((MAX_ORDER + 1) * (MAX_ORDER + 1));
const U_MATRIX = new Float64Array((MAX_ORDER + 1) * (MAX_ORDER + 1));

/** The history D[0..order] rescaled from spacing h to factor·h: D ← (R(factor)·R(1))ᵀ D. */
function rescaleHistory(work: Float64Array[], order: number, factor: number): void {
  const size = order + 1;
  rescalingMatrix(order, factor, R_MATRIX);
  rescalingMatrix(order, 1, U_MATRIX);
  for (let i = 0; i < size; i++) {
    const out = work[SCRATCH_AT + i]!;
    out.fill(0);
    for (let j = 0; j < size; j++) {
      // (R U)[j][i] = Σ_m R[j][m] U[m][i]
      let w = 0;
      for (let m = 0; m < size; m++) w += R_MATRIX[j * size + m]! * U_MATRIX[m * size + i]!;
      if (w === 0) continue;
      const d = work[D_AT + j]!;
      for (let k = 0; k < M; k++) out[k]! += w * d[k]!;
    }
  }
  for (let i = 0; i < size; i++) work[D_AT + i]!.set(work[SCRATCH_AT + i]!);
}

/** Max norm of v scaled by atol + rtol·|s| over the first `count` components. */
function scaledNorm(v: Float64Array, s: Float64Array, count: number, rtol: number, atol: number): number {
  let norm = 0;
  for (let k = 0; k < count; k++) {
    const x = Math.abs(v[k]!) / (atol + rtol * Math.abs(s[k]!));
    if (x > norm || Number.isNaN(x)) norm = x;
  }
  return norm;
}

/**
 * Newton's iteration for the step to t + h at order k: yNew ends as Y, work[CORRECTION_AT] as d = Y − Y⁰.
 * Returns whether it converged; every component, sensitivities included, is tested.
 */
function correct(
  tNew: number,
  c: number,
  p: Float64Array,
  work: Float64Array[],
  yNew: Float64Array,
  rtol: number,
  atol: number,
  state: StepState,
): boolean {
  const predicted = work[PREDICTED_AT]!;
  const psi = work[PSI_AT]!;
  const d = work[CORRECTION_AT]!;
  const f = work[F_AT]!;
  const coupled = work[COUPLED_AT]!;
  // Converged when the iterate's estimated error is a tenth of the local error tolerance (CVODE's coefficient
  // 0.1; CVODE measures it against the error test, looser still by 1/error constant). SciPy's and RADAU5's κ,
  // min(0.03, √rtol), asks for 1e-4 at rtol 1e-8: ~1.7× the iterations for no measurable gain (Robertson and
  // Van der Pol against their references, 2026-12-05).
  const kappa = NEWTON_TOLERANCE;
  const maxIterations = state.adaptive ? NEWTON_MAX_ITERATIONS : FIXED_STEP_MAX_ITERATIONS;
  yNew.set(predicted);
  d.fill(0);
  let previous = 0;
  // η = ρ/(1 − ρ) from the contraction ρ, carried from the last step for the first test (as RADAU5 does): an
  // update that is already far below κ converges at once, and one at rounding level (where ρ ≈ 1 says nothing)
  // is not mistaken for divergence.
  let eta = Math.max(state.eta, Number.EPSILON) ** 0.8;
  for (let it = 0; it < maxIterations; it++) {
    rhs(tNew, yNew, p, f);
    state.rhsEvals++;
    state.newtonIterations++;
    state.lastIterations = it + 1;
    // (I/c − J) Δ = F(Y) − (ψ + d)/c
    for (let k = 0; k < M; k++) f[k] = f[k]! - (psi[k]! + d[k]!) / c;
    solveShifted(state.matrix, tNew, predicted, p, f, coupled, true);
    const norm = scaledNorm(f, predicted, M, rtol, atol);
    if (!(norm < Number.POSITIVE_INFINITY)) return false;
    let rate = 0;
    if (it > 0) {
      rate = norm / previous;
      if (rate < 1) eta = rate / (1 - rate);
    }
    for (let k = 0; k < M; k++) {
      yNew[k]! += f[k]!;
      d[k]! += f[k]!;
    }
    if (norm === 0 || eta * norm <= kappa) {
      state.eta = eta;
      return true;
    }
    // Diverging, or too slow to reach κ in the iterations left.
    if (it > 0 && (!(rate < 1) || (rate ** (maxIterations - it) / (1 - rate)) * norm > kappa)) return false;
    previous = norm;
  }
  return false;
}

/** The driver's step: one BDF step from (t, y) with step h (see the top of this file). */
function step(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  work: Float64Array[],
  _z: Float64Array,
  yNew: Float64Array,
  _record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
  state: StepState,
): number {
  state.failure = 0;
  state.proposal = Number.NaN;
  if (!state.started) {
    // Order 1 from (t0, y0): D[0] = y0, D[1] = h F(t0, y0), the rest 0.
    for (let j = 0; j < HISTORY; j++) work[D_AT + j]!.fill(0);
    work[D_AT]!.set(y);
    const d1 = work[D_AT + 1]!;
    const f0 = work[0]!;
    for (let k = 0; k < M; k++) d1[k] = h * f0[k]!;
    state.started = true;
    state.order = 1;
    state.h = h;
    state.equalSteps = 0;
  } else if (h !== state.h) {
    rescaleHistory(work, state.order, h / state.h);
    state.h = h;
    state.equalSteps = 0;
  }
  const order = state.order;
  const tNew = t + h;
  // Predictor Y⁰ = Σ_{j≤k} D[j]; ψ = Σ_{j=1..k} γ_j D[j] / α_k.
  const predicted = work[PREDICTED_AT]!;
  const psi = work[PSI_AT]!;
  predicted.set(work[D_AT]!);
  psi.fill(0);
  for (let j = 1; j <= order; j++) {
    const dj = work[D_AT + j]!;
    const g = GAMMA_K[j]! / ALPHA_K[order]!;
    for (let k = 0; k < M; k++) {
      predicted[k]! += dj[k]!;
      psi[k]! += g * dj[k]!;
    }
  }
  const c = h / ALPHA_K[order]!;
  // Newton: with the J at hand, then — if it fails — once more with a J of this step.
  for (;;) {
    const matrix = state.matrix;
    if (!state.hasJacobian) {
      jacobian(tNew, predicted, p, matrix.jac);
      state.jacobianEvals++;
      state.hasJacobian = true;
      state.jacobianCurrent = true;
      matrix.shift = Number.NaN;
      if (!jacobianIsFinite(matrix.jac)) {
        state.failure = BAD_JACOBIAN;
        state.hasJacobian = false;
        return Number.POSITIVE_INFINITY;
      }
    }
    if (matrix.shift !== 1 / c && !factorShifted(matrix, 1 / c)) {
      state.failure = SINGULAR;
      return Number.POSITIVE_INFINITY;
    }
    if (correct(tNew, c, p, work, yNew, rtol, atol, state)) break;
    if (state.jacobianCurrent) {
      state.failure = NEWTON_FAILED;
      // the driver retries with a smaller h (the history is rescaled then)
      return Number.POSITIVE_INFINITY;
    }
    state.hasJacobian = false;
  }
  // Error estimate (κ_k γ_k + 1/(k+1)) d, over the controlled components.
  const d = work[CORRECTION_AT]!;
  let finite = 0;
  for (let k = 0; k < M; k++) finite += yNew[k]! * 0;
  if (finite !== 0) return Number.POSITIVE_INFINITY;
  const e = ERROR_CONSTANT[order]!;
  let err = 0;
  for (let k = 0; k < controlled; k++) {
    const x = Math.abs(e * d[k]!) / (atol + rtol * Math.max(Math.abs(y[k]!), Math.abs(yNew[k]!)));
    if (x > err || Number.isNaN(x)) err = x;
  }
  const safety = (0.9 * (2 * NEWTON_MAX_ITERATIONS + 1)) / (2 * NEWTON_MAX_ITERATIONS + state.lastIterations);
  if (state.adaptive && err > 1) {
    state.proposal = Math.max(MIN_FACTOR, safety * err ** (-1 / (order + 1)));
    return err;
  }
  // Accepted (the driver accepts exactly when err ≤ 1, or every step when they are fixed): the history moves
  // on — D[k+2] = d − D[k+1], D[k+1] = d, D[i] += D[i+1] for i = k … 0 (D[0] becomes Y).
  const dk1 = work[D_AT + order + 1]!;
  const dk2 = work[D_AT + order + 2]!;
  for (let k = 0; k < M; k++) {
    dk2[k] = d[k]! - dk1[k]!;
    dk1[k] = d[k]!;
  }
  for (let i = order; i >= 0; i--) {
    const di = work[D_AT + i]!;
    const next = work[D_AT + i + 1]!;
    for (let k = 0; k < M; k++) di[k]! += next[k]!;
  }
  state.stepOrder = order;
  state.jacobianCurrent = false;
  state.equalSteps++;
  if (!state.adaptive) return err;
  if (state.equalSteps < order + 1) {
    state.proposal = 1;
    return err;
  }
  // Order selection: the step each of the orders k − 1, k, k + 1 would allow, from their error estimates.
  const below =
    order > 1
      ? ERROR_CONSTANT[order - 1]! * scaledNorm(work[D_AT + order]!, yNew, controlled, rtol, atol)
      : Number.POSITIVE_INFINITY;
  const above =
    order < MAX_ORDER
      ? ERROR_CONSTANT[order + 1]! * scaledNorm(work[D_AT + order + 2]!, yNew, controlled, rtol, atol)
      : Number.POSITIVE_INFINITY;
  const factors = [below ** (-1 / order), err ** (-1 / (order + 1)), above ** (-1 / (order + 2))];
  let best = 1;
  for (let i = 0; i < 3; i++) if (factors[i]! > factors[best]!) best = i;
  state.order = order + best - 1;
  state.proposal = Math.min(MAX_FACTOR, safety * factors[best]!);
  return err;
}

/**
 * Dense output of the accepted step: the polynomial through the last k + 1 points of the history (spacing h,
 * the newest at t + h), evaluated at t + s·h.
 */
function interpolate(
  s: number,
  _h: number,
  _y0: Float64Array,
  _f0: Float64Array,
  _y1: Float64Array,
  _f1: Float64Array,
  work: Float64Array[],
  out: Float64Array,
  at: number,
  state: StepState,
): void {
  const order = state.stepOrder;
  for (let k = 0; k < M; k++) out[at + k] = work[D_AT]![k]!;
  let product = 1;
  for (let j = 0; j < order; j++) {
    product *= (s - 1 + j) / (1 + j);
    const dj = work[D_AT + j + 1]!;
    for (let k = 0; k < M; k++) out[at + k]! += product * dj[k]!;
  }
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
