/* @odeforge:header — replaced by a comment saying what was generated, from what, and how to call it. */

// ─── How this file is built ────────────────────────────────────────────────────────────────────────────
// One source, two compilers:
//   nvcc -shared -Xcompiler -fPIC -O3 -arch=sm_90 this.cu -o this.so      GPU kernel + host launcher + CPU loop
//   g++ -O2 -x c++ -DODEFORGE_HD= -shared -fPIC this.cu -o this.so        CPU loop only (no CUDA needed)
//~ This is the template (lines starting with //~ are dropped from generated sources). Everything between
//~ `// @odeforge:begin NAME` and `// @odeforge:end NAME` is replaced by generated code (src/codegen/cuda/
//~ module.ts); what stands there is a small stand-in model (y' = -a y with Heun–Euler 2(1)), so that the
//~ template itself compiles.
// The model and the method are the generated blocks (precision, constants, rhs, step); the rest is the driver:
// the same algorithm as templates/ts/explicit-rk.ts (controller, error norm, first step, last step, failure
// codes), the ensemble kernel (one thread per trajectory) and the C entry points, written once.

#include <float.h>
#include <math.h>
#include <stddef.h>
#ifdef __CUDACC__
#include <cuda_runtime.h>
#endif

// __host__ __device__ under nvcc; nothing for a plain C++ compiler (a g++ build may also pass -DODEFORGE_HD=).
#ifndef ODEFORGE_HD
#ifdef __CUDACC__
#define ODEFORGE_HD __host__ __device__
#else
#define ODEFORGE_HD
#endif
#endif

#ifdef __CUDACC__
#define ODEFORGE_INLINE __forceinline__
#else
#define ODEFORGE_INLINE inline
#endif

// ─── Precision: the type of the state and its arithmetic ───────────────────────────────────────────────
// Time and step size are always double (t, h, the stage times, the last-step rule); the augmented state,
// the stages and the error norm are `real`.
// @odeforge:begin precision
typedef double real;
#define ODEFORGE_REAL_EPSILON DBL_EPSILON
ODEFORGE_HD static ODEFORGE_INLINE real odeforge_pow(real a, real b) { return pow(a, b); }
ODEFORGE_HD static ODEFORGE_INLINE real odeforge_fabs(real a) { return fabs(a); }
// @odeforge:end precision

// ─── Model and method constants ────────────────────────────────────────────────────────────────────────
// N states, P parameters, M = length of the augmented vector [y | Φ (N×N) | S (N×P)], followed with order-2
// sensitivities by the second-order blocks (src/variational/second-order.ts) [Ψ (N × N(N+1)/2) | Mx (N × N·P) |
// Π (N × P(P+1)/2)], Ψ and Π symmetric pairs j ≤ k; the offsets of Φ, S, Ψ, Mx and Π (-1 when not integrated),
// and where the second-order blocks begin and how many components they hold (SECOND_SIZE 0 at order 1); the tableau's stage count, FSAL flag, order and error order (0: fixed step); the
// stage at t + h that the stiffness estimate compares with y_new (-1: none) and the method's real stability
// boundary (src/methods/stability.ts); the per-trajectory status codes (ENSEMBLE_STATUS in
// src/ensemble/types.ts, same order).
// @odeforge:begin constants
#define ODEFORGE_N 1
#define ODEFORGE_P 1
#define ODEFORGE_M 2
#define ODEFORGE_PHI_OFFSET 1
#define ODEFORGE_SENS_OFFSET (-1)
#define ODEFORGE_HESS_OFFSET (-1)
#define ODEFORGE_MIXED_OFFSET (-1)
#define ODEFORGE_PARAM_HESS_OFFSET (-1)
#define ODEFORGE_SECOND_OFFSET 2
#define ODEFORGE_SECOND_SIZE 0
#define ODEFORGE_STAGES 2
#define ODEFORGE_FSAL 0
#define ODEFORGE_ORDER 2
#define ODEFORGE_ERROR_ORDER 1
#define ODEFORGE_STIFF_STAGE 1
#define ODEFORGE_STABILITY_BOUNDARY 2.0
#define ODEFORGE_STATUS_OK 0
#define ODEFORGE_STATUS_NON_FINITE 1
#define ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW 2
#define ODEFORGE_STATUS_MAX_STEPS 3
#define ODEFORGE_STATUS_STIFF 4
#define ODEFORGE_UNROLL
#define ODEFORGE_PARAM_DEFAULTS {1.0}
// @odeforge:end constants

// Index-safe sizes for arrays that may have no entries (C has no zero-length arrays).
#define ODEFORGE_P_ALLOC (ODEFORGE_P > 0 ? ODEFORGE_P : 1)

// ─── Helpers used by the generated code ────────────────────────────────────────────────────────────────
// JavaScript's Math.min / Math.max / Math.sign and odeforge's heaviside, so that results match the
// TypeScript solver: NaN propagates (fmin/fmax would drop it), max(-0, 0) = 0 and min(-0, 0) = -0.

template <typename T>
ODEFORGE_HD static ODEFORGE_INLINE T odeforge_max(T a, T b) {
  if (a != a || b != b) return a + b;  // NaN
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}

template <typename T>
ODEFORGE_HD static ODEFORGE_INLINE T odeforge_min(T a, T b) {
  if (a != a || b != b) return a + b;  // NaN
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}

/** sign(x): 1, -1, or x itself for ±0 and NaN. */
template <typename T>
ODEFORGE_HD static ODEFORGE_INLINE T odeforge_sign(T x) {
  return x > T(0) ? T(1) : x < T(0) ? T(-1) : x;
}

/** Heaviside step with H(0) = 1/2: the derivative of min and max. NaN stays NaN. */
template <typename T>
ODEFORGE_HD static ODEFORGE_INLINE T odeforge_heaviside(T x) {
  return x > T(0) ? T(1) : x < T(0) ? T(0) : x == T(0) ? T(0.5) : x;
}

// ─── The augmented right-hand side ─────────────────────────────────────────────────────────────────────
// dy = F(t, y, p) for the whole augmented vector, as straight-line code with common subexpressions shared.
// @odeforge:begin rhs
ODEFORGE_HD static ODEFORGE_INLINE void odeforge_rhs(real t, const real* __restrict__ y, const real* __restrict__ p,
                                                     real* __restrict__ dy) {
  (void)t;
  const real y_x = y[0];
  const real p_a = p[0];
  const real phi_0_0 = y[1];
  dy[0] = -p_a * y_x;      // dx/dt
  dy[1] = -p_a * phi_0_0;  // d/dt ∂x/∂x(t0)
}
// @odeforge:end rhs

