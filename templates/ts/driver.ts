/**
 * The TypeScript driver, shared by every method family: option checking, the first step, the step-size
 * controller, failures with partial results, dense output at tEval, streaming (onStep, onSample) and the
 * statistics. What is particular to a family — how one step from t to t + h is taken — lives in its own
 * template (templates/ts/explicit-rk.ts for explicit Runge–Kutta methods). src/codegen/ts/module.ts puts the
 * two together into one standalone module: the family template's text, less its `@odeforge:driver` stubs,
 * takes the place of the `@odeforge:family` region below, and then every `declare` left in the module is
 * replaced by generated code. (This comment is the template's own: generated modules start at the header.)
 *
 * ─── What a family provides (the names declared in the @odeforge:family region) ───
 *
 * WORK_VECTORS: how many work vectors of length M its step needs. The driver hands them over as `work`, with
 *   two fixed roles: work[0] holds F(t, y) when a step starts, and the step leaves F(t + h, yNew) in
 *   work[F_NEW] (F_NEW ≠ 0), so that accepting the step is a swap of the two arrays, never a copy or an
 *   extra evaluation. Everything else in `work` is the family's own and persists from step to step (the
 *   driver reorders only work[0] and work[F_NEW], and uses work[F_NEW] as scratch before the first step).
 * STEP_EVALS: evaluations of the right-hand side per attempted step (for the statistics).
 * step(t, h, y, p, work, z, yNew, record, rtol, atol, controlled) → err: one attempted step from (t, y),
 *   h signed (backward integration has h < 0). Writes the new augmented vector [y | Φ | S] to yNew and
 *   F(t + h, yNew) to work[F_NEW]; z is a scratch vector. Returns the local error estimate in the max norm
 *   over the first `controlled` components (N: the state; M: everything), each scaled by
 *   atol + rtol·max(|y_i|, |yNew_i|) — so a step is accepted when err ≤ 1 and the controller scales h by
 *   0.9·err^(−1/(ERROR_ORDER + 1)), within [0.2, 5] — or Infinity when any new value (of all M) is not finite, which the
 *   driver answers by cutting h by 4. A fixed-step method returns 0 (or Infinity). y and p must not be
 *   written; t and h must be used as given (the driver lands on t1 exactly). `record` asks the step to keep
 *   what stiffnessEstimate will read (it is false unless STIFFNESS_DETECTION).
 * interpolate(s, h, y0, f0, y1, f1, work, out, at, state): dense output at t + s·h, s ∈ [0, 1], of the accepted
 *   step, into out[at .. at + M), called before the swap (f0 = work[0] = F(t, y0), f1 = work[F_NEW]).
 *   The driver's cubic Hermite `hermite` (order 3, uses only y and F at both ends) is the fallback; a
 *   family with a better continuous extension of its own may use its stages in `work`.
 * STIFFNESS_DETECTION, STABILITY_BOUNDARY, stiffnessEstimate(work, yNew, state) → ρ: for methods with a bounded
 *   stability region. When detection is on, the driver asks for ρ ≈ the dominant eigenvalue's modulus of
 *   ∂F/∂y (every 4th step and after rejections, `record` set for that step), holds h·ρ within
 *   STABILITY_BOUNDARY (the real stability boundary of the method; a step past it is rejected when the
 *   error norm leaves out the sensitivities) and, with stiffness: 'error', stops as
 *   'stiff' after STIFF_STEP_LIMIT steps held there. NaN means "no estimate" (the last one stands). A family
 *   without stability limit (an A-stable implicit method) sets STIFFNESS_DETECTION = false and the driver
 *   never calls stiffnessEstimate.
 *
 * Generated for every module, whatever the family: N, P, M, PHI_OFFSET, SENS_OFFSET, PHI_FROM, PHI_WIDTH,
 * SENS_FROM, SENS_WIDTH, ORDER, ERROR_ORDER (0:
 * no error estimate, fixed steps only), PARAM_NAMES, PARAM_DEFAULTS, info, rhs, acquireVectors,
 * releaseVectors and stepKernel (see their declarations). A family may declare placeholders of its own,
 * which src/codegen/ts/module.ts must then define (the explicit family's: STAGES, FSAL, STIFF_STAGE,
 * STABILITY_BOUNDARY, rkStep, stiffnessRho).
 *
 * Rules of the hot loop (integrate): no closures and no per-step allocation; counters and the current
 * (t, h, y) stay in locals. A family's step is a plain top-level function of numbers and arrays, small
 * enough to inline or called once per attempt. Family constants at the top level of its template may use
 * each other and the placeholders above the family region, not the driver's definitions after it (they are
 * not initialised yet), and the generated module imports nothing.
 * StepState, newStepState(adaptive) → state: what a family keeps from step to step besides `work` (a Jacobian,
 *   its factorization, counters), made once per solve and passed to every step (the explicit family has none).
 *   `adaptive` tells whether the driver can retry a failed step with a smaller h (fixed steps: it cannot).
 * familyStats(state, stats): adds the family's counters to the statistics (jacobianEvals, factorizations,
 *   linearSolves, newtonIterations where they apply).
 * stepFailure(state) → { reason, why } | undefined: why the last attempted step returned Infinity when it was
 *   not a non-finite value ('singular-matrix', 'newton-failure'): the driver reports that reason instead of
 *   'non-finite' when it gives up on a point.
 * proposeStepFactor(state, err, accepted) → factor: the family's own choice of the next h (BDF: with its order
 *   selection), or NaN for the driver's rule above.
 * stabilityLimited(state), STIFF_STEP_LIMIT, switchToStiff(state, t): with STIFFNESS_DETECTION, the driver watches
 *   h·ρ while stabilityLimited says so, and after STIFF_STEP_LIMIT steps held at the limit asks switchToStiff —
 *   true: the family carries on with a method for stiff problems ('auto'); false: the solve stops as 'stiff'.
 * Second-order sensitivities: the lines between `// @odeforge:order2-begin` and `// @odeforge:order2-end` are kept
 *   (less the markers) by a module compiled with `order: 2` and cut out of every other one, as the events' are.
 * Events: the lines between `// @odeforge:events-begin` and `// @odeforge:events-end` markers are the driver's
 *   event code (placeholders EVENT_NAMES, EVENT_DIRECTIONS, EVENT_TERMINAL, EVENT_LANDING, events, eventGradients,
 *   from src/codegen/ts/events.ts; the root search; terminal events; the result's `events`). module.ts keeps them
 *   for a model with events and cuts them out of every other module, which is then the code it was before events
 *   existed. They read the family only through interpolate (and, with EVENT_LANDING, by retaking an accepted step
 *   from its start, as after a rejection), so they serve every family.
 * A family whose F-evaluations per step vary (Newton's iterations) sets STEP_EVALS = 0 and adds its count in
 * familyStats; one whose step and interpolate never read F(t, y) (BDF keeps its own history) may leave
 * work[F_NEW] unwritten — the driver then carries a stale vector in work[0] that nothing reads.
 */
/* @odeforge:header — replaced by a comment saying what was generated, from what, and how to call it. */

// ─── Placeholders ──────────────────────────────────────────────────────────────────────────────────────
// Every `declare` below is replaced by generated code (src/codegen/ts/module.ts); the rest of this file is
// the driver, written once for every model, every family and every method.

/** Number of states, parameters, and the length of the augmented vector [y | Φ | S]. */
declare const N: number;
declare const P: number;
declare const M: number;
/** Offsets of Φ (n×n) and S (n×p) in the augmented vector; -1 when not integrated. */
declare const PHI_OFFSET: number;
declare const SENS_OFFSET: number;
/**
 * The columns of Φ and S the module integrates: PHI_WIDTH columns of ∂y/∂y0 from PHI_FROM, SENS_WIDTH of ∂y/∂p
 * from SENS_FROM — all of them (0, N; 0, P), except in the modules of the worker threads of
 * `compile(…, { threads })`, each of which integrates a slice of the columns (Φ is then N × PHI_WIDTH).
 */
declare const PHI_FROM: number;
declare const PHI_WIDTH: number;
declare const SENS_FROM: number;
declare const SENS_WIDTH: number;
// @odeforge:order2-begin
/**
 * Offsets of the second-order blocks (src/variational/second-order.ts), -1 when not integrated: Ψ =
 * ∂²y/∂y0_j∂y0_k (n × n(n+1)/2, pairs j ≤ k), M = ∂²y/∂y0_j∂p_k (n × n·p), P = ∂²y/∂p_j∂p_k (n × p(p+1)/2).
 */
declare const HESS_OFFSET: number;
declare const MIXED_OFFSET: number;
declare const PARAM_HESS_OFFSET: number;
// @odeforge:order2-end
/** The method's order. */
declare const ORDER: number;
/** Order of the embedded solution; 0 for a fixed-step method (no error estimate). */
declare const ERROR_ORDER: number;
declare const PARAM_NAMES: readonly string[];
declare const PARAM_DEFAULTS: readonly number[];
/** What this module is: model, method, sensitivities. */
export declare const info: SolverInfo;
/** dy = F(t, y, p) for the augmented vector. */
declare function rhs(t: number, y: Float64Array, p: Float64Array, dy: Float64Array): void;
/**
 * The `count` work vectors (length M, zero-filled) of one solve, and their return when it ends. Plain arrays,
 * or views of the WebAssembly kernel's memory when the module has a kernel that no other solve is using (a
 * solve started from a callback of another gets plain arrays); the step runs the kernel on such views.
 */
declare function acquireVectors(count: number): Float64Array[];
declare function releaseVectors(vectors: readonly Float64Array[]): void;
/** Which implementation of the step the next solve runs: the WebAssembly kernel or the TypeScript one. */
export declare function stepKernel(): 'webassembly' | 'typescript';
/**
 * The loop of integrate run inside a WebAssembly kernel, where the module has one (templates/ts/wasm-kernel.ts;
 * elsewhere it returns false at once): from the loop's variables in `loop` (t, h, steps, rejected, evals, rho,
 * stiffSteps, nonStiffSteps, freshEstimate, rejectedBefore, nonFiniteRun), which it gives back, with loop[11]
 * the steps it accepted. Only for an adaptive solve with no callbacks, samples or event functions.
 */
declare function kernelLoop(
  loop: Float64Array,
  t1: number,
  dir: number,
  rtol: number,
  atol: number,
  controlled: number,
  maxSteps: number,
  detect: boolean,
  exponent: number,
  y: Float64Array,
  yNew: Float64Array,
  z: Float64Array,
  work: Float64Array[],
  p: Float64Array,
): boolean;
// @odeforge:events-begin
/**
 * The model's events (src/codegen/ts/events.ts): their names; which crossings count as the solve proceeds (1: g
 * from negative to non-negative, -1: from positive to non-positive, 0: both); whether one ends the solve.
 */
