/**
 * The method-specific part of a TypeScript solver: one attempted explicit Runge–Kutta step with the tableau
 * inlined. Stage i forms z = y + h Σ_j a_ij k_j and evaluates k_i = F(t + c_i h, z); the new value is
 * y + h Σ b_j k_j, and the step returns the scaled max norm of its error estimate h Σ e_j k_j (Infinity when
 * any new value is not finite). Zero coefficients are skipped, unit ones not written.
 *
 * Two shapes with identical arithmetic (so identical results):
 *  - arrays: loops over the augmented vector, the right-hand side called per stage — any size;
 *  - scalars: every component a local variable and the right-hand side inlined into each stage, as one would
 *    write it by hand — for small systems, where loop and call overhead would dominate.
 */
import { numericTableau } from '../../methods/numeric.ts';
import { stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { symbolLocal } from '../names.ts';
import { numberLiteral } from '../printer.ts';
import { inlineRhs, rhsInputs } from './rhs.ts';

/** Σ_j w_j k_j over the non-zero weights, with `k(j)` spelling stage j's value. */
export function combination(weights: readonly number[], k: (j: number) => string): string {
  const terms = weights.flatMap((w, j) => (w === 0 ? [] : [w === 1 ? k(j) : `${numberLiteral(w).text} * ${k(j)}`]));
  return terms.join(' + ').replaceAll('+ -', '- ');
}

export function timeAt(c: number): string {
  if (c === 0) return 't';
  if (c === 1) return 't + h';
  return `t + ${numberLiteral(c).text} * h`;
}

/** y + h (Σ), or y alone when the sum is empty. */
export function stepFrom(y: string, sum: string): string {
  return sum === '' ? y : `${y} + h * (${sum})`;
}

/** |h Σ e_j k_j| / (atol + rtol·max(|y|, |yNew|)): one component's scaled error. */
export function scaledError(e: string, y: string, yNew: string): string {
  return `Math.abs(h * (${e})) / (atol + rtol * Math.max(Math.abs(${y}), Math.abs(${yNew})))`;
}

/** Scaled error of one component into the running max; NaN must win over any finite value. */
function errorTerm(e: string, y: string, yNew: string): string {
  return `{ const e = ${scaledError(e, y, yNew)}; if (e > err || e !== e) err = e; }`;
}

/** Largest M · stages for which the scalar shape is emitted (beyond it loops cost less than their overhead). */
export const SCALAR_STEP_LIMIT = 400;
/**
 * Largest scalar step, in characters of source, that is written into solve's loop. V8 does not optimise a
 * function past 60 KB of bytecode (--max-optimized-bytecode-size) and then runs it in its baseline tier: Lorenz
 * with ∂y/∂(y0, p) under RK87 (a 73,000-character step) took 19 µs a step inlined, 2.4 µs as loops, 0.22 µs
 * state only. Steps up to 50,000 characters measured faster inlined than as loops (seed, pendulum, Lorenz,
 * Arenstorf under RK45CK, RK87, RK108 and RK1412; 2026-12-05).
 */
export const SCALAR_STEP_TEXT_LIMIT = 55_000;

export function useScalarStep(system: AugmentedSystem, method: ExplicitRungeKuttaMethod): boolean {
  return (
    system.layout === 'unrolled' &&
    system.size * method.c.length <= SCALAR_STEP_LIMIT &&
    printedScalarStep(system, method).length <= SCALAR_STEP_TEXT_LIMIT
  );
}

/**
 * The scalar step, printed once per system and method: its length decides whether it is used (useScalarStep),
 * which the module assembly asks more than once before it prints the step itself.
 */
const scalarSteps = new WeakMap<AugmentedSystem, Map<ExplicitRungeKuttaMethod, string>>();
function printedScalarStep(system: AugmentedSystem, method: ExplicitRungeKuttaMethod): string {
  let byMethod = scalarSteps.get(system);
  if (byMethod === undefined) {
    byMethod = new Map();
    scalarSteps.set(system, byMethod);
  }
  let text = byMethod.get(method);
  if (text === undefined) {
    text = scalarStep(system, method);
    byMethod.set(method, text);
  }
  return text;
}

/** The body of rkStep(t, h, y, p, k, z, yNew, fNew, zStiff, record, rtol, atol, controlled): number. */
export function printExplicitRkStepBody(
  system: AugmentedSystem,
  method: ExplicitRungeKuttaMethod,
  scalar = useScalarStep(system, method),
): string {
  return scalar ? printedScalarStep(system, method) : arrayStep(method);
}

function arrayStep(method: ExplicitRungeKuttaMethod): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  // (`!` on every element read: erased, and the module type-checks under noUncheckedIndexedAccess)
  const k = (j: number) => `k${j + 1}[i]!`;
  const lines: string[] = [];
  lines.push(`const ${Array.from({ length: s }, (_, j) => `k${j + 1} = k[${j}]!`).join(', ')};`);
  // With FSAL the last stage is F(t + h, yNew); it is evaluated after yNew below.
  const explicitStages = method.fsal ? s - 1 : s;
  for (let i = 1; i < explicitStages; i++) {
    lines.push(`for (let i = 0; i < M; i++) z[i] = ${stepFrom('y[i]!', combination(tab.a[i]!, k))};`);
    if (i === stiff) lines.push('if (record) zStiff.set(z); // for the stiffness estimate');
    lines.push(`rhs(${timeAt(tab.c[i]!)}, z, p, k${i + 1});`);
  }
  lines.push(
    '// x * 0 is 0 for every finite x and NaN otherwise: one sum checks all new values',
    'let finite = 0;',
    'for (let i = 0; i < M; i++) {',
    `const v = ${stepFrom('y[i]!', combination(tab.b, k))};`,
    'yNew[i] = v;',
    'finite += v * 0;',
    '}',
  );
  // F(t + h, yNew): the FSAL method's last stage, otherwise evaluated ahead for the next step (the step is
  // accepted far more often than not).
  lines.push(method.fsal ? `rhs(t + h, yNew, p, k${s});` : 'rhs(t + h, yNew, p, fNew);');
  if (!tab.errorWeights) {
    lines.push('return finite === 0 ? 0 : Number.POSITIVE_INFINITY;');
    return lines.join('\n');
  }
  lines.push(
    'let err = 0;',
    'for (let i = 0; i < controlled; i++) {',
    errorTerm(combination(tab.errorWeights, k), 'y[i]!', 'yNew[i]!'),
    '}',
    'return finite === 0 ? err : Number.POSITIVE_INFINITY;',
  );
  return lines.join('\n');
}

