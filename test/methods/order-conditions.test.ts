/**
 * Butcher's order conditions, checked exactly (BigInt rationals) for rational tableaus and with
 * 100-digit fixed point for Feagin's 60-digit decimal tableaus (residuals must stay below 1e-50, about
 * what 60-digit rounding of the coefficients leaves).
 */
import { describe, expect, it } from 'vitest';
import { abs, parseCoefficient, type Rational, rationalToNumber } from '../../src/methods/exact.ts';
import { EXPLICIT_METHODS, RK87, RK108, RK1412 } from '../../src/methods/index.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';
import { FIXED_FIELD, fixedToNumber, RATIONAL_FIELD, toFixed } from './fields.ts';
import { exactTableau, isRationalTableau, weightRows } from './helpers.ts';
import { orderConditionResiduals, rootedTrees, type Tree } from './rooted-trees.ts';

const DECIMAL_TOLERANCE = 1e-50;

/** For each weight row: the largest |residual| among the trees of each order (index = order). */
function residualsByOrder(method: Method, weightSets: readonly (readonly Rational[])[], maxOrder: number): number[][] {
  const trees = rootedTrees(maxOrder);
  const a = method.a.map((row) => row.map(parseCoefficient));
  let residuals: number[][];
  if (isRationalTableau(method)) {
    // Exact: a residual is either exactly zero or reported by its (non-zero) size.
    residuals = orderConditionResiduals(RATIONAL_FIELD, a, weightSets, trees).map((r) =>
      r.map((x) => (x.num === 0n ? 0 : Math.max(rationalToNumber(abs(x)), Number.MIN_VALUE))),
    );
  } else {
    const af = a.map((row) => row.map(toFixed));
    residuals = orderConditionResiduals(
      FIXED_FIELD,
      af,
      weightSets.map((w) => w.map(toFixed)),
      trees,
    ).map((r) => r.map((x) => Math.abs(fixedToNumber(x))));
  }
  return residuals.map((r) => {
    const worst: number[] = new Array(maxOrder + 1).fill(0);
    r.forEach((x, i) => {
      const t: Tree = trees[i]!;
      worst[t.order] = Math.max(worst[t.order]!, x);
    });
    return worst;
  });
}

function satisfied(method: Method, residual: number): boolean {
  return isRationalTableau(method) ? residual === 0 : residual <= DECIMAL_TOLERANCE;
}

describe('rooted trees', () => {
  it('are counted right (OEIS A000081)', () => {
    const trees = rootedTrees(10);
    const counts = Array.from({ length: 10 }, (_, k) => trees.filter((t) => t.order === k + 1).length);
    expect(counts).toEqual([1, 1, 2, 4, 9, 20, 48, 115, 286, 719]);
  });

  it('have the right densities γ', () => {
    const trees = rootedTrees(4);
    // τ, [τ], [τ,τ], [[τ]], [τ,τ,τ], [τ,[τ]], [[τ,τ]], [[[τ]]] in some order: γ ∈ {1, 2, 3, 6, 4, 8, 12, 24}.
    expect(trees.map((t) => t.gamma).sort((x, y) => Number(x - y))).toEqual([1n, 2n, 3n, 4n, 6n, 8n, 12n, 24n]);
  });
});

describe.each(EXPLICIT_METHODS.map((m) => [m.name, m] as const))(
  'order conditions up to order 5: %s',
  (_name, method) => {
    const rows = weightRows(method);
    const maxOrder = Math.min(5, Math.max(...rows.map((r) => r.order)));
    const worst = residualsByOrder(
      method,
      rows.map((r) => r.weights),
      maxOrder,
    );
    rows.forEach((row, k) => {
      it(`${row.label} satisfies every condition up to order ${Math.min(row.order, 5)}`, () => {
        for (let p = 1; p <= Math.min(row.order, 5); p++) {
          expect(satisfied(method, worst[k]![p]!), `order ${p}: residual ${worst[k]![p]}`).toBe(true);
        }
      });
    });
  },
);

/** Methods light enough to check every condition up to one order past the declared one. */
const FULL = EXPLICIT_METHODS.filter((m) => m !== RK1412);

describe.each(FULL.map((m) => [m.name, m] as const))('exact order: %s', (_name, method) => {
  const rows = weightRows(method);
  const maxOrder = Math.max(...rows.map((r) => r.order)) + 1;
  const worst = residualsByOrder(
    method,
    rows.map((r) => r.weights),
    maxOrder,
  );
  rows.forEach((row, k) => {
    it(`${row.label} has order exactly ${row.order}`, () => {
      for (let p = 1; p <= row.order; p++) {
        expect(satisfied(method, worst[k]![p]!), `order ${p}: residual ${worst[k]![p]}`).toBe(true);
      }
      // Some condition of the next order fails clearly, so the declared order is not an understatement.
      expect(worst[k]![row.order + 1]!).toBeGreaterThan(1e-12);
    });
  });
});

describe('RK1412 (35 stages) up to order 12', () => {
  const rows = weightRows(RK1412);
  const worst = residualsByOrder(
    RK1412,
    rows.map((r) => r.weights),
    12,
  );
  it('b satisfies every condition up to order 12 (orders 13 and 14 are left to the convergence test)', () => {
    for (let p = 1; p <= 12; p++) expect(worst[0]![p]!, `order ${p}`).toBeLessThanOrEqual(DECIMAL_TOLERANCE);
  });
  it('b̂ = b − e satisfies every condition up to order 12', () => {
    for (let p = 1; p <= 12; p++) expect(worst[1]![p]!, `order ${p}`).toBeLessThanOrEqual(DECIMAL_TOLERANCE);
  });
});

describe("DESolver's RK8713M propagates the wrong row", () => {
  it('the 7th-order row, which DESolver propagates, fails an order-8 condition; ours (8th order) does not', () => {
    const t = exactTableau(RK87);
    const [propagated, desolverRow] = residualsByOrder(RK87, [t.b, t.bHat!], 8);
    expect(propagated![8]).toBe(0);
    expect(desolverRow![7]).toBe(0);
    expect(desolverRow![8]!).toBeGreaterThan(1e-6);
  });
});

describe('Feagin tableaus are checked with a tolerance that catches a one-digit slip', () => {
  it('a change in the 40th digit of one coefficient breaks an order condition', () => {
    const row = [...RK108.a[12]!];
    const original = row[7]!; // 5.78428813637537220022999785486578436006872789689499172601856
    const digits = original.split('');
    const pos = original.indexOf('.') + 40;
    digits[pos] = digits[pos] === '9' ? '8' : String(Number(digits[pos]) + 1);
    row[7] = digits.join('');
    const broken: Method = { ...RK108, a: RK108.a.map((r, i) => (i === 12 ? row : r)) };
    const worst = residualsByOrder(broken, [exactTableau(broken).b], 3);
    expect(worst[0]!.some((x) => x > DECIMAL_TOLERANCE)).toBe(true);
  });
});
