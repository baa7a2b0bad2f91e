/* @odeforge:header — replaced by a comment saying what was generated, from what, and how to call it. */

// @odeforge:begin notes
// ─── Placeholders ──────────────────────────────────────────────────────────────────────────────────────
// Each block from a line `// @odeforge:begin NAME` to a line `// @odeforge:end NAME` is replaced by generated
// code (src/codegen/wgsl/module.ts); this one by nothing. What stands in the blocks here is a stand-in
// (y' = -k y, 1 state, Euler with ∂y/∂y0) that keeps the template a valid shader of its own. The rest of the
// file is the explicit Runge–Kutta driver, written once for every model and tableau: the algorithm of
// templates/ts/explicit-rk.ts, in f32.
// @odeforge:end notes

// @odeforge:begin constants
/** Number of states, parameters, and the length of the augmented vector [y | Φ | S]. */
const N: u32 = 1u;
const P: u32 = 1u;
const M: u32 = 2u;
/** Length of the parameter array: P, or 1 when P = 0 (WGSL has no empty arrays). */
const PA: u32 = 1u;
/** Whether Φ (n×n) and S (n×p) are integrated, and where they start in the augmented vector. */
const HAS_PHI: bool = true;
const PHI_OFFSET: u32 = 1u;
const HAS_SENS: bool = false;
const SENS_OFFSET: u32 = 0u;
/** Order of the propagated solution, and of the embedded one (0: fixed-step method, no error estimate). */
const ORDER: f32 = 1.0f;
const ERROR_ORDER: f32 = 0.0f;
/** Whether the method has a stage at c = 1 for the stiffness estimate; its real stability boundary. */
const HAS_STIFF: bool = false;
const STABILITY_BOUNDARY: f32 = 2.0f;
// @odeforge:end constants

const WORKGROUP_SIZE: u32 = 64u;
const ADAPTIVE: bool = ERROR_ORDER > 0.0f;
/** Exponent of the step-size controller, -1/(q+1) with q the order of the error estimate. */
const EXPONENT: f32 = -1.0f / (ERROR_ORDER + 1.0f);
/** f32 machine epsilon and smallest normal number (Number.EPSILON and MIN_VALUE in the TypeScript driver). */
const EPS: f32 = 1.1920929e-7f;
const TINY: f32 = 1.1754944e-38f;
/**
 * The last step lands exactly on t1 when h·(1 + LAST_STEP_SLACK) ≥ the remaining span. The TypeScript
 * driver uses 1e-9, a few million f64 ulps; in f32, 1 + 1e-9 is 1, so the slack here is 1e-6 (8 f32 ulps):
 * enough to absorb the f32 rounding of a fixed step dt, while the time itself is kept in two f32 words.
 */
const LAST_STEP_SLACK: f32 = 1e-6f;
/**
 * The stiffness estimate compares two points that differ by about the local error; below this (weighted)
 * distance their difference is f32 rounding and says nothing. The TypeScript driver uses 1e-13, some 500 f64
 * ulps of 1; here 2^-19, 16 f32 ulps.
 */
const RHO_MIN_DISTANCE: f32 = 1.9073486e-6f;

/** Per-trajectory outcome, in the order of ENSEMBLE_STATUS (src/ensemble/types.ts). */
const STATUS_OK: u32 = 0u;
const STATUS_NON_FINITE: u32 = 1u;
const STATUS_STEP_SIZE_UNDERFLOW: u32 = 2u;
const STATUS_MAX_STEPS: u32 = 3u;
const STATUS_STIFF: u32 = 4u;

/** Consecutive stability-limited steps after which an adaptive explicit method reports stiffness. */
const STIFF_STEP_LIMIT: u32 = 1000u;

alias Vec = array<f32, M>;

/**
 * The run's settings. Times are split in two f32 words (hi + lo, the f64 value to ~48 bits), so that the
 * integration reaches t1 exactly and stage times stay accurate far from t = 0. dt_hi = 0: no dt given.
 */
