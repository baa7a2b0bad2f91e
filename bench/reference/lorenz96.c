/*
 * Hand-written C for Lorenz-96 with its full NxN variational system, the yardstick of the scaling benchmark:
 *   dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F   (indices cyclic),   Phi' = J Phi,   Phi(0) = I.
 * J has four non-zeros per row, so row i of Phi' is a combination of four rows of Phi — the sparsity that
 * odeforge finds symbolically, written here as loops that the compiler vectorises.
 * Cash-Karp 5(4) with the controller of bench/reference/seed-rk45ck.ts: max norm over the state only, safety
 * 0.9, factor clamped to [0.2, 5], exponent -1/5, the last step lands exactly on t1.
 *
 * Usage: lorenz96 N T1 TOL DT REPS [jacobian] — y0_i = F + sin(i + 1), F = 8, rtol = atol = TOL, first step
 * DT. Prints one JSON line: ns per solve (timed inside, start-up not counted), steps, rejected, the final
 * state, and Phi (row-major) when the sixth argument is "jacobian".
 * Build: gcc -O3 -march=native lorenz96.c -o lorenz96 -lm
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const double F = 8;

static const double A21 = 1.0 / 5;
static const double A31 = 3.0 / 40, A32 = 9.0 / 40;
static const double A41 = 3.0 / 10, A42 = -9.0 / 10, A43 = 6.0 / 5;
static const double A51 = -11.0 / 54, A52 = 5.0 / 2, A53 = -70.0 / 27, A54 = 35.0 / 27;
static const double A61 = 1631.0 / 55296, A62 = 175.0 / 512, A63 = 575.0 / 13824, A64 = 44275.0 / 110592,
                    A65 = 253.0 / 4096;
static const double B1 = 37.0 / 378, B3 = 250.0 / 621, B4 = 125.0 / 594, B6 = 512.0 / 1771;
static const double E1 = 37.0 / 378 - 2825.0 / 27648, E3 = 250.0 / 621 - 18575.0 / 48384,
                    E4 = 125.0 / 594 - 13525.0 / 55296, E5 = -277.0 / 14336, E6 = 512.0 / 1771 - 1.0 / 4;

static int n;     /* states */
static long m;    /* n + n*n, the augmented length */
static double *k1, *k2, *k3, *k4, *k5, *k6, *z, *ynew;

static inline int wrap(int i) { return (i % n + n) % n; }

/* Augmented right-hand side: y = [x | Phi row-major]. */
static void rhs(const double *restrict y, double *restrict dy) {
  const double *x = y, *phi = y + n;
  double *dphi = dy + n;
  for (int i = 0; i < n; i++) {
    const int ip = wrap(i + 1), im = wrap(i - 1), im2 = wrap(i - 2);
    dy[i] = (x[ip] - x[im2]) * x[im] - x[i] + F;
    /* Row i of J: d/dx_{i+1} = x_{i-1}, d/dx_{i-2} = -x_{i-1}, d/dx_{i-1} = x_{i+1} - x_{i-2}, d/dx_i = -1. */
    const double a = x[im], b = x[ip] - x[im2];
    const double *rp = phi + (long)ip * n, *rm = phi + (long)im * n, *rm2 = phi + (long)im2 * n,
                 *ri = phi + (long)i * n;
    double *out = dphi + (long)i * n;
    for (int j = 0; j < n; j++) out[j] = a * (rp[j] - rm2[j]) + b * rm[j] - ri[j];
  }
}

typedef struct {
  int steps, rejected;
} Stats;

static Stats solve(double *y, double t0, double t1, double h, double rtol, double atol) {
  Stats st = {0, 0};
  double t = t0;
  while (t < t1) {
    const int last = h >= t1 - t;
    if (last) h = t1 - t;
    rhs(y, k1);
    for (long i = 0; i < m; i++) z[i] = y[i] + h * (A21 * k1[i]);
    rhs(z, k2);
    for (long i = 0; i < m; i++) z[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
    rhs(z, k3);
    for (long i = 0; i < m; i++) z[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
    rhs(z, k4);
    for (long i = 0; i < m; i++) z[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
    rhs(z, k5);
    for (long i = 0; i < m; i++)
      z[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
    rhs(z, k6);
    for (long i = 0; i < m; i++) ynew[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B6 * k6[i]);
    double err = 0;
    for (int i = 0; i < n; i++) { /* error control on the state only */
      const double e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i]);
      const double r = fabs(e) / (atol + rtol * fmax(fabs(y[i]), fabs(ynew[i])));
      if (r > err) err = r;
    }
    const double factor = err == 0 ? 5.0 : fmin(5.0, fmax(0.2, 0.9 * pow(err, -0.2)));
    if (err <= 1) {
      memcpy(y, ynew, sizeof(double) * (size_t)m);
      t = last ? t1 : t + h;
      st.steps++;
    } else {
      st.rejected++;
    }
    h *= factor;
  }
  return st;
}

static Stats run_once(double *y, double t1, double tol, double dt) {
  memset(y, 0, sizeof(double) * (size_t)m);
  for (int i = 0; i < n; i++) y[i] = F + sin(i + 1.0), y[n + (long)i * n + i] = 1;
  return solve(y, 0, t1, dt, tol, tol);
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: lorenz96 N T1 TOL DT REPS [jacobian]\n");
    return 2;
  }
  n = atoi(argv[1]);
  const double t1 = atof(argv[2]), tol = atof(argv[3]), dt = atof(argv[4]);
  const long reps = atol(argv[5]) > 0 ? atol(argv[5]) : 1;
  const int printJacobian = argc > 6 && strcmp(argv[6], "jacobian") == 0;
  if (n < 4) {
    fprintf(stderr, "N must be at least 4\n");
    return 2;
  }
  m = n + (long)n * n;
  double **bufs[] = {&k1, &k2, &k3, &k4, &k5, &k6, &z, &ynew};
  for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++) *bufs[b] = malloc(sizeof(double) * (size_t)m);
  double *y = malloc(sizeof(double) * (size_t)m);

  Stats st = run_once(y, t1, tol, dt); /* warm-up, not timed */
  double sink = y[0];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long r = 0; r < reps; r++) st = run_once(y, t1, tol, dt), sink += y[n];
  clock_gettime(CLOCK_MONOTONIC, &b);
  const double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)reps;

  printf("{\"nsPerSolve\":%.1f,\"steps\":%d,\"rejected\":%d,\"sink\":%.17g,\"y\":[", ns, st.steps, st.rejected,
         sink);
  for (int i = 0; i < n; i++) printf("%s%.17g", i ? "," : "", y[i]);
  printf("]");
  if (printJacobian) {
    printf(",\"jacobian\":[");
    for (long i = 0; i < (long)n * n; i++) printf("%s%.17g", i ? "," : "", y[n + i]);
    printf("]");
  }
  printf("}\n");
  return 0;
}
