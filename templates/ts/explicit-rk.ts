/* @odeforge:header — replaced by a comment saying what was generated, from what, and how to call it. */

// ─── Placeholders ──────────────────────────────────────────────────────────────────────────────────────
// Every `declare` below is replaced by generated code (src/codegen/ts/module.ts); the rest of this file is
// the explicit Runge–Kutta driver, written once for every model and every tableau.

/** Number of states, parameters, and the length of the augmented vector [y | Φ | S]. */
declare const N: number;
declare const P: number;
declare const M: number;
/** Offsets of Φ (n×n) and S (n×p) in the augmented vector; -1 when not integrated. */
declare const PHI_OFFSET: number;
declare const SENS_OFFSET: number;
/** Method data: stages, whether the last stage is f(t + h, y_{n+1}), and the orders. */
declare const STAGES: number;
declare const FSAL: boolean;
declare const ORDER: number;
/** Order of the embedded solution; 0 for a fixed-step method (no error estimate). */
declare const ERROR_ORDER: number;
/**
 * Stiffness detection: a stage evaluated at t + h (c = 1) other than F(t + h, yNew), whose state part rkStep
 * copies into zStiff (-1: none); and the method's real stability boundary (see src/methods/stability.ts).
 */
declare const STIFF_STAGE: number;
declare const STABILITY_BOUNDARY: number;
declare const PARAM_NAMES: readonly string[];
declare const PARAM_DEFAULTS: readonly number[];
/** What this module is: model, method, sensitivities. */
export declare const info: SolverInfo;
/** dy = F(t, y, p) for the augmented vector. */
declare function rhs(t: number, y: Float64Array, p: Float64Array, dy: Float64Array): void;
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
 * The `count` work vectors (length M, zero-filled) of one solve, and their return when it ends. Plain arrays,
 * or views of the WebAssembly kernel's memory when the module has a kernel that no other solve is using (a
 * solve started from a callback of another gets plain arrays); rkStep runs the kernel on such views.
 */
declare function acquireVectors(count: number): Float64Array[];
declare function releaseVectors(vectors: readonly Float64Array[]): void;
/**
 * ρ ≈ ‖F(t+h, yNew) − F(t+h, z)‖ / ‖yNew − z‖ for the stiffness estimate: stiffnessRhoPortable below, or the
 * WebAssembly kernel's (the same arithmetic) on vectors in its memory.
 */
declare function stiffnessRho(fNew: Float64Array, fz: Float64Array, yNew: Float64Array, z: Float64Array): number;
/** Which implementation of the step the next solve runs: the WebAssembly kernel or the TypeScript one. */
export declare function stepKernel(): 'webassembly' | 'typescript';

// ─── Types ─────────────────────────────────────────────────────────────────────────────────────────────

export interface SolverInfo {
  readonly model: string;
  readonly states: readonly string[];
  readonly params: readonly string[];
  readonly paramDefaults: readonly number[];
  readonly time: string;
  readonly method: string;
  readonly order: number;
  readonly adaptive: boolean;
  readonly sensitivities: readonly ('y0' | 'params')[];
}

export interface SolveOptions {
  readonly t0: number;
  readonly t1: number;
  /** Initial state, one value per state. */
  readonly y0: ArrayLike<number>;
  /** Parameter values by name; missing ones take the model's defaults. */
  readonly params?: Readonly<Record<string, number>>;
  /** Relative and absolute tolerance of the error control (defaults 1e-6 and 1e-9). */
  readonly rtol?: number;
  readonly atol?: number;
  /** First step for adaptive stepping (estimated when absent); the step for fixed stepping (required). */
  readonly dt?: number;
  /** Limit on attempted steps (default 1,000,000). */
  readonly maxSteps?: number;
  /** Times at which to return the state and sensitivities, by cubic Hermite interpolation. */
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
   * Receives the tEval samples (augmented vector, valid during the call only) as they are computed, instead of
   * collecting them in `dense`.
   */
  readonly onSample?: (t: number, augmented: Float64Array) => void;
}

export interface SolveStats {
  /** Accepted steps. */
  steps: number;
  /** Rejected step attempts. */
  rejected: number;
  /** Evaluations of the augmented right-hand side. */
  rhsEvals: number;
}

