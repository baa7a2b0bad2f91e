/**
 * The implicit Runge–Kutta tableaus, checked exactly in Q(√d): B-series order conditions up to the claimed
 * order and a failure at the next one, stage order C(q), stiff accuracy, the stability function against its
 * Padé form (hence A-/L-stability by Ehle's theorem), the error estimates, and a measured convergence order
 * on a linear non-autonomous problem with a hand-rolled stage solve.
 */
import { describe, expect, it } from 'vitest';
import { parseCoefficient, type Rational, rational } from '../../src/methods/exact.ts';
import { IMPLICIT_RK_METHODS, LOBATTO_IIIC4, RADAU_IIA3, RADAU_IIA5 } from '../../src/methods/implicit/index.ts';
import type { ExactCoefficient, ImplicitRungeKuttaMethod } from '../../src/methods/implicit/types.ts';
import { rootedTrees } from './rooted-trees.ts';
import {
  implicitResiduals,
  isExactlySpelled,
  magnitude,
  pade,
  polyAt,
  radicandOf,
  type Surd,
  type SurdField,
  solveDouble,
  stabilityAtInfinity,
  stabilityFunction,
  surdField,
  toDouble,
  toSurd,
  vecMat,
} from './stiff-helpers.ts';

function coefficientsOf(m: ImplicitRungeKuttaMethod): ExactCoefficient[] {
  const est = m.errorEstimate;
  return [
    ...m.c,
    ...m.a.flat(),
    ...m.b,
    ...(est === undefined ? [] : est.kind === 'embedded' ? est.bHat : est.stageWeights),
  ];
}

interface Exact {
  readonly field: SurdField;
  readonly a: Surd[][];
  readonly b: Surd[];
  readonly c: Surd[];
}

function exact(m: ImplicitRungeKuttaMethod): Exact {
  const field = surdField(radicandOf(coefficientsOf(m)));
  const conv = (x: ExactCoefficient) => toSurd(x, field.d);
  return { field, a: m.a.map((row) => row.map(conv)), b: m.b.map(conv), c: m.c.map(conv) };
}

/** The largest |residual| per order (index = order), for each weight row. */
function worstByOrder(field: SurdField, a: Surd[][], weights: Surd[][], maxOrder: number): number[][] {
  const trees = rootedTrees(maxOrder);
  return implicitResiduals(field, a, weights, trees).map((r) => {
    const worst = new Array<number>(maxOrder + 1).fill(0);
    r.forEach((x, i) => {
      const o = trees[i]!.order;
      worst[o] = Math.max(worst[o]!, magnitude(field, x));
    });
    return worst;
  });
}

const cases = IMPLICIT_RK_METHODS.map((m) => [m.name, m] as const);

describe('implicit RK registry data', () => {
  it('has DESolver’s names, each once', () => {
    expect(IMPLICIT_RK_METHODS.map((m) => m.name).sort()).toEqual(
      [
        'BackwardEuler',
        'CrankNicolson',
        'GaussLegendre4',
        'GaussLegendre6',
        'ImplicitMidpoint',
        'LobattoIIIA2',
        'LobattoIIIA4',
        'LobattoIIIB2',
        'LobattoIIIB4',
        'LobattoIIIC2',
        'LobattoIIIC4',
        'RadauIA3',
        'RadauIA5',
        'RadauIIA3',
        'RadauIIA5',
      ].sort(),
    );
  });

  it('adaptive methods are RadauIIA5 and LobattoIIIC4 only', () => {
    expect(IMPLICIT_RK_METHODS.filter((m) => m.errorEstimate).map((m) => m.name)).toEqual([
      'RadauIIA5',
      'LobattoIIIC4',
    ]);
  });

  it.each(cases)('%s: shapes, exact spelling, a source', (_n, m) => {
    const s = m.b.length;
    expect(m.family).toBe('implicit-rk');
    expect(m.c).toHaveLength(s);
    expect(m.a).toHaveLength(s);
    for (const row of m.a) expect(row).toHaveLength(s);
    expect(isExactlySpelled([...m.c, ...m.a.flat(), ...m.b])).toBe(true);
    expect(m.source.length).toBeGreaterThan(40);
  });
});

