/**
 * A tableau as doubles, each rounded once from its exact value: what the code generators inline.
 */
import { coefficientToNumber, errorWeights } from './exact.ts';
import type { ExplicitRungeKuttaMethod } from './types.ts';

export interface NumericTableau {
  readonly c: readonly number[];
  readonly a: readonly (readonly number[])[];
  readonly b: readonly number[];
  /** e_j = b_j − b̂_j, rounded once from the exact difference; absent for fixed-step methods. */
  readonly errorWeights?: readonly number[];
  /** Order of the error estimate's embedded solution, 0 for fixed-step methods. */
  readonly errorOrder: number;
}

const cache = new WeakMap<ExplicitRungeKuttaMethod, NumericTableau>();

/** The tableau as doubles (computed once per method object: exact rounding of big rationals is not free). */
export function numericTableau(method: ExplicitRungeKuttaMethod): NumericTableau {
  let tableau = cache.get(method);
  if (tableau === undefined) {
    tableau = convert(method);
    cache.set(method, tableau);
  }
  return tableau;
}

function convert(method: ExplicitRungeKuttaMethod): NumericTableau {
  return {
    c: method.c.map(coefficientToNumber),
    a: method.a.map((row) => row.map(coefficientToNumber)),
    b: method.b.map(coefficientToNumber),
    errorWeights: method.errorEstimate ? errorWeights(method) : undefined,
    errorOrder: method.errorEstimate?.order ?? 0,
  };
}