export interface DenseOutput {
  readonly t: Float64Array;
  /** k×n row-major. */
  readonly y: Float64Array;
  /** k×n×n, when y0 sensitivities are integrated. */
  readonly jacobian?: Float64Array;
  /** k×n×p, when parameter sensitivities are integrated. */
  readonly paramJacobian?: Float64Array;
}

export interface SolveResult {
  /** The time reached: t1, or where a failed integration stopped. */
  readonly t: number;
  readonly y: Float64Array;
  /** ∂y(t)/∂y0, n×n row-major: jacobian[i*n + j] = ∂y_i/∂y0_j. */
  readonly jacobian?: Float64Array;
  /** ∂y(t)/∂p, n×p row-major, parameters in declared order. */
  readonly paramJacobian?: Float64Array;
  readonly stats: SolveStats;
  /** Present when tEval was given. */
  readonly dense?: DenseOutput;
}

// ─── Errors ────────────────────────────────────────────────────────────────────────────────────────────
// Marked with registered symbols so that odeforge's own OptionError / IntegrationError classes recognise
// them with instanceof, although this module imports nothing.

function markError(e: Error, kind: string): void {
  for (const c of ['OdeforgeError', kind]) Object.defineProperty(e, Symbol.for(`odeforge.${c}`), { value: true });
}

/** An option with a wrong value. */
export class OptionError extends Error {
  override name = 'OptionError';
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
    markError(this, 'OptionError');
  }
}

/** An integration that could not reach t1: where it stopped, why, and the result up to there. */
export class IntegrationError extends Error {
  override name = 'IntegrationError';
  constructor(
    message: string,
    readonly t: number,
    readonly reason: 'non-finite' | 'step-size-underflow' | 'max-steps' | 'stiff',
    readonly partial: SolveResult,
  ) {
    super(message);
    markError(this, 'IntegrationError');
  }
}

// ─── Helpers used by the generated code ────────────────────────────────────────────────────────────────

/** Heaviside step with H(0) = 1/2: the derivative of min and max. */
export function heaviside(x: number): number {
  return x > 0 ? 1 : x < 0 ? 0 : x === 0 ? 0.5 : Number.NaN;
}

// ─── The driver ────────────────────────────────────────────────────────────────────────────────────────

/** Most values `dense` may hold (samples × augmented size): beyond it, samples must be streamed. */
const MAX_DENSE_VALUES = 50_000_000;
/** Consecutive stability-limited steps after which an adaptive explicit method reports stiffness. */
const STIFF_STEP_LIMIT = 1000;

