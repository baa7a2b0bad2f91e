/**
 * The generated LU factorizations of a Newton matrix I − hγJ: the emitted text is compiled (esbuild, then
 * new Function) and run against a reference Gaussian elimination written here, on dense matrices n = 1…8, on
 * sparse patterns (banded, arrow, 2-D Laplacian, random unsymmetric) and on singular matrices, which must be
 * reported, never turned into NaN.
 */
import { transformSync } from 'esbuild';
import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import {
  DENSE_UNROLL_MAX,
  emitDenseLu,
  emitDenseSolve,
  emitSparseLu,
  STRAIGHT_LINE_MAX_UPDATES,
} from '../../src/codegen/linalg/lu.ts';
import { luNonZeros, minimumDegreeOrder, type Pattern, symbolicLu } from '../../src/linalg/ordering.ts';
import { UNPACK_INT32_SOURCE } from '../helpers/unpack.ts';

type Factor = (a: Float64Array, piv?: Int32Array) => number;
type DenseSolve = (a: Float64Array, piv: Int32Array, b: Float64Array, nrhs?: number) => void;
type SparseSolve = (a: Float64Array, b: Float64Array, nrhs?: number) => void;

/** The decoder of packed tables, as the stiff templates define it for the generated module. */
const UNPACK = UNPACK_INT32_SOURCE;

/** Compiles emitted TypeScript function declarations (with the decoder of packed tables) and returns the named functions. */
function load<T>(text: string, ...names: string[]): T[] {
  const js = transformSync(`${UNPACK}\n${text}`, { loader: 'ts' }).code;
  return new Function(`${js}\nreturn [${names.join(', ')}];`)() as T[];
}