struct Config {
  t0_hi: f32,
  t0_lo: f32,
  t1_hi: f32,
  t1_lo: f32,
  rtol: f32,
  atol: f32,
  dt_hi: f32,
  dt_lo: f32,
  max_steps: u32,
  count: u32,
  /** Always 1.0 (see two_sum). */
  one: f32,
  /** Fixed-step methods: the number of steps from t0 to t1, and the size of the last one (see integrate). */
  fixed_steps: u32,
  h_last: f32,
  /**
   * 0: Φ starts at the identity and S at 0 (a new integration). 1: they start from what jac_out and pjac_out
   * hold on entry, the same layout the shader writes at the end, so that a run continues the sensitivities of
   * an earlier one (Φ(t2, t0) = Φ(t2, t1)·Φ(t1, t0), S likewise: a kept WebGpuState resumed by the host).
   */
  resume: u32,
  _pad1: u32,
  _pad2: u32,
}

// Every array is component-major: component c of trajectory i is at [c * count + i] (coalesced reads and
// writes across a workgroup).
@group(0) @binding(0) var<uniform> cfg: Config;
/** N × count initial states and PA × count parameters. */
@group(0) @binding(1) var<storage, read> y0_in: array<f32>;
@group(0) @binding(2) var<storage, read> p_in: array<f32>;
/**
 * N × count states, N·N × count ∂y/∂y0 (row-major per trajectory), N·P × count ∂y/∂p. With cfg.resume = 1 the
 * last two are read first: they hold the initial Φ and S.
 */
@group(0) @binding(3) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> jac_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> pjac_out: array<f32>;
/** count status codes; 2 × count step counters (accepted, then rejected). */
@group(0) @binding(6) var<storage, read_write> status_out: array<u32>;
@group(0) @binding(7) var<storage, read_write> steps_out: array<u32>;

// Working storage of one invocation (one trajectory).
var<private> rk_y: Vec;
var<private> rk_ynew: Vec;
var<private> rk_err: Vec;
var<private> rk_z: Vec;
var<private> rk_p: array<f32, PA>;
/** The input of the stiffness stage (the stage at c = 1), kept for the stiffness estimate. */
var<private> rk_zstiff: Vec;
var<private> n_accepted: u32;
var<private> n_rejected: u32;

// @odeforge:begin stages
/** One array per stage: rk_k1 = F(t, y) on entry to a step. */
var<private> rk_k1: Vec;
// @odeforge:end stages

// ─── Helpers used by the generated code ────────────────────────────────────────────────────────────────

/** +∞ and NaN made at run time (a constant expression may not be either). */
fn odeforge_inf() -> f32 {
  var bits = 0x7f800000u;
  return bitcast<f32>(bits);
}
fn odeforge_nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

/** Whether x is neither ±∞ nor NaN, from its bits (WGSL lets compilers assume floats are finite). */
fn odeforge_is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

/** Heaviside step with H(0) = 1/2: the derivative of min and max. */
fn odeforge_heaviside(x: f32) -> f32 {
  if (x > 0.0f) {
    return 1.0f;
  }
  if (x < 0.0f) {
    return 0.0f;
  }
  if (x == 0.0f) {
    return 0.5f;
  }
  return x;
}

/** x^y as JavaScript's Math.pow: also for x ≤ 0 (WGSL's pow is exp2(y·log2 x), undefined there). */
fn odeforge_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0f) {
    return 1.0f;
  }
  if (x > 0.0f) {
    return pow(x, y);
  }
  if (x == 0.0f) {
    return select(odeforge_inf(), 0.0f, y > 0.0f);
  }
  if (x < 0.0f && y == trunc(y)) {
    // A negative base has a real power for integer exponents only; odd exponents keep the sign. For
    // |y| ≥ 2^24 every f32 is even, and y·0.5 is exact below that.
    let r = pow(-x, y);
    return select(r, -r, fract(y * 0.5f) != 0.0f);
  }
  return odeforge_nan();
}

/** x − 2π·round(x/2π), in [−π, π] (2π split in two words; k·6.28125 is exact for |k| < 2^16). */
fn odeforge_reduce_2pi(x: f32) -> f32 {
  let k = round(x * 0.15915494f);
  return (x - k * 6.28125f) - k * 1.9353072e-3f;
}

fn odeforge_sin(x: f32) -> f32 {
  return sin(odeforge_reduce_2pi(x));
}

