/**
 * A complex evaluator for the IR, for complex-step differentiation: for an analytic f,
 *   f(x + ih) = f(x) + ih f'(x) - h²/2 f''(x) + …,   so   f'(x) = Im f(x + ih) / h + O(h²),
 * with no subtraction, so h = 1e-30 gives f'(x) to machine precision (Squire & Trapp 1998; Martins, Sturdza &
 * Alonso 2003). That only holds when every operation keeps the tiny imaginary part without cancellation, so
 * each function below is written to: Smith's division, the principal square root in its stable form, atan as
 * a log1p, asin and acos in Kahan's form ("Branch cuts for complex elementary functions", 1987).
 *
 * Only the analytic functions of the language are here; abs, sign, min, max, atan2 and heaviside throw
 * NotAnalytic, and so does a point on a branch cut (a log, a root or a real power of a number ≤ 0), where the
 * real function is undefined or the complex one is not its continuation. The caller falls back to
 * Richardson-extrapolated differences for those.
 */
import { type Expr, evaluate, type SymNode } from '../../src/expr/ir.ts';

export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** The expression is not analytic here (a non-analytic function, or a branch cut). */
export class NotAnalytic extends Error {}

export const real = (re: number): Complex => ({ re, im: 0 });

export function add(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

export function mul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

/** Smith's algorithm: no overflow or cancellation from forming |b|². */
export function div(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

export function exp(z: Complex): Complex {
  const m = Math.exp(z.re);
  return { re: m * Math.cos(z.im), im: m * Math.sin(z.im) };
}

/** Principal log; only off the branch cut (re > 0 here, where the real log is defined). */
export function log(z: Complex): Complex {
  if (!(z.re > 0)) throw new NotAnalytic('log on its branch cut');
  return { re: Math.log(Math.hypot(z.re, z.im)), im: Math.atan2(z.im, z.re) };
}

/** Principal square root in the stable form: t = √((|z| + |re|)/2), the other part as im/(2t). */
export function sqrt(z: Complex): Complex {
  if (z.re === 0 && z.im === 0) return real(0);
  const t = Math.sqrt((Math.hypot(z.re, z.im) + Math.abs(z.re)) / 2);
  if (z.re >= 0) return { re: t, im: z.im / (2 * t) };
  return { re: Math.abs(z.im) / (2 * t), im: z.im >= 0 ? t : -t };
}

const sin = (z: Complex): Complex => ({ re: Math.sin(z.re) * Math.cosh(z.im), im: Math.cos(z.re) * Math.sinh(z.im) });
const cos = (z: Complex): Complex => ({ re: Math.cos(z.re) * Math.cosh(z.im), im: -Math.sin(z.re) * Math.sinh(z.im) });
const sinh = (z: Complex): Complex => ({ re: Math.sinh(z.re) * Math.cos(z.im), im: Math.cosh(z.re) * Math.sin(z.im) });
const cosh = (z: Complex): Complex => ({ re: Math.cosh(z.re) * Math.cos(z.im), im: Math.sinh(z.re) * Math.sin(z.im) });

function tan(z: Complex): Complex {
  const d = Math.cos(2 * z.re) + Math.cosh(2 * z.im);
  return { re: Math.sin(2 * z.re) / d, im: Math.sinh(2 * z.im) / d };
}

function tanh(z: Complex): Complex {
  // For large |re| the quotient below overflows; there tanh = ±1 and the imaginary part is 2 e^{-2|re|} sin 2im.
  if (Math.abs(z.re) > 20) {
    return { re: Math.sign(z.re), im: 2 * Math.sin(2 * z.im) * Math.exp(-2 * Math.abs(z.re)) };
  }
  const d = Math.cosh(2 * z.re) + Math.cos(2 * z.im);
  return { re: Math.sinh(2 * z.re) / d, im: Math.sin(2 * z.im) / d };
}

/** atan z = (i/2)(log(1 − iz) − log(1 + iz)), with the real part of the difference as a log1p. */
function atan(z: Complex): Complex {
  const { re: a, im: b } = z;
  return {
    re: (Math.atan2(a, 1 + b) + Math.atan2(a, 1 - b)) / 2,
    im: Math.log1p((4 * b) / ((1 - b) * (1 - b) + a * a)) / 4,
  };
}

const conj = (z: Complex): Complex => ({ re: z.re, im: -z.im });

/** Kahan: asin z = atan2(re z, re(√(1−z)√(1+z))) + i asinh(im(conj(√(1−z)) √(1+z))). */
function asin(z: Complex): Complex {
  if (!(Math.abs(z.re) < 1)) throw new NotAnalytic('asin outside (-1, 1)');
  const s1 = sqrt({ re: 1 - z.re, im: -z.im });
  const s2 = sqrt({ re: 1 + z.re, im: z.im });
  return { re: Math.atan2(z.re, mul(s1, s2).re), im: Math.asinh(mul(conj(s1), s2).im) };
}

/** Kahan: acos z = 2 atan2(re √(1−z), re √(1+z)) + i asinh(im(conj(√(1+z)) √(1−z))). */
function acos(z: Complex): Complex {
  if (!(Math.abs(z.re) < 1)) throw new NotAnalytic('acos outside (-1, 1)');
  const s1 = sqrt({ re: 1 - z.re, im: -z.im });
  const s2 = sqrt({ re: 1 + z.re, im: z.im });
  return { re: 2 * Math.atan2(s1.re, s2.re), im: Math.asinh(mul(conj(s2), s1).im) };
}

/** z^n for an integer n, by repeated squaring (valid for any z, including a negative real part). */
function integerPower(z: Complex, n: number): Complex {
  let result = real(1);
  let base = z;
  for (let k = Math.abs(n); k > 0; k >>= 1) {
    if (k & 1) result = mul(result, base);
    base = mul(base, base);
  }
  return n < 0 ? div(real(1), result) : result;
}

export function pow(u: Complex, v: Complex): Complex {
  if (v.im === 0 && Number.isInteger(v.re) && Math.abs(v.re) <= 64) return integerPower(u, v.re);
  // u^v = exp(v log u): off the branch cut only (the real power of a negative base is NaN anyway).
  return exp(mul(v, log(u)));
}

/**
 * The non-analytic functions, continued analytically from the real point (their piece of the real function,
 * extended to complex arguments): abs z = ±z and sign z = ±1 by the sign of re z, min and max the argument
 * with the smaller or larger real part, heaviside constant, atan2(y, x) = atan(y/x) + a constant (or −atan(x/y)
 * + a constant where |x| < |y|). Exact wherever the real point is not on a kink or cut, however close to one:
 * a complex step of 1e-30 does not reach it.
 */
function continued(fn: string, args: readonly Complex[]): Complex {
  const [a, b] = args as [Complex, Complex];
  // Real parts are the real evaluation's (see complexEvaluate): exactly 0 is on the kink.
  const onKink = (v: number) => v === 0 || Number.isNaN(v);
  switch (fn) {
    case 'abs':
      if (onKink(a.re)) throw new NotAnalytic('abs at its kink');
      return a.re > 0 ? a : { re: -a.re, im: -a.im };
    case 'sign':
      if (onKink(a.re)) throw new NotAnalytic('sign at its jump');
      return real(Math.sign(a.re));
    case 'heaviside':
      if (onKink(a.re)) throw new NotAnalytic('heaviside at its jump');
      return real(a.re > 0 ? 1 : 0);
    case 'min':
    case 'max':
      if (onKink(a.re - b.re)) throw new NotAnalytic(`${fn} at a tie`);
      return (fn === 'min') === a.re < b.re ? a : b;
    case 'atan2': {
      // atan2(y, x) with y = a, x = b.
      if (b.re < 0 && onKink(a.re)) throw new NotAnalytic('atan2 on its branch cut');
      if (onKink(a.re) && onKink(b.re)) throw new NotAnalytic('atan2 at the origin');
      const value = Math.atan2(a.re, b.re);
      if (Math.abs(b.re) >= Math.abs(a.re)) {
        const w = atan(div(a, b));
        return { re: value, im: w.im };
      }
      const w = atan(div(b, a));
      return { re: value, im: -w.im };
    }
    default:
      throw new NotAnalytic(`no continuation for ${fn}`);
  }
}

const FUNCTIONS: Partial<Record<string, (z: Complex) => Complex>> = {
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  tanh,
  exp,
  log,
  sqrt,
};

/** Whether an expression has only analytic operations (its complex-step derivative is defined). */
export function isAnalytic(e: Expr, seen = new Set<number>()): boolean {
  if (seen.has(e.id)) return true;
  seen.add(e.id);
  switch (e.kind) {
    case 'const':
    case 'sym':
      return true;
    case 'add':
      return e.terms.every((t) => isAnalytic(t, seen));
    case 'mul':
      return e.factors.every((f) => isAnalytic(f, seen));
    case 'pow':
      return isAnalytic(e.base, seen) && isAnalytic(e.exponent, seen);
    case 'call':
      return FUNCTIONS[e.fn] !== undefined && e.args.every((a) => isAnalytic(a, seen));
  }
}

/**
 * Evaluates e at a real point moved by a complex step in some symbols. Throws NotAnalytic where that is not
 * an analytic continuation; with `piecewise`, abs, sign, min, max, atan2 and heaviside are continued from the
 * real point (see continued) instead of refused.
 *
 * The real part of every node is pinned to its value in the real evaluation (`reals`, from ir.ts `evaluate`):
 * the complex formulas only supply the imaginary parts. That drops the O(h²) = 1e-60 terms, which are below
 * rounding anyway except where a real part is subnormal (there t·t − h·h can change sign and put a kink on the
 * wrong side), and it keeps both evaluations on the same rounded intermediate values, so an ill-conditioned
 * outer function (sin of 1e6) does not magnify an ulp of difference into a false alarm.
 */
export function complexEvaluate(
  e: Expr,
  env: (s: SymNode) => Complex,
  reals: ReadonlyMap<number, number>,
  piecewise = false,
  memo = new Map<number, Complex>(),
): Complex {
  const cached = memo.get(e.id);
  if (cached !== undefined) return cached;
  const ev = (n: Expr) => complexEvaluate(n, env, reals, piecewise, memo);
  let v: Complex;
  switch (e.kind) {
    case 'const':
      v = real(e.value);
      break;
    case 'sym':
      v = env(e);
      break;
    case 'add':
      v = e.terms.reduce((s, t) => add(s, ev(t)), real(0));
      break;
    case 'mul':
      v = e.factors.reduce((p, f) => mul(p, ev(f)), real(1));
      break;
    case 'pow':
      v = pow(ev(e.base), ev(e.exponent));
      break;
    case 'call': {
      const f = FUNCTIONS[e.fn];
      if (f !== undefined) v = f(ev(e.args[0]!));
      else if (piecewise) v = continued(e.fn, e.args.map(ev));
      else throw new NotAnalytic(`${e.fn} is not analytic`);
      break;
    }
  }
  const re = reals.get(e.id);
  if (re === undefined) throw new Error(`internal (test): no real value for node ${e.id}`);
  v = { re, im: v.im };
  memo.set(e.id, v);
  return v;
}

/** The complex step: the imaginary part that multiplies h, and the step. */
export const COMPLEX_STEP = 1e-30;

/**
 * ∂e/∂v at a real point by the complex step: e evaluated with v = point(v) + ih, the others real; Im / h.
 * Throws NotAnalytic when e is not analytic there.
 */
export function complexStepDerivative(e: Expr, v: SymNode, point: (s: SymNode) => number, piecewise = false): number {
  const reals = new Map<number, number>();
  evaluate(e, point, reals);
  const z = complexEvaluate(
    e,
    (s) => (s.id === v.id ? { re: point(s), im: COMPLEX_STEP } : real(point(s))),
    reals,
    piecewise,
  );
  return z.im / COMPLEX_STEP;
}
