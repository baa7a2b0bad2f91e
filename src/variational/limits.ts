/**
 * Size limits of the augmented system, checked before it is built.
 *
 * What costs memory and time grows with three figures, each estimated here from the model alone, cheaply:
 *   - the augmented size n + n² (y0 sensitivities) + n·p (parameter sensitivities): the solver's vectors,
 *     about (stages + 6) × 8 bytes per component at run time;
 *   - the structural non-zeros of J = ∂f/∂y, from the symbols each right-hand side reads (a superset of what
 *     differentiation keeps): one derivative expression each, printed once, and in the 'columns' layout one
 *     term of the column loop each;
 *   - in the 'unrolled' layout (the CUDA and WGSL targets, small TypeScript systems), the expressions it
 *     builds and prints: one per component, one per product J_ik·X_kc that is not structurally zero (X = Φ
 *     or S, see src/variational/system.ts), one per non-zero ∂f_i/∂p_k.
 * With second-order sensitivities (`order` 2, unrolled only) the augmented size adds the second-order blocks
 * (n·n(n+1)/2 + n·n·p + n·p(p+1)/2, see src/variational/second-order.ts), and the unrolled expressions add, per
 * column of those blocks, an upper bound of its products: one per structural non-zero of J (J·X) and as many
 * again for the curvature terms (f_i,lm X_lj X_mk; f_i,lm is non-zero only where f_i reads y_l).
 * Past a limit the model is refused with a ModelError naming the figure, the limit and what raises it,
 * instead of running for minutes and dying of an exhausted heap (a 1,000-state dense model unrolled for CUDA
 * did, with exit 134) or allocating 10 GB for a solve.
 */
import { freeSymbols } from '../diff/derivative.ts';
import { ModelError, OptionError } from '../errors.ts';
import type { Model } from '../model/model.ts';
import { secondOrderSize } from './second-order.ts';
import { type Sensitivity, statesReaching, transposeRows, type VariationalLayout } from './system.ts';

export interface SystemLimits {
  /** Components of the augmented vector [y | Φ | S] (default 20,000,000). */
  readonly maxAugmentedSize: number;
  /** Structural non-zeros of J = ∂f/∂y, when sensitivities are asked (default 500,000). */
  readonly maxJacobianNonzeros: number;
  /** Expressions of the unrolled layout: components plus non-zero products (default 2,000,000). */
  readonly maxUnrolledTerms: number;
}

/**
 * Chosen from measurements on a 2-core machine with Node's default heap (about 4 GB), each peak RSS:
 *   - augmented size: Lorenz-96 with 1,000 states and y0 sensitivities (1,001,000 components, 'columns')
 *     compiles and takes its first steps in 3.6 s at 0.35 GB; 10,000 diagonal states with y0 (100,010,000)
 *     needed 9.9 GB. At run time a component costs about (stages + 6) × 8 bytes: 20,000,000 of them are
 *     about 2 GB with RK45CK.
 *   - Jacobian non-zeros ('columns'): 250,000 (500 dense states, y0) generate in 20 s at 0.64 GB, 1,000,000
 *     (1,000 dense states) compile in 91 s at 1.6 GB. A 2-D Brusselator of 32,768 states has 196,608.
 *   - unrolled expressions: 1,010,000 (100 dense states, y0, CUDA) generate in 13 s at 0.46 GB, 8,040,000
 *     (200 dense states) in 134 s at 1.4 GB; 1,000 dense states (10⁹) exhausted the heap.
 */
export const DEFAULT_SYSTEM_LIMITS: SystemLimits = {
  maxAugmentedSize: 20_000_000,
  maxJacobianNonzeros: 500_000,
  maxUnrolledTerms: 2_000_000,
};

/** What the size check found; the unrolled count stops early once it passes its limit. */
export interface SystemSize {
  readonly augmentedSize: number;
  readonly jacobianNonzeros: number;
  /** Unrolled layout only: expressions it builds (a lower bound when `unrolledTermsExact` is false). */
  readonly unrolledTerms?: number;
  readonly unrolledTermsExact?: boolean;
}

/** The targets of `generate` (mirrors Target in src/compile.ts). */
export type SizeCheckTarget = 'ts' | 'cuda' | 'wgsl' | 'wat';

const figure = (x: number) => x.toLocaleString('en-US');

