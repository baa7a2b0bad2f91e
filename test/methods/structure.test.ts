import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  compare,
  equals,
  ONE,
  parseCoefficient,
  type Rational,
  rational,
  sub,
  sum,
  ZERO,
} from '../../src/methods/exact.ts';
import { EXPLICIT_METHODS } from '../../src/methods/index.ts';
import { exactTableau, isRationalTableau } from './helpers.ts';

/** Feagin's 60-digit decimals satisfy the row-sum and weight-sum identities to about 1e-57. */
const DECIMAL_TOLERANCE = rational(1n, 10n ** 50n);

function expectClose(x: Rational, y: Rational, exact: boolean, what: string): void {
  if (exact) {
    expect(equals(x, y), what).toBe(true);
  } else {
    expect(compare(abs(sub(x, y)), DECIMAL_TOLERANCE), what).toBeLessThanOrEqual(0);
  }
}

describe.each(EXPLICIT_METHODS.map((m) => [m.name, m] as const))('tableau structure: %s', (_name, method) => {
  const s = method.c.length;
  const exact = isRationalTableau(method);
  const t = exactTableau(method);

  it('is an explicit RK method with a name, description, source and orders', () => {
    expect(method.family).toBe('explicit-rk');
    expect(method.name.length).toBeGreaterThan(0);
    expect(method.description.length).toBeGreaterThan(0);
    expect(method.source.length).toBeGreaterThan(20);
    expect(Number.isInteger(method.order) && method.order >= 1).toBe(true);
    if (method.errorEstimate !== undefined) {
      expect(Number.isInteger(method.errorEstimate.order)).toBe(true);
      expect(method.errorEstimate.order).toBeGreaterThanOrEqual(1);
      expect(method.errorEstimate.order).toBeLessThan(method.order);
    }
  });

  it('has consistent sizes: s nodes, s weights, a strictly lower-triangular matrix', () => {
    expect(s).toBeGreaterThanOrEqual(1);
    expect(method.a.length).toBe(s);
    expect(method.b.length).toBe(s);
    for (const [i, row] of method.a.entries()) expect(row.length, `a[${i}]`).toBe(i);
    const est = method.errorEstimate;
    if (est !== undefined) {
      expect('bHat' in est ? est.bHat.length : est.errorWeights.length).toBe(s);
    }
  });

  it('parses every coefficient', () => {
    const est = method.errorEstimate;
    const all = [
      ...method.c,
      ...method.a.flat(),
      ...method.b,
      ...(est === undefined ? [] : 'bHat' in est ? est.bHat : est.errorWeights),
    ];
    for (const x of all) expect(() => parseCoefficient(x), x).not.toThrow();
  });

  it('has c_0 = 0 and c_i = Σ_j a_ij', () => {
    expect(equals(t.c[0]!, ZERO)).toBe(true);
    for (const [i, row] of t.a.entries()) expectClose(sum(row), t.c[i]!, exact, `row ${i}`);
  });

  it('has Σ b = 1 and, when adaptive, Σ b̂ = 1 and Σ e = 0', () => {
    expectClose(sum(t.b), ONE, exact, 'Σ b');
    if (t.bHat !== undefined && t.e !== undefined) {
      expectClose(sum(t.bHat), ONE, exact, 'Σ b̂');
      expectClose(sum(t.e), ZERO, exact, 'Σ e');
      // The error estimate must not be identically zero.
      expect(t.e.some((x) => !equals(x, ZERO))).toBe(true);
    }
  });

  it('is FSAL exactly when its last stage is (t + h, y_{n+1})', () => {
    const lastIsSolution =
      s > 1 && equals(t.c[s - 1]!, ONE) && t.a[s - 1]!.every((x, j) => equals(x, t.b[j]!)) && equals(t.b[s - 1]!, ZERO);
    expect(method.fsal).toBe(lastIsSolution);
  });

  it('keeps the exact value of every weight difference (e = b − b̂)', () => {
    const { bHat, e } = t;
    if (bHat === undefined || e === undefined) return;
    for (const [j, bj] of t.b.entries()) expect(equals(add(bHat[j]!, e[j]!), bj)).toBe(true);
  });
});