describe.each(cases)('order conditions: %s', (_n, m) => {
  const { field, a, b } = exact(m);
  const worst = worstByOrder(field, a, [b], m.order + 1)[0]!;
  it(`Σ b Φ(t) = 1/γ(t) exactly for every tree up to order ${m.order}`, () => {
    for (let p = 1; p <= m.order; p++) expect(worst[p], `order ${p}`).toBe(0);
  });
  it(`some condition of order ${m.order + 1} fails`, () => {
    expect(worst[m.order + 1]!).toBeGreaterThan(1e-6);
  });
});

describe.each(cases)('stage order, stiff accuracy, stability: %s', (_n, m) => {
  const { field, a, b, c } = exact(m);
  const s = b.length;
  /** C(k): Σ_j a_ij c_j^{k−1} = c_i^k / k for all i. */
  const holdsC = (k: number): boolean =>
    a.every((row, i) => {
      let lhs = field.zero;
      row.forEach((aij, j) => {
        let ck = field.one;
        for (let e = 1; e < k; e++) ck = field.mul(ck, c[j]!);
        lhs = field.add(lhs, field.mul(aij, ck));
      });
      let rhs = field.one;
      for (let e = 0; e < k; e++) rhs = field.mul(rhs, c[i]!);
      return field.equals(lhs, field.mul(rhs, field.reciprocal(BigInt(k))));
    });

  it(`has stage order exactly ${m.stageOrder}`, () => {
    for (let k = 1; k <= m.stageOrder; k++) expect(holdsC(k), `C(${k})`).toBe(true);
    expect(holdsC(m.stageOrder + 1), `C(${m.stageOrder + 1})`).toBe(false);
  });

  it(`stiffly accurate: ${m.stifflyAccurate}`, () => {
    const last = a[s - 1]!;
    expect(last.every((x, j) => field.equals(x, b[j]!))).toBe(m.stifflyAccurate);
  });

  const [k, j] = m.stability.pade!;
  it(`R(z) is the (${k}, ${j}) Padé approximant of e^z (at ${2 * s + 2} points, which fixes it)`, () => {
    const { p, q } = pade(k, j);
    const points: Rational[] = ['-1', '-2', '-3', '-1/2', '1/2', '-5', '-7/2', '-10', '1/3'].map(parseCoefficient);
    for (const z of points.slice(0, 2 * s + 2)) {
      const r = stabilityFunction(field, a, b, field.fromRational(z));
      const pz = polyAt(p, z);
      const qz = polyAt(q, z);
      // R(z) = P(z)/Q(z) ⇔ R(z) Q(z) − P(z) = 0, exactly.
      const diff = field.sub(field.mul(r, field.fromRational(qz)), field.fromRational(pz));
      expect(field.isZero(diff), `z = ${z.num}/${z.den}`).toBe(true);
    }
  });

  it(`${m.stability.kind}-stable: Padé (${k}, ${j}) with j − 2 ≤ k ≤ j; |R(iy)| ≤ 1 on a grid`, () => {
    expect(k <= j && k >= j - 2).toBe(true);
    expect(m.stability.kind === 'L').toBe(k < j);
    const { p, q } = pade(k, j);
    const pn = p.map((x) => Number(x.num) / Number(x.den));
    const qn = q.map((x) => Number(x.num) / Number(x.den));
    const absAt = (coefs: number[], y: number): number => {
      let re = 0;
      let im = 0;
      coefs.forEach((co, n) => {
        // (iy)^n = y^n i^n
        const v = co * y ** n;
        const r = n % 4;
        if (r === 0) re += v;
        else if (r === 1) im += v;
        else if (r === 2) re -= v;
        else im -= v;
      });
      return Math.hypot(re, im);
    };
    for (let y = -50; y <= 50; y += 0.25) expect(absAt(pn, y)).toBeLessThanOrEqual(absAt(qn, y) * (1 + 1e-14));
  });

  it('R(∞) = 1 − bᵀA⁻¹1 is 0 when L-stable, (−1)^k for the diagonal Padé ones; A is singular only for Lobatto IIIA/IIIB', () => {
    const singular = /^(LobattoIII[AB]|CrankNicolson)/.test(m.name);
    if (singular) {
      expect(() => stabilityAtInfinity(field, a, b)).toThrow(/singular/);
      return;
    }
    const rInf = stabilityAtInfinity(field, a, b);
    if (m.stability.kind === 'L') expect(field.isZero(rInf)).toBe(true);
    else expect(field.equals(rInf, field.fromRational(rational(k % 2 === 0 ? 1n : -1n)))).toBe(true);
  });
});

