/**
 * The symplectic methods as data: registry, coefficient sums, symmetry, and the order conditions of general
 * splitting methods checked in exact rational arithmetic on the coefficients as written.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.ts';
import {
  abs,
  add,
  div,
  mul,
  ONE,
  parseCoefficient,
  type Rational,
  rational,
  rationalToNumber,
  sub,
  sum,
  ZERO,
} from '../../src/methods/exact.ts';
import { ALL_METHODS, explicitMethod, findMethod } from '../../src/methods/index.ts';
import {
  ABAS5O6H,
  BABS9O7H,
  SYMPLECTIC_EULER,
  SYMPLECTIC_METHODS,
  splittingSequence,
} from '../../src/methods/symplectic/index.ts';
import type { SymplecticMethod } from '../../src/methods/symplectic/types.ts';

/**
 * The coefficient of the word w (letters 'drift' | 'kick') in the product Π_j exp(c_j X_j) of the method's maps,
 * as a series in non-commuting X_drift, X_kick. The exact flow exp(X_drift + X_kick) has 1/|w|! for every word, so
 * a method has order p when every word of length ≤ p has that coefficient (the maps' order in the product does
 * not matter: reversing the product reverses every word, and the set of conditions is closed under that).
 */
function wordCoefficient(method: SymplecticMethod, word: readonly string[]): Rational {
  // ways[r]: the coefficient of the word's first r letters in the product of the factors so far
  let ways: Rational[] = [ONE, ...word.map(() => ZERO)];
  for (const { map, coefficient } of splittingSequence(method)) {
    const c = parseCoefficient(coefficient);
    const next = [...ways];
    for (let end = 1; end <= word.length; end++) {
      // this factor takes letters start+1 … end, all of its kind: c^t / t!
      let term = ONE;
      for (let t = 1; t <= end && word[end - t] === map; t++) {
        term = div(mul(term, c), rational(BigInt(t)));
        next[end] = add(next[end]!, mul(ways[end - t]!, term));
      }
    }
    ways = next;
  }
  return ways[word.length]!;
}

function words(length: number): string[][] {
  if (length === 0) return [[]];
  return words(length - 1).flatMap((w) => [
    [...w, 'drift'],
    [...w, 'kick'],
  ]);
}

const factorial = (k: number): bigint => (k <= 1 ? 1n : BigInt(k) * factorial(k - 1));

/** The largest |coefficient − 1/k!| over the words of length k. */
function defect(method: SymplecticMethod, k: number): number {
  let worst = 0;
  for (const w of words(k)) {
    worst = Math.max(worst, rationalToNumber(abs(sub(wordCoefficient(method, w), rational(1n, factorial(k))))));
  }
  return worst;
}

describe('symplectic methods: registry', () => {
  it("are found by DESolver's names, as the 'symplectic' family, fixed step", () => {
    expect(findMethod('SymplecticEuler')).toBe(SYMPLECTIC_EULER);
    expect(findMethod('abas5o6h')).toBe(ABAS5O6H);
    expect(findMethod('BABS9O7H')).toBe(BABS9O7H);
    for (const m of SYMPLECTIC_METHODS) {
      expect(ALL_METHODS).toContain(m);
      expect(m.family).toBe('symplectic');
      expect(m.errorEstimate).toBeUndefined();
      expect(m.source).toMatch(/arXiv:1501\.04345|Geometric Numerical Integration/);
    }
    expect([SYMPLECTIC_EULER.order, ABAS5O6H.order, BABS9O7H.order]).toEqual([1, 4, 4]);
    expect([ABAS5O6H.harmonicOrder, BABS9O7H.harmonicOrder]).toEqual([6, 6]);
  });

  it('are refused by the targets with explicit Runge–Kutta methods only', () => {
    expect(() => explicitMethod(ABAS5O6H, "target 'cuda'")).toThrow(OptionError);
    expect(() => explicitMethod(ABAS5O6H, "target 'cuda'")).toThrow(
      "method: ABAs5o6H is a symplectic splitting method; target 'cuda' has explicit Runge–Kutta methods only",
    );
  });
});

describe.each(SYMPLECTIC_METHODS.map((m) => [m.name, m] as const))('%s as data', (_name, method) => {
  const sequence = splittingSequence(method);

  it('alternates drifts and kicks, starting as its name says', () => {
    sequence.forEach((s, i) => {
      if (i > 0) expect(s.map).not.toBe(sequence[i - 1]!.map);
    });
    if (method !== SYMPLECTIC_EULER) expect(sequence[0]!.map).toBe(method.name.startsWith('ABA') ? 'drift' : 'kick');
  });

  it('has drift and kick coefficients that each sum to 1 (to the 16 digits printed)', () => {
    for (const list of [method.drift, method.kick]) {
      const total = sum(list.map(parseCoefficient));
      const off = rationalToNumber(abs(sub(total, ONE)));
      // ABAs5o6H's and BABs9o7H's are 16–17-digit decimals: within one unit of the 16th decimal.
      expect(off).toBeLessThanOrEqual(method === SYMPLECTIC_EULER ? 0 : 1e-16);
    }
  });

  it('is symmetric exactly when it says so (the composition reads the same backwards)', () => {
    const reversed = [...sequence].reverse();
    const palindrome = sequence.every(
      (s, i) =>
        s.map === reversed[i]!.map &&
        parseCoefficient(s.coefficient).num * parseCoefficient(reversed[i]!.coefficient).den ===
          parseCoefficient(reversed[i]!.coefficient).num * parseCoefficient(s.coefficient).den,
    );
    expect(palindrome).toBe(method.symmetric);
  });

  it('satisfies the order conditions of its order, and not those of the next', () => {
    // SymplecticEuler's rationals satisfy them exactly; the printed decimals to their rounding.
    const tolerance = method === SYMPLECTIC_EULER ? 0 : 1e-14;
    for (let k = 1; k <= method.order; k++)
      expect(defect(method, k), `words of length ${k}`).toBeLessThanOrEqual(tolerance);
    expect(defect(method, method.order + 1)).toBeGreaterThan(1e-6);
  });
});
