/*
 * Driver for the CasADi RK4 contender of bench/contenders.ts: CasADi builds one fixed RK4 step of the state and
 * its forward-mode AD derivative along the n columns of Phi (bench/reference/contenders_python.py, `codegen`),
 * code-generates it to C with its CodeGenerator (rk4aug.c / rk4aug.h) and writes problem.h (N, T1, Y0[N]);
 * this file runs M such steps from y0, Phi = I, over [0, T1] and times that inside C. No step-size control.
 *
 * Usage: rk4 M REPS [jacobian] -- prints one JSON line: ns per solve (timed inside over REPS solves after an
 * untimed one), steps, the final state and, with "jacobian", d y(T1) / d y0 (row-major).
 * Build: gcc -O3 -march=native -I DIR casadi_rk4_driver.c DIR/rk4aug.c -o DIR/rk4 -lm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "problem.h"
#include "rk4aug.h"

static casadi_int *iw;
static casadi_real *w;
static const casadi_real **arg;
static casadi_real **res;

/*
 * One solve: y (N) and Phi (N x N, CasADi's column-major order; column j is the derivative along y0_j). The
 * step writes into the other pair of buffers, which then swap roles; the result is left in buf[0].
 */
static void solve(long steps, double *buf[2], double *phibuf[2]) {
  const double h = T1 / (double)steps;
  double *y = buf[0], *phi = phibuf[0], *y2 = buf[1], *phi2 = phibuf[1];
  memcpy(y, Y0, sizeof(double) * N);
  memset(phi, 0, sizeof(double) * N * N);
  for (int i = 0; i < N; i++) phi[(long)i * N + i] = 1;
  for (long s = 0; s < steps; s++) {
    arg[0] = y, arg[1] = phi, arg[2] = &h;
    res[0] = y2, res[1] = phi2;
    if (rk4aug(arg, res, iw, w, 0)) {
      fprintf(stderr, "rk4aug failed\n");
      exit(1);
    }
    double *t = y;
    y = y2, y2 = t, t = phi, phi = phi2, phi2 = t;
  }
  buf[0] = y, buf[1] = y2, phibuf[0] = phi, phibuf[1] = phi2;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rk4 M REPS [jacobian]\n");
    return 2;
  }
  const long steps = atol(argv[1]) > 0 ? atol(argv[1]) : 1;
  const long reps = atol(argv[2]) > 0 ? atol(argv[2]) : 1;
  const int printJacobian = argc > 3 && strcmp(argv[3], "jacobian") == 0;
  casadi_int szArg, szRes, szIw, szW;
  rk4aug_work(&szArg, &szRes, &szIw, &szW);
  arg = malloc(sizeof(*arg) * (size_t)szArg);
  res = malloc(sizeof(*res) * (size_t)szRes);
  iw = malloc(sizeof(*iw) * (size_t)(szIw + 1));
  w = malloc(sizeof(*w) * (size_t)(szW + 1));
  double *buf[2] = {malloc(sizeof(double) * N), malloc(sizeof(double) * N)};
  double *phibuf[2] = {malloc(sizeof(double) * N * N), malloc(sizeof(double) * N * N)};

  solve(steps, buf, phibuf); /* warm-up, not timed */
  double sink = buf[0][0];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long r = 0; r < reps; r++) solve(steps, buf, phibuf), sink += phibuf[0][1];
  clock_gettime(CLOCK_MONOTONIC, &b);
  const double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)reps;

  const double *y = buf[0], *phi = phibuf[0];
  printf("{\"nsPerSolve\":%.1f,\"steps\":%ld,\"sink\":%.17g,\"y\":[", ns, steps, sink);
  for (int i = 0; i < N; i++) printf("%s%.17g", i ? "," : "", y[i]);
  printf("]");
  if (printJacobian) {
    printf(",\"jacobian\":[");
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) printf("%s%.17g", i || j ? "," : "", phi[(long)j * N + i]);
    printf("]");
  }
  printf("}\n");
  return 0;
}