function checkedLimits(limits: Partial<SystemLimits>): SystemLimits {
  const out = { ...DEFAULT_SYSTEM_LIMITS };
  for (const key of Object.keys(DEFAULT_SYSTEM_LIMITS) as (keyof SystemLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    // Infinity lifts a limit; anything that is not a positive number is a mistake, not "no limit".
    if (typeof value !== 'number' || !(value > 0)) {
      const shown = typeof value === 'number' ? String(value) : `a ${value === null ? 'null' : typeof value}`;
      throw new OptionError(`limits.${key}`, `expected a positive number, got ${shown}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Refuses, with a ModelError, a system whose augmented size, Jacobian or unrolled code would exceed `limits`
 * (unset ones take DEFAULT_SYSTEM_LIMITS), before anything is built. `layout` is the layout the target will
 * build: always 'unrolled' for 'cuda' and 'wgsl'. Returns the figures it computed.
 */
export function checkSystemSize(
  model: Model,
  sensitivities: readonly Sensitivity[],
  layout: VariationalLayout,
  target: SizeCheckTarget,
  limits: Partial<SystemLimits> = {},
  /** 2 with second-order sensitivities (see above). */
  order: 1 | 2 = 1,
): SystemSize {
  const { maxAugmentedSize, maxJacobianNonzeros, maxUnrolledTerms } = checkedLimits(limits);
  const refuse = (problem: string) => new ModelError({ model: model.name }, problem);
  const n = model.states.length;
  const withY0 = sensitivities.includes('y0');
  // As buildAugmentedSystem: parameter sensitivities of a model without parameters add nothing.
  const np = sensitivities.includes('params') ? model.params.length : 0;

  const second = order === 2 ? secondOrderSize(n, np, withY0) : 0;
  const augmentedSize = n + (withY0 ? n * n : 0) + n * np + second;
  if (augmentedSize > maxAugmentedSize) {
    const terms = [
      'n',
      ...(withY0 ? ['n²'] : []),
      ...(np > 0 ? ['n·p'] : []),
      ...(second > 0 ? ['the second-order blocks'] : []),
    ].join(' + ');
    const asked = [...(withY0 ? ['y0'] : []), ...(np > 0 ? ['parameter'] : [])].join(' and ');
    const what = asked === '' ? `${figure(n)} states` : `${asked} sensitivities for ${figure(n)} states`;
    const params = np > 0 ? ` and ${figure(np)} parameter${np === 1 ? '' : 's'}` : '';
    throw refuse(
      `augmented system of ${figure(augmentedSize)} components (${terms} with ${what}${params}) exceeds ` +
        `limits.maxAugmentedSize = ${figure(maxAugmentedSize)}; ask for fewer sensitivities or raise the limit`,
    );
  }

  // Without sensitivities nothing builds J, and the unrolled layout is f alone.
  if (!withY0 && np === 0) {
    return layout === 'unrolled'
      ? { augmentedSize, jacobianNonzeros: 0, unrolledTerms: n, unrolledTermsExact: true }
      : { augmentedSize, jacobianNonzeros: 0 };
  }

  // J's structural pattern from the symbols each right-hand side reads: what buildAugmentedSystem
  // differentiates, without differentiating.
  const stateIndex = new Map(model.states.map((s, i) => [s.id, i]));
  const paramIndex = new Map(model.params.map((q, k) => [q.id, k]));
  const reads: number[][] = [];
  const paramSeeds: number[][] = Array.from({ length: np }, () => []);
  let jacobianNonzeros = 0;
  let paramNonzeros = 0;
  model.rhs.forEach((f, i) => {
    const row: number[] = [];
    for (const id of freeSymbols(f)) {
      const k = stateIndex.get(id);
      if (k !== undefined) row.push(k);
      const q = np > 0 ? paramIndex.get(id) : undefined;
      if (q !== undefined) {
        paramSeeds[q]!.push(i);
        paramNonzeros++;
      }
    }
    jacobianNonzeros += row.length;
    reads.push(row);
  });
  if (jacobianNonzeros > maxJacobianNonzeros) {
    throw refuse(
      `Jacobian with up to ${figure(jacobianNonzeros)} non-zeros (the states each of the ${figure(n)} ` +
        `right-hand sides reads) exceeds limits.maxJacobianNonzeros = ${figure(maxJacobianNonzeros)}; ` +
        'simplify the model or raise the limit',
    );
  }
  if (layout !== 'unrolled') return { augmentedSize, jacobianNonzeros };

  // Second order: per column of its blocks, up to nnz(J) products J·X and as many curvature terms.
  const secondColumns = second / Math.max(n, 1);
  const fixed = augmentedSize + paramNonzeros + 2 * secondColumns * jacobianNonzeros;
  const counted = countUnrolledTerms(reads, withY0, paramSeeds, Math.max(0, maxUnrolledTerms - fixed));
  const unrolledTerms = fixed + counted.products;
  if (unrolledTerms > maxUnrolledTerms) {
    const how = target === 'cuda' || target === 'wgsl' ? `the ${target} target unrolls every component` : 'unrolled';
    const remedy =
      target === 'cuda' || target === 'wgsl'
        ? 'ask for fewer sensitivities or raise the limit'
        : "use layout 'columns', ask for fewer sensitivities, or raise the limit";
    throw refuse(
      `right-hand side of ${counted.exact ? '' : 'more than '}${figure(unrolledTerms)} expressions (${how}: ` +
        `${figure(augmentedSize)} components and their products J_ik·Φ_kj, J_ik·S_kc that are not structurally ` +
        `zero) exceeds limits.maxUnrolledTerms = ${figure(maxUnrolledTerms)}; ${remedy}`,
    );
  }
  return { augmentedSize, jacobianNonzeros, unrolledTerms, unrolledTermsExact: counted.exact };
}

/**
 * The products J_ik·X_kc of the unrolled layout that are not structurally zero, X = Φ (one column per state)
 * and S (one per parameter): for a column c, each state k that reaches one of c's seeds contributes one
 * product per f_i that reads y_k. Column by column, a backwards search each, so the cost is that of the count
 * itself: it stops as soon as the count passes `stopAbove` (then `exact` is false).
 */
function countUnrolledTerms(
  reads: readonly (readonly number[])[],
  withY0: boolean,
  paramSeeds: readonly (readonly number[])[],
  stopAbove: number,
): { products: number; exact: boolean } {
  const n = reads.length;
  const readBy = transposeRows(reads, n);
  const mark = new Int32Array(n).fill(-1);
  let products = 0;
  let stamp = 0;
  const column = (seeds: readonly number[]): boolean => {
    for (const k of statesReaching(readBy, seeds, mark, stamp++)) products += readBy[k]!.length;
    return products <= stopAbove;
  };
  for (let j = 0; j < n && withY0; j++) if (!column([j])) return { products, exact: false };
  for (const seeds of paramSeeds) if (!column(seeds)) return { products, exact: false };
  return { products, exact: true };
}