declare const EVENT_NAMES: readonly string[];
declare const EVENT_DIRECTIONS: readonly number[];
declare const EVENT_TERMINAL: readonly boolean[];
/**
 * Whether the family's step may be taken again from the start of a step it has accepted (its state allows the
 * retry, as after a rejection): then a terminal event inside a step makes the driver retake it to end at the event.
 */
declare const EVENT_LANDING: boolean;
/** g = the event functions at (t, y); y is an augmented vector, of which only the states are read. */
declare function events(t: number, y: Float64Array, p: Float64Array, g: Float64Array): void;
/**
 * Their derivatives at (t, y): gy (events × n, row-major) = ∂g/∂y, gt = ∂g/∂t, gp (events × p) = ∂g/∂p. Writes the
 * structurally non-zero entries only, always the same ones: the arrays must start zero-filled.
 */
declare function eventGradients(
  t: number,
  y: Float64Array,
  p: Float64Array,
  gy: Float64Array,
  gt: Float64Array,
  gp: Float64Array,
): void;
// @odeforge:events-end

// @odeforge:family-begin — the method family's template goes here (see the interface above).
/** Work vectors of the family's step, and where it leaves F(t + h, yNew) among them (work[0]: F(t, y)). */
declare const WORK_VECTORS: number;
declare const F_NEW: number;
/** Evaluations of F per attempted step. */
declare const STEP_EVALS: number;
/** One attempted step: yNew, F(t + h, yNew) in work[F_NEW], and the scaled error (Infinity: non-finite). */
declare function step(
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
): number;
/** Dense output of the accepted step on [t, t + h] at fraction s, into out[at .. at + M). */
declare function interpolate(
  s: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  out: Float64Array,
  at: number,
  state: StepState,
): void;
/** Whether the driver watches h·ρ (stiffnessEstimate) against STABILITY_BOUNDARY. */
declare const STIFFNESS_DETECTION: boolean;
declare const STABILITY_BOUNDARY: number;
/** ρ after a step taken with `record` set; NaN when it cannot tell. */
declare function stiffnessEstimate(work: Float64Array[], yNew: Float64Array, state: StepState): number;
/** What the family's step keeps between steps of one solve (see the interface above). */
type StepState = unknown;
declare function newStepState(adaptive: boolean): StepState;
declare function familyStats(state: StepState, stats: SolveStats): SolveStats;
declare function stepFailure(state: StepState): { reason: IntegrationError['reason']; why: string } | undefined;
/** The factor for the next h after the step just tried (accepted or not); NaN: the driver's own rule. */
declare function proposeStepFactor(state: StepState, err: number, accepted: boolean): number;
/** Whether the method in use has a stability limit the driver should watch (with STIFFNESS_DETECTION). */
declare function stabilityLimited(state: StepState): boolean;
/** Consecutive steps held at the stability limit that make the problem stiff. */
declare const STIFF_STEP_LIMIT: number;
/** At that point: true when the family switched to a method for stiff problems at t, false to fail as 'stiff'. */
declare function switchToStiff(state: StepState, t: number): boolean;
// @odeforge:family-end

// ─── Types ─────────────────────────────────────────────────────────────────────────────────────────────

/** What a solver is: its model, method and sensitivities (the module's `info`). */
export interface SolverInfo {
  /** The model's name. */
  readonly model: string;
  /** State names, in the order of the state vector (y0, y and the rows and columns of the Jacobians). */
  readonly states: readonly string[];
  /** Parameter names, in declared order (the columns of paramJacobian). */
  readonly params: readonly string[];
  /** The parameters' default values, in the same order. */
  readonly paramDefaults: readonly number[];
  /** The name of the independent variable. */
  readonly time: string;
  /** The integration method's canonical name. */
  readonly method: string;
  /** The method's order. */
  readonly order: number;
  /** Whether the method controls its step size (it has an error estimate). */
  readonly adaptive: boolean;
  /** The sensitivities integrated with the state, in the order y0, params. */
  readonly sensitivities: readonly ('y0' | 'params')[];
  // @odeforge:order2-begin
  /** 2 when the second-order sensitivities are integrated too (only such a module has this field). */
  readonly sensitivityOrder?: 2;
  // @odeforge:order2-end
  // @odeforge:events-begin
  /** The model's events, by name in the model's order (only a model with events has this field). */
  readonly events?: readonly string[];
  // @odeforge:events-end
}

/**
 * Every option is checked before any work is done, for its type and its range: a wrong one, or a key that is
 * not one of these (a typo such as `rtoll`), is an OptionError naming it. Optional ones may be left out or
 * given as `undefined`.
 */
export interface SolveOptions {
  /** Initial time, a finite number. */
  readonly t0: number;
  /** Final time, a finite number (t1 < t0 integrates backward). */
  readonly t1: number;
  /** Initial state, one finite number per state (an array or a typed array). */
  readonly y0: ArrayLike<number>;
  /**
   * Parameter values by name (a plain object of finite numbers, not an array); missing ones take the model's
   * defaults.
   */
  readonly params?: Readonly<Record<string, number>>;
  /** Relative and absolute tolerance of the error control (defaults 1e-6 and 1e-9), ≥ 0 and not both 0. */
  readonly rtol?: number;
  /** Absolute tolerance of the error control (default 1e-9), ≥ 0; see rtol. */
  readonly atol?: number;
  /**
   * First step for adaptive stepping (estimated when absent); the step for fixed stepping (required). A finite
   * number other than 0; its sign is ignored (t0 → t1 sets the direction). Fixed steps are counted from t0:
   * t_k = t0 + k·dt, the last one landing on t1, and each step is t_{k+1} − t_k as rounded, so that y advances by
   * the same step as t. A dt too small to move t (below its rounding resolution) is a step-size-underflow.
   */
  readonly dt?: number;
  /** Limit on attempted steps: a positive integer (default 1,000,000). */
  readonly maxSteps?: number;
  /**
   * Times at which to return the state and sensitivities, by cubic Hermite interpolation: an array or typed
   * array of finite numbers within [t0, t1], ordered in the direction of integration. It is read in place, not
   * copied (so it must not change during the solve): with onSample, any number of samples takes no memory.
   */
  readonly tEval?: ArrayLike<number>;
  /** Take fixed steps of size dt even with an adaptive method (default: adaptive when the method is). */
  readonly adaptive?: boolean;
  /** Which components the error norm covers: the state only (default) or the sensitivities too. */
  readonly errorControl?: 'state' | 'all';
  /**
   * What to do when an adaptive explicit method is held back by stability rather than accuracy for many steps
   * in a row (a stiff problem): stop with an IntegrationError (default) or carry on grinding.
   */
  readonly stiffness?: 'error' | 'ignore';
  /**
   * Called after every accepted step with the time and the augmented vector [y | Φ | S] (valid during the
   * call only). For long trajectories that should not be kept in memory.
   */
  readonly onStep?: (t: number, augmented: Float64Array) => void;
  /**
   * Called about every PROGRESS_INTERVAL_MS (0.1 s) of a solve with how far it is, and once more at its end (fraction
   * 1), for a progress bar. A solve that ends sooner than the interval reports only the end.
   */
  readonly onProgress?: (progress: SolveProgress) => void;
  /**
   * Aborts the solve when it fires: the solve stops within a few steps with an IntegrationError, reason
   * 'aborted', whose `partial` holds the result up to there. An already aborted signal stops it before the first
   * step.
   */
  readonly signal?: {
    /** True once the solve is to stop (an AbortSignal is such an object). */
    readonly aborted: boolean;
  };
  /**
   * Receives the tEval samples (augmented vector, valid during the call only) as they are computed, instead of
   * collecting them in `dense`; needs tEval. Samples delivered before a failed integration stay delivered.
   */
  readonly onSample?: (t: number, augmented: Float64Array) => void;
  /**
   * Also return how the final state moves with the ends of the interval (default false): `dydt1` = ∂y(t1)/∂t1 =
   * f(t1, y(t1)), and, when y0 sensitivities are integrated, `dydt0` = ∂y(t1)/∂t0 = −(∂y(t1)/∂y0)·f(t0, y0). Costs
   * one more evaluation of F.
   */
  readonly timeSensitivities?: boolean;
}

/** The work a solve did. */
export interface SolveStats {
  /** Accepted steps. */
  steps: number;
  /** Rejected step attempts. */
  rejected: number;
  /** Evaluations of the augmented right-hand side. */
  rhsEvals: number;
  /** Evaluations of the Jacobian ∂f/∂y (implicit and Rosenbrock methods). */
  jacobianEvals?: number;
  /** LU factorizations of the Newton matrix (implicit and Rosenbrock methods). */
  factorizations?: number;
  /**
   * Solves with a factorized Newton matrix, one per right-hand side of length n: the state's, and one per
   * column of the sensitivities (implicit and Rosenbrock methods).
   */
  linearSolves?: number;
  /** Newton iterations (fully implicit methods). */
  newtonIterations?: number;
  /**
   * Method 'auto': the method that ran from each t on — the first entry at t0, one more at every switch between
   * the explicit method and the one for stiff problems.
   */
  switches?: {
    /** The time from which the method ran. */
    t: number;
    /** The method's name. */
    method: string;
  }[];
}

/** The tEval samples: the times and, at each, the state and the integrated sensitivities (k samples). */
export interface DenseOutput {
  /** The k sample times (tEval's values). */
  readonly t: Float64Array;
  /** k×n row-major. */
  readonly y: Float64Array;
  /** k×n×n, when y0 sensitivities are integrated. */
  readonly jacobian?: Float64Array;
  /** k×n×p, when parameter sensitivities are integrated. */
  readonly paramJacobian?: Float64Array;
}

/** What onProgress receives. */
export interface SolveProgress {
  /** The time reached. */
  readonly t: number;
  /** The fraction of [t0, t1] covered, from 0 to 1. */
  readonly fraction: number;
  /** Accepted steps so far. */
  readonly steps: number;
  /** Milliseconds since the solve began. */
  readonly elapsedMs: number;
  /** Estimated milliseconds remaining: elapsed·(1 − f)/f (NaN at f = 0). */
  readonly etaMs: number;
}

