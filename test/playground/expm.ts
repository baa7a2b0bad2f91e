/**
 * The matrix exponential, for the playground test's reference: scaling and squaring with a Taylor series
 * (‖A/2^s‖ ≤ 1/2, 30 terms: far below double rounding), on small dense row-major matrices. Independent of
 * odeforge on purpose — no integration, no generated code.
 */

function multiply(a: readonly number[], b: readonly number[], n: number): number[] {
  const c = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * n + k]! * b[k * n + j]!;
  return c;
}

/** expm(A) for an n×n row-major A. */
export function expm(a: readonly number[], n: number): number[] {
  const norm = Math.max(
    ...Array.from({ length: n }, (_, i) => a.slice(i * n, (i + 1) * n).reduce((s, x) => s + Math.abs(x), 0)),
  );
  const s = Math.max(0, Math.ceil(Math.log2(norm / 0.5)));
  const scaled = a.map((x) => x / 2 ** s);
  const identity: number[] = Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  let sum = identity;
  let term = identity;
  for (let k = 1; k <= 30; k++) {
    term = multiply(term, scaled, n).map((x) => x / k);
    sum = sum.map((x, i) => x + term[i]!);
  }
  for (let k = 0; k < s; k++) sum = multiply(sum, sum, n);
  return sum;
}

/**
 * The Fréchet derivative of expm at A in the direction E, d/dε expm(A + εE) at ε = 0: the upper right block of
 * expm([[A, E], [0, A]]) (Van Loan's block formula).
 */
export function expmFrechet(a: readonly number[], e: readonly number[], n: number): number[] {
  const m = 2 * n;
  const block = new Array<number>(m * m).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      block[i * m + j] = a[i * n + j]!;
      block[(i + n) * m + j + n] = a[i * n + j]!;
      block[i * m + j + n] = e[i * n + j]!;
    }
  const big = expm(block, m);
  return Array.from({ length: n * n }, (_, k) => big[Math.floor(k / n) * m + n + (k % n)]!);
}

/** A·v for an n×n row-major A. */
export function matVec(a: readonly number[], v: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => v.reduce((s, x, j) => s + a[i * n + j]! * x, 0));
}

/** max |a_i − b_i|, and Infinity when the lengths differ. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}