describe('error estimates', () => {
  it('LobattoIIIC4: DESolver’s b̂ has order exactly 2', () => {
    const { field, a } = exact(LOBATTO_IIIC4);
    const est = LOBATTO_IIIC4.errorEstimate!;
    expect(est.kind).toBe('embedded');
    if (est.kind !== 'embedded') return;
    const worst = worstByOrder(field, a, [est.bHat.map((x) => toSurd(x, field.d))], 3)[0]!;
    expect(worst[1]).toBe(0);
    expect(worst[2]).toBe(0);
    expect(worst[3]!).toBeGreaterThan(1e-6);
  });

  describe('RadauIIA5: Hairer’s estimate', () => {
    const est = RADAU_IIA5.errorEstimate!;
    if (est.kind !== 'radau5') throw new Error('expected the radau5 estimate');
    const { field, a, b, c } = exact(RADAU_IIA5);
    const e = est.stageWeights.map((x) => toSurd(x, field.d));
    const gamma0 = field.fromRational(parseCoefficient(est.gamma0));

    it('γ0 is the real eigenvalue of A: |det(A − γ0 I)| < 1e-55', () => {
      const m = a.map((row, i) => row.map((x, j) => (i === j ? field.sub(x, gamma0) : x)));
      const [r0, r1, r2] = m as [Surd[], Surd[], Surd[]];
      const det = field.sub(
        field.add(
          field.mul(r0[0]!, field.sub(field.mul(r1[1]!, r2[2]!), field.mul(r1[2]!, r2[1]!))),
          field.mul(r0[2]!, field.sub(field.mul(r1[0]!, r2[1]!), field.mul(r1[1]!, r2[0]!))),
        ),
        field.mul(r0[1]!, field.sub(field.mul(r1[0]!, r2[2]!), field.mul(r1[2]!, r2[0]!))),
      );
      expect(magnitude(field, det)).toBeLessThan(1e-55);
      // and it matches the closed form 1/(3 + 3^(2/3) − 3^(1/3)) in doubles
      expect(Math.abs(field.toNumber(gamma0) - 1 / (3 + 3 ** (2 / 3) - 3 ** (1 / 3)))).toBeLessThan(1e-15);
    });

    it('e·c = −1, e·c² = e·c³ = 0 exactly, e·c⁴ ≠ 0', () => {
      const pow = (k: number) =>
        c.map((ci) => {
          let x = field.one;
          for (let n = 0; n < k; n++) x = field.mul(x, ci);
          return x;
        });
      const dotp = (k: number) => e.reduce((acc, ei, i) => field.add(acc, field.mul(ei, pow(k)[i]!)), field.zero);
      expect(field.equals(dotp(1), field.fromRational(rational(-1n)))).toBe(true);
      expect(field.isZero(dotp(2))).toBe(true);
      expect(field.isZero(dotp(3))).toBe(true);
      expect(field.isZero(dotp(4))).toBe(false);
    });

    it('the embedded formula (γ0 on f(t0, y0), b̂ = b + γ0 eᵀA on the stages) has order exactly 3', () => {
      // Augmented 4-stage tableau: stage 0 is (t0, y0) with a zero row.
      const eA = vecMat(field, e, a);
      const bHat = b.map((bi, i) => field.add(bi, field.mul(gamma0, eA[i]!)));
      const aug = [[field.zero, field.zero, field.zero, field.zero], ...a.map((row) => [field.zero, ...row])];
      const worst = worstByOrder(field, aug, [[gamma0, ...bHat]], 4)[0]!;
      // The conditions are linear in γ0 with exactly vanishing coefficients, so they hold exactly even though
      // γ0 is a 60-digit decimal.
      expect(worst.slice(1, 4)).toEqual([0, 0, 0]);
      expect(worst[4]!).toBeGreaterThan(1e-6);
    });

    it('DESolver’s own embedded row (1 − 7√6/12, 1 + 7√6/12, −1) has order 2 only', () => {
      const desolver = [
        { a: rational(1n), b: rational(-7n, 12n) },
        { a: rational(1n), b: rational(7n, 12n) },
        { a: rational(-1n), b: rational(0n) },
      ];
      const worst = worstByOrder(field, a, [desolver], 3)[0]!;
      expect(worst[2]).toBe(0);
      expect(worst[3]!).toBeGreaterThan(1e-6);
    });
  });
});

