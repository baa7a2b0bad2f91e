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
  bool finite = true;
  for (int i = 0; i < ODEFORGE_M; i++) {
    const real v = y[i] + hr * (0.5 * k[0][i] + 0.5 * k[1][i]);
    y_new[i] = v;
    finite = finite && isfinite(v);
  }
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
    if ((double)out.steps + (double)out.rejected >= max_steps) {
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
      const double k_next = (double)out.steps + 1;
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
 * (ODEFORGE_STATUS_*), steps (accepted) and rejected, one per trajectory.
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
};

/** Trajectory i of the ensemble: reads its y0 and parameters, integrates, writes its results. */
ODEFORGE_HD static ODEFORGE_INLINE void odeforge_trajectory(const odeforge_ensemble& e, int i) {
  const size_t row = (size_t)i;
  const real defaults[ODEFORGE_P_ALLOC] = ODEFORGE_PARAM_DEFAULTS;
  real p[ODEFORGE_P_ALLOC];
  for (int j = 0; j < ODEFORGE_P_ALLOC; j++) p[j] = defaults[j];
  if (e.params != NULL)
    for (int j = 0; j < ODEFORGE_P; j++) p[j] = e.params[row * ODEFORGE_P + j];
  real y[ODEFORGE_M];
  for (int j = 0; j < ODEFORGE_M; j++) y[j] = 0;
  for (int j = 0; j < ODEFORGE_N; j++) y[j] = e.y0[row * ODEFORGE_N + j];
  if (ODEFORGE_PHI_OFFSET >= 0)
    for (int j = 0; j < ODEFORGE_N; j++) y[ODEFORGE_PHI_OFFSET + j * ODEFORGE_N + j] = 1;

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
  if (e.t != NULL) e.t[row] = out.t;
  if (e.status != NULL) e.status[row] = out.status;
  if (e.steps != NULL) e.steps[row] = out.steps;
  if (e.rejected != NULL) e.rejected[row] = out.rejected;
}

static odeforge_ensemble odeforge_make_ensemble(int count, double t0, double t1, const real* y0, const real* params,
                                                double rtol, double atol, double dt, double max_steps, real* y,
                                                real* jacobian, real* param_jacobian, real* second_order,
                                                double* t, int* status, int* steps, int* rejected) {
  odeforge_ensemble e = {count, t0, t1, y0, params, rtol, atol, dt, max_steps, y, jacobian, param_jacobian,
                         second_order, t, status, steps, rejected};
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

__global__ void odeforge_ensemble_kernel(const odeforge_ensemble e) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < e.count) odeforge_trajectory(e, i);
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

/**
 * The ensemble on device 0, arrays as in odeforge_solve_cpu (host memory): allocates device memory, copies the
 * inputs, launches one thread per trajectory (block_size threads a block, 0 for 128), copies the outputs back
 * and frees. Returns a cudaError_t (0 on success). When timing_ms is not NULL it receives, in milliseconds
 * measured with CUDA events: [0] copies to the device, [1] the kernel, [2] copies back, [3] all three.
 */
extern "C" int odeforge_solve_cuda(int count, double t0, double t1, const real* y0, const real* params, double rtol,
                                   double atol, double dt, double max_steps, real* y, real* jacobian,
                                   real* param_jacobian, real* second_order, double* t, int* status, int* steps,
                                   int* rejected, int block_size, float* timing_ms) {
  if (count <= 0) return 0;
  const size_t n = (size_t)count;
  // One device buffer, cut into the arrays (each aligned to 256 bytes).
  const size_t sizes[10] = {
      n * ODEFORGE_N * sizeof(real),                                                     // y0
      params != NULL ? n * ODEFORGE_P * sizeof(real) : 0,                                // params
      n * ODEFORGE_N * sizeof(real),                                                     // y
      jacobian != NULL && ODEFORGE_PHI_OFFSET >= 0 ? n * ODEFORGE_N * ODEFORGE_N * sizeof(real) : 0,
      param_jacobian != NULL && ODEFORGE_SENS_OFFSET >= 0 ? n * ODEFORGE_N * ODEFORGE_P * sizeof(real) : 0,
      second_order != NULL ? n * ODEFORGE_SECOND_SIZE * sizeof(real) : 0,                // second_order
      t != NULL ? n * sizeof(double) : 0,                                                // t
      status != NULL ? n * sizeof(int) : 0,                                              // status
      steps != NULL ? n * sizeof(int) : 0,                                               // steps
      rejected != NULL ? n * sizeof(int) : 0,                                            // rejected
  };
  size_t offsets[10];
  size_t total = 0;
  for (int j = 0; j < 10; j++) {
    offsets[j] = total;
    total += (sizes[j] + 255) / 256 * 256;
  }
  char* base = NULL;
  cudaEvent_t ev[4] = {NULL, NULL, NULL, NULL};
  cudaError_t err = cudaMalloc((void**)&base, total);
  for (int j = 0; j < 4 && err == cudaSuccess; j++) err = cudaEventCreate(&ev[j]);
  if (err == cudaSuccess) {
#define ODEFORGE_DEV(j, type) (sizes[j] > 0 ? (type)(base + offsets[j]) : (type)NULL)
    odeforge_ensemble e = odeforge_make_ensemble(
        count, t0, t1, ODEFORGE_DEV(0, const real*), ODEFORGE_DEV(1, const real*), rtol, atol, dt, max_steps,
        ODEFORGE_DEV(2, real*), ODEFORGE_DEV(3, real*), ODEFORGE_DEV(4, real*), ODEFORGE_DEV(5, real*),
        ODEFORGE_DEV(6, double*), ODEFORGE_DEV(7, int*), ODEFORGE_DEV(8, int*), ODEFORGE_DEV(9, int*));
#undef ODEFORGE_DEV
    // Copies in.
    cudaEventRecord(ev[0]);
    err = cudaMemcpy(base + offsets[0], y0, sizes[0], cudaMemcpyHostToDevice);
    if (err == cudaSuccess && sizes[1] > 0) err = cudaMemcpy(base + offsets[1], params, sizes[1], cudaMemcpyHostToDevice);
    // The kernel.
    cudaEventRecord(ev[1]);
    if (err == cudaSuccess) {
      const int threads = block_size > 0 ? block_size : 128;
      const int blocks = (int)((n + threads - 1) / threads);
      odeforge_ensemble_kernel<<<blocks, threads>>>(e);
      err = cudaGetLastError();
    }
    cudaEventRecord(ev[2]);
    // Copies out.
    void* host[10] = {NULL, NULL, y, jacobian, param_jacobian, second_order, t, status, steps, rejected};
    for (int j = 2; j < 10 && err == cudaSuccess; j++)
      if (sizes[j] > 0) err = cudaMemcpy(host[j], base + offsets[j], sizes[j], cudaMemcpyDeviceToHost);
    cudaEventRecord(ev[3]);
    if (err == cudaSuccess) err = cudaEventSynchronize(ev[3]);
    if (err == cudaSuccess && timing_ms != NULL) {
      cudaEventElapsedTime(&timing_ms[0], ev[0], ev[1]);
      cudaEventElapsedTime(&timing_ms[1], ev[1], ev[2]);
      cudaEventElapsedTime(&timing_ms[2], ev[2], ev[3]);
      cudaEventElapsedTime(&timing_ms[3], ev[0], ev[3]);
    }
  }
  for (int j = 0; j < 4; j++)
    if (ev[j] != NULL) cudaEventDestroy(ev[j]);
  if (base != NULL) cudaFree(base);
  return (int)err;
}
#endif
