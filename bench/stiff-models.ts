/**
 * The stiff section's problems (bench/stiff.ts), written as odeforge models. bench/reference/stiff_python.py
 * defines the same two for SciPy and CasADi: a change here must be made there too.
 */
import type { ModelSpec } from '../src/model/model.ts';

/** Robertson's chemical kinetics (Hairer–Wanner II, ROBER), the usual stiff test to t = 4e10. */
export const ROBERTSON: ModelSpec = {
  name: 'robertson',
  states: ['y1', 'y2', 'y3'],
  params: { k1: 0.04, k2: 1e4, k3: 3e7 },
  rhs: {
    y1: '-k1*y1 + k2*y2*y3',
    y2: 'k1*y1 - k2*y2*y3 - k3*y2^2',
    y3: 'k3*y2^2',
  },
};

export const ROBERTSON_Y0: readonly number[] = [1, 0, 0];

/** Grid points of the Brusselator (2N states). */
export const BRUSS_N = 50;
const BRUSS_ALPHA = 1 / 50;

/**
 * The 1-D Brusselator by the method of lines (Hairer–Wanner II, BRUSS): on x_i = i/(N+1), i = 1…N,
 *   u_i' = A + u_i² v_i − (B+1) u_i + α(N+1)² (u_{i−1} − 2u_i + u_{i+1}),
 *   v_i' = B u_i − u_i² v_i + α(N+1)² (v_{i−1} − 2v_i + v_{i+1}),
 * with u = 1, v = 3 at both boundaries, α = 1/50, and parameters A = 1, B = 3. States u1…uN, then v1…vN.
 */
export function brusselator(n = BRUSS_N): ModelSpec {
  // Written as the double Python computes (alpha * (N+1)**2), so that every contender integrates the same system.
  const c = String(BRUSS_ALPHA * (n + 1) ** 2);
  const u = (i: number) => (i < 1 || i > n ? '1' : `u${i}`);
  const v = (i: number) => (i < 1 || i > n ? '3' : `v${i}`);
  const rhs: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    rhs[`u${i}`] = `A + u${i}^2*v${i} - (B + 1)*u${i} + ${c}*(${u(i - 1)} - 2*u${i} + ${u(i + 1)})`;
  }
  for (let i = 1; i <= n; i++) {
    rhs[`v${i}`] = `B*u${i} - u${i}^2*v${i} + ${c}*(${v(i - 1)} - 2*v${i} + ${v(i + 1)})`;
  }
  return {
    name: `bruss-${n}`,
    states: [...Array.from({ length: n }, (_, k) => `u${k + 1}`), ...Array.from({ length: n }, (_, k) => `v${k + 1}`)],
    params: { A: 1, B: 3 },
    rhs,
  };
}

/** u_i(0) = 1 + sin(2π x_i), v_i(0) = 3. */
export function brusselatorY0(n = BRUSS_N): number[] {
  const u = Array.from({ length: n }, (_, k) => 1 + Math.sin(2 * Math.PI * ((k + 1) / (n + 1))));
  return [...u, ...Array.from({ length: n }, () => 3)];
}
