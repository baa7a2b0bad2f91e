/** Shared helpers for the method tests. */
import { exactWeights, parseCoefficient, type Rational } from '../../src/methods/exact.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';

const RATIONAL_SPELLING = /^[+-]?\d+(\/[+-]?\d+)?$/;

/** True when every coefficient is an integer or a fraction (so checks can be exact). */
export function isRationalTableau(method: Method): boolean {
  const est = method.errorEstimate;
  const all = [
    ...method.c,
    ...method.a.flat(),
    ...method.b,
    ...(est === undefined ? [] : 'bHat' in est ? est.bHat : est.errorWeights),
  ];
  return all.every((x) => RATIONAL_SPELLING.test(x));
}

export interface ExactTableau {
  readonly c: Rational[];
  readonly a: Rational[][];
  readonly b: readonly Rational[];
  readonly bHat?: readonly Rational[];
  readonly e?: readonly Rational[];
}

export function exactTableau(method: Method): ExactTableau {
  return {
    c: method.c.map(parseCoefficient),
    a: method.a.map((row) => row.map(parseCoefficient)),
    ...exactWeights(method),
  };
}

/** The weight rows to check, each with the order it must reach. */
export function weightRows(method: Method): { label: string; weights: readonly Rational[]; order: number }[] {
  const w = exactWeights(method);
  const rows = [{ label: 'b', weights: w.b, order: method.order }];
  if (w.bHat !== undefined && method.errorEstimate !== undefined) {
    rows.push({ label: 'bHat', weights: w.bHat, order: method.errorEstimate.order });
  }
  return rows;
}
