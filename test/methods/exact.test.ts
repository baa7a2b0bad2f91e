import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  coefficientToNumber,
  compare,
  div,
  embeddedWeights,
  equals,
  errorWeights,
  exactEmbeddedWeights,
  exactErrorWeights,
  mul,
  neg,
  parseCoefficient,
  type Rational,
  rational,
  rationalToNumber,
  rationalToString,
  sub,
} from '../../src/methods/exact.ts';
import { DORMAND_PRINCE, EXPLICIT_METHODS, RK4, RK45CK, RK108, RK1412 } from '../../src/methods/index.ts';

// --- an independent reference for correct rounding -------------------------------------------------

const view = new DataView(new ArrayBuffer(8));

function bitsOf(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

function fromBits(b: bigint): number {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
}

/** The exact rational value of a finite double, read from its bits. */
function doubleToRational(x: number): Rational {
  const bits = bitsOf(x);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = (exponent === 0 ? 1 : exponent) - 1075; // value = mantissa * 2^shift
  return shift >= 0 ? rational((sign * mantissa) << BigInt(shift)) : rational(sign * mantissa, 1n << BigInt(-shift));
}

/** The next double away from zero / toward zero (for positive finite x). */
function nextUp(x: number): number {
  return fromBits(bitsOf(x) + 1n);
}
function nextDown(x: number): number {
  return x === 0 ? 0 : fromBits(bitsOf(x) - 1n);
}

/**
 * Checks that x is the double nearest to r, ties to even: no neighbour is closer, and on a tie x has an
 * even significand. Works on |r| and |x| (rounding is symmetric).
 */
function isCorrectlyRounded(r: Rational, x: number): boolean {
  const target = abs(r);
  const y = Math.abs(x);
  if ((r.num < 0n && x > 0) || (r.num > 0n && x < 0)) return false;
  if (y === Number.POSITIVE_INFINITY) {
    // Overflow is right iff r >= MAX + ulp(MAX)/2 = 2^1024 - 2^970.
    return compare(target, rational((1n << 1024n) - (1n << 970n))) >= 0;
  }
  const here = abs(sub(target, doubleToRational(y)));
  const up = y === Number.MAX_VALUE ? rational(1n << 1024n) : doubleToRational(nextUp(y));
  const dUp = abs(sub(target, up));
  const dDown = y === 0 ? here : abs(sub(target, doubleToRational(nextDown(y))));
  const even = (bitsOf(y) & 1n) === 0n;
  const beats = (d: Rational) => {
    const c = compare(here, d);
    return c < 0 || (c === 0 && even);
  };
  return beats(dUp) && (y === 0 || beats(dDown));
}

const pow2 = (k: number): bigint => 1n << BigInt(k);

// ----------------------------------------------------------------------------------------------------

describe('parseCoefficient', () => {
  it('reads integers, fractions and decimals exactly, in lowest terms', () => {
    expect(parseCoefficient('0')).toEqual({ num: 0n, den: 1n });
    expect(parseCoefficient('-0')).toEqual({ num: 0n, den: 1n });
    expect(parseCoefficient('-3')).toEqual({ num: -3n, den: 1n });
    expect(parseCoefficient('+7')).toEqual({ num: 7n, den: 1n });
    expect(parseCoefficient('6/4')).toEqual({ num: 3n, den: 2n });
    expect(parseCoefficient('-75/64')).toEqual({ num: -75n, den: 64n });
    expect(parseCoefficient('1/-2')).toEqual({ num: -1n, den: 2n });
    expect(parseCoefficient('0/5')).toEqual({ num: 0n, den: 1n });
    expect(parseCoefficient('0.125')).toEqual({ num: 1n, den: 8n });
    expect(parseCoefficient('-0.0400000000000000000000000000')).toEqual({ num: -1n, den: 25n });
    expect(parseCoefficient('.5')).toEqual({ num: 1n, den: 2n });
    expect(parseCoefficient('2.')).toEqual({ num: 2n, den: 1n });
    expect(parseCoefficient('8.04e-7')).toEqual({ num: 201n, den: 250000000n });
    expect(parseCoefficient('1.5E3')).toEqual({ num: 1500n, den: 1n });
    expect(parseCoefficient(' 1/3 ')).toEqual({ num: 1n, den: 3n });
  });

  it('keeps every digit of a long decimal', () => {
    const r = parseCoefficient('0.539357840802981787532485197881302436857273449701009015505500');
    expect(rationalToString(mul(r, rational(10n ** 60n)))).toBe(
      '539357840802981787532485197881302436857273449701009015505500',
    );
  });

  it('rejects malformed text and zero denominators', () => {
    for (const bad of [
      '',
      ' ',
      'abc',
      '1/0',
      '1/2/3',
      '--1',
      '1.2.3',
      'e5',
      '.',
      '1/2.5',
      '0x10',
      '1 / 2',
      'Infinity',
      'NaN',
    ]) {
      expect(() => parseCoefficient(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('rational arithmetic', () => {
  it('adds, subtracts, multiplies and divides exactly', () => {
    const a = rational(1n, 3n);
    const b = rational(-5n, 6n);
    expect(add(a, b)).toEqual(rational(-1n, 2n));
    expect(sub(a, b)).toEqual(rational(7n, 6n));
    expect(mul(a, b)).toEqual(rational(-5n, 18n));
    expect(div(a, b)).toEqual(rational(-2n, 5n));
    expect(neg(b)).toEqual(rational(5n, 6n));
    expect(compare(a, b)).toBe(1);
    expect(compare(b, a)).toBe(-1);
    expect(compare(a, rational(2n, 6n))).toBe(0);
    expect(() => div(a, rational(0n))).toThrow();
    expect(() => rational(1n, 0n)).toThrow();
  });
});

describe('coefficientToNumber', () => {
  it('is checked against a reference that does reject wrong roundings', () => {
    const third = rational(1n, 3n);
    expect(isCorrectlyRounded(third, 1 / 3)).toBe(true);
    expect(isCorrectlyRounded(third, nextUp(1 / 3))).toBe(false);
    expect(isCorrectlyRounded(third, nextDown(1 / 3))).toBe(false);
    expect(isCorrectlyRounded(third, -1 / 3)).toBe(false);
    const tie = rational(pow2(53) + 1n, pow2(53));
    expect(isCorrectlyRounded(tie, 1)).toBe(true);
    expect(isCorrectlyRounded(tie, 1 + 2 ** -52)).toBe(false);
  });

  it('gives the nearest double for simple values', () => {
    expect(coefficientToNumber('0')).toBe(0);
    expect(Object.is(coefficientToNumber('-0'), 0)).toBe(true);
    expect(coefficientToNumber('1')).toBe(1);
    expect(coefficientToNumber('1/3')).toBe(1 / 3);
    expect(coefficientToNumber('-2/3')).toBe(-2 / 3);
    expect(coefficientToNumber('-75/64')).toBe(-75 / 64);
    expect(coefficientToNumber('0.1')).toBe(0.1);
    expect(coefficientToNumber('-4.01e-7')).toBe(-4.01e-7);
    expect(coefficientToNumber('9007199254740993')).toBe(9007199254740992); // 2^53 + 1 ties to even
  });

  it('rounds rationals with huge numerators and denominators correctly', () => {
    const big = 10n ** 400n;
    // (10^400 + 1) / (3·10^400) is just above 1/3.
    expect(coefficientToNumber(`${big + 1n}/${3n * big}`)).toBe(1 / 3);
    expect(coefficientToNumber(`${-(big * 2n)}/${big * 3n}`)).toBe(-2 / 3);
    // 10^400 / 10^399 = 10 with 400-digit parts.
    expect(coefficientToNumber(`${big}/${big / 10n}`)).toBe(10);
    // A 130-digit fraction of RK8(7)13M.
    const r = parseCoefficient(
      '-102116003386322998978127600084904875522141269364791505043913504184525097818434721165778087547359160299919872547571820573487921693/84016717385376362440519288454722754561118206109968455863629915569413007015484884082989277327146750610032897620427741658059440288',
    );
    expect(isCorrectlyRounded(r, rationalToNumber(r))).toBe(true);
    expect(rationalToNumber(r)).toBeCloseTo(-1028468189 / 846180014, 15);
  });

  it('rounds exact halfway cases to even', () => {
    const h = pow2(53);
    // 1 + 2^-53 is halfway between 1 and 1 + 2^-52: even is 1.
    expect(rationalToNumber(rational(h + 1n, h))).toBe(1);
    // 1 + 3·2^-53 is halfway between 1 + 2^-52 and 1 + 2^-51: even is 1 + 2^-51.
    expect(rationalToNumber(rational(h + 3n, h))).toBe(1 + 2 ** -51);
    // Just above and below halfway.
    expect(rationalToNumber(rational(2n * h + 3n, 2n * h))).toBe(1 + 2 ** -52);
    expect(rationalToNumber(rational(2n * h + 1n, 2n * h))).toBe(1);
    // Integers: 2^53 + 1 → 2^53, 2^53 + 3 → 2^53 + 4; negatives mirror.
    expect(rationalToNumber(rational(h + 1n))).toBe(2 ** 53);
    expect(rationalToNumber(rational(h + 3n))).toBe(2 ** 53 + 4);
    expect(rationalToNumber(rational(-(h + 1n), h))).toBe(-1);
    expect(rationalToNumber(rational(-(h + 3n)))).toBe(-(2 ** 53 + 4));
    // Halfway between 0.1's neighbours, over a denominator that is not a power of two: 3·(2k+1)/(3·2^m).
    const x = 0.1;
    const mid = add(doubleToRational(x), doubleToRational(nextUp(x)));
    const half = div(mid, rational(2n));
    const triple = rational(half.num * 3n, half.den * 3n);
    const even = (bitsOf(x) & 1n) === 0n ? x : nextUp(x);
    expect(rationalToNumber(triple)).toBe(even);
  });

  it('handles subnormals, underflow and overflow', () => {
    expect(rationalToNumber(rational(1n, pow2(1074)))).toBe(5e-324);
    expect(rationalToNumber(rational(1n, pow2(1075)))).toBe(0); // halfway to 0: even is 0
    expect(rationalToNumber(rational(3n, pow2(1076)))).toBe(5e-324); // 0.75 ulp
    expect(rationalToNumber(rational(3n, pow2(1075)))).toBe(2 * 5e-324); // 1.5 ulp → 2 ulp (even)
    expect(rationalToNumber(rational(-1n, pow2(1080)))).toBe(-0);
    expect(rationalToNumber(rational(1n, pow2(1022)))).toBe(2 ** -1022);
    expect(rationalToNumber(rational(pow2(52) - 1n, pow2(1074)))).toBe(2 ** -1022 - 2 ** -1074);
    expect(rationalToNumber(rational(2n * pow2(52) - 1n, 2n * pow2(1074)))).toBe(2 ** -1022); // tie → even
    expect(rationalToNumber(rational(pow2(1024)))).toBe(Number.POSITIVE_INFINITY);
    expect(rationalToNumber(rational(-pow2(1024)))).toBe(Number.NEGATIVE_INFINITY);
    expect(rationalToNumber(rational(pow2(1024) - pow2(970)))).toBe(Number.POSITIVE_INFINITY); // tie → even
    expect(rationalToNumber(rational(pow2(1024) - pow2(970) - 1n))).toBe(Number.MAX_VALUE);
    expect(coefficientToNumber('1e-400')).toBe(0);
    expect(coefficientToNumber('1e400')).toBe(Number.POSITIVE_INFINITY);
  });

  it('agrees with the bit-level reference on random rationals of every size (property)', () => {
    const bigint = (maxBits: number) =>
      fc.integer({ min: 1, max: maxBits }).chain((bits) => fc.bigInt({ min: 1n, max: (1n << BigInt(bits)) - 1n }));
    fc.assert(
      fc.property(bigint(1200), bigint(1200), fc.boolean(), (p, q, negative) => {
        const r = rational(negative ? -p : p, q);
        return isCorrectlyRounded(r, rationalToNumber(r));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with IEEE division when numerator and denominator are exact doubles (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
        fc.integer({ min: 1, max: 2 ** 53 }),
        (p, q) => rationalToNumber(rational(BigInt(p), BigInt(q))) === p / q,
      ),
      { numRuns: 2000 },
    );
  });

  it("agrees with Number() on every one of Feagin's 60-digit decimals", () => {
    for (const method of [RK108, RK1412]) {
      for (const x of [...method.c, ...method.a.flat(), ...method.b]) {
        expect(coefficientToNumber(x), x).toBe(Number(x));
        expect(isCorrectlyRounded(parseCoefficient(x), coefficientToNumber(x)), x).toBe(true);
      }
    }
  });

  it('rounds every coefficient of every method correctly', () => {
    for (const method of EXPLICIT_METHODS) {
      for (const x of [...method.c, ...method.a.flat(), ...method.b]) {
        expect(isCorrectlyRounded(parseCoefficient(x), coefficientToNumber(x)), `${method.name}: ${x}`).toBe(true);
      }
    }
  });
});

describe('error weights', () => {
  it('are the exact differences b − b̂, rounded once', () => {
    const e = exactErrorWeights(RK45CK);
    expect(rationalToString(e[0]!)).toBe(rationalToString(sub(rational(37n, 378n), rational(2825n, 27648n))));
    expect(errorWeights(RK45CK)).toEqual(e.map(rationalToNumber));
    expect(embeddedWeights(DORMAND_PRINCE)).toEqual(exactEmbeddedWeights(DORMAND_PRINCE).map(rationalToNumber));
  });

  it("match Feagin's published estimates: (1/360)(f_1 − f_15) and (1/1000)(f_1 − f_33)", () => {
    const e108 = errorWeights(RK108);
    expect(e108[1]).toBe(1 / 360);
    expect(e108[15]).toBe(-1 / 360);
    expect(e108.filter((x) => x !== 0)).toHaveLength(2);
    const e1412 = errorWeights(RK1412);
    expect(e1412[1]).toBe(1 / 1000);
    expect(e1412[33]).toBe(-1 / 1000);
    expect(e1412.filter((x) => x !== 0)).toHaveLength(2);
    // b̂ = b − e, computed exactly from the 60-digit b.
    expect(equals(exactEmbeddedWeights(RK108)[1]!, sub(parseCoefficient(RK108.b[1]!), rational(1n, 360n)))).toBe(true);
  });

  it('are refused for fixed-step methods', () => {
    expect(() => errorWeights(RK4)).toThrow(/fixed-step/);
    expect(() => exactEmbeddedWeights(RK4)).toThrow(/fixed-step/);
  });
});