fn odeforge_cos(x: f32) -> f32 {
  return cos(odeforge_reduce_2pi(x));
}

/** tan has period π: reduce to [−π/2, π/2] first. */
fn odeforge_tan(x: f32) -> f32 {
  let k = round(x * 0.31830987f);
  return tan((x - k * 3.140625f) - k * 9.676536e-4f);
}

/** atan2(y, x) with atan2(0, 0) = 0 as in JavaScript (WGSL leaves it undefined; lavapipe gives 3π/4). */
fn odeforge_atan2(y: f32, x: f32) -> f32 {
  if (y == 0.0f && x == 0.0f) {
    return 0.0f;
  }
  return atan2(y, x);
}

/** tanh(x) rounds to ±1 in f32 for |x| > 9.01; clamping keeps exp-based implementations from overflowing. */
fn odeforge_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -10.0f, 10.0f));
}

/**
 * (s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth's TwoSum). Shader compilers apply algebra that
 * is exact only in real numbers ((a + b) − a → b; Mesa does, measured on lavapipe), which turns e into 0:
 * multiplying by cfg.one, a 1 the compiler cannot see, keeps s and bb opaque.
 */
fn two_sum(a: f32, b: f32) -> vec2f {
  let s = (a + b) * cfg.one;
  let bb = (s - a) * cfg.one;
  let e = (a - (s - bb)) + (b - bb);
  return vec2f(s, e);
}

/** The two-word time (hi, lo) advanced by d. */
fn time_add(t: vec2f, d: f32) -> vec2f {
  let s = two_sum(t.x, d);
  return two_sum(s.x, s.y + t.y);
}

// @odeforge:begin rhs
/** dy = F(t, y, p) for the augmented vector; the parameters are rk_p. */
fn rhs(t: f32, y: ptr<private, Vec>, dy: ptr<private, Vec>) {
  let y_y = (*y)[0];
  let p_k = rk_p[0];
  let w0 = -p_k;
  (*dy)[0] = w0 * y_y;
  (*dy)[1] = w0 * (*y)[1];
}
// @odeforge:end rhs

// @odeforge:begin rk_step
/**
 * One attempted step from (t, rk_y) with step h, t = th + tl; rk_k1 holds F(t, rk_y) on entry. Writes the new
 * augmented vector to rk_ynew and, for adaptive methods, the local error estimate to rk_err.
 */
fn rk_step(th: f32, tl: f32, h: f32) {
  for (var i = 0u; i < M; i++) {
    rk_ynew[i] = rk_y[i] + h * rk_k1[i];
  }
}
// @odeforge:end rk_step

// ─── The driver ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Max norm of the error over the states (not the sensitivities), each scaled by atol + rtol·max(|y|, |y_new|);
 * -1 when it is not finite.
 */
fn error_norm() -> f32 {
  var err = 0.0f;
  for (var i = 0u; i < N; i++) {
    let scale = cfg.atol + cfg.rtol * max(abs(rk_y[i]), abs(rk_ynew[i]));
    let e = abs(rk_err[i]) / scale;
    if (!odeforge_is_finite(e)) {
      return -1.0f;
    }
    err = max(err, e);
  }
  return err;
}

/** Whether every component of the new augmented vector, sensitivities included, is finite. */
fn new_values_finite() -> bool {
  for (var i = 0u; i < M; i++) {
    if (!odeforge_is_finite(rk_ynew[i])) {
      return false;
    }
  }
  return true;
}

/** A step too small to make progress from time t (NaN included). */
fn too_small(h: f32, t: f32) -> bool {
  return !(h > 16.0f * EPS * max(abs(t), TINY));
}

/**
 * ρ ≈ ‖f_new − f_z‖ / ‖y_new − z‖: two slopes at t + h, at y_new and at the stiffness stage's input z, over the
 * whole augmented vector, each component weighted by 1/(1 + |y_new|). -1 when the two points agree to
 * rounding (no information); at most 1e30.
 */