/** What solve returns: the state at t1 with the integrated sensitivities, and statistics. */
export interface SolveResult {
  /** The time reached: t1, or where a failed integration stopped. */
  readonly t: number;
  /** The state at `t`, one value per state in the order of info.states. */
  readonly y: Float64Array;
  /** ∂y(t)/∂y0, n×n row-major: jacobian[i*n + j] = ∂y_i/∂y0_j. */
  readonly jacobian?: Float64Array;
  /** ∂y(t)/∂p, n×p row-major, parameters in declared order. */
  readonly paramJacobian?: Float64Array;
  /** What the solve cost: steps, rejections, evaluations. */
  readonly stats: SolveStats;
  /**
   * Present when tEval was given without onSample. In the `partial` result of an IntegrationError it holds the
   * samples computed before the failure: the first tEval times, up to where the integration stopped, and their
   * values (the rest of tEval is left out).
   */
  readonly dense?: DenseOutput;
  /**
   * With timeSensitivities: ∂y(t)/∂t1 = f(t1, y(t1)), one value per state. After a terminal event it is 0: the
   * solve then ends at the event's time, which does not depend on t1.
   */
  readonly dydt1?: Float64Array;
  /**
   * With timeSensitivities and y0 sensitivities: ∂y(t)/∂t0 = −(∂y(t)/∂y0)·f(t0, y0) (moving t0 with y0 fixed is
   * moving y0 against the flow), one value per state; after a terminal event ∂y/∂y0 is the event's total
   * derivative. Absent without y0 sensitivities, which it needs.
   */
  readonly dydt0?: Float64Array;
  // @odeforge:order2-begin
  /**
   * With `order: 2` and y0 sensitivities: ∂²y(t)/∂y0_j∂y0_k, n×n×n row-major (i, j, k): hessian[(i*n + j)*n + k] =
   * ∂²y_i/∂y0_j∂y0_k, symmetric in j and k (integrated for j ≤ k only and mirrored). Not in `dense`.
   */
  readonly hessian?: Float64Array;
  /**
   * With `order: 2` and parameter sensitivities: ∂²y(t)/∂p_j∂p_k, n×p×p row-major (i, j, k), symmetric in j and k.
   */
  readonly paramHessian?: Float64Array;
  /** With `order: 2` and both sensitivities: ∂²y(t)/∂y0_j∂p_k, n×n×p row-major (i, j, k). */
  readonly mixedHessian?: Float64Array;
  // @odeforge:order2-end
  // @odeforge:events-begin
  /**
   * The events that happened, in the order of the solve (a model with events always has this field, [] when none
   * happened). When a terminal event ended the solve it is the last, and `t`, `y`, `jacobian` and `paramJacobian`
   * above are its own: the state at the event's time τ and the total derivatives of y(τ), event-time term
   * included; `dense` then holds the tEval samples up to τ. Except with BDF, the step in which a terminal event
   * falls is taken again to end at τ (counted as a rejected attempt), so that y(τ), Φ(τ) and S(τ) are the method's
   * own rather than its dense output's; τ itself, and every non-terminal event, come from the dense output. In an
   * IntegrationError's `partial`: the events before the failure.
   */
  readonly events?: readonly SolveEvent[];
  // @odeforge:events-end
}
// @odeforge:events-begin

/**
 * One event: where the event function g(t, y, p) of the model's event `name` crossed 0, located on the step's
 * dense output to near machine precision in t. With τ its time: dτ/dy0 = −(∇_y g·Φ(τ)) / ġ and dτ/dp =
 * −(∇_y g·S(τ) + ∂g/∂p) / ġ, where ġ = ∂g/∂t + ∇_y g·f(τ, y(τ)) is g's rate of change along the solution; the
 * total derivatives of the state there are dy(τ)/dy0 = Φ(τ) + f·dτ/dy0 and dy(τ)/dp = S(τ) + f·dτ/dp.
 */
export interface SolveEvent {
  /** The event's name in the model. */
  readonly name: string;
  /** Its time τ. */
  readonly t: number;
  /** The state at τ, one value per state. */
  readonly y: Float64Array;
  /** Whether the event is terminal (it ended the solve). */
  readonly terminal: boolean;
  /** 1 when g went from negative to non-negative as the solve proceeded, -1 from positive to non-positive. */
  readonly direction: 1 | -1;
  /**
   * Whether g crossed 0 tangentially: ġ (above) is 0 there, or at most 1e-10 of the larger of the size of its terms
   * (|∂g/∂t| + Σ|∂g/∂y_k·f_k|) and g's mean rate over the step. τ then does not depend differentiably on y0 and p:
   * dtdy0 and dtdp are absent, and jacobian and paramJacobian are Φ(τ) and S(τ), the derivatives at the fixed
   * time τ.
   */
  readonly tangential: boolean;
  /** dy(τ)/dy0 (n×n row-major, event-time term included), when y0 sensitivities are integrated. */
  readonly jacobian?: Float64Array;
  /** dy(τ)/dp (n×p row-major, event-time term included), when parameter sensitivities are integrated. */
  readonly paramJacobian?: Float64Array;
  /** dτ/dy0, one value per state, when y0 sensitivities are integrated and the crossing is not tangential. */
  readonly dtdy0?: Float64Array;
  /** dτ/dp, one value per parameter, when parameter sensitivities are integrated and the crossing is not tangential. */
  readonly dtdp?: Float64Array;
}
// @odeforge:events-end

// ─── Errors ────────────────────────────────────────────────────────────────────────────────────────────
// Marked with registered symbols so that odeforge's own OptionError / IntegrationError classes recognise
// them with instanceof, although this module imports nothing.

function markError(e: Error, kind: string): void {
  for (const c of ['OdeforgeError', kind]) Object.defineProperty(e, Symbol.for(`odeforge.${c}`), { value: true });
}

/** An option with a wrong value. */
export class OptionError extends Error {
  override name = 'OptionError';
  /** The option, as the caller spelled it (e.g. `rtol`, `tEval[3]`). */
  readonly option: string;
  // Fields declared and assigned, not constructor parameter properties: Node's type stripping refuses those.
  constructor(option: string, problem: string) {
    super(`${option}: ${problem}`);
    this.option = option;
    markError(this, 'OptionError');
  }
}

/** Why an integration stopped before t1 (see IntegrationError). */
export type FailureReason =
  | 'non-finite'
  | 'step-size-underflow'
  | 'max-steps'
  | 'stiff'
  | 'singular-matrix'
  | 'newton-failure'
  | 'aborted';

/**
 * An integration that could not reach t1: where it stopped (`t`, the last accepted point), why, and the result
 * up to there (`partial`: the state and sensitivities at `t`, the statistics, and — when tEval was given
 * without onSample — `dense` with the samples computed before the failure). The reasons: 'non-finite' (NaN or
 * ±Infinity in F(t0, y0), in the first step's estimate, or in every step tried from `t`), 'step-size-underflow'
 * (a step too small to move t), 'max-steps', 'stiff', and for the implicit families 'singular-matrix' (the
 * Newton matrix could not be factorized for any step tried from `t`) and 'newton-failure' (Newton's iteration did
 * not converge down to the smallest step); 'aborted' when the `signal` passed to solve was aborted.
 */
export class IntegrationError extends Error {
  override name = 'IntegrationError';
  readonly t: number;
  readonly reason: FailureReason;
  readonly partial: SolveResult;
  constructor(message: string, t: number, reason: FailureReason, partial: SolveResult) {
    super(message);
    this.t = t;
    this.reason = reason;
    this.partial = partial;
    markError(this, 'IntegrationError');
  }
}

// ─── Helpers used by the generated code ────────────────────────────────────────────────────────────────

/** Heaviside step with H(0) = 1/2: the derivative of min and max. */
export function heaviside(x: number): number {
  return x > 0 ? 1 : x < 0 ? 0 : x === 0 ? 0.5 : Number.NaN;
}

// ─── Options ───────────────────────────────────────────────────────────────────────────────────────────

/** Most values `dense` may hold (samples × augmented size): beyond it, samples must be streamed. */
const MAX_DENSE_VALUES = 50_000_000;

/** The options solve() knows. Any other key is refused: a misspelt option would otherwise be ignored. */
const KNOWN_OPTIONS: { readonly [K in keyof SolveOptions]-?: true } = {
  t0: true,
  t1: true,
  y0: true,
  params: true,
  rtol: true,
  atol: true,
  dt: true,
  maxSteps: true,
  tEval: true,
  adaptive: true,
  errorControl: true,
  stiffness: true,
  onStep: true,
  onProgress: true,
  signal: true,
  onSample: true,
  timeSensitivities: true,
};