// ─── One attempted Runge–Kutta step ────────────────────────────────────────────────────────────────────
// From (t, y) with the signed step h; k[0] holds F(t, y) on entry. Evaluates the stages 2..s into k[1..]
// (the stiffness stage from z_stiff), writes the new augmented vector to y_new, and returns the max norm of
// the error estimate over the first `controlled` components, each scaled by atol + rtol·max(|y|, |y_new|):
// INFINITY when any new value is not finite, 0 for fixed-step methods.
// @odeforge:begin step
ODEFORGE_HD static ODEFORGE_INLINE real odeforge_step(double t, double h, const real* __restrict__ y,
                                                      const real* __restrict__ p, real k[][ODEFORGE_M],
                                                      real* __restrict__ z, real* __restrict__ z_stiff,
                                                      real* __restrict__ y_new, real rtol, real atol,
                                                      int controlled) {
  (void)z;
  const real hr = (real)h;
  // Stage 2: z = y + h k1, k2 = F(t + h, z) (its input kept in z_stiff for the stiffness estimate).
  for (int i = 0; i < ODEFORGE_M; i++) z_stiff[i] = y[i] + hr * (k[0][i]);
  odeforge_rhs(t + h, z_stiff, p, k[1]);
  // The new value, and whether all of it is finite.
  real non_finite = 0;
  for (int i = 0; i < ODEFORGE_M; i++) {
    const real v = y[i] + hr * (0.5 * k[0][i] + 0.5 * k[1][i]);
    y_new[i] = v;
    non_finite += v * (real)0;
  }
  const bool finite = non_finite == 0;
  // The error estimate h Σ e_j k_j, scaled per component, max norm over the controlled ones; NaN wins.
  real err = 0;
  for (int i = 0; i < controlled; i++) {
    const real e = odeforge_fabs(hr * (-0.5 * k[0][i] + 0.5 * k[1][i])) /
                   (atol + rtol * odeforge_max(odeforge_fabs(y[i]), odeforge_fabs(y_new[i])));
    if (e > err || e != e) err = e;
  }
  return finite ? err : (real)INFINITY;
}
// @odeforge:end step

// ─── The driver: one trajectory ────────────────────────────────────────────────────────────────────────

/** Consecutive stability-limited steps after which an adaptive method reports stiffness (as the TS driver). */
#define ODEFORGE_STIFF_STEP_LIMIT 1000
/**
 * Consecutive attempts from one point that gave a non-finite value, after which an adaptive integration stops
 * with ODEFORGE_STATUS_NON_FINITE (NON_FINITE_CUTS of the TS driver). Each cuts the step by 4, together by
 * 4^20 ≈ 10^12: enough to step back inside the domain of a square root or below an overflow.
 */
#define ODEFORGE_NON_FINITE_CUTS 20

/**
 * First step by Hairer, Nørsett & Wanner, Solving ODEs I, II.4: a step whose Euler error, judged by the change
 * of F over it, is about the tolerance. Uses one extra evaluation of F (into f1, with scratch for the point).
 * NaN when the error scale atol + rtol·|y| of a component is 0 (atol = 0 and y = 0).
 */
ODEFORGE_HD static ODEFORGE_INLINE double odeforge_initial_step(double t0, const real* y, const real* f0,
                                                               const real* p, double dir, double span, int count,
                                                               real rtol, real atol, real* scratch, real* f1) {
  real d0 = 0;
  real d1 = 0;
  for (int i = 0; i < count; i++) {
    const real sc = atol + rtol * odeforge_fabs(y[i]);
    d0 = odeforge_max(d0, odeforge_fabs(y[i]) / sc);
    d1 = odeforge_max(d1, odeforge_fabs(f0[i]) / sc);
  }
  double h0 = d0 < (real)1e-5 || d1 < (real)1e-5 ? 1e-6 : 0.01 * (double)(d0 / d1);
  h0 = odeforge_min(h0, span);
  const real step = (real)(dir * h0);
  ODEFORGE_UNROLL
  for (int i = 0; i < ODEFORGE_M; i++) scratch[i] = y[i] + step * f0[i];
  odeforge_rhs((real)(t0 + dir * h0), scratch, p, f1);
  real d2 = 0;
  for (int i = 0; i < count; i++) {
    const real sc = atol + rtol * odeforge_fabs(y[i]);
    d2 = odeforge_max(d2, odeforge_fabs(f1[i] - f0[i]) / sc);
  }
  d2 /= (real)h0;
  const int order = ODEFORGE_ORDER > 1 ? ODEFORGE_ORDER : 1;
  const real dmax = odeforge_max(d1, d2);
  const double h1 = dmax <= (real)1e-15 ? odeforge_max(1e-6, h0 * 1e-3)
                                        : (double)odeforge_pow((real)0.01 / dmax, (real)(1.0 / (order + 1)));
  // F non-finite at the trial point (outside its domain, say) makes h1 NaN or 0: then the first guess stands,
  // and the step control cuts it down from there.
  return h1 > 0 ? odeforge_min(odeforge_min(100 * h0, h1), span) : h0;
}

#if ODEFORGE_STIFF_STAGE >= 0
/**
 * ρ ≈ ‖f_new − f_z‖ / ‖y_new − z‖: two slopes at t + h, at two nearby points, over the whole augmented vector,
 * each component weighted by 1/(1 + |y_new_i|); NaN when the two points agree to rounding (it says nothing).
 */
ODEFORGE_HD static ODEFORGE_INLINE real odeforge_stiffness_rho(const real* f_new, const real* f_z, const real* y_new,
                                                              const real* z) {
  real df = 0;
  real dz = 0;
  ODEFORGE_UNROLL
  for (int i = 0; i < ODEFORGE_M; i++) {
    const real w = 1 / (1 + odeforge_fabs(y_new[i]));
    df = odeforge_max(df, odeforge_fabs(f_new[i] - f_z[i]) * w);
    dz = odeforge_max(dz, odeforge_fabs(y_new[i] - z[i]) * w);
  }
  return dz > (real)1e-13 ? df / dz : (real)NAN;
}
#endif

/** A step size too small to move t (tooSmall of the TS driver). */
ODEFORGE_HD static ODEFORGE_INLINE bool odeforge_too_small(double h, double t) {
  return h <= 16 * ODEFORGE_REAL_EPSILON * odeforge_max(fabs(t), 4.9406564584124654e-324);
}

/** Where one trajectory ended: status (ODEFORGE_STATUS_*), the time reached and the step counts. */
struct odeforge_outcome {
  int status;
  double t;
  int steps;
  int rejected;
};