function scalarStep(system: AugmentedSystem, method: ExplicitRungeKuttaMethod): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const m = system.size;
  const n = system.model.states.length;
  const all = Array.from({ length: m }, (_, i) => i);
  const { components: read, params, time: usesTime } = rhsInputs(system);
  const k = (stage: number) => (i: number) => `k${stage + 1}_${i}`;

  const lines: string[] = [];
  lines.push('const k1 = k[0]!;');
  for (const q of params) lines.push(`const ${symbolLocal(q)} = p[${q.index}]!;`);
  lines.push(...all.map((i) => `const y_${i} = y[${i}]!, k1_${i} = k1[${i}]!;`));
  const lastExplicit = method.fsal ? s - 1 : s;
  for (let st = 1; st < lastExplicit; st++) {
    lines.push(`// stage ${st + 1}: c = ${numberLiteral(tab.c[st]!).text}`);
    const needed = st === stiff ? all : all.filter((i) => read.has(i));
    for (const i of needed) {
      lines.push(
        `const z${st + 1}_${i} = ${stepFrom(
          `y_${i}`,
          combination(tab.a[st]!, (j) => k(j)(i)),
        )};`,
      );
    }
    if (usesTime) lines.push(`const t${st + 1} = ${timeAt(tab.c[st]!)};`);
    lines.push(...inlineRhs(system, (i) => `z${st + 1}_${i}`, `t${st + 1}`, `u${st + 1}_`, k(st)));
  }
  lines.push('// the new value; x * 0 is 0 for every finite x and NaN otherwise', 'let finite = 0;');
  for (const i of all) {
    lines.push(
      `const n_${i} = ${stepFrom(
        `y_${i}`,
        combination(tab.b, (j) => k(j)(i)),
      )};`,
    );
    lines.push(`yNew[${i}] = n_${i};`, `finite += n_${i} * 0;`);
  }
  // F(t + h, yNew), the next step's first stage: the FSAL method's last stage, otherwise evaluated ahead (the
  // step is accepted far more often than not).
  lines.push(`// F(t + h, yNew)${method.fsal ? `: stage ${s}` : ''}, the next step's first stage`);
  if (usesTime) lines.push('const tNew = t + h;');
  const next = (i: number) => `f_${i}`;
  lines.push(...inlineRhs(system, (i) => `n_${i}`, 'tNew', 'v', method.fsal ? k(s - 1) : next));
  lines.push(`const kNext = ${method.fsal ? `k[${s - 1}]` : 'fNew'};`);
  lines.push(...all.map((i) => `kNext[${i}] = ${method.fsal ? k(s - 1)(i) : next(i)};`));
  if (stiff >= 0) {
    lines.push(`// stage ${stiff + 1}, for the stiffness estimate`, 'if (record) {', `const kStiff = k[${stiff}]!;`);
    lines.push(...all.map((i) => `zStiff[${i}] = z${stiff + 1}_${i}; kStiff[${i}] = k${stiff + 1}_${i};`), '}');
  }
  if (!tab.errorWeights) {
    lines.push('return finite === 0 ? 0 : Number.POSITIVE_INFINITY;');
    return lines.join('\n');
  }
  const error = (i: number) =>
    errorTerm(
      combination(tab.errorWeights!, (j) => k(j)(i)),
      `y_${i}`,
      `n_${i}`,
    );
  lines.push('let err = 0;', ...all.slice(0, n).map(error));
  if (m > n) lines.push('if (controlled > N) {', ...all.slice(n).map(error), '}');
  lines.push('return finite === 0 ? err : Number.POSITIVE_INFINITY;');
  return lines.join('\n');
}