/** A deterministic generator in [−1, 1) (mulberry32). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** The reference: Gaussian elimination with partial pivoting on a copy, rows as arrays. */
function referenceSolve(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = A.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    [m[k], m[p]] = [m[p]!, m[k]!];
    for (let i = k + 1; i < n; i++) {
      const l = m[i]![k]! / m[k]![k]!;
      if (l !== 0) for (let j = k; j <= n; j++) m[i]![j]! -= l * m[k]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/** ‖x − y‖∞ / ‖y‖∞ */
function relativeError(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return d / s;
}

/** ‖Ax − b‖∞ / (‖A‖∞‖x‖∞ + ‖b‖∞) */
function relativeResidual(A: readonly (readonly number[])[], x: ArrayLike<number>, b: ArrayLike<number>): number {
  let r = 0;
  let normA = 0;
  let normX = 0;
  let normB = 0;
  A.forEach((row, i) => {
    let s = -b[i]!;
    let rowSum = 0;
    row.forEach((v, j) => {
      s += v * x[j]!;
      rowSum += Math.abs(v);
    });
    r = Math.max(r, Math.abs(s));
    normA = Math.max(normA, rowSum);
    normX = Math.max(normX, Math.abs(x[i]!));
    normB = Math.max(normB, Math.abs(b[i]!));
  });
  return r / (normA * normX + normB);
}

function denseSolver(n: number): { factor: Factor; solve: DenseSolve } {
  const [factor, solve] = load<Factor & DenseSolve>(
    emitDenseLu(n) + emitDenseSolve(n),
    `denseLu${n}`,
    `denseSolve${n}`,
  );
  return { factor: factor as Factor, solve: solve as DenseSolve };
}

function rowMajor(A: readonly (readonly number[])[]): Float64Array {
  return Float64Array.from(A.flat());
}

describe('dense LU, unrolled with partial pivoting', () => {
  it.each(Array.from({ length: DENSE_UNROLL_MAX }, (_, i) => i + 1))(
    'n = %i: random well-conditioned matrices',
    (n) => {
      const { factor, solve } = denseSolver(n);
      const rand = random(n);
      for (let trial = 0; trial < 20; trial++) {
        // random entries plus a large permuted diagonal: well conditioned, yet the pivots are off the diagonal
        const perm = Array.from({ length: n }, (_, i) => i).sort(() => rand());
        const A = Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => rand() + (perm[i] === j ? 2 * n : 0)),
        );
        const b = Array.from({ length: n }, () => rand());
        const a = rowMajor(A);
        const piv = new Int32Array(n);
        expect(factor(a, piv)).toBe(0);
        const x = Float64Array.from(b);
        solve(a, piv, x);
        expect(relativeError(x, referenceSolve(A, b))).toBeLessThan(1e-13);
        expect(relativeResidual(A, x, b)).toBeLessThan(1e-15);
      }
    },
  );

  it('pivots past a zero on the diagonal', () => {
    const { factor, solve } = denseSolver(2);
    const a = Float64Array.of(0, 1, 1, 0);
    const piv = new Int32Array(2);
    expect(factor(a, piv)).toBe(0);
    expect([...piv]).toEqual([1, 1]);
    const x = Float64Array.of(3, 5);
    solve(a, piv, x);
    expect([...x]).toEqual([5, 3]);
  });

  it('reports a singular matrix (the step of the zero pivot) instead of dividing by zero', () => {
    const cases: [number, number[], number][] = [
      [2, [1, 2, 2, 4], 2], // rank 1: the second pivot is exactly 0
      [3, [1, 0, 2, 3, 0, 1, 4, 0, 5], 2], // a zero column
      [3, [0, 0, 0, 0, 0, 0, 0, 0, 0], 1],
      [1, [0], 1],
    ];
    for (const [n, entries, step] of cases) {
      const { factor } = denseSolver(n);
      const a = Float64Array.from(entries);
      expect(factor(a, new Int32Array(n))).toBe(step);
    }
  });

  it('reports NaN and ∞ in the matrix as a failed pivot', () => {
    const { factor } = denseSolver(3);
    const good = [4, 1, 0, 1, 4, 1, 0, 1, 4];
    for (let slot = 0; slot < 9; slot++) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const a = Float64Array.from(good);
        a[slot] = bad;
        expect(factor(a, new Int32Array(3)), `${bad} at ${slot}`).toBeGreaterThan(0);
      }
    }
  });

  it('solves many right-hand sides stored one after the other', () => {
    const n = 5;
    const nrhs = 4;
    const { factor, solve } = denseSolver(n);
    const rand = random(99);
    const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => rand() + (i === j ? 3 : 0)));
    const a = rowMajor(A);
    const piv = new Int32Array(n);
    expect(factor(a, piv)).toBe(0);
    const B = Array.from({ length: nrhs }, () => Array.from({ length: n }, () => rand()));
    const X = Float64Array.from(B.flat());
    solve(a, piv, X, nrhs);
    B.forEach((b, r) => {
      expect(relativeError(X.subarray(r * n, r * n + n), referenceSolve(A, b))).toBeLessThan(1e-13);
    });
  });

  it('refuses sizes it does not unroll', () => {
    expect(() => emitDenseLu(0)).toThrow(RangeError);
    expect(() => emitDenseLu(2.5)).toThrow(RangeError);
    expect(() => emitDenseLu(DENSE_UNROLL_MAX + 1)).toThrow(RangeError);
    expect(() => emitDenseSolve(2, 'not a name')).toThrow(/identifier/);
  });
});

/** The 5-point Laplacian's pattern on a k×k grid (row-major numbering). */
function laplacianPattern(k: number): number[][] {
  const p: number[][] = [];
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const row = [r * k + c];
      if (r > 0) row.push((r - 1) * k + c);
      if (r < k - 1) row.push((r + 1) * k + c);
      if (c > 0) row.push(r * k + c - 1);
      if (c < k - 1) row.push(r * k + c + 1);
      p.push(row);
    }
  }
  return p;
}

function bandPattern(n: number, lower: number, upper: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: lower + upper + 1 }, (_, t) => i - lower + t).filter((j) => j >= 0 && j < n),
  );
}

/** Row 0 and column 0 full, plus the diagonal: fills completely unless the hub is eliminated last. */
function arrowPattern(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? Array.from({ length: n }, (_, j) => j) : [0, i]));
}