/**
 * Integrates one trajectory from t0 to t1 (backward when t1 < t0), in place: y holds the augmented initial
 * vector on entry and the augmented vector at the time reached on return (t1, or where it failed: the last
 * accepted point). dt > 0 is the first step (adaptive) or the step (fixed); dt = 0 estimates the first step.
 * The error norm covers the first `controlled` components (ODEFORGE_N: the state only). Fixed steps are
 * counted from t0, as by the TS driver: t_k = t0 + k·dt, max(1, ⌈span/dt − 1e-9⌉) of them, the last landing on
 * t1, each step t_{k+1} − t_k as rounded (so that y advances by the same step as t).
 *
 * Numeric faults, as the TS driver: NaN or ±Infinity anywhere in F(t0, y0), or a first-step estimate that is
 * not a positive number, is ODEFORGE_STATUS_NON_FINITE at t0 with y0; a step that does not move t (below its
 * rounding resolution) is ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW; an adaptive run stops as non-finite after
 * ODEFORGE_NON_FINITE_CUTS non-finite attempts in a row from one point, or when they cut h too small.
 *
 * Each attempted step is judged twice, as in the TypeScript driver: for accuracy (the error norm, which also
 * rejects non-finite values anywhere in the augmented vector), then for stability — h·ρ, with ρ the stiffness
 * estimate, must stay within the method's stability boundary when the norm does not cover the sensitivities
 * (past it they grow without bound while the state looks fine); and many steps in a row held at that
 * boundary mean the problem is stiff, reported as ODEFORGE_STATUS_STIFF.
 */
ODEFORGE_HD static ODEFORGE_INLINE odeforge_outcome odeforge_integrate(double t0, double t1, real* y, const real* p,
                                                                      double rtol_, double atol_, double dt,
                                                                      double max_steps, int controlled) {
  const bool adaptive = ODEFORGE_ERROR_ORDER > 0;
  const real rtol = (real)rtol_;
  const real atol = (real)atol_;
  real k[ODEFORGE_STAGES][ODEFORGE_M];
  real z[ODEFORGE_M];
  real z_stiff[ODEFORGE_STIFF_STAGE >= 0 ? ODEFORGE_M : 1];
  real y_new[ODEFORGE_M];
#if !ODEFORGE_FSAL
  real f_new[ODEFORGE_M];
#endif

  odeforge_outcome out = {ODEFORGE_STATUS_OK, t0, 0, 0};
  const double dir = t1 >= t0 ? 1.0 : -1.0;
  const double span = fabs(t1 - t0);
  double t = t0;
  odeforge_rhs(t, y, p, k[0]);
  // NaN or ±Infinity in F(t0, y0), in the sensitivities' part too, fails every step from t0: say so at once,
  // rather than after max_steps rejections (or, with fixed steps, after the first step).
  if (span > 0) {
    bool finite = true;
    for (int i = 0; i < ODEFORGE_M; i++) finite = finite && isfinite(k[0][i]);
    if (!finite) {
      out.status = ODEFORGE_STATUS_NON_FINITE;
      return out;
    }
  }

  double h;
  if (dt > 0) {
    h = odeforge_min(dt, span);
  } else {
    h = odeforge_initial_step(t0, y, k[0], p, dir, span, controlled, rtol, atol, z, y_new);
    if (span > 0 && !(h > 0)) {
      out.status = ODEFORGE_STATUS_NON_FINITE;
      return out;
    }
  }
  // Fixed stepping: how many steps reach t1 (as many steps of dt as fit, to a relative 1e-9, then one that
  // lands on t1); a double, as max_steps, since span/dt may exceed any int.
  const double fixed_steps = adaptive ? 0 : odeforge_max(1.0, ceil(span / dt - 1e-9));
  int non_finite_run = 0;
  // Attempts so far (accepted + rejected), kept as a double: the step limit and the fixed steps' t_k = t0 + k·dt
  // read it every step, and an int-to-double conversion there costs more on the GPU than the addition here.
  double attempts = 0;
  // Step-size factor 0.9·err^(-1/(q+1)), q the order of the embedded solution, clamped to [0.2, 5].
  const real exponent = (real)(-1.0 / (ODEFORGE_ERROR_ORDER + 1));
#if ODEFORGE_STIFF_STAGE >= 0
  // Stiffness: the last usable estimate of ρ, and the run of steps held at the stability boundary.
  real rho = 0;
  int stiff_steps = 0;
  int non_stiff_steps = 0;
  int rejected_before = 0;
#endif

  while (dir * (t1 - t) > 0) {
    if (attempts >= max_steps) {
      out.status = ODEFORGE_STATUS_MAX_STEPS;
      break;
    }
    double h_signed;
    double t_new;
    if (adaptive) {
      // The last step lands exactly on t1 (a remainder that exceeds h only by rounding counts as the last).
      const bool last = h * (1 + 1e-9) >= dir * (t1 - t);
      h_signed = last ? t1 - t : dir * h;
      t_new = last ? t1 : t + h_signed;
    } else {
      // t_{k+1} = t0 + (k+1)·dt, counted from t0 (a running sum drifts, and far from 0 rounds each t + dt to a
      // step other than dt); the last one, or one that rounding carries onto or past t1, is t1. (rejected is 0
      // with fixed steps: steps counts them.)
      const double k_next = attempts + 1;  // = out.steps + 1: fixed steps are never rejected
      const double tk = t0 + dir * (k_next * dt);
      t_new = k_next >= fixed_steps ? t1 : dir * (t1 - tk) > 0 ? tk : t1;
      // the step actually taken, so that y advances by the same step as t
      h_signed = t_new - t;
    }
    // A step below the rounding resolution of t leaves it where it is, for good.
    if (t_new == t) {
      out.status = ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW;
      break;
    }
    const real err = odeforge_step(t, h_signed, y, p, k, z, z_stiff, y_new, rtol, atol, controlled);
    attempts += 1;

    // 1. Accuracy. A rejected attempt retries from t with a smaller step, unless that is too small to make
    // progress, or steps from t have given nothing but non-finite values (overflow anywhere in the step, which
    // shrinks the step hard) ODEFORGE_NON_FINITE_CUTS times in a row.
    real factor = 1;
    if (adaptive) {
      if (!(err <= 1)) {
        const bool finite = isfinite(err);
        out.rejected++;
        non_finite_run = finite ? 0 : non_finite_run + 1;
        h *= finite ? (double)odeforge_max((real)0.2, (real)0.9 * odeforge_pow(err, exponent)) : 0.25;
        if (!finite && (non_finite_run >= ODEFORGE_NON_FINITE_CUTS || odeforge_too_small(h, t))) {
          out.status = ODEFORGE_STATUS_NON_FINITE;
          break;
        }
        if (odeforge_too_small(h, t)) {
          out.status = ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW;
          break;
        }
        continue;
      }
      non_finite_run = 0;
      factor = err == 0 ? (real)5
                        : odeforge_min((real)5, odeforge_max((real)0.2, (real)0.9 * odeforge_pow(err, exponent)));
    } else if (!(err < (real)INFINITY)) {
      out.status = ODEFORGE_STATUS_NON_FINITE;
      break;
    }

    // F at the new point, the next step's first stage: the last stage for FSAL methods, one evaluation otherwise.
#if ODEFORGE_FSAL
    real* const fn = k[ODEFORGE_STAGES - 1];
#else
    real* const fn = f_new;
    odeforge_rhs(t_new, y_new, p, fn);
#endif

#if ODEFORGE_STIFF_STAGE >= 0
    // 2. Stability. h·ρ, ρ ≈ ‖F(t+h, y_new) − F(t+h, z)‖ / ‖y_new − z‖ (Hairer & Wanner, Solving ODEs II,
    // IV.2), says how far out the dominant eigenvalue sits in the method's stability region.
    // ρ changes slowly: it is estimated on every 4th step and after rejections; the last good value stands in
    // between (and where the two points agree to rounding, when the estimate says nothing).
    if (adaptive) {
      if ((out.steps & 3) == 0 || out.rejected != rejected_before) {
        const real estimate = odeforge_stiffness_rho(fn, k[ODEFORGE_STIFF_STAGE], y_new, z_stiff);
        if (!isnan(estimate)) rho = estimate;
        rejected_before = out.rejected;
      }
      const double h_rho = fabs(h_signed) * (double)rho;
      // Past the boundary the sensitivities grow without bound even where the state's error looks fine, and a
      // state-only error norm would not notice: hold the step inside the stability region.
      if (controlled < ODEFORGE_M && h_rho > ODEFORGE_STABILITY_BOUNDARY) {
        out.rejected++;
        h *= odeforge_max(0.2, (0.9 * ODEFORGE_STABILITY_BOUNDARY) / h_rho);
        if (odeforge_too_small(h, t)) {
          out.status = ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW;
          break;
        }
        continue;
      }
      // …and let the next step grow only to the edge of the stability region (saves rejected attempts).
      if (h_rho > 0)
        factor = odeforge_min(factor, (real)odeforge_max(1.0, (0.9 * ODEFORGE_STABILITY_BOUNDARY) / h_rho));
      // Stiff: many steps held at the boundary, with at most a few unconstrained steps in between.
      if (h_rho > 0.8 * ODEFORGE_STABILITY_BOUNDARY) {
        stiff_steps++;
        non_stiff_steps = 0;
      } else if (++non_stiff_steps >= 6) {
        stiff_steps = 0;
      }
      if (stiff_steps >= ODEFORGE_STIFF_STEP_LIMIT) {
        out.status = ODEFORGE_STATUS_STIFF;
        break;
      }
    }
#endif

    // Accept.
    ODEFORGE_UNROLL
    for (int i = 0; i < ODEFORGE_M; i++) {
      y[i] = y_new[i];
      k[0][i] = fn[i];
    }
    t = t_new;
    out.steps++;
    h *= (double)factor;
  }
  out.t = t;
  return out;
}

