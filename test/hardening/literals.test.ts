/**
 * Numeric literals survive parse → IR → printer bit-exactly, in every JavaScript notation, on every target.
 *
 * For random doubles (fast-check's fc.double: subnormals, huge, tiny, both signs; -0 and negatives through a
 * unary minus, since a literal has no sign) written as: the shortest form, exponent forms (`1e-7`, `1E+3`,
 * `1.e-7`, `10e-8`), 17 significant digits, the exact decimal expansion of the double (up to ~1,100 digits),
 * `.5` and `5.`, hexadecimal, octal and binary for integers, and numeric separators between digits — the model
 * `x' = <literal> * x` (and `x' = x + <literal>`) is generated for
 *   - TypeScript: the printed right-hand side, evaluated, is the same double (Object.is), and so is each
 *     literal printed in it read with Number();
 *   - CUDA f64: every literal printed is a C floating literal (digits with a point or an exponent) that reads
 *     back (correctly rounded, as C compilers read decimals) as the same double;
 *   - CUDA f32 and WGSL: the literal, read directly from its decimal digits to the nearest float (exact
 *     rational arithmetic here, no double rounding), is Math.fround of the double. WGSL refuses constants
 *     outside the normal f32 range with a ModelError; CUDA f32 writes ±INFINITY beyond the float range.
 * A spelling is first checked to be what JavaScript itself reads as that double (jsLiteral), so the test
 * cannot pass by agreeing with a wrong spelling.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/compile.ts';
import { ModelError } from '../../src/errors.ts';
import { jsLiteral } from '../expr/support.ts';
import { checkProperty } from './property.ts';

const FILE = 'test/hardening/literals.test.ts';

// ---- Spellings ----

/** The exact decimal expansion of a finite non-negative double. */
function exactDecimal(v: number): string {
  if (v === 0) return '0';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075; // v = mantissa · 2^exponent
  if (exponent >= 0) return (mantissa << BigInt(exponent)).toString();
  // mantissa / 2^k = mantissa · 5^k / 10^k
  const k = -exponent;
  const digits = (mantissa * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  const int = digits.slice(0, digits.length - k);
  const frac = digits.slice(digits.length - k).replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

/** Inserts numeric separators between some pairs of digits (never after a leading 0, never next to . or e). */
function withSeparators(text: string, seed: number): string {
  const isDigit = (c: string | undefined, hex: boolean) => c !== undefined && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(c);
  const hex = /^0[xX]/.test(text);
  const prefix = /^0[xXoObB]/.test(text) ? 2 : 0;
  let out = text.slice(0, prefix);
  let r = seed;
  for (let i = prefix; i < text.length; i++) {
    out += text[i];
    const leadingZero = i === 0 && text[0] === '0';
    r = (r * 1103515245 + 12345) & 0x7fffffff;
    if (!leadingZero && isDigit(text[i], hex) && isDigit(text[i + 1], hex) && r % 3 === 0) out += '_';
  }
  return out;
}

/** Ways to write the non-negative double v, each of which JavaScript reads as v. */
function spellings(v: number, seed: number): string[] {
  const out = new Set<string>();
  const shortest = String(v);
  out.add(shortest);
  out.add(v.toPrecision(17));
  out.add(v.toExponential());
  out.add(v.toExponential().replace('e', 'E'));
  out.add(v.toExponential().replace('e+', 'e'));
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  out.add(`${mant.includes('.') ? mant : `${mant}.`}e${exp}`); // 1.e-7
  out.add(`${mant.replace('.', '')}e${Number(exp) - (mant.split('.')[1]?.length ?? 0)}`); // 15e-8 for 1.5e-7
  out.add(`0.${mant.replace('.', '')}E${Number(exp) + 1}`); // 0.15E-6
  const exact = exactDecimal(v);
  out.add(exact);
  if (exact.startsWith('0.')) out.add(exact.slice(1)); // .5
  if (Number.isInteger(v)) {
    out.add(`${exact}.`); // 5.
    const big = BigInt(exact);
    out.add(`0x${big.toString(16)}`);
    out.add(`0X${big.toString(16).toUpperCase()}`);
    out.add(`0o${big.toString(8)}`);
    out.add(`0b${big.toString(2)}`);
  }
  for (const s of [...out]) out.add(withSeparators(s, seed));
  return [...out];
}

// ---- Reading printed literals ----

/** The numeric literals in a printed expression (decimal floating or integer, with an optional f suffix). */
function literalsIn(code: string): string[] {
  return code.match(/(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?f?(?![\w.])/g) ?? [];
}

/** The nearest f32 to the decimal text (round half to even, subnormals, overflow to ∞), exactly. */
function decimalToFloat32(text: string): number {
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const digits = `${m[1]}${m[2] ?? ''}`.replace(/^0+/, '') || '0';
  const exp10 = Number(m[3] ?? 0) - (m[2]?.length ?? 0);
  let num = BigInt(digits);
  if (num === 0n) return 0;
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  // Find e with 2^23 ≤ num / (den · 2^e) < 2^24, then clamp e at the subnormal exponent −149.
  let e = num.toString(2).length - den.toString(2).length - 24;
  const scaled = (k: number) => (k >= 0 ? [num, den << BigInt(k)] : [num << BigInt(-k), den]) as [bigint, bigint];
  while (true) {
    const [n, d] = scaled(e);
    if (n >= d << 24n) e++;
    else if (n < d << 23n) e--;
    else break;
  }
  if (e < -149) e = -149;
  const [n, d] = scaled(e);
  let q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  const value = Number(q) * 2 ** e;
  return value >= 2 ** 128 ? Number.POSITIVE_INFINITY : value;
}

function rhsLine(source: string, target: 'ts' | 'cuda' | 'wgsl'): string {
  const marker = target === 'wgsl' ? '(*dy)[0] = ' : 'dy[0] = ';
  const line = source.split('\n').find((l) => l.trimStart().startsWith(marker));
  if (line === undefined) throw new Error(`no '${marker}' line in the ${target} output`);
  return line.slice(line.indexOf(marker) + marker.length, line.indexOf(';'));
}

const model = (rhs: string) => ({ name: 'literal', states: ['x'], rhs: { x: rhs } });

/** Checks one spelling of |v| (with the sign of v as a unary minus) through every target. */
function checkSpelling(v: number, text: string): void {
  const magnitude = Math.abs(v);
  expect(Object.is(jsLiteral(text), magnitude), `JavaScript reads ${text} as ${magnitude}`).toBe(true);
  const signed = Object.is(v, -0) || v < 0 ? `-${text}` : text;
  for (const form of ['product', 'sum'] as const) {
    const rhs = form === 'product' ? `${signed} * x` : `x + ${signed}`;
    // TypeScript: evaluate the printed right-hand side (at x = 1 for c·x, at x = -0 for x + c: both give c).
    // For c = +0, x + 0 is simplified to x (ir.ts drops zero terms: a structural zero), which differs from
    // x + 0 only at x = -0 (-0 + 0 is +0): a signed-zero deviation the IR accepts, so evaluated at +0 there.
    const ts = rhsLine(generate(model(rhs), { sensitivities: [] }), 'ts');
    const at = form === 'product' ? 1 : Object.is(v, 0) ? 0 : -0;
    const value = new Function('y_x', `return ${ts};`)(at) as number;
    expect(Object.is(value, v), `${rhs} printed as '${ts}' evaluates to ${value}, not ${v}`).toBe(true);
    for (const lit of literalsIn(ts)) {
      const read = Number(lit);
      expect(read === magnitude || read === 1 || read === 0, `TS literal '${lit}' in '${ts}' for ${v}`).toBe(true);
    }
    if (form === 'sum') continue;
    // CUDA f64: C floating literals that read back as |v|.
    const cuda = rhsLine(generate(model(rhs), { sensitivities: [], target: 'cuda', precision: 'f64' }), 'cuda');
    const cudaLiterals = literalsIn(cuda);
    if (magnitude !== 0 && magnitude !== 1) {
      expect(cudaLiterals.length, `CUDA f64 '${cuda}' for ${text}`).toBe(1);
      const lit = cudaLiterals[0]!;
      expect(lit, 'a C floating literal: a point or an exponent').toMatch(
        /^(\d+\.\d*|\.\d+|\d+[eE][+-]?\d+|\d+\.\d*[eE][+-]?\d+)$/,
      );
      expect(Object.is(Number(lit), magnitude), `CUDA f64 literal '${lit}' for ${v}`).toBe(true);
    }
    // CUDA f32: the literal, read as C reads a float literal (nearest float to the decimal), is fround(v).
    const cuda32 = rhsLine(generate(model(rhs), { sensitivities: [], target: 'cuda', precision: 'f32' }), 'cuda');
    const f = Math.fround(magnitude);
    if (f === Number.POSITIVE_INFINITY) expect(cuda32).toMatch(/INFINITY/);
    else if (f !== 0 && f !== 1) {
      const lit = literalsIn(cuda32)[0];
      expect(lit, `CUDA f32 '${cuda32}' for ${text}`).toMatch(/^(\d+\.\d*|\.\d+|\d+\.?\d*[eE][+-]?\d+)f$/);
      expect(decimalToFloat32(lit!.slice(0, -1)), `CUDA f32 literal '${lit}' for ${v}`).toBe(f);
    }
    // WGSL (f32 only): refused outside the normal f32 range, else read to the same float.
    const normal = f === 0 ? magnitude === 0 : Number.isFinite(f) && f >= 2 ** -126;
    if (!normal) {
      expect(() => generate(model(rhs), { sensitivities: [], target: 'wgsl' })).toThrow(ModelError);
      continue;
    }
    const wgsl = rhsLine(generate(model(rhs), { sensitivities: [], target: 'wgsl' }), 'wgsl');
    if (f !== 0 && f !== 1) {
      const lit = literalsIn(wgsl)[0];
      expect(lit, `WGSL '${wgsl}' for ${text}`).toMatch(/^(\d+\.\d*|\d+\.?\d*e[+-]?\d+)f$/);
      expect(decimalToFloat32(lit!.slice(0, -1)), `WGSL literal '${lit}' for ${v}`).toBe(f);
    }
  }
}

let spellingsChecked = 0;

const EDGES = [
  0,
  -0,
  1,
  -1,
  5e-324,
  -5e-324,
  2.2250738585072014e-308, // smallest normal double
  2.225073858507201e-308, // largest subnormal double
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 1023,
  0.1,
  1 / 3,
  123456789012345680000,
  1e21,
  1e-7,
  3.4028234663852886e38, // largest f32
  3.4028235677973366e38, // rounds to ∞ in f32 (the midpoint above the largest float)
  3.4028235677973362e38, // just below that midpoint: the largest float
  1.1754943508222875e-38, // smallest normal f32
  1.1754942106924411e-38, // largest subnormal f32
  1.401298464324817e-45, // smallest subnormal f32
  7.006492321624085e-46, // half of it: rounds to 0 in f32 (ties to even)
  7.006492321624087e-46, // just above half: rounds up to the smallest subnormal
  16777217, // 2^24 + 1: a tie in f32
  0.30000000000000004,
  Math.PI,
];

describe('numeric literals: parse → IR → printers, bit-exact', () => {
  it.each(EDGES)('edge value %s in every spelling', (v) => {
    for (const text of spellings(Math.abs(v), 7)) {
      checkSpelling(v, text);
      spellingsChecked++;
    }
  });

  it('decimal texts at a midpoint between two doubles round to even, as JavaScript reads them', () => {
    // 1 + 2^-53 is halfway between 1 and the next double: ties to even, 1. Just above it, the next double.
    const cases: [string, number][] = [
      ['1.00000000000000011102230246251565404236316680908203125', 1],
      ['1.00000000000000011102230246251565404236316680908203126', 1 + 2 ** -52],
      ['9007199254740993', 2 ** 53],
      ['9_007_199_254_740_995', 2 ** 53 + 4],
      ['0x20000000000001', 2 ** 53],
      ['0x20000000000003', 2 ** 53 + 4],
      [
        '2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324',
        0,
      ],
      [
        '2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328126e-324',
        5e-324,
      ],
    ];
    for (const [text, want] of cases) {
      expect(jsLiteral(text)).toBe(want);
      checkSpelling(want, text);
    }
  });

  it('random doubles (subnormal, huge, tiny, ±) in every notation, through TS, CUDA f64/f32 and WGSL', () => {
    const run = checkProperty(
      'literals',
      FILE,
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
          fc.double({ min: -1e40, max: 1e40, noNaN: true }),
          fc.integer().map((i) => i * 2 ** (i % 40)),
          fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => f), // f32 values: exact in f32
        ),
        fc.nat(),
        (v, seed) => {
          for (const text of spellings(Math.abs(v), seed)) {
            checkSpelling(v, text);
            spellingsChecked++;
          }
        },
      ),
      { numRuns: 400 },
    );
    if (!run.replay) expect(run.runs).toBe(run.asked);
    console.info(`literals: ${spellingsChecked} spellings checked (each through 4 targets, 2 forms)`);
  });

  it('the f32 reader here is exact (checked against Math.fround where no double rounding can differ)', () => {
    for (const v of [0.1, 1 / 3, 1e-40, 3.4e38, 16777217, 1.401298464324817e-45, 7.006492321624085e-46]) {
      expect(decimalToFloat32(exactDecimal(v))).toBe(Math.fround(v));
    }
    // The exact midpoint above the largest float ties to even: up, to ∞. The 17-digit decimal of that double is
    // a little below the midpoint, so read directly it is the largest float (read through the double: ∞).
    expect(decimalToFloat32(exactDecimal(3.4028235677973366e38))).toBe(Number.POSITIVE_INFINITY);
    expect(decimalToFloat32('3.4028235677973366e38')).toBe(3.4028234663852886e38);
    // A decimal just above an f32 midpoint whose nearest double IS the midpoint: double rounding would tie to
    // even (down); direct rounding goes up.
    const mid = 1 + 2 ** -24; // halfway between 1 and the next float
    expect(Math.fround(mid)).toBe(1);
    expect(decimalToFloat32(`${exactDecimal(mid)}000000000000000000001`)).toBe(1 + 2 ** -23);
  });
});
