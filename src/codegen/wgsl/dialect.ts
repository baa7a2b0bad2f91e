/**
 * How WGSL spells literals and functions (see codegen/printer.ts). WGSL has no f64: every constant becomes
 * an f32 literal, rounded once from the double the model holds (`Math.fround`), printed with an `f` suffix
 * so that it is an f32 value wherever it appears (an unsuffixed literal is an AbstractFloat, which WGSL
 * folds in higher precision when both operands are literals — a different rounding from the f32 code around
 * it).
 *
 * A constant that f32 cannot hold — not finite, beyond ±3.4028235e38, or so small that it would round to 0
 * or to a subnormal (which GPUs may flush to zero) — is an `F32RangeError` here, at generation time, never
 * a silent change of the model.
 *
 * Functions that WGSL lacks or defines loosely go to helpers defined in templates/wgsl/explicit-rk.wgsl:
 *   - `heaviside`, which WGSL does not have;
 *   - `pow`, because WGSL's pow(x, y) is exp2(y·log2(x)) and undefined for x < 0 (JavaScript's Math.pow
 *     gives (-2)^3 = -8, and the IR spells a user's x^5 as pow);
 *   - `sin`, `cos`, `tan`, whose WGSL accuracy is only specified on [-π, π]: the helpers reduce the
 *     argument there first (two-constant Cody–Waite reduction);
 *   - `atan2`, for atan2(0, 0) = 0 (undefined in WGSL);
 *   - `tanh`, which some drivers evaluate as a quotient of exponentials that overflows to NaN for |x| ≳ 44.
 */

import { ERROR_BRAND_PREFIX, OdeforgeError } from '../../errors.ts';
import type { FunctionName } from '../../expr/ir.ts';
import { type Dialect, decimal, Prec, type Printed } from '../printer.ts';

const BRAND = Symbol.for(`${ERROR_BRAND_PREFIX}F32RangeError`);

/** A constant of the model or the method that has no faithful f32 literal. */
export class F32RangeError extends OdeforgeError {
  // OdeforgeError's instanceof accepts every odeforge error; this class recognises its own instances only.
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
  override name = 'F32RangeError';
  constructor(
    readonly value: number,
    problem: string,
  ) {
    super(
      `the constant ${value} ${problem}; WGSL computes in f32 (no f64), ` +
        'whose normal range is ±1.1754944e-38 … ±3.4028235e38',
    );
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Largest finite f32 and smallest positive normal f32. */
export const F32_MAX = 3.4028234663852886e38;
export const F32_MIN_NORMAL = 2 ** -126;

// The printer's binding strengths are not exported; a literal is an atom, or a unary minus when negative,
// exactly as for the TypeScript dialect.
const ATOM = Prec.Atom;
const UNARY = Prec.Unary;

/**
 * The shortest decimal text that reads back as the same f32, as a WGSL f32 literal: always with a decimal
 * point or an exponent, and the `f` suffix (`2.0f`, `0.1f`, `1e-7f`, `-3.5f`).
 */
export function f32Literal(v: number): Printed {
  decimal(v); // a number, or an error
  if (!Number.isFinite(v)) throw new F32RangeError(v, 'is not finite');
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new F32RangeError(v, 'overflows f32');
  if (f === 0 && v !== 0) throw new F32RangeError(v, 'underflows f32 (it would become 0)');
  if (f !== 0 && Math.abs(f) < F32_MIN_NORMAL) {
    throw new F32RangeError(v, 'is below the normal range of f32 (a subnormal, which GPUs may flush to 0)');
  }
  if (Object.is(f, -0)) return { text: '-0.0f', prec: UNARY };
  if (f === 0) return { text: '0.0f', prec: ATOM };
  let text = '';
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) {
      // The shortest JavaScript spelling of that decimal ("0.1", "1e-7", "1.5e+38", "100"); a large integer
      // with an exponent when that is shorter ("1e+8", not "100000000").
      text = decimal(candidate);
      const exponential = candidate.toExponential(digits - 1);
      if (Math.abs(candidate) >= 1e7 && exponential.length < text.length) text = exponential;
      break;
    }
  }
  // Nine significant digits always round-trip an f32; this is unreachable.
  if (text === '') throw new Error(`internal: no f32 literal found for ${v}`);
  if (!/[.e]/.test(text)) text += '.0';
  return { text: `${text}f`, prec: f < 0 ? UNARY : ATOM };
}

const WGSL_FUNCTIONS: Readonly<Record<FunctionName, string>> = {
  sin: 'odeforge_sin',
  cos: 'odeforge_cos',
  tan: 'odeforge_tan',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  atan2: 'odeforge_atan2', // atan2(y, x), as in JavaScript
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'odeforge_tanh',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  sign: 'sign',
  min: 'min',
  max: 'max',
  heaviside: 'odeforge_heaviside',
};

/** The helper functions the printed code calls; the WGSL template defines each of them. */
export const WGSL_HELPERS: readonly string[] = [
  ...new Set([...Object.values(WGSL_FUNCTIONS), 'odeforge_pow'].filter((f) => f.startsWith('odeforge_'))),
];

export const WGSL_DIALECT: Dialect = {
  literal: f32Literal,
  call: (fn, args) => `${WGSL_FUNCTIONS[fn]}(${args.join(', ')})`,
  pow: (base, exponent) => `odeforge_pow(${base}, ${exponent})`,
};
