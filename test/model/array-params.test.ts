/**
 * Array parameters: `"M": [[0, 1], [-20, 0]]`, used as `M[1][0]`. Each entry is a scalar parameter (named
 * M_1_0 in results), so ∂y/∂p has a column per entry in row-major order; checked on the seed written as
 * y' = M y with M a parameter, against central finite differences of tightly integrated solutions and the
 * exact derivative of expm(tM) y0. Malformed arrays and hostile index text are refused.
 */
import { describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';
import { ModelError, OptionError } from '../../src/errors.ts';
import { seedExactParamJacobian } from '../../src/examples.ts';
import { paramValues } from '../../src/index.ts';
import type { ParamValue } from '../../src/model/array-params.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { fdParamJacobian, maxRelativeError } from '../helpers/fd.ts';

const M0 = [
  [0, 1],
  [-20, 0],
];

const SEED_MATRIX: ModelSpec<ParamValue> = {
  name: 'seed-matrix',
  states: ['x', 'v'],
  params: { M: M0 },
  rhs: { x: 'M[0][0]*x + M[0][1]*v', v: 'M[1][0]*x + M[1][1]*v' },
};

function refused(spec: unknown): ModelError {
  let caught: unknown;
  try {
    buildModel(spec as ModelSpec<ParamValue>);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'buildModel must throw').toBeInstanceOf(ModelError);
  expect((caught as Error).message).not.toMatch(/[\n\r\u2028\u2029]/);
  return caught as ModelError;
}

/** expm(A) of a small dense matrix (row-major, n×n): scaling and squaring of a 24-term Taylor series. */
function expm(a: readonly number[], n: number): number[] {
  const norm = Math.max(
    ...Array.from({ length: n }, (_, i) => a.slice(i * n, i * n + n).reduce((s, v) => s + Math.abs(v), 0)),
  );
  const squarings = Math.max(0, Math.ceil(Math.log2(norm / 0.25)));
  const scaled = a.map((v) => v / 2 ** squarings);
  const mul = (x: number[], y: readonly number[]) =>
    Array.from({ length: n * n }, (_, k) => {
      const i = Math.floor(k / n);
      const j = k % n;
      let s = 0;
      for (let l = 0; l < n; l++) s += x[i * n + l]! * y[l * n + j]!;
      return s;
    });
  let term: number[] = Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  let sum = [...term];
  for (let m = 1; m <= 24; m++) {
    term = mul(term, scaled).map((v) => v / m);
    sum = sum.map((v, k) => v + term[k]!);
  }
  for (let s = 0; s < squarings; s++) sum = mul(sum, sum);
  return sum;
}

/**
 * ∂(expm(tM) y0)/∂M_ij exactly: the Fréchet derivative of expm at tM in the direction t·E_ij is the upper right
 * block of expm([[tM, tE_ij], [0, tM]]) (Van Loan's block formula).
 */
function exactEntryDerivative(m: number[][], t: number, y0: readonly number[], i: number, j: number): number[] {
  const n = m.length;
  const big = new Array<number>(4 * n * n).fill(0);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      big[r * 2 * n + c] = t * m[r]![c]!;
      big[(r + n) * 2 * n + c + n] = t * m[r]![c]!;
    }
  }
  big[i * 2 * n + j + n] = t;
  const e = expm(big, 2 * n);
  return Array.from({ length: n }, (_, r) => y0.reduce((s, y, c) => s + e[r * 2 * n + c + n]! * y, 0));
}