// ─── The ensemble: inputs and outputs of many trajectories ─────────────────────────────────────────────

/**
 * Row-major arrays, one trajectory per row. Inputs: y0 (count×N), params (count×P, or NULL for the model's
 * defaults). Outputs: y (count×N) and, where not NULL, jacobian (count×N×N, when Φ is integrated),
 * param_jacobian (count×N×P, when S is), second_order (count×SECOND_SIZE, with order-2 sensitivities: the
 * second-order blocks as integrated, Ψ and Π as pairs j ≤ k; the caller unpacks them), t (time reached), status
 * (ODEFORGE_STATUS_*), steps (accepted) and rejected, one per trajectory. state_in (count×M, or NULL): whole
 * augmented vectors to start from instead of y0 and the identity (an ensemble resumed on the device);
 * state_out (count×M, or NULL): where the final augmented vectors are kept (for a later state_in).
 */
struct odeforge_ensemble {
  int count;
  double t0, t1;
  const real* y0;
  const real* params;
  double rtol, atol, dt, max_steps;
  real* y;
  real* jacobian;
  real* param_jacobian;
  real* second_order;
  double* t;
  int* status;
  int* steps;
  int* rejected;
  const real* state_in;
  real* state_out;
};

/** Trajectory i of the ensemble: reads its y0 and parameters, integrates, writes its results. */
ODEFORGE_HD static ODEFORGE_INLINE odeforge_outcome odeforge_trajectory(const odeforge_ensemble& e, int i) {
  const size_t row = (size_t)i;
  const real defaults[ODEFORGE_P_ALLOC] = ODEFORGE_PARAM_DEFAULTS;
  real p[ODEFORGE_P_ALLOC];
  for (int j = 0; j < ODEFORGE_P_ALLOC; j++) p[j] = defaults[j];
  if (e.params != NULL)
    for (int j = 0; j < ODEFORGE_P; j++) p[j] = e.params[row * ODEFORGE_P + j];
  real y[ODEFORGE_M];
  if (e.state_in != NULL) {
    for (int j = 0; j < ODEFORGE_M; j++) y[j] = e.state_in[row * ODEFORGE_M + j];
  } else {
    for (int j = 0; j < ODEFORGE_M; j++) y[j] = 0;
    for (int j = 0; j < ODEFORGE_N; j++) y[j] = e.y0[row * ODEFORGE_N + j];
    if (ODEFORGE_PHI_OFFSET >= 0)
      for (int j = 0; j < ODEFORGE_N; j++) y[ODEFORGE_PHI_OFFSET + j * ODEFORGE_N + j] = 1;
  }

  const odeforge_outcome out = odeforge_integrate(e.t0, e.t1, y, p, e.rtol, e.atol, e.dt, e.max_steps, ODEFORGE_N);

  for (int j = 0; j < ODEFORGE_N; j++) e.y[row * ODEFORGE_N + j] = y[j];
  if (ODEFORGE_PHI_OFFSET >= 0 && e.jacobian != NULL)
    for (int j = 0; j < ODEFORGE_N * ODEFORGE_N; j++)
      e.jacobian[row * (ODEFORGE_N * ODEFORGE_N) + j] = y[ODEFORGE_PHI_OFFSET + j];
  if (ODEFORGE_SENS_OFFSET >= 0 && e.param_jacobian != NULL)
    for (int j = 0; j < ODEFORGE_N * ODEFORGE_P; j++)
      e.param_jacobian[row * (ODEFORGE_N * ODEFORGE_P) + j] = y[ODEFORGE_SENS_OFFSET + j];
  if (ODEFORGE_SECOND_SIZE > 0 && e.second_order != NULL)
    for (int j = 0; j < ODEFORGE_SECOND_SIZE; j++)
      e.second_order[row * ODEFORGE_SECOND_SIZE + j] = y[ODEFORGE_SECOND_OFFSET + j];
  if (e.state_out != NULL)
    for (int j = 0; j < ODEFORGE_M; j++) e.state_out[row * ODEFORGE_M + j] = y[j];
  if (e.t != NULL) e.t[row] = out.t;
  if (e.status != NULL) e.status[row] = out.status;
  if (e.steps != NULL) e.steps[row] = out.steps;
  if (e.rejected != NULL) e.rejected[row] = out.rejected;
  return out;
}

