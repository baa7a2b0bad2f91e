/**
 * The method-specific part of a TypeScript solver: one attempted explicit Runge–Kutta step with the tableau
 * inlined. Stage i forms z = y + h Σ_j a_ij k_j and evaluates k_i = F(t + c_i h, z); the new value is
 * y + h Σ b_j k_j and the error estimate h Σ e_j k_j. Zero coefficients are skipped, unit ones not written.
 */
import { numericTableau } from '../../methods/numeric.ts';
import { stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import { numberLiteral } from '../printer.ts';

/** Σ_j w_j k_j[i] over the non-zero weights, as TypeScript. */
function combination(weights: readonly number[]): string {
  const terms = weights.flatMap((w, j) => {
    if (w === 0) return [];
    const k = `k${j + 1}[i]`;
    return [w === 1 ? k : `${numberLiteral(w).text} * ${k}`];
  });
  return terms.join(' + ').replaceAll('+ -', '- ');
}

function timeAt(c: number): string {
  if (c === 0) return 't';
  if (c === 1) return 't + h';
  return `t + ${numberLiteral(c).text} * h`;
}

/** The body of rkStep(t, h, y, p, k, z, yNew, yErr, zStiff). */
export function printExplicitRkStepBody(method: ExplicitRungeKuttaMethod): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const lines: string[] = [];
  lines.push(`const ${Array.from({ length: s }, (_, j) => `k${j + 1} = k[${j}]`).join(', ')};`);
  // With FSAL the last stage is F(t + h, yNew); it is evaluated after yNew below.
  const explicitStages = method.fsal ? s - 1 : s;
  for (let i = 1; i < explicitStages; i++) {
    const sum = combination(tab.a[i]!);
    lines.push(
      sum === ''
        ? 'for (let i = 0; i < M; i++) z[i] = y[i];'
        : `for (let i = 0; i < M; i++) z[i] = y[i] + h * (${sum});`,
    );
    if (i === stiff) lines.push('zStiff.set(z); // for the stiffness estimate');
    lines.push(`rhs(${timeAt(tab.c[i]!)}, z, p, k${i + 1});`);
  }
  const update = `yNew[i] = y[i] + h * (${combination(tab.b)});`;
  const error = tab.errorWeights ? `yErr[i] = h * (${combination(tab.errorWeights)});` : undefined;
  if (method.fsal) {
    // The error estimate needs the last stage, which needs yNew: update, evaluate, then estimate.
    lines.push(`for (let i = 0; i < M; i++) ${update}`, `rhs(t + h, yNew, p, k${s});`);
    if (error) lines.push(`for (let i = 0; i < M; i++) ${error}`);
  } else if (error) {
    lines.push(`for (let i = 0; i < M; i++) {\n${update}\n${error}\n}`);
  } else {
    lines.push(`for (let i = 0; i < M; i++) ${update}`);
  }
  return lines.join('\n');
}