/** A random unsymmetric pattern with about `perRow` off-diagonal entries a row. */
function randomPattern(n: number, perRow: number, seed: number): number[][] {
  const rand = random(seed);
  return Array.from({ length: n }, (_, i) => [
    i,
    ...Array.from({ length: perRow }, () => Math.floor(((rand() + 1) / 2) * n)).filter((j) => j !== i),
  ]);
}

interface SparseSolver {
  factor: (a: Float64Array) => number;
  solve: SparseSolve;
  slot: (i: number, j: number) => number;
  slots: number;
  fill: number;
}

type Form = 'straight-line' | 'tables';
const FORMS: Form[] = ['straight-line', 'tables'];

function sparseSolver(
  pattern: Pattern,
  order: ArrayLike<number> = minimumDegreeOrder(pattern),
  form: Form = 'straight-line',
): SparseSolver {
  const code = emitSparseLu(pattern, order, { form });
  expect(code.form).toBe(form);
  const [factor, solve] = load<unknown>(code.factor + code.solve, 'sparseLu', 'sparseSolve');
  return {
    factor: factor as (a: Float64Array) => number,
    solve: solve as SparseSolve,
    slot: (i, j) => code.layout.slot(i, j),
    slots: code.layout.slots,
    fill: luNonZeros(code.layout.symbolic),
  };
}

/** Random values on a pattern: I·(1 + Σ|row|) − hγJ-like, diagonally dominant with random signs. */
function newtonMatrix(pattern: Pattern, seed: number, dominant = true): number[][] {
  const rand = random(seed);
  const n = pattern.length;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  pattern.forEach((row, i) => {
    for (const j of row) if (j !== i) A[i]![j] = rand();
    const off = A[i]!.reduce((s, v) => s + Math.abs(v), 0);
    A[i]![i] = dominant ? 1 + off : rand();
  });
  return A;
}

/** Writes the entries of the pattern (and the diagonal) into their slots: the caller's assembly. */
function assemble(s: SparseSolver, pattern: Pattern, A: readonly (readonly number[])[]): Float64Array {
  const a = new Float64Array(s.slots).fill(Number.NaN); // fill slots must not need zeroing
  pattern.forEach((row, i) => {
    for (const j of [i, ...row]) a[s.slot(i, j)] = A[i]![j]!;
  });
  return a;
}

function checkAgainstDense(pattern: Pattern, seed: number, form: Form = 'straight-line'): SparseSolver {
  const s = sparseSolver(pattern, undefined, form);
  const A = newtonMatrix(pattern, seed);
  const a = assemble(s, pattern, A);
  expect(s.factor(a)).toBe(0);
  const rand = random(seed + 1);
  const b = Array.from({ length: pattern.length }, () => rand());
  const x = Float64Array.from(b);
  s.solve(a, x);
  expect(relativeError(x, referenceSolve(A, b))).toBeLessThan(1e-12);
  return s;
}

