/**
 * The method-specific part of a CUDA module: one attempted explicit Runge–Kutta step with the tableau inlined,
 * `odeforge_step(t, h, y, p, k, z, y_new, y_err)`. The arithmetic is the TypeScript target's
 * (codegen/ts/explicit-rk.ts) term for term — stage i forms z = y + h Σ_j a_ij k_j and evaluates
 * k_i = F(t + c_i h, z); the new value is y + h Σ b_j k_j, the error estimate h Σ e_j k_j; zero coefficients are
 * skipped, unit ones not written — so a double-precision build rounds exactly as the TypeScript solver does.
 * With FSAL the last stage is F(t + h, y_new): y_new is formed first, then that stage, then the error estimate.
 *
 * Stage times are double (t and h are double in every precision); the state arithmetic is `real`.
 */
import { numericTableau } from '../../methods/numeric.ts';
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
  const s = tab.c.length;
  const body: string[] = ['const real hr = (real)h;'];
  // With FSAL the last stage is F(t + h, y_new); it is evaluated after y_new below.
  const explicitStages = method.fsal ? s - 1 : s;
  for (let i = 1; i < explicitStages; i++) {
    const sum = combination(tab.a[i]!, precision);
    body.push(`// Stage ${i + 1}: z = y + h Σ a_${i + 1}j k_j, k${i + 1} = F(${timeAt(tab.c[i]!)}, z).`);
    body.push('ODEFORGE_UNROLL');
    body.push(sum === '' ? `${LOOP} z[i] = y[i];` : `${LOOP} z[i] = y[i] + hr * (${sum});`);
    body.push(`odeforge_rhs(${timeAt(tab.c[i]!)}, z, p, k[${i}]);`);
  }
  const update = `y_new[i] = y[i] + hr * (${combination(tab.b, precision)});`;
  const error = tab.errorWeights ? `y_err[i] = hr * (${combination(tab.errorWeights, precision)});` : undefined;
  if (method.fsal) {
    body.push('// The new value, then the last stage F(t + h, y_new), which the error estimate needs.');
    body.push('ODEFORGE_UNROLL', `${LOOP} ${update}`, `odeforge_rhs(t + h, y_new, p, k[${s - 1}]);`);
    if (error) body.push('// The error estimate.', 'ODEFORGE_UNROLL', `${LOOP} ${error}`);
  } else if (error) {
    body.push('// The new value and the error estimate.');
    body.push('ODEFORGE_UNROLL', `${LOOP} {`, `  ${update}`, `  ${error}`, '}');
  } else {
    body.push('// The new value (a fixed-step method: no error estimate).');
    body.push('ODEFORGE_UNROLL', `${LOOP} ${update}`);
  }
  // Silence unused-parameter warnings of the methods that do not need them (Euler, fixed-step methods).
  const unused: string[] = [];
  if (explicitStages <= 1 && !method.fsal) unused.push('t', 'p', 'z');
  if (!error) unused.push('y_err');
  if (unused.length > 0) body.unshift(unused.map((v) => `(void)${v};`).join(' '));

  return [
    'ODEFORGE_HD static ODEFORGE_INLINE void odeforge_step(double t, double h, const real* __restrict__ y,',
    '                                                      const real* __restrict__ p, real k[][ODEFORGE_M],',
    '                                                      real* __restrict__ z, real* __restrict__ y_new,',
    '                                                      real* __restrict__ y_err) {',
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n');
}