describe("DESolver's RadauIIA3 typo", () => {
  it('a22 = 1/3 (DESolver) breaks order 2; the standard a22 = 1/4 gives order 3', () => {
    const { field, a, b } = exact(RADAU_IIA3);
    expect(a[1]![1]).toEqual(field.fromRational(rational(1n, 4n)));
    const wrong = a.map((row, i) => row.map((x, j) => (i === 1 && j === 1 ? field.fromRational(rational(1n, 3n)) : x)));
    expect(worstByOrder(field, wrong, [b], 2)[0]![2]!).toBeGreaterThan(1e-3);
    expect(worstByOrder(field, a, [b], 3)[0]!.slice(1)).toEqual([0, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Measured order on y' = L y + g(t) with exact solution y(t) = (sin 2t, cos t), solved exactly per step
// (the stage equations are linear: K_i − h Σ_j a_ij L K_j = L y0 + g(t0 + c_i h)).

const L = [
  [-1, 2],
  [-3, -0.5],
];
const exactY = (t: number) => [Math.sin(2 * t), Math.cos(t)];
const exactDY = (t: number) => [2 * Math.cos(2 * t), -Math.sin(t)];
const g = (t: number) => {
  const y = exactY(t);
  const dy = exactDY(t);
  return [0, 1].map((r) => dy[r]! - (L[r]![0]! * y[0]! + L[r]![1]! * y[1]!));
};

function integrate(m: ImplicitRungeKuttaMethod, steps: number, tEnd = 1): number {
  const s = m.b.length;
  const a = m.a.map((row) => row.map(toDouble));
  const b = m.b.map(toDouble);
  const c = m.c.map(toDouble);
  const h = tEnd / steps;
  let y = exactY(0);
  for (let n = 0; n < steps; n++) {
    const t0 = n * h;
    const n2 = 2 * s;
    const M: number[][] = Array.from({ length: n2 }, () => new Array<number>(n2).fill(0));
    const r: number[] = new Array<number>(n2).fill(0);
    for (let i = 0; i < s; i++) {
      const gi = g(t0 + c[i]! * h);
      for (let p = 0; p < 2; p++) {
        r[2 * i + p] = L[p]![0]! * y[0]! + L[p]![1]! * y[1]! + gi[p]!;
        M[2 * i + p]![2 * i + p] = 1;
        for (let j = 0; j < s; j++) {
          for (let q = 0; q < 2; q++) M[2 * i + p]![2 * j + q]! -= h * a[i]![j]! * L[p]![q]!;
        }
      }
    }
    const K = solveDouble(M, r);
    y = y.map((yp, p) => yp + h * b.reduce((acc, bj, j) => acc + bj * K[2 * j + p]!, 0));
  }
  const ye = exactY(tEnd);
  return Math.hypot(y[0]! - ye[0]!, y[1]! - ye[1]!);
}

describe.each(cases)('measured convergence order: %s', (_n, m) => {
  it(`the global error at t = 1 falls like h^${m.order}`, () => {
    // Coarse enough that the error stays far above rounding, fine enough to be asymptotic.
    const n0 = m.order >= 5 ? 4 : m.order >= 3 ? 8 : 16;
    const e1 = integrate(m, n0);
    const e2 = integrate(m, 2 * n0);
    const e3 = integrate(m, 4 * n0);
    const rate = Math.log2(e2 / e3);
    expect(e3).toBeGreaterThan(1e-13);
    expect(rate, `errors ${e1}, ${e2}, ${e3}`).toBeGreaterThan(m.order - 0.3);
    expect(rate, `errors ${e1}, ${e2}, ${e3}`).toBeLessThan(m.order + 0.5);
  });
});