fn stiffness_rho(f_z: ptr<private, Vec>, f_new: ptr<private, Vec>) -> f32 {
  var df = 0.0f;
  var dz = 0.0f;
  for (var i = 0u; i < M; i++) {
    let w = 1.0f / (1.0f + abs(rk_ynew[i]));
    let d = abs((*f_new)[i] - (*f_z)[i]) * w;
    if (!odeforge_is_finite(d)) {
      return -1.0f;
    }
    df = max(df, d);
    dz = max(dz, abs(rk_ynew[i] - rk_zstiff[i]) * w);
  }
  if (!(dz > RHO_MIN_DISTANCE)) {
    return -1.0f;
  }
  return min(df / dz, 1e30f);
}

/**
 * First step by Hairer, Nørsett & Wanner, Solving ODEs I, II.4: a step whose Euler error, judged by the
 * change of F over it, is about the tolerance. Uses one extra evaluation of F (into rk_err as scratch).
 */
fn initial_step(t: vec2f, dir: f32, span: f32) -> f32 {
  var d0 = 0.0f;
  var d1 = 0.0f;
  for (var i = 0u; i < N; i++) {
    let sc = cfg.atol + cfg.rtol * abs(rk_y[i]);
    d0 = max(d0, abs(rk_y[i]) / sc);
    d1 = max(d1, abs(rk_k1[i]) / sc);
  }
  var h0 = 1e-6f;
  if (!(d0 < 1e-5f || d1 < 1e-5f)) {
    h0 = 0.01f * (d0 / d1);
  }
  h0 = min(h0, span);
  for (var i = 0u; i < M; i++) {
    rk_z[i] = rk_y[i] + dir * h0 * rk_k1[i];
  }
  rhs(t.x + (t.y + dir * h0), &rk_z, &rk_err);
  var d2 = 0.0f;
  for (var i = 0u; i < N; i++) {
    let sc = cfg.atol + cfg.rtol * abs(rk_y[i]);
    d2 = max(d2, abs(rk_err[i] - rk_k1[i]) / sc);
  }
  d2 /= h0;
  let order = max(ORDER, 1.0f);
  let dm = max(d1, d2);
  var h1 = max(1e-6f, h0 * 1e-3f);
  if (!(dm <= 1e-15f)) {
    h1 = pow(0.01f / dm, 1.0f / (order + 1.0f));
  }
  // A NaN or infinite h1 (F not finite at the trial point) falls back to h0, as in the TypeScript driver; the
  // test is on bits, since WGSL lets compilers assume floats are finite (min with a NaN is undefined).
  return select(h0, min(min(100.0f * h0, h1), span), odeforge_is_finite(h1) && h1 > 0.0f);
}

/**
 * Fixed-step methods, from t (two words) with steps dir·(h + hl): cfg.fixed_steps steps, counted on the host
 * as the f64 driver takes them (fixedStepPlan in src/ensemble/webgpu.ts), the last one of cfg.h_last so that
 * it lands on t1; at most cfg.max_steps of them. The loop has no exit but its count and no branch around the
 * step: invocations that run side by side stay in step (an early return, or a guard on accepting the step,
 * cost 15–35% on lavapipe). A value that stops being finite is remembered, and the trajectory reports
 * 'non-finite' at the end with NaN values (it has run on past the failure) and the number of steps before
 * it. The time feeds only the stage times, so a model that does not read t does not pay for it.
 */
fn integrate_fixed(t0: vec2f, dir: f32, h: f32, hl: f32) -> u32 {
  let t1 = vec2f(cfg.t1_hi, cfg.t1_lo);
  let steps = min(cfg.fixed_steps, cfg.max_steps);
  var t = t0;
  var failed = false;
  var steps_before_failure = 0u;
  for (var s = 0u; s < steps; s++) {
    let last = s + 1u == cfg.fixed_steps;
    let h_signed = dir * select(h, cfg.h_last, last);
    rk_step(t.x, t.y, h_signed);
    var t_new = t1;
    if (!last) {
      t_new = time_add(time_add(t, h_signed), dir * hl);
    }
    let finite = new_values_finite();
    steps_before_failure = select(steps_before_failure, s, !finite && !failed);
    failed = failed || !finite;
    // @odeforge:begin slope_at_new
    rhs(t_new.x + t_new.y, &rk_ynew, &rk_err);
    // @odeforge:end slope_at_new
    // @odeforge:begin accept_slope
    rk_k1 = rk_err;
    // @odeforge:end accept_slope
    rk_y = rk_ynew;
    t = t_new;
  }
  if (failed) {
    n_accepted = steps_before_failure;
    for (var i = 0u; i < M; i++) {
      rk_y[i] = odeforge_nan();
    }
    return STATUS_NON_FINITE;
  }
  n_accepted = steps;
  if (cfg.fixed_steps > cfg.max_steps) {
    return STATUS_MAX_STEPS;
  }
  return STATUS_OK;
}

