/**
 * The method-specific part of a WGSL solver: one attempted explicit Runge–Kutta step with the tableau inlined
 * as f32 literals. Stage i forms z = y + h Σ_j a_ij k_j and evaluates k_i = F(t + c_i h, z); the new value is
 * y + h Σ b_j k_j and the error estimate h Σ e_j k_j. With FSAL the last stage is F(t + h, y_new), so it is
 * evaluated after y_new and before the error estimate, and it becomes the next step's first stage.
 *
 * Each stage has its own private array rk_k1 … rk_ks (WGSL passes pointers to whole variables only). The input
 * of the stiffness stage (the last stage at c = 1 before any FSAL stage) is kept in rk_zstiff.
 */
import { numericTableau } from '../../methods/numeric.ts';
import { stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import { f32Literal } from './dialect.ts';

const stage = (j: number) => `rk_k${j + 1}`;

/** Σ_j w_j k_j[i] over the non-zero weights. */
function combination(weights: readonly number[]): string {
  const terms = weights.flatMap((w, j) => {
    if (w === 0) return [];
    const k = `${stage(j)}[i]`;
    return [w === 1 ? k : `${f32Literal(w).text} * ${k}`];
  });
  return terms.join(' + ').replaceAll('+ -', '- ');
}

/** The time of a stage, t + c h, with t = th + tl in two words. */
function timeAt(c: number): string {
  if (c === 0) return 'th + tl';
  if (c === 1) return 'th + (tl + h)';
  return `th + (tl + ${f32Literal(c).text} * h)`;
}

function loop(body: string): string {
  return `for (var i = 0u; i < M; i++) {\n${body}\n}`;
}

/** `var<private> rk_k1: Vec;` … one per stage. */
export function printWgslStageDeclarations(method: ExplicitRungeKuttaMethod): string {
  return method.c.map((_, j) => `var<private> ${stage(j)}: Vec;`).join('\n');
}

/** The body of `fn rk_step(th: f32, tl: f32, h: f32)`. */
export function printWgslRkStepBody(method: ExplicitRungeKuttaMethod): string {
  const tab = numericTableau(method);
  const s = tab.c.length;
  const lines: string[] = [];
  const stiff = stiffnessStage(method);
  const explicitStages = method.fsal ? s - 1 : s;
  for (let i = 1; i < explicitStages; i++) {
    const sum = combination(tab.a[i]!);
    lines.push(loop(sum === '' ? 'rk_z[i] = rk_y[i];' : `rk_z[i] = rk_y[i] + h * (${sum});`));
    if (i === stiff) lines.push('rk_zstiff = rk_z; // for the stiffness estimate');
    lines.push(`rhs(${timeAt(tab.c[i]!)}, &rk_z, &${stage(i)});`);
  }
  const update = `rk_ynew[i] = rk_y[i] + h * (${combination(tab.b)});`;
  const error = tab.errorWeights ? `rk_err[i] = h * (${combination(tab.errorWeights)});` : undefined;
  if (method.fsal) {
    // The error estimate needs the last stage, which needs y_new: update, evaluate, then estimate.
    lines.push(loop(update), `rhs(th + (tl + h), &rk_ynew, &${stage(s - 1)});`);
    if (error) lines.push(loop(error));
  } else {
    lines.push(loop(error ? `${update}\n${error}` : update));
  }
  return lines.join('\n');
}

/** Where F(t_new, y_new) is after an accepted step: the FSAL stage, or rk_err (evaluated there). */
function slopeAtNew(method: ExplicitRungeKuttaMethod): string {
  return method.fsal ? stage(method.c.length - 1) : 'rk_err';
}

/** Makes F(t_new, y_new) available: nothing to do for FSAL methods, one evaluation into rk_err otherwise. */
export function printWgslSlopeAtNew(method: ExplicitRungeKuttaMethod): string {
  return method.fsal
    ? `// FSAL: F(t_new, y_new) is the last stage, ${slopeAtNew(method)}.`
    : 'rhs(t_new.x + t_new.y, &rk_ynew, &rk_err);';
}

/** `let estimate = …;`: ρ from the stiffness stage, or -1 (no information) for methods without one. */
export function printWgslStiffnessEstimate(method: ExplicitRungeKuttaMethod): string {
  const stiff = stiffnessStage(method);
  return stiff < 0
    ? 'let estimate = -1.0f; // no stage at c = 1 to compare with'
    : `let estimate = stiffness_rho(&${stage(stiff)}, &${slopeAtNew(method)});`;
}

/** rk_k1 = F(t_new, y_new), the next step's first stage. */
export function printWgslAcceptSlope(method: ExplicitRungeKuttaMethod): string {
  return `rk_k1 = ${slopeAtNew(method)};`;
}
