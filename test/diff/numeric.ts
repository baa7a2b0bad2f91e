/**
 * Reference derivatives for the symbolic differentiator: Ridders' method (Richardson extrapolation of
 * central differences on a shrinking step, Numerical Recipes §5.7), which also returns an estimate of its
 * own error, so a test can tell an inaccurate reference from a wrong derivative.
 */

export interface Estimate {
  readonly value: number;
  /** Ridders' error estimate. */
  readonly error: number;
}

/**
 * Extrapolates D(h) → D(0) for a difference quotient D whose error is a series in h² (both central
 * differences below are), starting from step h0 and dividing it by 1.4 up to 12 times.
 */
function extrapolate(quotient: (h: number) => number, h0: number): Estimate {
  const CON = 1.4;
  const CON2 = CON * CON;
  const NTAB = 12;
  const SAFE = 2;
  const a: number[][] = Array.from({ length: NTAB }, () => new Array<number>(NTAB).fill(0));
  let h = h0;
  a[0]![0] = quotient(h);
  let error = Number.POSITIVE_INFINITY;
  let value = a[0]![0]!;
  for (let i = 1; i < NTAB; i++) {
    h /= CON;
    a[0]![i] = quotient(h);
    let fac = CON2;
    for (let j = 1; j <= i; j++) {
      a[j]![i] = (a[j - 1]![i]! * fac - a[j - 1]![i - 1]!) / (fac - 1);
      fac *= CON2;
      const errt = Math.max(Math.abs(a[j]![i]! - a[j - 1]![i]!), Math.abs(a[j]![i]! - a[j - 1]![i - 1]!));
      if (errt <= error) {
        error = errt;
        value = a[j]![i]!;
      }
    }
    if (Math.abs(a[i]![i]! - a[i - 1]![i - 1]!) >= SAFE * error) break;
  }
  return { value, error };
}

/**
 * Ridders' tableau can stop early on a wrong value with an optimistic error estimate (sin(cos(tan(x))) at
 * x = 1.1 from h0 = 0.05 is off by 2e-7 and claims 3e-9). So extrapolate from three starting steps and keep
 * the two estimates that agree best: one spurious run cannot pass, and the error returned includes their
 * disagreement.
 */
function robust(quotient: (h: number) => number, h0: number): Estimate {
  const runs = [h0, h0 / 2.7, h0 / 7.3].map((h) => extrapolate(quotient, h));
  let best: Estimate = { value: Number.NaN, error: Number.POSITIVE_INFINITY };
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const [p, q] = [runs[i]!, runs[j]!];
      const value = p.error <= q.error ? p.value : q.value;
      const error = Math.max(p.error, q.error, Math.abs(p.value - q.value));
      if (error < best.error) best = { value, error };
    }
  }
  return best;
}

/** f'(x) by Ridders' method; f is only evaluated in [x - h0, x + h0]. */
export function firstDerivative(f: (x: number) => number, x: number, h0: number): Estimate {
  return robust((h) => (f(x + h) - f(x - h)) / (2 * h), h0);
}

/** f''(x) from second central differences, extrapolated the same way; f is evaluated in [x - h0, x + h0]. */
export function secondDerivative(f: (x: number) => number, x: number, h0: number): Estimate {
  const fx = f(x);
  return robust((h) => (f(x + h) - 2 * fx + f(x - h)) / (h * h), h0);
}

/** |got - want| within rtol of the larger of |want| and `floor` (a scale below which the error is absolute). */
export function close(got: number, want: number, rtol: number, floor = 1): boolean {
  return Math.abs(got - want) <= rtol * Math.max(Math.abs(want), floor);
}