describe('sparse LU: ordering and symbolic factorization at generation time, numeric phase emitted', () => {
  it.each(FORMS)('banded: no fill outside the band (%s)', (form) => {
    const pattern = bandPattern(40, 2, 1);
    const s = checkAgainstDense(pattern, 1, form);
    const entries = pattern.reduce((t, r) => t + r.length, 0);
    // the natural order is optimal for a band: L and U stay inside it
    const natural = symbolicLu(
      pattern,
      Array.from({ length: 40 }, (_, i) => i),
    );
    expect(luNonZeros(natural)).toBe(entries);
    expect(s.fill).toBeLessThanOrEqual(2 * entries);
  });

  it.each(FORMS)('arrow: minimum degree leaves the hub to the end, so there is no fill at all (%s)', (form) => {
    const n = 30;
    const pattern = arrowPattern(n);
    const order = minimumDegreeOrder(pattern);
    // the hub ties with the last leaf (both of degree 1 by then): either order is fill-free
    expect([...order].indexOf(0)).toBeGreaterThanOrEqual(n - 2);
    const s = checkAgainstDense(pattern, 2, form);
    expect(s.fill).toBe(3 * n - 2);
    // the natural order (hub first) fills the whole matrix
    expect(
      luNonZeros(
        symbolicLu(
          pattern,
          Array.from({ length: n }, (_, i) => i),
        ),
      ),
    ).toBe(n * n);
  });

  it.each(FORMS)('2-D Laplacian: I − 0.1·L on a 16×16 grid (n = 256) matches dense, with little fill (%s)', (form) => {
    const k = 16;
    const n = k * k;
    const pattern = laplacianPattern(k);
    const s = sparseSolver(pattern, undefined, form);
    // I − 0.1·L, L the 5-point Laplacian (−4 on the diagonal, 1 for each neighbour)
    const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    pattern.forEach((row, i) => {
      for (const j of row) A[i]![j] = i === j ? 1 + 0.4 : -0.1;
    });
    const a = assemble(s, pattern, A);
    expect(s.factor(a)).toBe(0);
    const rand = random(7);
    const b = Array.from({ length: n }, () => rand());
    const x = Float64Array.from(b);
    s.solve(a, x);
    expect(relativeError(x, referenceSolve(A, b))).toBeLessThan(1e-12);
    expect(relativeResidual(A, x, b)).toBeLessThan(1e-15);
    expect(s.fill).toBeLessThan((n * n) / 10);
  });

  it.each(FORMS)('random unsymmetric patterns match dense (%s)', (form) => {
    for (const [n, perRow, seed] of [
      [10, 2, 11],
      [50, 3, 12],
      [120, 2, 13],
    ] as const) {
      checkAgainstDense(randomPattern(n, perRow, seed), seed, form);
    }
  });

  it('rejects malformed patterns, orders and options', () => {
    expect(() => minimumDegreeOrder([])).toThrow(RangeError);
    expect(() => minimumDegreeOrder([[0, 2], [1]])).toThrow(/column 2/);
    expect(() => symbolicLu(bandPattern(3, 1, 1), [0, 0, 1])).toThrow(/permutation/);
    expect(() => symbolicLu(bandPattern(3, 1, 1), [0, 1])).toThrow(/length/);
    const band = bandPattern(4, 1, 1);
    expect(() => emitSparseLu(band, [0, 1, 2, 3], { pivotThreshold: 1 })).toThrow(RangeError);
    expect(() => emitSparseLu(band, [0, 1, 2, 3], { factorName: 'a-b' })).toThrow(/identifier/);
    const { layout } = emitSparseLu(band, [0, 1, 2, 3]);
    expect(layout.slot(0, 3)).toBe(-1);
    expect(() => layout.slot(0, 4)).toThrow(RangeError);
  });

  it('both forms compute the same factors', () => {
    const pattern = randomPattern(80, 3, 41);
    const [line, tables] = FORMS.map((form) => sparseSolver(pattern, undefined, form));
    const A = newtonMatrix(pattern, 41);
    const a = assemble(line!, pattern, A);
    const c = assemble(tables!, pattern, A);
    expect(line!.factor(a)).toBe(0);
    expect(tables!.factor(c)).toBe(0);
    // equal values (a fill entry can be −0 in one form and 0 in the other)
    expect([...a].map((v) => v + 0)).toEqual([...c].map((v) => v + 0));
  });

  it('chooses the form by size and splits long straight-line code into parts', () => {
    const small = bandPattern(20, 1, 1);
    expect(emitSparseLu(small, minimumDegreeOrder(small)).form).toBe('straight-line');
    const big = laplacianPattern(16);
    const code = emitSparseLu(big, minimumDegreeOrder(big));
    expect(code.updates).toBeGreaterThan(STRAIGHT_LINE_MAX_UPDATES);
    expect(code.form).toBe('tables');
    const parts = emitSparseLu(big, minimumDegreeOrder(big), { form: 'straight-line', partSize: 100 });
    expect(parts.factor).toMatch(/function sparseLuPart0\(a: Float64Array\): number/);
    expect(parts.solve).toMatch(/function sparseSolvePart0\(a: Float64Array, b: Float64Array, o: number\): void/);
  });

  it('the symbolic pattern is exactly the fill of Gaussian elimination without pivoting (generic values)', () => {
    for (const [n, perRow, seed] of [
      [12, 2, 21],
      [40, 2, 22],
      [60, 3, 23],
    ] as const) {
      const pattern = randomPattern(n, perRow, seed);
      const order = minimumDegreeOrder(pattern);
      const s = symbolicLu(pattern, order);
      // dense elimination of PAPᵀ with random values: its non-zeros are the structure (no cancellation)
      const A = newtonMatrix(pattern, seed);
      const M = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => A[order[i]!]![order[j]!]!));
      for (let k = 0; k < n; k++) {
        for (let i = k + 1; i < n; i++) {
          M[i]![k]! /= M[k]![k]!;
          const l = M[i]![k]!;
          if (l !== 0) for (let j = k + 1; j < n; j++) M[i]![j]! -= l * M[k]![j]!;
        }
      }
      for (let j = 0; j < n; j++) {
        const rows = M.flatMap((row, i) => (i !== j && row[j] !== 0 ? [i] : []));
        expect([
          ...s.uRows.subarray(s.uStart[j]!, s.uStart[j + 1]!),
          ...s.lRows.subarray(s.lStart[j]!, s.lStart[j + 1]!),
        ]).toEqual(rows);
      }
    }
  });

  it('structurally symmetric patterns: the elimination-tree path gives exactly the general search', () => {
    for (const [n, perRow, seed] of [
      [1, 0, 31],
      [15, 1, 32],
      [80, 2, 33],
      [300, 3, 34],
    ] as const) {
      const half = randomPattern(n, perRow, seed);
      const sym: number[][] = Array.from({ length: n }, (_, i) => [i]);
      half.forEach((row, i) => {
        for (const j of row) {
          if (j !== i) sym[i]!.push(j);
          if (j !== i) sym[j]!.push(i);
        }
      });
      for (const order of [minimumDegreeOrder(sym), Int32Array.from({ length: n }, (_, k) => n - 1 - k)]) {
        const tree = symbolicLu(sym, order);
        const reach = symbolicLu(sym, order, 'reach');
        for (const key of ['uStart', 'uRows', 'lStart', 'lRows'] as const) {
          expect(Array.from(tree[key]), `${key}, n = ${n}`).toEqual(Array.from(reach[key]));
        }
      }
    }
  });

  it.each(FORMS)('reports a singular or near-singular matrix, and NaN, instead of returning NaN (%s)', (form) => {
    // structurally full 3×3 with the diagonal pivots of the natural order: the last pivot is ~1e-16 of its column
    const full: Pattern = [
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ];
    const s = sparseSolver(full, [0, 1, 2], form);
    const A = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    expect(s.factor(assemble(s, full, A))).toBe(3);
    // a zero pivot with a non-zero column below it: diagonal pivoting cannot go on (no interchanges)
    const swap = [
      [0, 1],
      [1, 0],
    ];
    const t = sparseSolver(
      full.slice(0, 2).map((r) => r.slice(0, 2)),
      [0, 1],
      form,
    );
    expect(
      t.factor(
        assemble(
          t,
          [
            [0, 1],
            [0, 1],
          ],
          swap,
        ),
      ),
    ).toBe(1);
    // NaN or ∞ anywhere in a Laplacian: a failure, never a NaN solution
    const pattern = laplacianPattern(4);
    const u = sparseSolver(pattern, undefined, form);
    const B = newtonMatrix(pattern, 5);
    for (let i = 0; i < 16; i++) {
      for (const j of pattern[i]!) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
          const a = assemble(u, pattern, B);
          a[u.slot(i, j)] = bad;
          expect(u.factor(a), `${bad} at (${i}, ${j})`).toBeGreaterThan(0);
        }
      }
    }
  });

  it.each(FORMS)('solves many right-hand sides stored one after the other (%s)', (form) => {
    const pattern = laplacianPattern(6);
    const n = 36;
    const nrhs = 5;
    const s = sparseSolver(pattern, undefined, form);
    const A = newtonMatrix(pattern, 31);
    const a = assemble(s, pattern, A);
    expect(s.factor(a)).toBe(0);
    const rand = random(32);
    const B = Array.from({ length: nrhs }, () => Array.from({ length: n }, () => rand()));
    const X = Float64Array.from(B.flat());
    s.solve(a, X, nrhs);
    B.forEach((b, r) => {
      expect(relativeError(X.subarray(r * n, r * n + n), referenceSolve(A, b))).toBeLessThan(1e-12);
    });
  });

  it('tables form on a 64×64 grid (n = 4,096): residual at rounding level', () => {
    const k = 64;
    const n = k * k;
    const pattern = laplacianPattern(k);
    const code = emitSparseLu(pattern, minimumDegreeOrder(pattern));
    expect(code.form).toBe('tables');
    const [factor, solve] = load<unknown>(code.factor + code.solve, 'sparseLu', 'sparseSolve') as [
      (a: Float64Array) => number,
      SparseSolve,
    ];
    const a = new Float64Array(code.layout.slots).fill(Number.NaN);
    pattern.forEach((row, i) => {
      for (const j of row) a[code.layout.slot(i, j)] = i === j ? 1.4 : -0.1;
    });
    const start = performance.now();
    expect(factor(a)).toBe(0);
    const factored = performance.now();
    const rand = random(64);
    const b = Float64Array.from({ length: n }, () => rand());
    const x = Float64Array.from(b);
    solve(a, x);
    const solved = performance.now();
    console.log(
      `64×64 grid, tables form: ${code.updates} updates, first factorization ${(factored - start).toFixed(1)} ms, ` +
        `first solve ${(solved - factored).toFixed(1)} ms`,
    );
    // ‖Ax − b‖∞ with A applied from the pattern
    let residual = 0;
    pattern.forEach((row, i) => {
      let s = -b[i]!;
      for (const j of row) s += (i === j ? 1.4 : -0.1) * x[j]!;
      residual = Math.max(residual, Math.abs(s));
    });
    expect(residual).toBeLessThan(1e-14);
  });

  it('fill and symbolic time of the 2-D Laplacian on 32×32 and 128×128 grids', () => {
    for (const k of [32, 128]) {
      const n = k * k;
      const pattern = laplacianPattern(k);
      const start = performance.now();
      const order = minimumDegreeOrder(pattern);
      const ordered = performance.now();
      const s = symbolicLu(pattern, order);
      const done = performance.now();
      const fill = luNonZeros(s);
      const natural = luNonZeros(
        symbolicLu(
          pattern,
          Array.from({ length: n }, (_, i) => i),
        ),
      );
      console.log(
        `${k}×${k} grid, n = ${n}: L+U non-zeros ${fill} (${((100 * fill) / (n * n)).toFixed(3)}% of n², ` +
          `natural order ${natural}); ordering ${(ordered - start).toFixed(0)} ms, symbolic ${(done - ordered).toFixed(0)} ms`,
      );
      expect(fill).toBeLessThan(natural);
      expect(fill).toBeLessThan((n * n) / 40);
      expect(done - start).toBeLessThan(10_000);
    }
  });
});