static odeforge_ensemble odeforge_make_ensemble(int count, double t0, double t1, const real* y0, const real* params,
                                                double rtol, double atol, double dt, double max_steps, real* y,
                                                real* jacobian, real* param_jacobian, real* second_order,
                                                double* t, int* status, int* steps, int* rejected) {
  odeforge_ensemble e = {count, t0,     t1,    y0,     params,   rtol, atol, dt,   max_steps,
                         y,     jacobian, param_jacobian, second_order, t, status, steps, rejected, NULL, NULL};
  return e;
}

// ─── Entry points (C linkage, for koffi or any FFI) ────────────────────────────────────────────────────

/**
 * The layout this library was generated for: {N, P, M, PHI_OFFSET, SENS_OFFSET, sizeof(real), HESS_OFFSET,
 * MIXED_OFFSET, PARAM_HESS_OFFSET, SECOND_OFFSET, SECOND_SIZE} (11 ints).
 */
extern "C" void odeforge_layout(int* out) {
  out[0] = ODEFORGE_N;
  out[1] = ODEFORGE_P;
  out[2] = ODEFORGE_M;
  out[3] = ODEFORGE_PHI_OFFSET;
  out[4] = ODEFORGE_SENS_OFFSET;
  out[5] = (int)sizeof(real);
  out[6] = ODEFORGE_HESS_OFFSET;
  out[7] = ODEFORGE_MIXED_OFFSET;
  out[8] = ODEFORGE_PARAM_HESS_OFFSET;
  out[9] = ODEFORGE_SECOND_OFFSET;
  out[10] = ODEFORGE_SECOND_SIZE;
}

/** Every trajectory on the CPU, one after the other: the same functions the kernel runs. Returns 0. */
extern "C" int odeforge_solve_cpu(int count, double t0, double t1, const real* y0, const real* params, double rtol,
                                  double atol, double dt, double max_steps, real* y, real* jacobian,
                                  real* param_jacobian, real* second_order, double* t, int* status, int* steps,
                                  int* rejected) {
  const odeforge_ensemble e = odeforge_make_ensemble(count, t0, t1, y0, params, rtol, atol, dt, max_steps, y,
                                                     jacobian, param_jacobian, second_order, t, status, steps,
                                                     rejected);
  for (int i = 0; i < count; i++) odeforge_trajectory(e, i);
  return 0;
}

#ifdef __CUDACC__
// ─── The GPU: one thread per trajectory ────────────────────────────────────────────────────────────────

/**
 * One thread per trajectory of e (a chunk of the ensemble). totals[0] and totals[1] receive the chunk's accepted
 * and rejected steps, summed over each warp first (one atomic per warp, not per trajectory), so that the host
 * need not copy back per-trajectory step counts to report the ensemble's.
 */
__global__ void odeforge_ensemble_kernel(const odeforge_ensemble e, unsigned long long* totals) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned long long accepted = 0;
  unsigned long long rejected = 0;
  if (i < e.count) {
    const odeforge_outcome out = odeforge_trajectory(e, i);
    accepted = (unsigned long long)out.steps;
    rejected = (unsigned long long)out.rejected;
  }
  if (totals == NULL) return;
  if ((blockDim.x & 31) == 0) {
    // Whole warps: every lane is there for the shuffles.
    for (int offset = 16; offset > 0; offset >>= 1) {
      accepted += __shfl_down_sync(0xffffffffu, accepted, offset);
      rejected += __shfl_down_sync(0xffffffffu, rejected, offset);
    }
    if ((threadIdx.x & 31) != 0) return;
  }
  if (accepted != 0) atomicAdd(&totals[0], accepted);
  if (rejected != 0) atomicAdd(&totals[1], rejected);
}
#endif

#if defined(__CUDACC__) || defined(ODEFORGE_CUDA_MOCK)
// ─── The host side of the GPU path ─────────────────────────────────────────────────────────────────────
// Built by nvcc; in tests also by g++ with ODEFORGE_CUDA_MOCK and a stand-in for the CUDA runtime calls used
// here (test/cuda/mock-cuda-runtime.h), whose "kernel" runs the trajectories on the host in stream order.
#include <string.h>

#include <chrono>
#include <mutex>
#include <new>
#include <thread>

/** Most chunks of one call, and the streams they take turns on (copies of one overlap kernels of another). */
#define ODEFORGE_MAX_CHUNKS 16
#define ODEFORGE_STREAMS 4
/** Flags of odeforge_cuda_run. */
#define ODEFORGE_KEEP_ON_DEVICE 1
#define ODEFORGE_RESUME_ON_DEVICE 2

/**
 * What one solver keeps between calls (odeforge_cuda_context_create): one device buffer and one pinned host
 * buffer, each grown when a call needs more and otherwise reused (no cudaMalloc or cudaHostAlloc per call), the
 * augmented vectors kept on the device for a resumed call, streams and events. Calls on one context are
 * serialised by its mutex (koffi runs them on worker threads).
 */
struct odeforge_cuda_context {
  std::mutex lock;
  bool ready;
  char* device;
  size_t device_capacity;
  char* pinned;
  size_t pinned_capacity;
  real* resident;
  size_t resident_capacity;
  /** Trajectories whose final augmented vectors are in `resident` (-1: none). */
  int resident_count;
  /** cudaMalloc and cudaHostAlloc calls so far (the tests check that steady calls make none). */
  long long allocations;
  cudaStream_t streams[ODEFORGE_STREAMS];
  /** Per chunk: before its copy in, before and after its kernel, after its copy out. */
  cudaEvent_t events[ODEFORGE_MAX_CHUNKS][4];
};