describe('array parameters in a JSON model', () => {
  it('one scalar parameter per entry, row-major, named M_i_j, with the array recorded', () => {
    const m = buildModel({ ...SEED_MATRIX, params: { a: 1, M: M0, w: [5, 6, 7], b: 2 } });
    expect(m.params.map((p) => p.name)).toEqual(['a', 'M_0_0', 'M_0_1', 'M_1_0', 'M_1_1', 'w_0', 'w_1', 'w_2', 'b']);
    expect(m.paramDefaults).toEqual([1, 0, 1, -20, 0, 5, 6, 7, 2]);
    expect(m.paramArrays).toEqual([
      { name: 'M', shape: [2, 2], offset: 1 },
      { name: 'w', shape: [3], offset: 5 },
    ]);
    const solver = compile(m, { sensitivities: ['params'] });
    expect(solver.info.params).toEqual(m.params.map((p) => p.name));
  });

  it('scalar models are unchanged: no arrays, the same generated code as before', () => {
    const m = buildModel({ name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: { x: 'v', v: '-k*x' } });
    expect(m.paramArrays).toEqual([]);
    expect(generate(m)).not.toMatch(/M_\d/);
  });

  describe('y’ = M y: ∂y(t)/∂M_ij', () => {
    const t1 = 2;
    const y0 = [1, 1];
    const solver = compile(buildModel(SEED_MATRIX), { method: 'RK87', sensitivities: ['y0', 'params'] });
    const r = solver.solve({ t0: 0, t1, y0, rtol: 1e-13, atol: 1e-13 });
    const S = r.paramJacobian!; // 2×4, columns M_0_0, M_0_1, M_1_0, M_1_1

    it('against the exact derivative of expm(tM) y0', () => {
      for (let k = 0; k < 4; k++) {
        const exact = exactEntryDerivative(M0, t1, y0, Math.floor(k / 2), k % 2);
        const column = [S[k]!, S[4 + k]!];
        expect(maxRelativeError(column, exact), `column ${k}`).toBeLessThan(1e-9);
      }
      // M_1_0 = −k of the scalar seed: its column is −∂y/∂k in closed form
      const dk = seedExactParamJacobian(t1, y0);
      expect(maxRelativeError([S[2]!, S[6]!], [-dk[0]!, -dk[1]!])).toBeLessThan(1e-9);
    });

    it('against central finite differences of tightly integrated solutions', () => {
      const reference = compile(buildModel(SEED_MATRIX), { method: 'RK87', sensitivities: [] });
      const fd = fdParamJacobian(
        reference,
        { t0: 0, t1, y0, rtol: 1e-14, atol: 1e-14 },
        solver.info.params,
        solver.info.paramDefaults,
        1e-3,
      );
      expect(maxRelativeError(S, fd)).toBeLessThan(1e-7);
    });

    it('the same as the scalar seed’s ∂y/∂k column, negated, from the same solver family', () => {
      const scalar = compile(
        { name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: { x: 'v', v: '-k*x' } },
        {
          method: 'RK87',
          sensitivities: ['params'],
        },
      ).solve({ t0: 0, t1, y0, rtol: 1e-13, atol: 1e-13 });
      expect(maxRelativeError([S[2]!, S[6]!], [-scalar.paramJacobian![0]!, -scalar.paramJacobian![1]!])).toBeLessThan(
        1e-9,
      );
    });
  });

  it('malformed arrays are refused, naming the array and the entry', () => {
    const cases: [unknown, RegExp][] = [
      [[], /array parameter 'M' is empty/],
      [[[]], /array parameter M\[0\] is empty/],
      [[[1, 2], [3]], /not rectangular: M\[1\] must be an array of 2 entries like M\[0\], got 1 entry/],
      [[[1, 2], 3], /not rectangular: M\[1\] must be an array of 2 entries like M\[0\], got 3/],
      [[1, [2]], /entry M\[1\] of array parameter 'M' must be a finite number, got an array/],
      [['1'], /entry M\[0\] of array parameter 'M' must be a finite number, got "1"/],
      [[Number.NaN], /entry M\[0\] .* got NaN/],
      [[null], /entry M\[0\] .* got null/],
      [[1, Number.POSITIVE_INFINITY], /entry M\[1\] .* got Infinity/],
      [[[[[[[[[[1]]]]]]]]], /more than 8 dimensions/],
      [[`0];globalThis.__pwned = 1;[0`], /entry M\[0\] .* got "0\];globalThis/],
    ];
    for (const [value, says] of cases) {
      expect(refused({ ...SEED_MATRIX, params: { M: value } }).message, JSON.stringify(value)).toMatch(says);
    }
    // deeply nested: refused at the 9th level, not walked (nor recursed) to the bottom
    let deep: unknown = [1];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refused({ ...SEED_MATRIX, params: { M: deep } }).message).toMatch(/more than 8 dimensions/);
  });

  it('the limit on parameters counts entries, before any is read', () => {
    const big = Array.from({ length: 1000 }, () => new Array<number>(1000).fill(0));
    const e = refused({ ...SEED_MATRIX, params: { M: big } });
    expect(e.message).toMatch(/array parameter 'M' has more than 10000 entries/);
    expect(() => buildModel({ ...SEED_MATRIX, params: { M: big } }, undefined, { maxParams: 2_000_000 })).not.toThrow();
  });

  it('an entry name that is another symbol’s name is refused, whichever comes first', () => {
    expect(refused({ ...SEED_MATRIX, params: { M: M0, M_1_0: 1 } }).message).toMatch(
      /parameter name 'M_1_0' is already used as the name of the entry M\[1\]\[0\] of array parameter 'M'/,
    );
    expect(refused({ ...SEED_MATRIX, params: { M_0: 1, M: [1, 2] } }).message).toMatch(
      /the entry M\[0\] of array parameter 'M' is named 'M_0', already used as a parameter/,
    );
    expect(refused({ ...SEED_MATRIX, states: ['x', 'M_0_1'], rhs: { x: '1', M_0_1: '1' } }).message).toMatch(
      /named 'M_0_1', already used as a state/,
    );
  });

  it('indices: out of range, the wrong number, on a scalar, or written as anything but digits', () => {
    const cases: [string, RegExp, number][] = [
      ['M[2][0]', /index 2 of M\[2\]\[0\] is out of range: 'M' is 2×2 \(indices from 0\)/, 1],
      ['x + M[0][5]', /index 5 of M\[0\]\[5\] is out of range/, 5],
      ['M[0]', /'M' is 2-dimensional \(2×2\): it takes 2 indices \(M\[i\]\[j\]\), got M\[0\]/, 1],
      ['M[0][0][0]', /it takes 2 indices/, 1],
      ['2*M', /got 'M' alone/, 3],
      ['M_1_0', /'M_1_0' names the entry M\[1\]\[0\] in results: in expressions write M\[1\]\[0\]/, 1],
      ['x[0]', /'x' is not an array parameter: it takes no index/, 1],
      ['pi[0]', /'pi' is a constant and takes no index/, 1],
      ['M[1e0][0]', /an index must be a non-negative integer written in decimal digits, found '1e0'/, 3],
      ['M[0x1][0]', /found '0x1'/, 3],
      ['M[0b1][0]', /found '0b1'/, 3],
      ['M[1.0][0]', /found '1\.0'/, 3],
      ['M[-1][0]', /found '-'/, 3],
      ['M[+1][0]', /found '\+'/, 3],
      ['M[x][0]', /found 'x'/, 3],
      ['M[(1)][0]', /found '\('/, 3],
      ['M[9007199254740993][0]', /decimal digits/, 3],
      ['M[01][0]', /malformed number '01'/, 3],
      ['M[1_0][0]', /found '1_0'/, 3],
      ['M[1,0]', /missing '\]' for the '\[' at character 2, found ','/, 4],
      ['M[0][0', /missing '\]' for the '\[' at character 5/, 7],
      ['M[N[0]][0]', /unexpected character '\['/, 4],
      ['M[[0]][0]', /unexpected character '\['/, 3],
      ['M[0]]', /unexpected character '\]'/, 5],
      ['[0]', /unexpected character '\['/, 1],
      ['M[0][0]; process.exit()', /unexpected character ';'/, 8],
      ['M[constructor][0]', /found 'constructor'/, 3],
      ['M[__proto__][0]', /found '__proto__'/, 3],
      ["M['0'][0]", /unexpected character '''/, 3],
      ['M[`0`][0]', /unexpected character '`'/, 3],
      ['M[0]\n[0]', /unexpected character U\+000A/, 5],
      ['M[\u0660][0]', /unexpected character U\+0660/, 3], // Arabic-Indic zero
    ];
    for (const [text, says, at] of cases) {
      const e = refused({ ...SEED_MATRIX, rhs: { x: text, v: 'x' } });
      expect(e.message, text).toMatch(says);
      expect(e.message, text).toContain(`at character ${at} `);
      expect(e.location.state).toBe('x');
    }
  });

  it('generated code holds the entries as p_M_i_j and nothing of the expression text', () => {
    const source = generate(SEED_MATRIX as ModelSpec, { sensitivities: ['params'] });
    expect(source).toContain('p_M_1_0');
    expect(source).not.toContain('M[1][0]');
    expect(source).toContain('"params":["M_0_0","M_0_1","M_1_0","M_1_1"]');
  });
});

describe('paramValues: array values for a solve', () => {
  const m = buildModel({ ...SEED_MATRIX, params: { k: 3, M: M0 } });

  it('writes arrays and entries by the names the solver takes', () => {
    expect({
      ...paramValues(m, {
        k: 4,
        M: [
          [1, 2],
          [3, 4],
        ],
      }),
    }).toEqual({ k: 4, M_0_0: 1, M_0_1: 2, M_1_0: 3, M_1_1: 4 });
    expect({ ...paramValues(m, { 'M[1][0]': -5, M_0_1: 7 }) }).toEqual({ M_1_0: -5, M_0_1: 7 });
    // from a spec as well as from a built model
    expect({
      ...paramValues(SEED_MATRIX, {
        M: [
          [1, 2],
          [3, 4],
        ],
      }),
    }).toEqual({ M_0_0: 1, M_0_1: 2, M_1_0: 3, M_1_1: 4 });
  });

  it('a wrong shape or index is an OptionError naming the parameter', () => {
    const fails = (values: Record<string, unknown>, says: RegExp) => {
      let caught: unknown;
      try {
        paramValues(m, values);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(OptionError);
      expect((caught as Error).message).toMatch(says);
    };
    fails({ M: [[1, 2]] }, /^params\.M: expected 2×2 values like the model's 'M', got 1×2/);
    fails({ M: 3 }, /^params\.M: 'M' is an array parameter \(2×2\): give the whole array, or entries as M\[0\]\[0\]/);
    fails(
      {
        M: [
          [1, 2],
          [3, 'x'],
        ],
      },
      /entry M\[1\]\[1\] .* must be a finite number/,
    );
    fails({ 'M[2][0]': 1 }, /index 2 of M\[2\]\[0\] is out of range/);
    fails({ 'M[0]': 1 }, /it takes 2 indices/);
    fails({ 'k[0]': 1 }, /'k' is not an array parameter/);
    fails({ k: [1] }, /^params\.k: 'k' is not an array parameter: give it one number/);
  });

  it('solves with the values given', () => {
    const solver = compile(m, { sensitivities: [] });
    const problem = { t0: 0, t1: 1, y0: [1, 1], rtol: 1e-10, atol: 1e-10 };
    const a = solver.solve({
      ...problem,
      params: paramValues(m, {
        M: [
          [0, 1],
          [-5, 0],
        ],
      }),
    });
    const b = compile(
      buildModel({
        ...SEED_MATRIX,
        params: {
          k: 3,
          M: [
            [0, 1],
            [-5, 0],
          ],
        },
      }),
      { sensitivities: [] },
    ).solve(problem);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
  });
});
