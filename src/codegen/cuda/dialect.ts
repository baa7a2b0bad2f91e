/**
 * How CUDA C++ spells literals and functions (see codegen/printer.ts), in double and in single precision.
 *
 * Literals always carry a decimal point or an exponent, so C never reads them as integers (`1 / x` would be an
 * integer division when x is an int, and `5` an int constant); single-precision ones are rounded to float once
 * (Math.fround) and carry the `f` suffix, so the arithmetic stays in float. Functions map to the C library
 * (`sin`, `sinf`, …); `min`, `max`, `sign` and `heaviside` are helpers defined in templates/cuda/explicit-rk.cu
 * with JavaScript's semantics (NaN propagates, max(-0, 0) = 0), so the generated code computes what the
 * TypeScript solver computes.
 */
import type { FunctionName } from '../../expr/ir.ts';
import { type Dialect, decimal, Prec, type Printed } from '../printer.ts';

export type CudaPrecision = 'f64' | 'f32';

// Binding strengths as printer.ts numbers them (Unary = 3, Atom = 4); Printed carries them as numbers.
const UNARY = Prec.Unary;
const ATOM = Prec.Atom;

function special(v: number): Printed | undefined {
  // INFINITY and NAN are the float constants of <math.h>; they convert exactly to double.
  if (Number.isNaN(v)) return { text: 'NAN', prec: ATOM };
  if (v === Number.POSITIVE_INFINITY) return { text: 'INFINITY', prec: ATOM };
  if (v === Number.NEGATIVE_INFINITY) return { text: '-INFINITY', prec: UNARY };
  return undefined;
}

/** Makes sure C reads a JavaScript number text as a floating-point literal: 5 → 5.0, 1e-20 stays. */
function floating(text: string): string {
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/**
 * A double as a C literal that reads back as exactly this double: JavaScript's shortest round-trip digits
 * (C compilers convert decimal literals with correct rounding), with a decimal point or an exponent.
 */
export function cudaDoubleLiteral(v: number): Printed {
  const text = decimal(v);
  const s = special(v);
  if (s) return s;
  if (Object.is(v, -0)) return { text: '-0.0', prec: UNARY };
  return { text: floating(text), prec: v < 0 ? UNARY : ATOM };
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float next to f (a finite float, not ±0 handled apart) in the direction of +∞ (up) or −∞. */
function floatNeighbour(f: number, up: boolean): number {
  F32[0] = f;
  const towardsLargerMagnitude = up === f > 0;
  U32[0] = towardsLargerMagnitude ? U32[0]! + 1 : U32[0]! - 1;
  return F32[0]!;
}

/**
 * The shortest decimal text (at most 9 significant digits, which always suffice) that a C compiler rounds
 * to exactly the float f. A candidate is checked through a double: it must lie strictly between the midpoints
 * to f's neighbours, so that rounding the decimal directly to float (as C does) cannot land elsewhere.
 */
function shortestFloatText(f: number): string {
  if (f === 0) return '0';
  const mag = Math.abs(f);
  const below = mag === 1.401298464324817e-45 ? 0 : floatNeighbour(mag, false);
  const above = floatNeighbour(mag, true); // Infinity above the largest float: the midpoint test still works
  const lo = (mag + below) / 2;
  const hi = above === Number.POSITIVE_INFINITY ? 3.4028235677973366e38 : (mag + above) / 2;
  for (let digits = 1; digits <= 9; digits++) {
    const x = Number(mag.toPrecision(digits));
    if (x > lo && x < hi) return (f < 0 ? '-' : '') + decimal(x);
  }
  return (f < 0 ? '-' : '') + decimal(Number(mag.toPrecision(9)));
}

/**
 * A number rounded to float, as a C float literal (`0.1f`, `5.0f`, `1e-20f`) that reads back as that float.
 * Values beyond the float range become ±INFINITY, as Math.fround makes them.
 */
export function cudaFloatLiteral(v: number): Printed {
  decimal(v); // a number, or an error
  const f = Math.fround(v);
  const s = special(f);
  if (s) return s;
  if (Object.is(f, -0)) return { text: '-0.0f', prec: UNARY };
  return { text: `${floating(shortestFloatText(f))}f`, prec: f < 0 ? UNARY : ATOM };
}

// Helpers defined in the template: JavaScript semantics on the module's `real` type.
const HELPERS = {
  min: 'odeforge_min',
  max: 'odeforge_max',
  sign: 'odeforge_sign',
  heaviside: 'odeforge_heaviside',
} as const;

const LIBM: Readonly<Record<Exclude<FunctionName, keyof typeof HELPERS>, string>> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  atan2: 'atan2',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'fabs',
};

function functionName(fn: FunctionName, precision: CudaPrecision): string {
  if (fn in HELPERS) return HELPERS[fn as keyof typeof HELPERS];
  const name = LIBM[fn as keyof typeof LIBM];
  return precision === 'f32' ? `${name}f` : name;
}

function dialect(precision: CudaPrecision): Dialect {
  return {
    literal: precision === 'f64' ? cudaDoubleLiteral : cudaFloatLiteral,
    call: (fn, args) => `${functionName(fn, precision)}(${args.join(', ')})`,
    pow: (base, exponent) => `${precision === 'f64' ? 'pow' : 'powf'}(${base}, ${exponent})`,
  };
}

/** CUDA C++ in double precision: `real` is double. */
export const CUDA_DIALECT_F64: Dialect = dialect('f64');
/** CUDA C++ in single precision: `real` is float; literals with `f`, functions `sinf`, `powf`, …. */
export const CUDA_DIALECT_F32: Dialect = dialect('f32');

export function cudaDialect(precision: CudaPrecision): Dialect {
  return precision === 'f64' ? CUDA_DIALECT_F64 : CUDA_DIALECT_F32;
}

/** The literal function of a precision. */
export function cudaLiteral(precision: CudaPrecision): (v: number) => Printed {
  return precision === 'f64' ? cudaDoubleLiteral : cudaFloatLiteral;
}