/** A new context, or NULL when out of host memory. CUDA resources are made by the first call that needs them. */
extern "C" void* odeforge_cuda_context_create(void) {
  odeforge_cuda_context* c = new (std::nothrow) odeforge_cuda_context();
  if (c == NULL) return NULL;
  c->ready = false;
  c->device = NULL;
  c->device_capacity = 0;
  c->pinned = NULL;
  c->pinned_capacity = 0;
  c->resident = NULL;
  c->resident_capacity = 0;
  c->resident_count = -1;
  c->allocations = 0;
  return c;
}

/** Frees a context's device and pinned memory, streams and events. */
extern "C" void odeforge_cuda_context_destroy(void* handle) {
  odeforge_cuda_context* c = (odeforge_cuda_context*)handle;
  if (c == NULL) return;
  {
    std::lock_guard<std::mutex> guard(c->lock);
    if (c->device != NULL) cudaFree(c->device);
    if (c->resident != NULL) cudaFree(c->resident);
    if (c->pinned != NULL) cudaFreeHost(c->pinned);
    if (c->ready) {
      for (int s = 0; s < ODEFORGE_STREAMS; s++) cudaStreamDestroy(c->streams[s]);
      for (int k = 0; k < ODEFORGE_MAX_CHUNKS; k++)
        for (int j = 0; j < 4; j++) cudaEventDestroy(c->events[k][j]);
    }
  }
  delete c;
}

/**
 * {device bytes, pinned bytes, resident bytes, resident trajectories (-1: none), allocations so far} into out
 * (5 doubles).
 */
extern "C" void odeforge_cuda_context_stats(void* handle, double* out) {
  odeforge_cuda_context* c = (odeforge_cuda_context*)handle;
  std::lock_guard<std::mutex> guard(c->lock);
  out[0] = (double)c->device_capacity;
  out[1] = (double)c->pinned_capacity;
  out[2] = (double)c->resident_capacity;
  out[3] = (double)c->resident_count;
  out[4] = (double)c->allocations;
}

static cudaError_t odeforge_context_ready(odeforge_cuda_context* c) {
  if (c->ready) return cudaSuccess;
  cudaError_t err = cudaSuccess;
  int streams = 0;
  int events = 0;
  for (; streams < ODEFORGE_STREAMS && err == cudaSuccess; streams++)
    err = cudaStreamCreateWithFlags(&c->streams[streams], cudaStreamNonBlocking);
  for (; events < ODEFORGE_MAX_CHUNKS * 4 && err == cudaSuccess; events++)
    err = cudaEventCreate(&c->events[events / 4][events % 4]);
  if (err != cudaSuccess) {
    // Undo what was made (the failed one was not).
    for (int s = 0; s < streams - 1; s++) cudaStreamDestroy(c->streams[s]);
    for (int k = 0; k < events - 1; k++) cudaEventDestroy(c->events[k / 4][k % 4]);
    return err;
  }
  c->ready = true;
  return cudaSuccess;
}

/** At least `need` bytes at *buffer: a larger buffer (half as large again, at least) when it has fewer. */
static cudaError_t odeforge_grow_device(odeforge_cuda_context* c, char** buffer, size_t* capacity, size_t need) {
  if (need <= *capacity) return cudaSuccess;
  if (*buffer != NULL) cudaFree(*buffer);
  *buffer = NULL;
  *capacity = 0;
  size_t size = need > *capacity + *capacity / 2 ? need : *capacity + *capacity / 2;
  cudaError_t err = cudaMalloc((void**)buffer, size);
  c->allocations++;
  if (err == cudaSuccess) *capacity = size;
  else *buffer = NULL;
  return err;
}

static cudaError_t odeforge_grow_pinned(odeforge_cuda_context* c, size_t need) {
  if (need <= c->pinned_capacity) return cudaSuccess;
  const size_t size = need > c->pinned_capacity + c->pinned_capacity / 2 ? need
                                                                         : c->pinned_capacity + c->pinned_capacity / 2;
  if (c->pinned != NULL) cudaFreeHost(c->pinned);
  c->pinned = NULL;
  c->pinned_capacity = 0;
  cudaError_t err = cudaHostAlloc((void**)&c->pinned, size, cudaHostAllocDefault);
  c->allocations++;
  if (err == cudaSuccess) c->pinned_capacity = size;
  else c->pinned = NULL;
  return err;
}

/**
 * f(begin, end) over [0, n), on several threads when the copy is large (`bytes` moved): a single thread moves
 * some 10 GB/s, and the copies between the caller's arrays and the pinned buffer are on the critical path.
 */
template <typename F>
static void odeforge_parallel(size_t n, size_t bytes, F f) {
  unsigned threads = 1;
  if (bytes >= ((size_t)8 << 20)) {
    threads = std::thread::hardware_concurrency() / 2;
    if (threads > 8) threads = 8;
    if (threads < 1) threads = 1;
  }
  if (threads == 1 || n < threads) {
    f((size_t)0, n);
    return;
  }
  std::thread pool[8];
  const size_t step = (n + threads - 1) / threads;
  for (unsigned j = 1; j < threads; j++) {
    const size_t begin = j * step < n ? j * step : n;
    const size_t end = begin + step < n ? begin + step : n;
    try {
      pool[j] = std::thread(f, begin, end);
    } catch (...) {
      f(begin, end);  // no thread to be had: this one does it
    }
  }
  f((size_t)0, step < n ? step : n);
  for (unsigned j = 1; j < threads; j++)
    if (pool[j].joinable()) pool[j].join();
}

/** n values converted from one type to another (double ↔ real), or copied when they agree. */
template <typename To, typename From>
static void odeforge_convert(To* to, const From* from, size_t n) {
  odeforge_parallel(n, n * (sizeof(To) + sizeof(From)), [=](size_t begin, size_t end) {
    if (sizeof(To) == sizeof(From)) memcpy(to + begin, from + begin, (end - begin) * sizeof(To));
    else
      for (size_t i = begin; i < end; i++) to[i] = (To)from[i];
  });
}

static size_t odeforge_align(size_t bytes) { return (bytes + 255) / 256 * 256; }

/** Where one chunk's arrays lie in the device buffer (and, at the same offsets, in the pinned buffer). */
struct odeforge_chunk {
  int first;
  int count;
  /** Inputs: [y0 | params]; outputs: [totals | y | jacobian | param_jacobian | second_order | t | status | steps |
   * rejected]; offsets from the start of the buffer, 0 bytes for an array not copied. */
  size_t in_offset;
  size_t in_bytes;
  size_t out_offset;
  size_t out_bytes;
  size_t part[11];
  size_t bytes[11];
};

