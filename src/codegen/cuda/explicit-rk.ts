/**
 * The method-specific part of a CUDA module: one attempted explicit Runge–Kutta step with the tableau inlined,
 * `odeforge_step(t, h, y, p, k, z, z_stiff, y_new, rtol, atol, controlled)`, returning the scaled max norm of
 * its error estimate (INFINITY when any new value is not finite; 0 for fixed-step methods).
 *
 * The arithmetic is the TypeScript target's (codegen/ts/explicit-rk.ts) term for term — stage i forms
 * z = y + h Σ_j a_ij k_j and evaluates k_i = F(t + c_i h, z); the new value is y + h Σ b_j k_j, the error of a
 * component |h Σ e_j k_j| / (atol + rtol·max(|y|, |y_new|)); zero coefficients are skipped, unit ones not
 * written — so a double-precision build rounds exactly as the TypeScript solver does. With FSAL the last stage
 * is F(t + h, y_new): y_new is formed first, then that stage, then the error. The stage the stiffness estimate
 * reads (src/methods/stability.ts) keeps its input in z_stiff.
 *
 * Stage times are double (t and h are double in every precision); the state arithmetic is `real`.
 */
import { numericTableau } from '../../methods/numeric.ts';
import { stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import { type CudaPrecision, cudaDoubleLiteral, cudaLiteral } from './dialect.ts';

/** Σ_j w_j k_j[i] over the non-zero weights, with literals of the given precision. */
function combination(weights: readonly number[], precision: CudaPrecision): string {
  const literal = cudaLiteral(precision);
  const terms = weights.flatMap((w, j) => {
    if (w === 0) return [];
    const k = `k[${j}][i]`;
    return [w === 1 ? k : `${literal(w).text} * ${k}`];
  });
  return terms.join(' + ').replaceAll('+ -', '- ');
}

/** Whether w·x rounds as x·w does for every x: w = ±2^e (an exact scaling, barring overflow and underflow). */
function powerOfTwo(w: number): boolean {
  if (w === 0 || !Number.isFinite(w)) return false;
  const e = Math.log2(Math.abs(w));
  return Number.isInteger(e) && Math.abs(w) === 2 ** e;
}

/**
 * y[i] + h (Σ_j w_j k_j[i]), or y[i] alone when the sum is empty. A single term with a power-of-two weight
 * (RK4's ½) is written (h w)·k: h·w is exact, so it rounds as h·(w·k) does (the TypeScript target's order), and
 * h·w is one multiplication per step, leaving one multiply-add per component instead of two.
 */
function stepFrom(weights: readonly number[], precision: CudaPrecision): string {
  const nonZero = weights.flatMap((w, j) => (w === 0 ? [] : [{ w, j }]));
  if (nonZero.length === 1 && nonZero[0]!.w !== 1 && powerOfTwo(nonZero[0]!.w)) {
    const { w, j } = nonZero[0]!;
    return `y[i] + (hr * ${cudaLiteral(precision)(w).text}) * k[${j}][i]`;
  }
  const sum = combination(weights, precision);
  return sum === '' ? 'y[i]' : `y[i] + hr * (${sum})`;
}

/** t + c h, in double. */
function timeAt(c: number): string {
  if (c === 0) return 't';
  if (c === 1) return 't + h';
  return `t + ${cudaDoubleLiteral(c).text} * h`;
}

const LOOP = 'for (int i = 0; i < ODEFORGE_M; i++)';

/** The function odeforge_step, as CUDA C++. */
export function printCudaStep(method: ExplicitRungeKuttaMethod, precision: CudaPrecision): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const body: string[] = ['const real hr = (real)h;'];
  // With FSAL the last stage is F(t + h, y_new); it is evaluated after y_new below.
  const explicitStages = method.fsal ? s - 1 : s;
  for (let i = 1; i < explicitStages; i++) {
    const input = i === stiff ? 'z_stiff' : 'z';
    const note = i === stiff ? ' (its input kept in z_stiff for the stiffness estimate)' : '';
    body.push(`// Stage ${i + 1}: z = y + h Σ a_${i + 1}j k_j, k${i + 1} = F(${timeAt(tab.c[i]!)}, z)${note}.`);
    body.push('ODEFORGE_UNROLL', `${LOOP} ${input}[i] = ${stepFrom(tab.a[i]!, precision)};`);
    body.push(`odeforge_rhs(${timeAt(tab.c[i]!)}, ${input}, p, k[${i}]);`);
  }
  body.push(
    // v·0 is ±0 for a finite v and NaN for ±Infinity or NaN: their sum is 0 exactly when every value is finite,
    // at one multiply-add per component on the GPU (a chain of isfinite tests compiles to compares and branches).
    '// The new value, and whether all of it is finite.',
    'real non_finite = 0;',
    'ODEFORGE_UNROLL',
    `${LOOP} {`,
    `  const real v = ${stepFrom(tab.b, precision)};`,
    '  y_new[i] = v;',
    '  non_finite += v * (real)0;',
    '}',
    'const bool finite = non_finite == 0;',
  );
  if (method.fsal) body.push("// The last stage, F(t + h, y_new): the error estimate's and the next step's first.");
  if (method.fsal) body.push(`odeforge_rhs(t + h, y_new, p, k[${s - 1}]);`);
  const unused: string[] = [];
  if (explicitStages <= 1 && !method.fsal) unused.push('t', 'p', 'z');
  if (stiff < 0) unused.push('z_stiff');
  if (!tab.errorWeights) {
    unused.push('rtol', 'atol', 'controlled');
    body.push('// A fixed-step method: no error estimate.', 'return finite ? (real)0 : (real)INFINITY;');
  } else {
    body.push(
      '// The error estimate h Σ e_j k_j, scaled per component, max norm over the controlled ones; NaN wins.',
      'real err = 0;',
      'for (int i = 0; i < controlled; i++) {',
      `  const real e = odeforge_fabs(hr * (${combination(tab.errorWeights, precision)})) /`,
      '                 (atol + rtol * odeforge_max(odeforge_fabs(y[i]), odeforge_fabs(y_new[i])));',
      '  if (e > err || e != e) err = e;',
      '}',
      'return finite ? err : (real)INFINITY;',
    );
  }
  // Silence unused-parameter warnings of the methods that do not need them.
  if (unused.length > 0) body.unshift(unused.map((v) => `(void)${v};`).join(' '));

  return [
    'ODEFORGE_HD static ODEFORGE_INLINE real odeforge_step(double t, double h, const real* __restrict__ y,',
    '                                                      const real* __restrict__ p, real k[][ODEFORGE_M],',
    '                                                      real* __restrict__ z, real* __restrict__ z_stiff,',
    '                                                      real* __restrict__ y_new, real rtol, real atol,',
    '                                                      int controlled) {',
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n');
}