/** Integrates rk_y from t0 to t1 (backward when t1 < t0); returns a status code. */
fn integrate() -> u32 {
  let t1 = vec2f(cfg.t1_hi, cfg.t1_lo);
  var t = vec2f(cfg.t0_hi, cfg.t0_lo);
  let d = (t1.x - t.x) + (t1.y - t.y);
  let dir = select(-1.0f, 1.0f, d >= 0.0f);
  let span = abs(d);

  rhs(t.x + t.y, &rk_y, &rk_k1);
  // A slope that is not finite at t0 cannot become finite by retrying: stop here (the TypeScript driver
  // retries with ever smaller steps until it runs out of attempts or of step size).
  for (var i = 0u; i < M; i++) {
    if (!odeforge_is_finite(rk_k1[i])) {
      return STATUS_NON_FINITE;
    }
  }

  var h: f32;
  if (cfg.dt_hi > 0.0f) {
    h = min(cfg.dt_hi, span);
  } else {
    h = initial_step(t, dir, span);
    // No usable first step (e.g. atol = 0 with a zero state: the error scale is 0): 'non-finite' at t0.
    if (span > 0.0f && !(odeforge_is_finite(h) && h > 0.0f)) {
      return STATUS_NON_FINITE;
    }
  }
  if (!ADAPTIVE) {
    // A fixed step dt keeps its low word, so that the time stays exact over many steps.
    return integrate_fixed(t, dir, h, select(0.0f, cfg.dt_lo, cfg.dt_hi < span));
  }
  // The last good stiffness estimate, and the run of steps held at the stability boundary.
  var rho = 0.0f;
  var stiff_steps = 0u;
  var non_stiff_steps = 0u;

  loop {
    let remaining = dir * ((t1.x - t.x) + (t1.y - t.y));
    if (!(remaining > 0.0f)) {
      break;
    }
    if (n_accepted + n_rejected >= cfg.max_steps) {
      return STATUS_MAX_STEPS;
    }
    // The last step lands exactly on t1 (a remainder that exceeds h only by rounding counts as the last).
    let last = h * (1.0f + LAST_STEP_SLACK) >= remaining;
    let h_signed = select(dir * h, dir * remaining, last);
    rk_step(t.x, t.y, h_signed);
    var t_new = t1;
    if (!last) {
      t_new = time_add(t, h_signed);
    }

    // 1. Accuracy. Overflow anywhere (the sensitivities too, which the norm may not cover) rejects the step.
    let finite = new_values_finite();
    var err = -1.0f;
    if (finite) {
      err = error_norm();
    }
    if (!(err >= 0.0f && err <= 1.0f)) {
      n_rejected++;
      if (err >= 0.0f) {
        h *= max(0.2f, 0.9f * pow(err, EXPONENT));
        if (too_small(h, t.x)) {
          return STATUS_STEP_SIZE_UNDERFLOW;
        }
      } else {
        // A non-finite value (overflow inside the step) shrinks the step hard.
        h *= 0.25f;
        if (too_small(h, t.x)) {
          return STATUS_NON_FINITE;
        }
      }
      continue;
    }
    // err below 1e-30 gives a factor above 5 for every order: the cap (TypeScript: err === 0 → 5).
    var factor = 5.0f;
    if (err > 1e-30f) {
      factor = min(5.0f, max(0.2f, 0.9f * pow(err, EXPONENT)));
    }

    // F at the new point, the next step's rk_k1: the last stage for FSAL methods, one evaluation (into rk_err,
    // free once the error norm is taken) otherwise.
    // @odeforge:begin slope_at_new
    rhs(t_new.x + t_new.y, &rk_ynew, &rk_err);
    // @odeforge:end slope_at_new

    // 2. Stability. h·ρ with ρ ≈ ‖F(t+h, y_new) − F(t+h, z)‖ / ‖y_new − z‖ (Hairer & Wanner, Solving ODEs II,
    // IV.2) estimates how far out the dominant eigenvalue sits in the method's stability region.
    if (HAS_STIFF) {
      // @odeforge:begin stiffness_estimate
      let estimate = -1.0f;
      // @odeforge:end stiffness_estimate
      // Where the two points agree to rounding the estimate says nothing; the last good ρ stands in.
      if (estimate >= 0.0f) {
        rho = estimate;
      }
      let h_rho = abs(h_signed) * rho;
      // Past the boundary the sensitivities grow without bound even where the state's error looks fine, and
      // the state-only error norm would not notice: hold the step inside the stability region.
      if (M > N && h_rho > STABILITY_BOUNDARY) {
        n_rejected++;
        h *= max(0.2f, (0.9f * STABILITY_BOUNDARY) / h_rho);
        if (too_small(h, t.x)) {
          return STATUS_STEP_SIZE_UNDERFLOW;
        }
        continue;
      }
      // …and let the next step grow only to the edge of the stability region (saves rejected attempts).
      if (h_rho > 0.0f) {
        factor = min(factor, max(1.0f, (0.9f * STABILITY_BOUNDARY) / h_rho));
      }
      // Stiff: many steps held at the boundary, with at most a few unconstrained steps in between.
      if (h_rho > 0.8f * STABILITY_BOUNDARY) {
        stiff_steps++;
        non_stiff_steps = 0u;
      } else {
        non_stiff_steps++;
        if (non_stiff_steps >= 6u) {
          stiff_steps = 0u;
        }
      }
      if (stiff_steps >= STIFF_STEP_LIMIT) {
        return STATUS_STIFF;
      }
    }

    // Accept.
    // @odeforge:begin accept_slope
    rk_k1 = rk_err;
    // @odeforge:end accept_slope
    rk_y = rk_ynew;
    t = t_new;
    n_accepted++;
    h *= factor;
  }
  return STATUS_OK;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // A 2-D grid when the trajectories need more than 65,535 workgroups: rows of groups.x workgroups.
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let n = cfg.count;
  if (i >= n) {
    return;
  }
  for (var c = 0u; c < M; c++) {
    rk_y[c] = 0.0f;
  }
  for (var c = 0u; c < N; c++) {
    rk_y[c] = y0_in[c * n + i];
  }
  // Φ = I and S = 0 (the loop above), or, resuming, the Φ and S an earlier run ended with: its outputs, which
  // the host put back in the same bindings.
  let resume = cfg.resume != 0u;
  if (HAS_PHI) {
    if (resume) {
      for (var c = 0u; c < N * N; c++) {
        rk_y[PHI_OFFSET + c] = jac_out[c * n + i];
      }
    } else {
      for (var c = 0u; c < N; c++) {
        rk_y[PHI_OFFSET + c * N + c] = 1.0f;
      }
    }
  }
  if (HAS_SENS && resume) {
    for (var c = 0u; c < N * P; c++) {
      rk_y[SENS_OFFSET + c] = pjac_out[c * n + i];
    }
  }
  for (var c = 0u; c < P; c++) {
    rk_p[c] = p_in[c * n + i];
  }
  n_accepted = 0u;
  n_rejected = 0u;

  let status = integrate();

  for (var c = 0u; c < N; c++) {
    y_out[c * n + i] = rk_y[c];
  }
  if (HAS_PHI) {
    for (var c = 0u; c < N * N; c++) {
      jac_out[c * n + i] = rk_y[PHI_OFFSET + c];
    }
  }
  if (HAS_SENS) {
    for (var c = 0u; c < N * P; c++) {
      pjac_out[c * n + i] = rk_y[SENS_OFFSET + c];
    }
  }
  status_out[i] = status;
  steps_out[i] = n_accepted;
  steps_out[n + i] = n_rejected;
}