/**
 * The ensemble on device 0 through a context: host arrays are the caller's (double for `real` values, whatever
 * the precision: the conversion happens here, in bulk, while staging through the pinned buffer). The rows are
 * cut into `chunks` (0: chosen here), each copied in, integrated and copied back on its own stream, so that the
 * copies of one chunk overlap the kernels of others; each chunk's inputs are one contiguous copy in and its
 * outputs one contiguous copy out. Outputs that are NULL are not copied back (and not computed into memory).
 * totals (2 doubles, or NULL) receives the accepted and rejected steps summed on the device.
 *
 * flags: ODEFORGE_KEEP_ON_DEVICE keeps the final augmented vectors in the context (replacing what it held);
 * ODEFORGE_RESUME_ON_DEVICE starts each trajectory from the augmented vector the context holds for its row
 * instead of y0 (cudaErrorInvalidValue when the context holds none, or for another count).
 *
 * timing_ms (4 floats, or NULL), from CUDA events except [3]: [0] the copies in (summed over chunks), [1] the
 * kernels (first start to last end), [2] the copies back (summed), [3] the whole call by the host clock (staging
 * and conversion included). Returns a cudaError_t (0 on success).
 */
extern "C" int odeforge_cuda_run(void* handle, int count, double t0, double t1, const double* y0,
                                 const double* params, double rtol, double atol, double dt, double max_steps,
                                 double* y, double* jacobian, double* param_jacobian, double* second_order, double* t,
                                 int* status, int* steps, int* rejected, double* totals, int block_size, int chunks,
                                 int flags, float* timing_ms) {
  const std::chrono::steady_clock::time_point began = std::chrono::steady_clock::now();
  odeforge_cuda_context* c = (odeforge_cuda_context*)handle;
  if (c == NULL) return (int)cudaErrorInvalidValue;
  std::lock_guard<std::mutex> guard(c->lock);
  const bool keep = (flags & ODEFORGE_KEEP_ON_DEVICE) != 0;
  const bool resume = (flags & ODEFORGE_RESUME_ON_DEVICE) != 0;
  if (resume && c->resident_count != count) return (int)cudaErrorInvalidValue;
  if (totals != NULL) totals[0] = totals[1] = 0;
  if (timing_ms != NULL) timing_ms[0] = timing_ms[1] = timing_ms[2] = timing_ms[3] = 0;
  if (count <= 0) {
    if (keep) c->resident_count = 0;
    return 0;
  }
  if (!resume && y0 == NULL) return (int)cudaErrorInvalidValue;
  cudaError_t err = odeforge_context_ready(c);
  if (err != cudaSuccess) return (int)err;

  // The chunks: one for small ensembles (the copies are short), else pieces of at least 65,536 trajectories.
  int pieces = chunks > 0 ? chunks : (count >= (1 << 17) ? count >> 16 : 1);
  if (pieces > 8 && chunks <= 0) pieces = 8;
  if (pieces > ODEFORGE_MAX_CHUNKS) pieces = ODEFORGE_MAX_CHUNKS;
  if (pieces > count) pieces = count;
  const size_t R = sizeof(real);
  const size_t row_in[2] = {resume ? 0 : ODEFORGE_N * R, params != NULL ? ODEFORGE_P * R : 0};
  const size_t row_out[11] = {
      0,
      ODEFORGE_N * R,
      jacobian != NULL && ODEFORGE_PHI_OFFSET >= 0 ? ODEFORGE_N * ODEFORGE_N * R : 0,
      param_jacobian != NULL && ODEFORGE_SENS_OFFSET >= 0 ? ODEFORGE_N * ODEFORGE_P * R : 0,
      second_order != NULL ? ODEFORGE_SECOND_SIZE * R : 0,
      t != NULL ? sizeof(double) : 0,
      status != NULL ? sizeof(int) : 0,
      steps != NULL ? sizeof(int) : 0,
      rejected != NULL ? sizeof(int) : 0,
      0,
      0,
  };
  odeforge_chunk part[ODEFORGE_MAX_CHUNKS];
  size_t total = 0;
  for (int k = 0; k < pieces; k++) {
    odeforge_chunk& ch = part[k];
    ch.first = (int)((long long)count * k / pieces);
    ch.count = (int)((long long)count * (k + 1) / pieces) - ch.first;
    const size_t n = (size_t)ch.count;
    ch.in_offset = total;
    for (int j = 0; j < 2; j++) {
      ch.part[j] = total;
      ch.bytes[j] = n * row_in[j];
      total += odeforge_align(ch.bytes[j]);
    }
    ch.in_bytes = total - ch.in_offset;
    ch.out_offset = total;
    for (int j = 0; j < 9; j++) {
      ch.part[2 + j] = total;
      ch.bytes[2 + j] = j == 0 ? 2 * sizeof(unsigned long long) : n * row_out[j];
      total += odeforge_align(ch.bytes[2 + j]);
    }
    ch.out_bytes = total - ch.out_offset;
  }
  err = odeforge_grow_device(c, &c->device, &c->device_capacity, total);
  if (err == cudaSuccess) err = odeforge_grow_pinned(c, total);
  if (err == cudaSuccess && (keep || resume)) {
    char* resident = (char*)c->resident;
    const size_t had = c->resident_capacity;
    err = odeforge_grow_device(c, &resident, &c->resident_capacity, (size_t)count * ODEFORGE_M * R);
    c->resident = (real*)resident;
    if (c->resident_capacity != had) c->resident_count = -1;  // a new buffer holds nothing yet
  }
  if (err != cudaSuccess) return (int)err;
  if (keep) c->resident_count = -1;  // until this call has written them all

  char* const dev = c->device;
  char* const pin = c->pinned;
  const int threads = block_size > 0 ? block_size : 128;
  // Enqueue every chunk: stage its inputs (converted to real) in the pinned buffer, copy them in, run it, copy
  // its outputs back; the GPU starts on chunk 0 while the host stages chunk 1.
  int enqueued = 0;
  for (int k = 0; k < pieces && err == cudaSuccess; k++) {
    const odeforge_chunk& ch = part[k];
    const cudaStream_t s = c->streams[k % ODEFORGE_STREAMS];
    const size_t n = (size_t)ch.count;
    if (ch.bytes[0] > 0) odeforge_convert((real*)(pin + ch.part[0]), y0 + (size_t)ch.first * ODEFORGE_N, n * ODEFORGE_N);
    if (ch.bytes[1] > 0)
      odeforge_convert((real*)(pin + ch.part[1]), params + (size_t)ch.first * ODEFORGE_P, n * ODEFORGE_P);
    cudaEventRecord(c->events[k][0], s);
    if (ch.in_bytes > 0) err = cudaMemcpyAsync(dev + ch.in_offset, pin + ch.in_offset, ch.in_bytes, cudaMemcpyHostToDevice, s);
    unsigned long long* dev_totals = (unsigned long long*)(dev + ch.part[2]);
    if (err == cudaSuccess) err = cudaMemsetAsync(dev_totals, 0, ch.bytes[2], s);
#define ODEFORGE_AT(j, type) (ch.bytes[j] > 0 ? (type)(dev + ch.part[j]) : (type)NULL)
    odeforge_ensemble e = odeforge_make_ensemble(
        ch.count, t0, t1, ODEFORGE_AT(0, const real*), ODEFORGE_AT(1, const real*), rtol, atol, dt, max_steps,
        ODEFORGE_AT(3, real*), ODEFORGE_AT(4, real*), ODEFORGE_AT(5, real*), ODEFORGE_AT(6, real*),
        ODEFORGE_AT(7, double*), ODEFORGE_AT(8, int*), ODEFORGE_AT(9, int*), ODEFORGE_AT(10, int*));
#undef ODEFORGE_AT
    if (resume) e.state_in = c->resident + (size_t)ch.first * ODEFORGE_M;
    if (keep) e.state_out = c->resident + (size_t)ch.first * ODEFORGE_M;
    cudaEventRecord(c->events[k][1], s);
    if (err == cudaSuccess) {
      const int blocks = (int)((n + threads - 1) / threads);
#ifdef __CUDACC__
      odeforge_ensemble_kernel<<<blocks, threads, 0, s>>>(e, dev_totals);
      err = cudaGetLastError();
#else
      // The mock's device memory is host memory, its streams run in order: the trajectories run here.
      err = odeforge_mock_launch(blocks, threads, s);
      for (int i = 0; err == cudaSuccess && i < ch.count; i++) {
        const odeforge_outcome o = odeforge_trajectory(e, i);
        dev_totals[0] += (unsigned long long)o.steps;
        dev_totals[1] += (unsigned long long)o.rejected;
      }
#endif
    }
    cudaEventRecord(c->events[k][2], s);
    if (err == cudaSuccess)
      err = cudaMemcpyAsync(pin + ch.out_offset, dev + ch.out_offset, ch.out_bytes, cudaMemcpyDeviceToHost, s);
    cudaEventRecord(c->events[k][3], s);
    enqueued = k + 1;
  }
  // As each chunk's outputs arrive, convert them into the caller's arrays (while later chunks still run).
  double accepted = 0;
  double rejected_steps = 0;
  for (int k = 0; k < enqueued; k++) {
    const cudaError_t done = cudaEventSynchronize(c->events[k][3]);
    if (err == cudaSuccess) err = done;
    if (err != cudaSuccess) continue;  // still wait for the rest: the pinned buffer must not be in use on return
    const odeforge_chunk& ch = part[k];
    const size_t n = (size_t)ch.count;
    const size_t first = (size_t)ch.first;
    const unsigned long long* sums = (const unsigned long long*)(pin + ch.part[2]);
    accepted += (double)sums[0];
    rejected_steps += (double)sums[1];
    odeforge_convert(y + first * ODEFORGE_N, (const real*)(pin + ch.part[3]), n * ODEFORGE_N);
    if (ch.bytes[4] > 0)
      odeforge_convert(jacobian + first * ODEFORGE_N * ODEFORGE_N, (const real*)(pin + ch.part[4]),
                       n * ODEFORGE_N * ODEFORGE_N);
    if (ch.bytes[5] > 0)
      odeforge_convert(param_jacobian + first * ODEFORGE_N * ODEFORGE_P, (const real*)(pin + ch.part[5]),
                       n * ODEFORGE_N * ODEFORGE_P);
    if (ch.bytes[6] > 0)
      odeforge_convert(second_order + first * ODEFORGE_SECOND_SIZE, (const real*)(pin + ch.part[6]),
                       n * ODEFORGE_SECOND_SIZE);
    if (ch.bytes[7] > 0) memcpy(t + first, pin + ch.part[7], ch.bytes[7]);
    if (ch.bytes[8] > 0) memcpy(status + first, pin + ch.part[8], ch.bytes[8]);
    if (ch.bytes[9] > 0) memcpy(steps + first, pin + ch.part[9], ch.bytes[9]);
    if (ch.bytes[10] > 0) memcpy(rejected + first, pin + ch.part[10], ch.bytes[10]);
  }
  if (err != cudaSuccess) return (int)err;
  if (keep) c->resident_count = count;
  if (totals != NULL) {
    totals[0] = accepted;
    totals[1] = rejected_steps;
  }
  if (timing_ms != NULL) {
    float copy_in = 0, copy_out = 0, kernels = 0;
    for (int k = 0; k < enqueued; k++) {
      float a = 0, b = 0, span = 0;
      cudaEventElapsedTime(&a, c->events[k][0], c->events[k][1]);
      cudaEventElapsedTime(&b, c->events[k][2], c->events[k][3]);
      cudaEventElapsedTime(&span, c->events[0][1], c->events[k][2]);
      copy_in += a;
      copy_out += b;
      if (span > kernels) kernels = span;
    }
    timing_ms[0] = copy_in;
    timing_ms[1] = kernels;
    timing_ms[2] = copy_out;
    timing_ms[3] = (float)std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
  }
  return 0;
}

/** Number of CUDA devices; returns a cudaError_t (non-zero when there is no driver or no device). */
extern "C" int odeforge_cuda_device_count(int* count) {
  *count = 0;
  return (int)cudaGetDeviceCount(count);
}

/** The name of a cudaError_t code, e.g. "cudaErrorNoDevice". */
extern "C" const char* odeforge_cuda_error_name(int code) { return cudaGetErrorName((cudaError_t)code); }

/** The name of device 0 into buf (len bytes); returns a cudaError_t. */
extern "C" int odeforge_cuda_device_name(char* buf, int len) {
  cudaDeviceProp prop;
  const cudaError_t err = cudaGetDeviceProperties(&prop, 0);
  if (err != cudaSuccess || len <= 0) return (int)err;
  int j = 0;
  for (; j < len - 1 && prop.name[j] != 0; j++) buf[j] = prop.name[j];
  buf[j] = 0;
  return 0;
}
#endif