function checkFinite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(option, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

function positive(option: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const v = checkFinite(option, value);
  if (v < 0 || (v === 0 && !allowZero))
    throw new OptionError(option, `must be ${allowZero ? 'non-negative' : 'positive'}, got ${v}`);
  return v;
}

/** The parameter vector: defaults overridden by name. */
function parameterVector(overrides: Readonly<Record<string, number>> | undefined): Float64Array {
  const p = Float64Array.from(PARAM_DEFAULTS);
  if (overrides === undefined) return p;
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
 * First step by Hairer, Nørsett & Wanner, Solving ODEs I, II.4: a step whose Euler error, judged by the
 * change of F over it, is about the tolerance. Uses one extra evaluation of F.
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
  return Math.min(100 * h0, h1, span);
}

/**
 * ρ ≈ ‖fNew − fz‖ / ‖yNew − z‖: two slopes at t + h, at two nearby points, over the whole augmented vector.
 * The sensitivities matter here: Φ starts as I, so every direction is excited in it, including stiff ones the
 * state has long decayed out of. Each component is weighted by 1/(1 + |y_i|), so that large sensitivities do
 * not drown the rest; a difference at rounding level says nothing, and then the answer is NaN.
 */
// biome-ignore lint/correctness/noUnusedVariables: called by the generated stiffnessRho (see the placeholders)
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

/** Cubic Hermite interpolation of the augmented vector on [t, t + h] at fraction s, into out. */
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

/** Splits the augmented vector into the result's state and sensitivity arrays. */
function result(
  t: number,
  y: Float64Array,
  stats: SolveStats,
  dense: Float64Array | undefined,
  tEval: Float64Array | undefined,
): SolveResult {
  const out: { -readonly [K in keyof SolveResult]: SolveResult[K] } = { t, y: y.slice(0, N), stats: { ...stats } };
  if (PHI_OFFSET >= 0) out.jacobian = y.slice(PHI_OFFSET, PHI_OFFSET + N * N);
  if (info.sensitivities.includes('params'))
    out.paramJacobian = SENS_OFFSET >= 0 ? y.slice(SENS_OFFSET, SENS_OFFSET + N * P) : new Float64Array(0);
  if (dense !== undefined && tEval !== undefined) {
    const count = tEval.length;
    const pick = (offset: number, width: number) => {
      const a = new Float64Array(count * width);
      for (let r = 0; r < count; r++) a.set(dense.subarray(r * M + offset, r * M + offset + width), r * width);
      return a;
    };
    const d: { -readonly [K in keyof DenseOutput]: DenseOutput[K] } = { t: tEval.slice(), y: pick(0, N) };
    if (PHI_OFFSET >= 0) d.jacobian = pick(PHI_OFFSET, N * N);
    if (info.sensitivities.includes('params'))
      d.paramJacobian = SENS_OFFSET >= 0 ? pick(SENS_OFFSET, N * P) : new Float64Array(0);
    out.dense = d;
  }
  return out;
}

/** Stops the integration: where, why, and the result up to there. A plain function, not a closure over the
 *  loop's variables, which would keep them out of registers. */
function failure(
  reason: IntegrationError['reason'],
  why: string,
  t: number,
  y: Float64Array,
  stats: SolveStats,
): never {
  throw new IntegrationError(
    `integration failed at t = ${t}: ${why}`,
    t,
    reason,
    result(t, y, stats, undefined, undefined),
  );
}

/** A step size too small to move t. */
function tooSmall(h: number, t: number): boolean {
  return h <= 16 * Number.EPSILON * Math.max(Math.abs(t), Number.MIN_VALUE);
}

/** The options, checked and with their defaults: everything the integration loop reads from them. */
interface Settings {
  t0: number;
  t1: number;
  y0: ArrayLike<number>;
  p: Float64Array;
  rtol: number;
  atol: number;
  maxSteps: number;
  adaptive: boolean;
  dtGiven: number | undefined;
  controlled: number;
  dir: number;
  span: number;
  tEval: Float64Array | undefined;
  detectStiffness: boolean;
  onStep: SolveOptions['onStep'];
  onSample: SolveOptions['onSample'];
}

/** Checks every option before any work is done; an OptionError names the first bad one. */
function settings(options: SolveOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new OptionError('options', 'expected an object');
  const t0 = checkFinite('t0', options.t0);
  const t1 = checkFinite('t1', options.t1);
  const y0 = options.y0;
  if (y0 === null || typeof y0 !== 'object' || typeof y0.length !== 'number') {
    throw new OptionError('y0', `expected ${N} numbers`);
  }
  if (y0.length !== N)
    throw new OptionError(
      'y0',
      `expected ${N} value${N === 1 ? '' : 's'} (${info.states.join(', ')}), got ${y0.length}`,
    );
  const p = parameterVector(options.params);
  const rtol = positive('rtol', options.rtol, 1e-6, true);
  const atol = positive('atol', options.atol, 1e-9, true);
  if (rtol === 0 && atol === 0) throw new OptionError('rtol', 'rtol and atol cannot both be zero');
  const maxSteps = positive('maxSteps', options.maxSteps, 1_000_000);
  const adaptive = options.adaptive ?? ERROR_ORDER > 0;
  if (adaptive && ERROR_ORDER === 0) {
    throw new OptionError('adaptive', `${info.method} is a fixed-step method (it has no error estimate); give dt`);
  }
  const dtGiven = options.dt === undefined ? undefined : positive('dt', Math.abs(options.dt), 0);
  if (!adaptive && dtGiven === undefined)
    throw new OptionError('dt', `a fixed-step integration with ${info.method} needs dt`);
  const controlled = options.errorControl === 'all' ? M : N;
  if (options.errorControl !== undefined && options.errorControl !== 'all' && options.errorControl !== 'state') {
    throw new OptionError('errorControl', `expected 'state' or 'all', got '${String(options.errorControl)}'`);
  }

  const dir = t1 >= t0 ? 1 : -1;
  const span = Math.abs(t1 - t0);
  let tEval: Float64Array | undefined;
  if (options.tEval !== undefined) {
    tEval = Float64Array.from(options.tEval, (v, i) => checkFinite(`tEval[${i}]`, v));
    for (let i = 0; i < tEval.length; i++) {
      const s = (tEval[i]! - t0) * dir;
      if (s < 0 || s > span)
        throw new OptionError(`tEval[${i}]`, `${tEval[i]} is outside [${Math.min(t0, t1)}, ${Math.max(t0, t1)}]`);
      if (i > 0 && (tEval[i]! - tEval[i - 1]!) * dir < 0)
        throw new OptionError('tEval', 'times must be ordered in the direction of integration');
    }
  }

  if (tEval !== undefined && options.onSample === undefined && tEval.length * M > MAX_DENSE_VALUES) {
    throw new OptionError(
      'tEval',
      `${tEval.length} samples of ${M} values exceed the limit of ${MAX_DENSE_VALUES} kept values; stream them with onSample`,
    );
  }
  const stiffness = options.stiffness ?? 'error';
  if (stiffness !== 'error' && stiffness !== 'ignore') {
    throw new OptionError('stiffness', `expected 'error' or 'ignore', got '${String(stiffness)}'`);
  }
  const detectStiffness = adaptive && STIFF_STAGE >= 0 && stiffness === 'error';

  return {
    t0,
    t1,
    y0,
    p,
    rtol,
    atol,
    maxSteps,
    adaptive,
    dtGiven,
    controlled,
    dir,
    span,
    tEval,
    detectStiffness,
    onStep: options.onStep,
    onSample: options.onSample,
  };
}

/** Integrates from t0 to t1 (backward when t1 < t0) and returns the state with its sensitivities. */
export function solve(options: SolveOptions): SolveResult {
  const s = settings(options);
  // y, yNew, z, fNext, zStiff and the stages
  const vectors = acquireVectors(5 + STAGES);
  try {
    return integrate(s, vectors);
  } finally {
    releaseVectors(vectors);
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
    dtGiven,
    controlled,
    dir,
    span,
    tEval,
    detectStiffness,
    onStep,
    onSample,
  } = s;
  let y: Float64Array = vectors[0]!;
  for (let i = 0; i < N; i++) y[i] = checkFinite(`y0[${i}]`, y0[i]);
  if (PHI_OFFSET >= 0) for (let i = 0; i < N; i++) y[PHI_OFFSET + i * N + i] = 1;
  let yNew: Float64Array = vectors[1]!;
  const z = vectors[2]!;
  let fNext: Float64Array = vectors[3]!;
  const zStiff = vectors[4]!;
  const k: Float64Array[] = vectors.slice(5);
  // Samples go to onSample through one scratch vector, or are kept in `dense`.
  const dense = tEval === undefined ? undefined : new Float64Array(onSample ? M : tEval.length * M);
  let stiffSteps = 0;
  let nextEval = 0;

  // Counters live in locals (registers) during the loop and become SolveStats where it ends; no closure may
  // capture them (or t, h, y), or they would move to the heap.
  let steps = 0;
  let rejected = 0;
  let evals = 0;
  let t = t0;

  rhs(t, y, p, k[0]!);
  evals++;
  // Samples at t0 itself.
  while (dense !== undefined && tEval !== undefined && nextEval < tEval.length && tEval[nextEval] === t0) {
    if (onSample) onSample(t0, y);
    else dense.set(y, M * nextEval);
    nextEval++;
  }

  let h: number;
  if (dtGiven !== undefined) h = Math.min(dtGiven, span);
  else {
    h = initialStep(t0, y, k[0]!, p, dir, span, controlled, rtol, atol, z, fNext);
    evals++;
  }
  const exponent = -1 / (ERROR_ORDER + 1);

  let nonStiffSteps = 0;
  let rho = 0;
  let rejectedBefore = 0;

  while (dir * (t1 - t) > 0) {
    if (steps + rejected >= maxSteps)
      failure('max-steps', `reached maxSteps = ${maxSteps}`, t, y, { steps, rejected, rhsEvals: evals });
    // The last step lands exactly on t1 (a remainder that exceeds h only by rounding counts as the last).
    const last = h * (1 + 1e-9) >= dir * (t1 - t);
    const hSigned = last ? t1 - t : dir * h;
    // ρ changes slowly: it is estimated on every 4th step and after rejections (the last good value stands in
    // between, and where the two points agree to rounding, when the estimate says nothing).
    const estimate = adaptive && STIFF_STAGE >= 0 && ((steps & 3) === 0 || rejected !== rejectedBefore);
    const err = rkStep(t, hSigned, y, p, k, z, yNew, fNext, zStiff, estimate, rtol, atol, controlled);
    evals += FSAL ? STAGES - 1 : STAGES;
    const tNew = last ? t1 : t + hSigned;

    // 1. Accuracy. Overflow anywhere (the sensitivities too, which the norm may not cover) rejects the step.
    let factor = 1;
    if (adaptive) {
      if (!(err <= 1)) {
        // Rejected: retry from t with a smaller step, unless it is too small to make progress.
        rejected++;
        const finite = Number.isFinite(err);
        h *= finite ? Math.max(0.2, 0.9 * err ** exponent) : 0.25;
        if (tooSmall(h, t))
          failure(finite ? 'step-size-underflow' : 'non-finite', `step size ${h} too small`, t, y, {
            steps,
            rejected,
            rhsEvals: evals,
          });
        continue;
      }
      factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** exponent));
    } else if (!(err < Number.POSITIVE_INFINITY)) {
      failure('non-finite', `the solution became non-finite on the step to t = ${tNew}`, t, y, {
        steps,
        rejected,
        rhsEvals: evals,
      });
    }

    // F at the new point, computed by rkStep: it is the next step's k[0].
    const fOld = k[0]!;
    const fNew = FSAL ? k[STAGES - 1]! : fNext;

    // 2. Stability. h·ρ with ρ ≈ ‖F(t+h, yNew) − F(t+h, z)‖ / ‖yNew − z‖ (Hairer & Wanner, Solving ODEs II,
    // IV.2) estimates how far out the dominant eigenvalue sits in the method's stability region.
    if (adaptive && STIFF_STAGE >= 0) {
      if (estimate) {
        const latest = stiffnessRho(fNew, k[STIFF_STAGE]!, yNew, zStiff);
        if (!Number.isNaN(latest)) rho = latest;
        rejectedBefore = rejected;
      }
      const hRho = Math.abs(hSigned) * rho;
      // Past the boundary the sensitivities grow without bound even where the state's error looks fine, and
      // a state-only error norm would not notice: hold the step inside the stability region.
      if (controlled < M && hRho > STABILITY_BOUNDARY) {
        rejected++;
        h *= Math.max(0.2, (0.9 * STABILITY_BOUNDARY) / hRho);
        if (tooSmall(h, t))
          failure('step-size-underflow', `step size ${h} too small`, t, y, { steps, rejected, rhsEvals: evals });
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
        if (stiffSteps >= STIFF_STEP_LIMIT) {
          failure(
            'stiff',
            `the problem appears stiff: the step size of ${info.method} has been held to its stability limit for ` +
              `${STIFF_STEP_LIMIT} steps (h = ${Math.abs(hSigned).toPrecision(3)}, h·ρ ≈ ${hRho.toPrecision(3)}); use an ` +
              `implicit method, or pass stiffness: 'ignore' to carry on`,
            t,
            y,
            { steps, rejected, rhsEvals: evals },
          );
        }
      }
    }

    if (dense !== undefined && tEval !== undefined) {
      while (nextEval < tEval.length && dir * (tEval[nextEval]! - tNew) <= 0) {
        const at = onSample ? 0 : M * nextEval;
        hermite((tEval[nextEval]! - t) / hSigned, hSigned, y, fOld, yNew, fNew, dense, at);
        if (onSample) onSample(tEval[nextEval]!, dense);
        nextEval++;
      }
    }

    // Accept: F(tNew, yNew) becomes k[0]; the old k[0] array is reused.
    k[0] = fNew;
    if (FSAL) k[STAGES - 1] = fOld;
    else fNext = fOld;
    const swap = y;
    y = yNew;
    yNew = swap;
    t = tNew;
    steps++;
    if (onStep) onStep(t, y);
    h *= factor;
  }
  return result(t, y, { steps, rejected, rhsEvals: evals }, onSample ? undefined : dense, tEval);
}