describe('emitted code', () => {
  it('is strict TypeScript', () => {
    const pattern = arrowPattern(6);
    const sparse = emitSparseLu(pattern, minimumDegreeOrder(pattern), { partSize: 4 });
    const tables = emitSparseLu(pattern, minimumDegreeOrder(pattern), {
      form: 'tables',
      factorName: 'tablesLu',
      solveName: 'tablesSolve',
    });
    const project = new Project({
      useInMemoryFileSystem: true,
      compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], noEmit: true },
    });
    const text = [emitDenseLu(1), emitDenseSolve(1), emitDenseLu(4), emitDenseSolve(4), sparse.factor, sparse.solve];
    text.push(tables.factor, tables.solve);
    project.createSourceFile('lu.ts', text.join('\n'));
    const messages = project
      .getPreEmitDiagnostics()
      .map((d) => ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, '\n'));
    expect(messages).toEqual([]);
  });

  it('names blocks in comments', () => {
    expect(emitDenseLu(3)).toMatch(/\/\/ Step 1: pivot search in column 1/);
    const pattern = bandPattern(5, 1, 1);
    const { factor, solve } = emitSparseLu(pattern, minimumDegreeOrder(pattern));
    expect(factor).toMatch(/\/\/ Column 0 \(original \d+\)/);
    expect(solve).toMatch(/\/\/ L y = P b/);
  });
});