/** A value as an OptionError shows it: strings quoted (and cut short), objects by kind (not their contents). */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 40)}…'` : `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    const kind = Object.prototype.toString.call(value).slice(8, -1);
    return kind === 'Object' ? 'an object' : `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
  }
  return String(value);
}

function checkFinite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(option, `must be a finite number, got ${shown(value)}`);
  }
  return value;
}

/** rtol or atol: a finite number ≥ 0. */
function tolerance(option: 'rtol' | 'atol', value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const v = checkFinite(option, value);
  if (v < 0) throw new OptionError(option, `must be non-negative, got ${v}`);
  return v;
}

/** maxSteps: a positive integer (a fraction would quietly round up, Infinity would be no limit at all). */
function stepLimit(value: unknown): number {
  if (value === undefined) return 1_000_000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new OptionError('maxSteps', `must be a positive integer, got ${shown(value)}`);
  }
  return value;
}

/** dt: its magnitude, a finite number other than 0 (t0 → t1 gives the direction). */
function stepSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const dt = Math.abs(checkFinite('dt', value));
  if (dt === 0) throw new OptionError('dt', 'must be positive, got 0');
  return dt;
}

function optionalBoolean(option: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new OptionError(option, `expected true or false, got ${shown(value)}`);
  }
  return value;
}

function optionalFunction<F>(option: string, value: unknown): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new OptionError(option, `expected a function, got ${shown(value)}`);
  }
  return value as F | undefined;
}

function oneOf<T extends string>(option: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly unknown[]).includes(value)) {
    throw new OptionError(option, `expected ${choices.map((c) => `'${c}'`).join(' or ')}, got ${shown(value)}`);
  }
  return value as T;
}

/** An array, a typed array or another object with a length, to be read by index (never copied). */
function arrayLike(option: string, value: unknown, expected: string): ArrayLike<unknown> {
  const length = typeof value === 'object' && value !== null ? (value as { length?: unknown }).length : undefined;
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new OptionError(option, `expected ${expected}, got ${shown(value)}`);
  }
  return value as ArrayLike<unknown>;
}

/** The parameter vector: defaults overridden by name. */
function parameterVector(overrides: unknown): Float64Array {
  const p = Float64Array.from(PARAM_DEFAULTS);
  if (overrides === undefined) return p;
  // A plain object (its prototype may be null): the entries of a Map, or the indices of an array, are not names.
  if (
    overrides === null ||
    typeof overrides !== 'object' ||
    Object.prototype.toString.call(overrides) !== '[object Object]'
  ) {
    throw new OptionError('params', `expected an object of parameter values by name, got ${shown(overrides)}`);
  }
  for (const [name, value] of Object.entries(overrides)) {
    const k = PARAM_NAMES.indexOf(name);
    if (k < 0) {
      const known = PARAM_NAMES.length > 0 ? PARAM_NAMES.join(', ') : 'none';
      throw new OptionError('params', `unknown parameter '${name}' (known: ${known})`);
    }
    p[k] = checkFinite(`params.${name}`, value);
  }
  return p;
}

/**
 * tEval, checked in one pass over the caller's array and not copied (10^8 samples streamed to onSample would
 * take gigabytes): finite times within [t0, t1], ordered in the direction of integration.
 */
function sampleTimes(value: unknown, t0: number, t1: number, dir: number, span: number): ArrayLike<number> {
  const times = arrayLike('tEval', value, 'an array of times');
  const count = times.length;
  let previous = t0;
  for (let i = 0; i < count; i++) {
    const v = times[i];
    // (not checkFinite: its option name would be built for each of the samples)
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new OptionError(`tEval[${i}]`, `must be a finite number, got ${shown(v)}`);
    }
    const s = (v - t0) * dir;
    if (s < 0 || s > span)
      throw new OptionError(`tEval[${i}]`, `${v} is outside [${Math.min(t0, t1)}, ${Math.max(t0, t1)}]`);
    if ((v - previous) * dir < 0)
      throw new OptionError('tEval', 'times must be ordered in the direction of integration');
    previous = v;
  }
  return times as ArrayLike<number>;
}

/** Refuses a key that is no option, with the nearest option when it looks like a typo of one. */
function checkKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(KNOWN_OPTIONS, key)) continue;
    const guess = nearestOption(key);
    throw new OptionError(
      key,
      guess === undefined
        ? `unknown option (known: ${Object.keys(KNOWN_OPTIONS).join(', ')})`
        : `unknown option, did you mean '${guess}'?`,
    );
  }
}

/** The known option nearest to `key`, ignoring case, if within one edit per three characters (at least one). */
function nearestOption(key: string): string | undefined {
  // Longer keys are no typo of an option (and would cost time quadratic in their length).
  if (key.length > 32) return undefined;
  let nearest: string | undefined;
  let distance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const name of Object.keys(KNOWN_OPTIONS)) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < distance) {
      nearest = name;
      distance = d;
    }
  }
  return nearest;
}

/** Edits (insertions, deletions, substitutions, swaps of neighbours) that turn a into b. */
function editDistance(a: string, b: string): number {
  // Three rows of the usual table: for a's prefixes of length i − 2, i − 1 and i.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** The options, checked and with their defaults: everything the integration loop reads from them. */
interface Settings {
  t0: number;
  t1: number;
  y0: ArrayLike<unknown>;
  p: Float64Array;
  rtol: number;
  atol: number;
  maxSteps: number;
  adaptive: boolean;
  /** |dt| when given: the first step (adaptive) or the step (fixed). */
  dt: number | undefined;
  /** Fixed stepping: how many steps reach t1 (0 when adaptive). */
  fixedSteps: number;
  controlled: number;
  dir: number;
  span: number;
  tEval: ArrayLike<number> | undefined;
  detectStiffness: boolean;
  onStep: SolveOptions['onStep'];
  onSample: SolveOptions['onSample'];
  onProgress: SolveOptions['onProgress'];
  signal: SolveOptions['signal'];
  timeSensitivities: boolean;
}

/** Checks every option before any work is done; an OptionError names the first bad one. */
function settings(options: SolveOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new OptionError('options', `expected an object, got ${shown(options)}`);
  }
  // First: a misspelt key is the likeliest cause of any other complaint (a "missing" dt, say).
  checkKeys(options);
  const t0 = checkFinite('t0', options.t0);
  const t1 = checkFinite('t1', options.t1);
  const y0 = arrayLike('y0', options.y0, `${N} number${N === 1 ? '' : 's'} (${info.states.join(', ')})`);
  if (y0.length !== N)
    throw new OptionError(
      'y0',
      `expected ${N} value${N === 1 ? '' : 's'} (${info.states.join(', ')}), got ${y0.length}`,
    );
  const p = parameterVector(options.params);
  const rtol = tolerance('rtol', options.rtol, 1e-6);
  const atol = tolerance('atol', options.atol, 1e-9);
  if (rtol === 0 && atol === 0) throw new OptionError('rtol', 'rtol and atol cannot both be zero');
  const maxSteps = stepLimit(options.maxSteps);
  const adaptive = optionalBoolean('adaptive', options.adaptive) ?? ERROR_ORDER > 0;
  if (adaptive && ERROR_ORDER === 0) {
    throw new OptionError('adaptive', `${info.method} is a fixed-step method (it has no error estimate); give dt`);
  }
  const dt = stepSize(options.dt);
  if (!adaptive && dt === undefined)
    throw new OptionError('dt', `a fixed-step integration with ${info.method} needs dt`);
  const controlled = oneOf('errorControl', options.errorControl, ['state', 'all'], 'state') === 'all' ? M : N;
  const stiffness = oneOf('stiffness', options.stiffness, ['error', 'ignore'], 'error');
  const onStep = optionalFunction<SolveOptions['onStep']>('onStep', options.onStep);
  const onSample = optionalFunction<SolveOptions['onSample']>('onSample', options.onSample);
  const onProgress = optionalFunction<SolveOptions['onProgress']>('onProgress', options.onProgress);
  const signal = options.signal;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean'))
    throw new OptionError('signal', `expected an AbortSignal, got ${shown(signal)}`);

  const dir = t1 >= t0 ? 1 : -1;
  const span = Math.abs(t1 - t0);
  let tEval: ArrayLike<number> | undefined;
  if (options.tEval !== undefined) {
    const count = arrayLike('tEval', options.tEval, 'an array of times').length;
    if (onSample === undefined && count * M > MAX_DENSE_VALUES) {
      throw new OptionError(
        'tEval',
        `${count} samples of ${M} values exceed the limit of ${MAX_DENSE_VALUES} kept values; stream them with onSample`,
      );
    }
    tEval = sampleTimes(options.tEval, t0, t1, dir, span);
  }
  if (onSample !== undefined && tEval === undefined) {
    throw new OptionError('onSample', 'receives the tEval samples, but no tEval was given');
  }

  return {
    t0,
    t1,
    y0,
    p,
    rtol,
    atol,
    maxSteps,
    adaptive,
    dt,
    // As many steps of dt as fit, to a relative 1e-9, then one that lands on t1 (src/ensemble/webgpu.ts
    // fixedStepPlan counts them alike for the WebGPU ensemble).
    fixedSteps: adaptive ? 0 : Math.max(1, Math.ceil(span / dt! - 1e-9)),
    controlled,
    dir,
    span,
    tEval,
    detectStiffness: adaptive && STIFFNESS_DETECTION && stiffness === 'error',
    onStep,
    onSample,
    onProgress,
    signal,
    timeSensitivities: optionalBoolean('timeSensitivities', options.timeSensitivities) ?? false,
  };
}

/**
 * The step-size controller: 0.9·err^exponent (exponent −1/(q + 1) for an error estimate of order q), at most 5
 * after an accepted step (5 when err is 0), at least 0.2. Families that propose their own factor with another
 * order (auto's high-order explicit method) call it too.
 */
function stepFactor(err: number, accepted: boolean, exponent: number): number {
  if (!accepted) return Math.max(0.2, 0.9 * controllerPower(err, exponent));
  return err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * controllerPower(err, exponent)));
}

/** The bits of one double, for controllerPower (the high word is WORDS[1]: little-endian, as every JS engine). */
const POWER_BITS = new Float64Array(1);
const POWER_WORDS = new Uint32Array(POWER_BITS.buffer);

/**
 * ln x for a finite x > 0, to about 1e-16, with + − × ÷ only (so that every engine gets the same bits): x = m·2^e
 * with m in [√½, √2], ln m = 2 atanh(s), s = (m − 1)/(m + 1) (|s| ≤ 0.172: its series to s¹⁷). Used once, for
 * POWER_TABLE.
 */
function preciseLog(x: number): number {
  POWER_BITS[0] = x;
  const hi = POWER_WORDS[1]!;
  let e = ((hi >>> 20) & 0x7ff) - 1023;
  POWER_WORDS[1] = (hi & 0x000fffff) | 0x3ff00000;
  let m = POWER_BITS[0]!;
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const s = (m - 1) / (m + 1);
  const u = s * s;
  let series = 1 / 17;
  for (let k = 15; k >= 1; k -= 2) series = 1 / k + u * series;
  return e * Math.LN2 + 2 * s * series;
}

/**
 * e^y for |y| ≤ 1, to about 1e-16, with + − × ÷ only: 2^n·exp(r), n = ⌊y/ln 2 + ½⌋, r = y − n ln 2 (Cody and
 * Waite's two-part ln 2; |r| ≤ 0.35: Taylor to r¹⁴). Used once, for POWER_TABLE.
 */
function preciseExp(y: number): number {
  const n = Math.floor(y * Math.LOG2E + 0.5);
  const r = y - n * 0.6931471803691238 - n * 1.9082149292705877e-10;
  let taylor = 1;
  for (let k = 14; k >= 1; k--) taylor = 1 + (r * taylor) / k;
  // (n is −1, 0 or 1 here)
  return n === 0 ? taylor : n > 0 ? taylor * 2 : taylor * 0.5;
}

/**
 * controllerPower's tables, for j = 0…127: at 2j, 1/c_j rounded, with c_j = 1 + (j + ½)/128 the middle of the
 * j-th 128th of [1, 2); at 2j + 1, −ln of that rounded 1/c_j; at 256 + j, 2^(j/128). Computed at load with
 * + − × ÷ only, so every engine builds the same bits, and a WebAssembly kernel copies them into its memory
 * (templates/ts/wasm-kernel.ts) rather than carrying its own.
 */
const POWER_TABLE = ((): Float64Array => {
  const table = new Float64Array(384);
  for (let j = 0; j < 128; j++) {
    const inverse = 1 / (1 + (j + 0.5) / 128);
    table[2 * j] = inverse;
    table[2 * j + 1] = -preciseLog(inverse);
    table[256 + j] = preciseExp((j / 128) * Math.LN2);
  }
  return table;
})();

/**
 * x^q for a finite x > 0 (anything else: Math.pow), to about 1e-12 relative (a step-size factor needs a few
 * digits; this is what it costs in the seed problem's solve, where a full-precision power took a fifth of the
 * time), in plain arithmetic that a WebAssembly kernel's loop repeats operation for operation
 * (src/codegen/wasm/kernel.ts, powerFunction): there Math.pow would be a call out to JavaScript on every step,
 * and the two loops must choose the same steps. As table-driven libm powers: ln x = e·ln 2 − ln(1/c_j) +
 * ln(1 + r) with x = m·2^e, m in [1, 2), j the top 7 bits of m's fraction and r = m/c_j − 1 (|r| ≤ 1/256: the
 * series to r⁴); x^q = 2^(k/128)·exp(s) with y = q ln x clamped to ±700, k = ⌊128 y/ln 2 + ½⌋ and
 * s = y − k ln 2/128 (|s| ≤ ln 2/256: Taylor to s⁴), 2^(k/128) = 2^⌊k/128⌋ · 2^((k mod 128)/128).
 */
function controllerPower(x: number, q: number): number {
  if (!(x > 0 && x < Number.POSITIVE_INFINITY)) return x ** q;
  let e = 0;
  // (a subnormal x: scaled by 2^54 first)
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984;
    e = -54;
  }
  POWER_BITS[0] = x;
  const hi = POWER_WORDS[1]!;
  e += ((hi >>> 20) & 0x7ff) - 1023;
  const j = (hi >>> 13) & 127;
  POWER_WORDS[1] = (hi & 0x000fffff) | 0x3ff00000;
  const r = POWER_BITS[0]! * POWER_TABLE[2 * j]! - 1;
  let y = q * (e * Math.LN2 + POWER_TABLE[2 * j + 1]! + (r + r * r * (-0.5 + r * (1 / 3 + r * -0.25))));
  y = Math.min(700, Math.max(-700, y));
  const k = Math.floor(y * 184.6649652337873 + 0.5);
  // ln 2/128 in two parts, the first with trailing zeros so that k times it is exact
  const s = y - k * 0.00541521234663378 - k * 1.4907929134926466e-12;
  const ex = 1 + s + s * s * (0.5 + s * (1 / 6 + s * (1 / 24)));
  POWER_WORDS[0] = 0;
  POWER_WORDS[1] = ((k >> 7) + 1023) << 20;
  return ex * POWER_TABLE[256 + (k & 127)]! * POWER_BITS[0]!;
}

/** How often onProgress is called (at most), and every how many steps the clock and the signal are read. */
const PROGRESS_INTERVAL_MS = 100;
const WATCH_EVERY_STEPS = 32;

/** The progress of a solve at t (see SolveProgress). */
function progressAt(t: number, t0: number, span: number, steps: number, began: number): SolveProgress {
  const fraction = span === 0 ? 1 : Math.min(1, Math.abs(t - t0) / span);
  const elapsedMs = performance.now() - began;
  return { t, fraction, steps, elapsedMs, etaMs: fraction > 0 ? (elapsedMs * (1 - fraction)) / fraction : Number.NaN };
}

// @odeforge:events-begin
// ─── Events ────────────────────────────────────────────────────────────────────────────────────────────
// Only a model with events has this section (and the code marked like it above): src/codegen/ts/module.ts cuts
// it out of every other module.

/** The events of the solve running (solve gives each its own log, and puts the caller's back when it ends). */
let eventLog: SolveEvent[] = [];

/** Below this fraction of its scale (see SolveEvent.tangential), g's rate along the solution counts as 0. */
const TANGENTIAL = 1e-10;
/**
 * Iterations of the root search at most: Brent's method takes about 10 on a smooth g, and falls back on bisection
 * when its interpolation steps do not pay, which reaches the last bit of any bracket in about 64.
 */
const ROOT_ITERATIONS = 200;

/** What the event search of one solve keeps: g at the ends of the step, and scratch space allocated once. */
interface EventSearch {
  readonly p: Float64Array;
  /** g at the start of the step (the last accepted point) and at its end, one value per event. */
  gOld: Float64Array;
  gNew: Float64Array;
  /** g at a trial point of the root search. */
  readonly gTry: Float64Array;
  /** The augmented vector at a trial point or an event, and F there. */
  readonly at: Float64Array;
  readonly f: Float64Array;
  /** ∂g/∂y (events × n), ∂g/∂t, ∂g/∂p (events × p): zero-filled, written by eventGradients. */
  readonly gy: Float64Array;
  readonly gt: Float64Array;
  readonly gp: Float64Array;
  /** The roots found in the step, by event, and the events that crossed, in time order. */
  readonly times: Float64Array;
  readonly order: Int32Array;
  /** [y | Φ | S] at an event, with the total derivatives (the event-time term added). */
  readonly total: Float64Array;
  /** Set by a terminal event: its time, and its `total` (the result of the solve). */
  stopped: boolean;
  tau: number;
  readonly end: Float64Array;
  /** The length of the log before this step's events, and which events this step recorded (1) or not (0). */
  logMark: number;
  readonly recorded: Uint8Array;
  /**
   * Retaking a step to end at a terminal event (EVENT_LANDING): the events found at its time, to record at the end of
   * the step retaken, and the attempts at it; noLanding once an attempt was rejected.
   */
  landing: boolean;
  landingTries: number;
  noLanding: boolean;
  readonly landed: Int32Array;
  landedCount: number;
}

function newEventSearch(t0: number, y: Float64Array, p: Float64Array): EventSearch {
  const count = EVENT_NAMES.length;
  const search: EventSearch = {
    p,
    gOld: new Float64Array(count),
    gNew: new Float64Array(count),
    gTry: new Float64Array(count),
    at: new Float64Array(M),
    f: new Float64Array(M),
    gy: new Float64Array(count * N),
    gt: new Float64Array(count),
    gp: new Float64Array(count * P),
    times: new Float64Array(count),
    order: new Int32Array(count),
    total: new Float64Array(M),
    stopped: false,
    tau: Number.NaN,
    end: new Float64Array(M),
    logMark: 0,
    recorded: new Uint8Array(count),
    landing: false,
    landingTries: 0,
    noLanding: false,
    landed: new Int32Array(count),
    landedCount: 0,
  };
  events(t0, y, p, search.gOld);
  return search;
}

/**
 * After an accepted step from (t, y0) to (tNew, y1), h = tNew − t: each event whose g changed sign over it in a
 * direction that counts is located on the step's dense output and recorded, in time order. A zero at the end of
 * the step is a crossing; one at its start is not (it was counted with the step before, or it is t0), so a zero
 * counts once. The first terminal event sets `stopped`; the events after it in the step are not recorded (those
 * at its very time are). A step retaken to end at a terminal event (`landing`) records the events found at that
 * time at its end, unless it found them itself. Returns the evaluations of F made (one per event recorded).
 */
function locateEvents(
  search: EventSearch,
  t: number,
  h: number,
  tNew: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  state: StepState,
): number {
  const { gOld, gNew, times, order, recorded } = search;
  events(tNew, y1, search.p, gNew);
  search.logMark = eventLog.length;
  recorded.fill(0);
  let found = 0;
  for (let i = 0; i < EVENT_NAMES.length; i++) {
    const a = gOld[i]!;
    const b = gNew[i]!;
    const up = a < 0 && b >= 0;
    const down = a > 0 && b <= 0;
    if (!((up && EVENT_DIRECTIONS[i] !== -1) || (down && EVENT_DIRECTIONS[i] !== 1))) continue;
    const root = eventRoot(search, i, t, h, tNew, a, b, y0, f0, y1, f1, work, state);
    times[i] = root;
    // in order of distance from t (forward and backward alike), ties by event index
    let k = found++;
    while (k > 0 && Math.abs(times[order[k - 1]!]! - t) > Math.abs(root - t)) {
      order[k] = order[k - 1]!;
      k--;
    }
    order[k] = i;
  }
  let evaluations = 0;
  for (let k = 0; k < found; k++) {
    const i = order[k]!;
    if (search.stopped && times[i] !== search.tau) break;
    recordEvent(search, i, times[i]!, gOld[i]! < 0 ? 1 : -1, t, h, y0, f0, y1, f1, work, state);
    recorded[i] = 1;
    evaluations++;
  }
  if (search.landing && !search.stopped) {
    // (the method's own solution may cross a hair after the dense output did, or land on 0 exactly)
    for (let k = 0; k < search.landedCount; k++) {
      const i = search.landed[k]!;
      if (recorded[i] === 1) continue;
      recordEvent(search, i, tNew, gOld[i]! < 0 ? 1 : -1, t, h, y0, f0, y1, f1, work, state);
      evaluations++;
    }
  }
  // (a step that stops the solve, or is to be retaken, leaves g at its start for the retake)
  if (!search.stopped) {
    search.gOld = gNew;
    search.gNew = gOld;
  }
  return evaluations;
}

/**
 * A terminal event inside the step just taken: the step is dropped with the events it recorded, to be taken again
 * so that it ends at the event's time (the loop does so); the events found at that time are recorded then.
 */
function retakeStep(search: EventSearch): void {
  search.landedCount = 0;
  for (let i = 0; i < EVENT_NAMES.length; i++)
    if (search.recorded[i] === 1 && search.times[i] === search.tau) search.landed[search.landedCount++] = i;
  eventLog.length = search.logMark;
  search.stopped = false;
  search.landing = true;
  search.landingTries = 0;
}

/** Event i's g at time tau of the step, on its dense output (search.at holds the augmented vector there). */
function eventValue(
  search: EventSearch,
  i: number,
  tau: number,
  t: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  state: StepState,
): number {
  interpolate((tau - t) / h, h, y0, f0, y1, f1, work, search.at, 0, state);
  events(tau, search.at, search.p, search.gTry);
  return search.gTry[i]!;
}

/**
 * The time in [t, tNew] where event i's g crosses 0 on the step's dense output, given g(t) = ga and g(tNew) = gb of
 * opposite signs (or gb = 0): Brent's method (Algorithms for Minimization without Derivatives, ch. 4: inverse
 * quadratic and secant steps inside a bracket that always holds the root, bisection when they do not shrink it fast
 * enough), to a bracket of a few units in the last place of t. Of the bracket's ends, the one where |g| is smaller.
 */
function eventRoot(
  search: EventSearch,
  i: number,
  t: number,
  h: number,
  tNew: number,
  ga: number,
  gb: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  state: StepState,
): number {
  if (gb === 0) return tNew;
  // (near t = 0, the resolution of t itself would be no bound: a small fraction of the step is)
  const floor = 0.5 * Number.EPSILON * Math.abs(h);
  let a = t;
  let fa = ga;
  let b = tNew;
  let fb = gb;
  // c: the other end of the bracket [b, c]; a: the previous b
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 0; iteration < ROOT_ITERATIONS; iteration++) {
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + floor;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) break;
    if (Math.abs(e) < tol || Math.abs(fa) <= Math.abs(fb)) {
      d = m;
      e = m;
    } else {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        // secant
        p = 2 * m * s;
        q = 1 - s;
      } else {
        // inverse quadratic interpolation through a, b, c
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = eventValue(search, i, b, t, h, y0, f0, y1, f1, work, state);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
  }
  return b;
}

/**
 * Records event i at time tau of the step: the state there, and — with the sensitivities — dτ/dy0, dτ/dp and the
 * total derivatives of y(τ), into search.total (and search.end when the event stops the solve).
 */
function recordEvent(
  search: EventSearch,
  i: number,
  tau: number,
  direction: 1 | -1,
  t: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  work: Float64Array[],
  state: StepState,
): void {
  const { at, f, gy, gt, gp, p, total } = search;
  interpolate((tau - t) / h, h, y0, f0, y1, f1, work, at, 0, state);
  rhs(tau, at, p, f);
  eventGradients(tau, at, p, gy, gt, gp);
  // ġ = ∂g/∂t + ∇_y g·f, g's rate along the solution: the denominator of dτ. Tangential when it is 0 to within
  // the size of its terms, or of g's mean rate over the step (a crossing where g is flat, such as (t − 1)³).
  let rate = gt[i]!;
  let scale = Math.abs(rate);
  for (let k = 0; k < N; k++) {
    const term = gy[i * N + k]! * f[k]!;
    rate += term;
    scale += Math.abs(term);
  }
  const mean = Math.abs((search.gNew[i]! - search.gOld[i]!) / h);
  const tangential = !(Math.abs(rate) > TANGENTIAL * Math.max(scale, mean));
  const event: { -readonly [K in keyof SolveEvent]: SolveEvent[K] } = {
    name: EVENT_NAMES[i]!,
    t: tau,
    y: at.slice(0, N),
    terminal: EVENT_TERMINAL[i]!,
    direction,
    tangential,
  };
  total.set(at);
  if (PHI_OFFSET >= 0) {
    if (!tangential) {
      // dτ/dy0 = −∇_y g·Φ / ġ, and Φ + f·dτ/dy0
      const dtdy0 = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < N; k++) sum += gy[i * N + k]! * at[PHI_OFFSET + k * N + j]!;
        dtdy0[j] = -sum / rate;
      }
      for (let r = 0; r < N; r++) for (let j = 0; j < N; j++) total[PHI_OFFSET + r * N + j]! += f[r]! * dtdy0[j]!;
      event.dtdy0 = dtdy0;
    }
    event.jacobian = total.slice(PHI_OFFSET, PHI_OFFSET + N * N);
  }
  if (info.sensitivities.includes('params')) {
    if (!tangential) {
      // dτ/dp = −(∇_y g·S + ∂g/∂p) / ġ, and S + f·dτ/dp
      const dtdp = new Float64Array(P);
      for (let q = 0; q < P && SENS_OFFSET >= 0; q++) {
        let sum = gp[i * P + q]!;
        for (let k = 0; k < N; k++) sum += gy[i * N + k]! * at[SENS_OFFSET + k * P + q]!;
        dtdp[q] = -sum / rate;
      }
      for (let r = 0; r < N && SENS_OFFSET >= 0; r++)
        for (let q = 0; q < P; q++) total[SENS_OFFSET + r * P + q]! += f[r]! * dtdp[q]!;
      event.dtdp = dtdp;
    }
    event.paramJacobian = SENS_OFFSET >= 0 ? total.slice(SENS_OFFSET, SENS_OFFSET + N * P) : new Float64Array(0);
  }
  eventLog.push(event);
  if (EVENT_TERMINAL[i] && !search.stopped) {
    search.stopped = true;
    search.tau = tau;
    search.end.set(total);
  }
}

// @odeforge:events-end
// ─── The driver ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Consecutive attempts from one point that gave a non-finite value, after which an adaptive integration stops
 * as 'non-finite'. Each cuts the step by 4, so together they shrink it by 4^20 ≈ 10^12: enough to step back
 * inside the domain of a square root or a logarithm, or below an overflow, from any sensible step. Without a
 * bound the cuts went on until h was too small for t: about 540 of them at t = 0.
 */
const NON_FINITE_CUTS = 20;

/**
 * First step by Hairer, Nørsett & Wanner, Solving ODEs I, II.4: a step whose Euler error, judged by the
 * change of F over it, is about the tolerance. Uses one extra evaluation of F. NaN when the error scale
 * atol + rtol·|y| of a component is 0 (atol = 0 and y = 0).
 */
function initialStep(
  t0: number,
  y: Float64Array,
  f0: Float64Array,
  p: Float64Array,
  dir: number,
  span: number,
  count: number,
  rtol: number,
  atol: number,
  scratch: Float64Array,
  f1: Float64Array,
): number {
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < count; i++) {
    const sc = atol + rtol * Math.abs(y[i]!);
    d0 = Math.max(d0, Math.abs(y[i]!) / sc);
    d1 = Math.max(d1, Math.abs(f0[i]!) / sc);
  }
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  h0 = Math.min(h0, span);
  for (let i = 0; i < M; i++) scratch[i] = y[i]! + dir * h0 * f0[i]!;
  rhs(t0 + dir * h0, scratch, p, f1);
  let d2 = 0;
  for (let i = 0; i < count; i++) {
    const sc = atol + rtol * Math.abs(y[i]!);
    d2 = Math.max(d2, Math.abs(f1[i]! - f0[i]!) / sc);
  }
  d2 /= h0;
  const order = Math.max(ORDER, 1);
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / (order + 1));
  // F non-finite at the trial point (outside its domain, say) makes h1 NaN or 0: then the first guess stands,
  // and the step control cuts it down from there.
  return h1 > 0 ? Math.min(100 * h0, h1, span) : h0;
}

/**
 * Cubic Hermite interpolation of the augmented vector on [t, t + h] at fraction s, into out: the dense output
 * of a family without a better one of its own (its interpolate calls this).
 */
// biome-ignore lint/correctness/noUnusedVariables: called by the family's interpolate (see the interface)
function hermite(
  s: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  out: Float64Array,
  at: number,
): void {
  const s2 = s * s;
  const s3 = s2 * s;
  const a0 = 2 * s3 - 3 * s2 + 1;
  const a1 = -2 * s3 + 3 * s2;
  const b0 = h * (s3 - 2 * s2 + s);
  const b1 = h * (s3 - s2);
  for (let i = 0; i < M; i++) out[at + i] = a0 * y0[i]! + a1 * y1[i]! + b0 * f0[i]! + b1 * f1[i]!;
}

/** Component i of the augmented vector, for messages: a state x, ∂x/∂v(t0) of Φ, ∂x/∂k of S. */
function componentName(i: number): string {
  if (i < N) return info.states[i]!;
  const phi = i - PHI_OFFSET;
  if (PHI_OFFSET >= 0 && phi >= 0 && phi < N * PHI_WIDTH) {
    return `∂${info.states[Math.floor(phi / PHI_WIDTH)]}/∂${info.states[PHI_FROM + (phi % PHI_WIDTH)]}(${info.time}0)`;
  }
  // @odeforge:order2-begin
  const second = [HESS_OFFSET, MIXED_OFFSET, PARAM_HESS_OFFSET].filter((o) => o >= 0 && i >= o);
  if (second.length > 0) return `second-order sensitivity ${i - Math.max(...second)} of ${componentBlock(i)}`;
  // @odeforge:order2-end
  const sens = i - SENS_OFFSET;
  return `∂${info.states[Math.floor(sens / SENS_WIDTH)]}/∂${info.params[SENS_FROM + (sens % SENS_WIDTH)]}`;
}

/** The derivative of component i, for messages: dx/dt, d(∂x/∂k)/dt. */
function derivativeName(i: number): string {
  const name = componentName(i);
  return i < N ? `d${name}/d${info.time}` : `d(${name})/d${info.time}`;
}

/** The index of the first value of v that is NaN or infinite; -1 when all are finite. */
function firstNonFinite(v: Float64Array): number {
  for (let i = 0; i < M; i++) if (!Number.isFinite(v[i]!)) return i;
  return -1;
}

/** Why no first step could be estimated (initialStep gave NaN). */
function firstStepProblem(t0: number, y: Float64Array, controlled: number, rtol: number, atol: number): string {
  for (let i = 0; i < controlled; i++) {
    if (atol + rtol * Math.abs(y[i]!) === 0) {
      const name = componentName(i);
      return (
        `non-finite value at t = ${t0}: the error scale atol + rtol·|${name}| is 0 (atol = 0 and ${name} = 0), ` +
        'so relative errors are undefined and no first step can be estimated; give atol > 0'
      );
    }
  }
  return `non-finite value at t = ${t0}: the estimate of the first step is not a positive number; give dt`;
}

/**
 * Splits the augmented vector into the result's state and sensitivity arrays; with `kept`, the first
 * `sampled` tEval samples become `dense`.
 */
function result(
  t: number,
  y: Float64Array,
  stats: SolveStats,
  kept: Float64Array | undefined,
  tEval: ArrayLike<number> | undefined,
  sampled: number,
): SolveResult {
  const out: { -readonly [K in keyof SolveResult]: SolveResult[K] } = { t, y: y.slice(0, N), stats: { ...stats } };
  if (PHI_OFFSET >= 0) out.jacobian = y.slice(PHI_OFFSET, PHI_OFFSET + N * PHI_WIDTH);
  if (info.sensitivities.includes('params'))
    out.paramJacobian = SENS_OFFSET >= 0 ? y.slice(SENS_OFFSET, SENS_OFFSET + N * SENS_WIDTH) : new Float64Array(0);
  if (kept !== undefined && tEval !== undefined) {
    const pick = (offset: number, width: number) => {
      const a = new Float64Array(sampled * width);
      for (let r = 0; r < sampled; r++) a.set(kept.subarray(r * M + offset, r * M + offset + width), r * width);
      return a;
    };
    const times = new Float64Array(sampled);
    for (let r = 0; r < sampled; r++) times[r] = tEval[r]!;
    const d: { -readonly [K in keyof DenseOutput]: DenseOutput[K] } = { t: times, y: pick(0, N) };
    if (PHI_OFFSET >= 0) d.jacobian = pick(PHI_OFFSET, N * PHI_WIDTH);
    if (info.sensitivities.includes('params'))
      d.paramJacobian = SENS_OFFSET >= 0 ? pick(SENS_OFFSET, N * SENS_WIDTH) : new Float64Array(0);
    out.dense = d;
  }
  // @odeforge:order2-begin
  secondOrderResult(out, y);
  // @odeforge:order2-end
  // @odeforge:events-begin
  out.events = eventLog.slice();
  // @odeforge:events-end
  return out;
}
// @odeforge:order2-begin

/** Which second-order block component i (past S) lies in, for messages. */
function componentBlock(i: number): string {
  if (PARAM_HESS_OFFSET >= 0 && i >= PARAM_HESS_OFFSET) return '∂²y/∂p∂p';
  if (MIXED_OFFSET >= 0 && i >= MIXED_OFFSET) return '∂²y/∂y0∂p';
  return '∂²y/∂y0∂y0';
}

/** The index of pair (j, k), j ≤ k, among the pairs of m indices in the order (0,0), (0,1), …, (1,1), …. */
function pairIndex(m: number, j: number, k: number): number {
  const [a, b] = j <= k ? [j, k] : [k, j];
  return a * m - (a * (a - 1)) / 2 + (b - a);
}

/** The result's hessian, mixedHessian and paramHessian, unpacked from the augmented vector y. */
function secondOrderResult(out: { -readonly [K in keyof SolveResult]: SolveResult[K] }, y: Float64Array): void {
  /** A block of n rows of width·width, symmetric, stored as pairs j ≤ k. */
  const symmetric = (offset: number, width: number) => {
    const pairs = (width * (width + 1)) / 2;
    const a = new Float64Array(N * width * width);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < width; j++)
        for (let k = 0; k < width; k++)
          a[(i * width + j) * width + k] = y[offset + i * pairs + pairIndex(width, j, k)]!;
    return a;
  };
  if (HESS_OFFSET >= 0) out.hessian = symmetric(HESS_OFFSET, N);
  if (MIXED_OFFSET >= 0) out.mixedHessian = y.slice(MIXED_OFFSET, MIXED_OFFSET + N * N * P);
  if (PARAM_HESS_OFFSET >= 0) out.paramHessian = symmetric(PARAM_HESS_OFFSET, P);
}
// @odeforge:order2-end

/**
 * The result with timeSensitivities' derivatives: dydt1 = f1's states (0 when f1 is undefined: a terminal event
 * ended the solve, at a time that t1 does not move), and dydt0 = −J·f0 with J the result's ∂y/∂y0.
 */
function withTimeSensitivities(out: SolveResult, f1: Float64Array | undefined, f0: Float64Array): SolveResult {
  const dydt1 = f1 === undefined ? new Float64Array(N) : f1.slice(0, N);
  const J = out.jacobian;
  if (J === undefined) return { ...out, dydt1 };
  const dydt0 = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let sum = 0;
    for (let j = 0; j < N; j++) sum += J[i * N + j]! * f0[j]!;
    dydt0[i] = -sum;
  }
  return { ...out, dydt1, dydt0 };
}

/**
 * Stops the integration: where, why, and the result up to there, with the samples kept so far. A plain
 * function, not a closure over the loop's variables, which would keep them out of registers.
 */
function failure(
  reason: IntegrationError['reason'],
  why: string,
  t: number,
  y: Float64Array,
  stats: SolveStats,
  kept: Float64Array | undefined,
  tEval: ArrayLike<number> | undefined,
  sampled: number,
): never {
  throw new IntegrationError(
    `integration failed at t = ${t}: ${why}`,
    t,
    reason,
    result(t, y, stats, kept, tEval, sampled),
  );
}

/** A step size too small to move t. */
function tooSmall(h: number, t: number): boolean {
  return h <= 16 * Number.EPSILON * Math.max(Math.abs(t), Number.MIN_VALUE);
}

/**
 * t_k = t0 + k·dt of a fixed-step run, the last (k = steps) exactly t1. Counted from t0, not summed step by
 * step: a running sum drifts, and far from 0 it rounds each t + dt to a step other than dt (at t = 1.7e9 every
 * dt = 1e-6 became 9.5e-7), which y, advanced by dt, did not follow.
 */
function fixedStepTime(t0: number, t1: number, dir: number, dt: number, k: number, steps: number): number {
  if (k >= steps) return t1;
  const tk = t0 + dir * (k * dt);
  // (rounding must not carry a step before the last onto or past t1)
  return dir * (t1 - tk) > 0 ? tk : t1;
}

/** Integrates from t0 to t1 (backward when t1 < t0) and returns the state with its sensitivities. */
export function solve(options: SolveOptions): SolveResult {
  const s = settings(options);
  // y, yNew, z and the family's work vectors
  const vectors = acquireVectors(3 + WORK_VECTORS);
  // @odeforge:events-begin
  // This solve's events go to a log of its own (a solve started from one of its callbacks keeps another).
  const outerLog = eventLog;
  eventLog = [];
  // @odeforge:events-end
  try {
    return integrate(s, vectors);
  } finally {
    releaseVectors(vectors);
    // @odeforge:events-begin
    eventLog = outerLog;
    // @odeforge:events-end
  }
}

function integrate(s: Settings, vectors: readonly Float64Array[]): SolveResult {
  const {
    t0,
    t1,
    y0,
    p,
    rtol,
    atol,
    maxSteps,
    adaptive,
    dt,
    fixedSteps,
    controlled,
    dir,
    span,
    tEval,
    detectStiffness,
    onStep,
    onSample,
    onProgress,
    signal,
    timeSensitivities,
  } = s;
  let y: Float64Array = vectors[0]!;
  for (let i = 0; i < N; i++) y[i] = checkFinite(`y0[${i}]`, y0[i]);
  // Φ(t0) = I (its columns PHI_FROM … of it, in a slice)
  if (PHI_OFFSET >= 0) for (let c = 0; c < PHI_WIDTH; c++) y[PHI_OFFSET + (PHI_FROM + c) * PHI_WIDTH + c] = 1;
  let yNew: Float64Array = vectors[1]!;
  const z = vectors[2]!;
  // work[0] is F(t, y) (see the interface at the top)
  const work: Float64Array[] = vectors.slice(3);
  // what the family's step keeps besides work (a Jacobian and its factorization, counters)
  const state = newStepState(adaptive);
  // Samples go to onSample through one scratch vector, or are kept in `dense` (then also `kept`, for results).
  const samples = tEval === undefined ? 0 : tEval.length;
  const dense = tEval === undefined ? undefined : new Float64Array(onSample ? M : samples * M);
  const kept = onSample ? undefined : dense;
  let stiffSteps = 0;
  let nextEval = 0;

  // Counters live in locals (registers) during the loop and become SolveStats where it ends; no closure may
  // capture them (or t, h, y), or they would move to the heap.
  let steps = 0;
  let rejected = 0;
  let evals = 0;
  let t = t0;
  // onProgress and signal: looked at every WATCH_EVERY_STEPS steps (a clock read is not free)
  const watching = onProgress !== undefined || signal !== undefined;
  const began = watching ? performance.now() : 0;
  let reported = began;

  rhs(t, y, p, work[0]!);
  evals++;
  // timeSensitivities: f(t0, y0), for ∂y/∂t0 = −(∂y/∂y0)·f(t0, y0)
  const f0 = timeSensitivities ? work[0]!.slice(0, N) : undefined;
  // @odeforge:events-begin
  const search = newEventSearch(t0, y, p);
  // @odeforge:events-end
  if (signal?.aborted)
    failure(
      'aborted',
      'aborted before the first step',
      t,
      y,
      familyStats(state, { steps, rejected, rhsEvals: evals }),
      kept,
      tEval,
      nextEval,
    );
  // NaN or ±Infinity in F(t0, y0), in the sensitivities' part too, fails every step from t0: say so at once,
  // rather than after maxSteps rejections (or, with fixed steps, after the first step).
  if (span > 0) {
    const bad = firstNonFinite(work[0]!);
    if (bad >= 0) {
      failure(
        'non-finite',
        `non-finite value at t = ${t0}: the right-hand side gives ${derivativeName(bad)} = ${work[0]![bad]} at the initial state`,
        t,
        y,
        familyStats(state, { steps, rejected, rhsEvals: evals }),
        kept,
        tEval,
        nextEval,
      );
    }
  }
  // Samples at t0 itself.
  while (dense !== undefined && tEval !== undefined && nextEval < samples && tEval[nextEval] === t0) {
    if (onSample) onSample(t0, y);
    else dense.set(y, M * nextEval);
    nextEval++;
  }

  let h: number;
  if (dt !== undefined) h = Math.min(dt, span);
  else {
    h = initialStep(t0, y, work[0]!, p, dir, span, controlled, rtol, atol, z, work[F_NEW]!);
    evals++;
    if (span > 0 && !(h > 0)) {
      failure(
        'non-finite',
        firstStepProblem(t0, y, controlled, rtol, atol),
        t,
        y,
        familyStats(state, { steps, rejected, rhsEvals: evals }),
        kept,
        tEval,
        nextEval,
      );
    }
  }
  const exponent = -1 / (ERROR_ORDER + 1);

  let nonStiffSteps = 0;
  let rho = 0;
  let wasWatched = adaptive && STIFFNESS_DETECTION;
  let freshEstimate = false;
  let rejectedBefore = 0;
  let nonFiniteRun = 0;

  // With a WebAssembly kernel, and nothing that calls back into JavaScript between steps (callbacks, samples,
  // event functions), the kernel runs this loop itself: the same arithmetic from the same variables, up to t1
  // or up to an iteration that ends in a failure, which it leaves undone for this loop to take again and report.
  let inKernel = adaptive && dense === undefined && onStep === undefined && !watching;
  // @odeforge:events-begin
  inKernel = false;
  // @odeforge:events-end
  if (inKernel) {
    const loop = new Float64Array(12);
    loop[0] = t;
    loop[1] = h;
    loop[2] = steps;
    loop[3] = rejected;
    loop[4] = evals;
    loop[5] = rho;
    loop[6] = stiffSteps;
    loop[7] = nonStiffSteps;
    loop[8] = freshEstimate ? 1 : 0;
    loop[9] = rejectedBefore;
    loop[10] = nonFiniteRun;
    if (kernelLoop(loop, t1, dir, rtol, atol, controlled, maxSteps, detectStiffness, exponent, y, yNew, z, work, p)) {
      t = loop[0]!;
      h = loop[1]!;
      steps = loop[2]!;
      rejected = loop[3]!;
      evals = loop[4]!;
      rho = loop[5]!;
      stiffSteps = loop[6]!;
      nonStiffSteps = loop[7]!;
      freshEstimate = loop[8] === 1;
      rejectedBefore = loop[9]!;
      nonFiniteRun = loop[10]!;
      // an odd number of accepted steps leaves y and yNew, and work[0] and work[F_NEW], swapped
      if (loop[11]! % 2 === 1) {
        const swap = y;
        y = yNew;
        yNew = swap;
        const f = work[0]!;
        work[0] = work[F_NEW]!;
        work[F_NEW] = f;
      }
    }
  }

  while (dir * (t1 - t) > 0) {
    if (steps + rejected >= maxSteps) {
      failure(
        'max-steps',
        `reached maxSteps = ${maxSteps}`,
        t,
        y,
        familyStats(state, { steps, rejected, rhsEvals: evals }),
        kept,
        tEval,
        nextEval,
      );
    }
    let hSigned: number;
    let tNew: number;
    if (adaptive) {
      // The last step lands exactly on t1 (a remainder that exceeds h only by rounding counts as the last).
      const last = h * (1 + 1e-9) >= dir * (t1 - t);
      hSigned = last ? t1 - t : dir * h;
      tNew = last ? t1 : t + hSigned;
    } else {
      // (rejected is 0 with fixed steps: steps counts them)
      tNew = fixedStepTime(t0, t1, dir, dt!, steps + 1, fixedSteps);
      // the step actually taken, so that y advances by the same step as t
      hSigned = tNew - t;
    }
    // @odeforge:events-begin
    // After a terminal event inside the step from t: that step again, to end exactly at the event (see
    // locateEvents). Were it rejected, the event is looked for afresh, on the dense output of the steps to come.
    if (search.landing) {
      if (search.landingTries++ === 0) {
        tNew = search.tau;
        hSigned = tNew - t;
      } else {
        search.landing = false;
        search.noLanding = true;
      }
    }
    // @odeforge:events-end
    // A step below the rounding resolution of t leaves it where it is, for good.
    if (tNew === t) {
      const size = adaptive ? `step size ${Math.abs(hSigned)}` : `dt = ${dt}`;
      failure(
        'step-size-underflow',
        `${size} too small to move t = ${t} (below its rounding resolution)`,
        t,
        y,
        familyStats(state, { steps, rejected, rhsEvals: evals }),
        kept,
        tEval,
        nextEval,
      );
    }
    // ρ changes slowly: it is estimated on every 4th step and after rejections (the last good value stands in
    // between, and where the two points agree to rounding, when the estimate says nothing).
    // (a family that switches methods watches stability only while its explicit method runs, and starts afresh
    // when it runs again: ρ from before the switch says nothing)
    const watched = adaptive && STIFFNESS_DETECTION && stabilityLimited(state);
    if (watched !== wasWatched) {
      wasWatched = watched;
      rho = 0;
      stiffSteps = 0;
      nonStiffSteps = 0;
      freshEstimate = true;
    }
    const estimate = watched && (freshEstimate || (steps & 3) === 0 || rejected !== rejectedBefore);
    const err = step(t, hSigned, y, p, work, z, yNew, estimate, rtol, atol, controlled, state);
    evals += STEP_EVALS;

    // 1. Accuracy. Overflow anywhere (the sensitivities too, which the norm may not cover) rejects the step.
    let factor = 1;
    if (adaptive) {
      if (!(err <= 1)) {
        // Rejected: retry from t with a smaller step, unless it is too small to make progress, or steps from t
        // have given nothing but non-finite values NON_FINITE_CUTS times in a row.
        rejected++;
        const finite = Number.isFinite(err);
        nonFiniteRun = finite ? 0 : nonFiniteRun + 1;
        const proposed = finite ? proposeStepFactor(state, err, false) : Number.NaN;
        h *= finite ? (Number.isNaN(proposed) ? stepFactor(err, false, exponent) : proposed) : 0.25;
        if (!finite && (nonFiniteRun >= NON_FINITE_CUTS || tooSmall(h, t))) {
          const cause = stepFailure(state);
          failure(
            cause?.reason ?? 'non-finite',
            `${cause?.why ?? 'non-finite value'} at t = ${t} + h for every step h tried (${nonFiniteRun} in a row, down to h = ${Math.abs(hSigned)})`,
            t,
            y,
            familyStats(state, { steps, rejected, rhsEvals: evals }),
            kept,
            tEval,
            nextEval,
          );
        }
        if (tooSmall(h, t))
          failure(
            'step-size-underflow',
            `step size ${h} too small`,
            t,
            y,
            familyStats(state, { steps, rejected, rhsEvals: evals }),
            kept,
            tEval,
            nextEval,
          );
        continue;
      }
      nonFiniteRun = 0;
      const proposed = proposeStepFactor(state, err, true);
      factor = Number.isNaN(proposed) ? stepFactor(err, true, exponent) : proposed;
    } else if (!(err < Number.POSITIVE_INFINITY)) {
      const cause = stepFailure(state);
      failure(
        cause?.reason ?? 'non-finite',
        cause === undefined
          ? `non-finite value at t = ${tNew}: the solution became non-finite on the step from t = ${t}`
          : `${cause.why} on the step from t = ${t} to ${tNew}`,
        t,
        y,
        familyStats(state, { steps, rejected, rhsEvals: evals }),
        kept,
        tEval,
        nextEval,
      );
    }

    // F at the new point, computed by the step: it is the next step's work[0].
    const fOld = work[0]!;
    const fNew = work[F_NEW]!;

    // 2. Stability (families with STIFFNESS_DETECTION). h·ρ, ρ from the family's stiffnessEstimate (explicit
    // Runge–Kutta: ‖F(t+h, yNew) − F(t+h, z)‖ / ‖yNew − z‖, Hairer & Wanner, Solving ODEs II, IV.2), estimates
    // how far out the dominant eigenvalue sits in the method's stability region.
    if (watched) {
      if (estimate) {
        const latest = stiffnessEstimate(work, yNew, state);
        if (!Number.isNaN(latest)) rho = latest;
        rejectedBefore = rejected;
        freshEstimate = false;
      }
      const hRho = Math.abs(hSigned) * rho;
      // Past the boundary the sensitivities grow without bound even where the state's error looks fine, and
      // a state-only error norm would not notice: hold the step inside the stability region.
      if (controlled < M && hRho > STABILITY_BOUNDARY) {
        rejected++;
        h *= Math.max(0.2, (0.9 * STABILITY_BOUNDARY) / hRho);
        if (tooSmall(h, t))
          failure(
            'step-size-underflow',
            `step size ${h} too small`,
            t,
            y,
            familyStats(state, { steps, rejected, rhsEvals: evals }),
            kept,
            tEval,
            nextEval,
          );
        continue;
      }
      // …and let the next step grow only to the edge of the stability region (saves rejected attempts).
      if (hRho > 0) factor = Math.min(factor, Math.max(1, (0.9 * STABILITY_BOUNDARY) / hRho));
      if (detectStiffness) {
        // Stiff: many steps held at the boundary, with at most a few unconstrained steps in between.
        if (hRho > 0.8 * STABILITY_BOUNDARY) {
          stiffSteps++;
          nonStiffSteps = 0;
        } else if (++nonStiffSteps >= 6) stiffSteps = 0;
        if (stiffSteps >= STIFF_STEP_LIMIT && switchToStiff(state, t)) {
          // ('auto': its stiff method takes over from the next step on)
          stiffSteps = 0;
          nonStiffSteps = 0;
        } else if (stiffSteps >= STIFF_STEP_LIMIT) {
          failure(
            'stiff',
            `the problem appears stiff: the step size of ${info.method} has been held to its stability limit for ` +
              `${STIFF_STEP_LIMIT} steps (h = ${Math.abs(hSigned).toPrecision(3)}, h·ρ ≈ ${hRho.toPrecision(3)}); use a ` +
              `method for stiff problems (Rodas5P, RadauIIA5, BDF, or auto), or pass stiffness: 'ignore' to carry on`,
            t,
            y,
            familyStats(state, { steps, rejected, rhsEvals: evals }),
            kept,
            tEval,
            nextEval,
          );
        }
      }
    }

    // @odeforge:events-begin
    // Events: the crossings of this step, located on its dense output and recorded in time order. A terminal one
    // ends the solve at its time τ: after this step when τ is its end; else this step is taken again to end at τ
    // (EVENT_LANDING: then y(τ), Φ and S are the method's own, not the dense output's), or the solve ends at τ on
    // this step's dense output (its samples up to τ, and the result there).
    evals += locateEvents(search, t, hSigned, tNew, y, fOld, yNew, fNew, work, state);
    if (search.stopped && search.tau !== tNew) {
      const tau = search.tau;
      if (EVENT_LANDING && !search.landing && !search.noLanding && !tooSmall(Math.abs(tau - t), t)) {
        retakeStep(search);
        rejected++;
        continue;
      }
      while (dense !== undefined && tEval !== undefined && nextEval < samples && dir * (tEval[nextEval]! - tau) <= 0) {
        const at = onSample ? 0 : M * nextEval;
        interpolate((tEval[nextEval]! - t) / hSigned, hSigned, y, fOld, yNew, fNew, work, dense, at, state);
        if (onSample) onSample(tEval[nextEval]!, dense);
        nextEval++;
      }
      steps++;
      if (onStep) {
        interpolate((tau - t) / hSigned, hSigned, y, fOld, yNew, fNew, work, search.at, 0, state);
        onStep(tau, search.at);
      }
      if (onProgress !== undefined) onProgress({ ...progressAt(tau, t0, span, steps, began), fraction: 1, etaMs: 0 });
      const stats = familyStats(state, { steps, rejected, rhsEvals: evals });
      const out = result(tau, search.end, stats, kept, tEval, nextEval);
      return f0 === undefined ? out : withTimeSensitivities(out, undefined, f0);
    }
    // @odeforge:events-end
    if (dense !== undefined && tEval !== undefined) {
      while (nextEval < samples && dir * (tEval[nextEval]! - tNew) <= 0) {
        const at = onSample ? 0 : M * nextEval;
        interpolate((tEval[nextEval]! - t) / hSigned, hSigned, y, fOld, yNew, fNew, work, dense, at, state);
        if (onSample) onSample(tEval[nextEval]!, dense);
        nextEval++;
      }
    }

    // Accept: F(tNew, yNew) becomes work[0]; the old work[0] array is reused.
    work[0] = fNew;
    work[F_NEW] = fOld;
    const swap = y;
    y = yNew;
    yNew = swap;
    t = tNew;
    steps++;
    if (onStep) onStep(t, y);
    if (watching && (steps & (WATCH_EVERY_STEPS - 1)) === 0) {
      if (signal?.aborted)
        failure(
          'aborted',
          'aborted by its signal',
          t,
          y,
          familyStats(state, { steps, rejected, rhsEvals: evals }),
          kept,
          tEval,
          nextEval,
        );
      if (onProgress !== undefined && performance.now() - reported >= PROGRESS_INTERVAL_MS) {
        onProgress(progressAt(t, t0, span, steps, began));
        reported = performance.now();
      }
    }
    h *= factor;
    // @odeforge:events-begin
    if (search.stopped) break;
    // @odeforge:events-end
  }
  // @odeforge:events-begin
  if (search.stopped) {
    // A terminal event at the end of the last step: the result is the event's, with the total derivatives.
    if (onProgress !== undefined) onProgress({ ...progressAt(t, t0, span, steps, began), fraction: 1, etaMs: 0 });
    const out = result(t, search.end, familyStats(state, { steps, rejected, rhsEvals: evals }), kept, tEval, nextEval);
    return f0 === undefined ? out : withTimeSensitivities(out, undefined, f0);
  }
  // @odeforge:events-end
  // timeSensitivities: ∂y/∂t1 = F(t1, y(t1)), evaluated afresh (BDF leaves work[0] stale: it keeps its own history)
  if (f0 !== undefined) {
    rhs(t, y, p, z);
    evals++;
  }
  if (onProgress !== undefined) onProgress(progressAt(t, t0, span, steps, began));
  const out = result(t, y, familyStats(state, { steps, rejected, rhsEvals: evals }), kept, tEval, nextEval);
  return f0 === undefined ? out : withTimeSensitivities(out, z, f0);
}
