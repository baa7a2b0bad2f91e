/**
 * Structural sparsity of the variational blocks: Φ_ij is identically zero unless state i reaches state j in
 * J's dependency graph (or i = j), S_ik unless a state reachable from i reads p_k. The unrolled layout gives
 * those components the constant-0 right-hand side and leaves their products out of every other sum; the
 * results must be the same bits as the 'columns' layout's, which multiplies every column out.
 */
import { describe, expect, it } from 'vitest';
import { printCudaRhs } from '../../src/codegen/cuda/rhs.ts';
import { printRhsBody } from '../../src/codegen/ts/rhs.ts';
import { printWgslRhsBody } from '../../src/codegen/wgsl/rhs.ts';
import { compile } from '../../src/compile.ts';
import { prepareCpuEnsemble } from '../../src/ensemble/cuda.ts';
import { type Expr, isConst } from '../../src/expr/ir.ts';
import { findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import type { SolveOptions, SolveResult } from '../../src/runtime/types.ts';
import { buildAugmentedSystem, rhsSegments, type Sensitivity } from '../../src/variational/system.ts';
import { haveCompiler, normwiseRelative, row } from '../cuda/support.ts';
import { compareWithTypeScript, describeGpu } from '../wgsl/support.ts';

/** a → b → c → d: each state reads the one before it; only a reads k. */
const CHAIN: ModelSpec = {
  name: 'chain',
  states: ['a', 'b', 'c', 'd'],
  params: { k: 0.5, m: 2 },
  rhs: { a: '-k*a', b: 'a - b', c: 'b*b - c', d: 'c - m*d' },
};

/** Every state on its own. */
function diagonal(n: number): ModelSpec {
  const states = Array.from({ length: n }, (_, i) => `x${i}`);
  return {
    name: `diagonal-${n}`,
    states,
    params: { k: 0.5 },
    rhs: Object.fromEntries(states.map((x, i) => [x, i % 2 === 0 ? `-k*${x}` : `-${x}*${x}`])),
  };
}

/** Lorenz: every state reaches every other. */
const LORENZ: ModelSpec = {
  name: 'lorenz',
  states: ['x', 'y', 'z'],
  params: { sigma: 10, rho: 28, beta: 2.6666666666666665 },
  rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
};

/**
 * A coupled block (Lorenz: x0, x1, x2), then a chain x3 → x4 → … → x11 driven by x3 alone: Φ has whole
 * zero rows-and-a-half in row-major order (runs long enough for the printers' zero loops), S has zero blocks.
 * Polynomial, so fixed steps give the same bits on any IEEE machine.
 */
const BLOCKS: ModelSpec = {
  name: 'blocks',
  states: Array.from({ length: 12 }, (_, i) => `x${i}`),
  params: { s: 10, r: 28, b: 2.6666666666666665, k: 0.7 },
  rhs: {
    x0: 's*(x1 - x0)',
    x1: 'x0*(r - x2) - x1',
    x2: 'x0*x1 - b*x2',
    x3: '-k*x3',
    x4: 'x3 - 0.5*x4*x4',
    ...Object.fromEntries(Array.from({ length: 7 }, (_, j) => [`x${j + 5}`, `x${j + 4} - 0.3*x${j + 5}`])),
  },
};

function system(spec: ModelSpec, sens: Sensitivity[], layout: 'unrolled' | 'columns' = 'unrolled') {
  return buildAugmentedSystem(buildModel(spec), sens, layout);
}

/** Products J_ik·X_kc in a Φ right-hand side (a sum of them, one, or none). */
function products(e: Expr): number {
  if (isConst(e, 0)) return 0;
  return e.kind === 'add' ? e.terms.length : 1;
}

describe('structural pattern of Φ and S', () => {
  it('chain: Φ is lower triangular (i reaches every j ≤ i), and S for k is non-zero in every row, for m in d only', () => {
    const s = system(CHAIN, ['y0', 'params']);
    expect(s.phiPattern).toEqual([[0], [0, 1], [0, 1, 2], [0, 1, 2, 3]]);
    expect(s.sensPattern).toEqual([[0], [0], [0], [0, 1]]);
  });

  it('diagonal: Φ is the identity pattern, S_ik only where f_i reads k', () => {
    const s = system(diagonal(6), ['y0', 'params']);
    expect(s.phiPattern).toEqual([[0], [1], [2], [3], [4], [5]]);
    expect(s.sensPattern).toEqual([[0], [], [0], [], [0], []]);
  });

  it('coupled (Lorenz): dense', () => {
    const s = system(LORENZ, ['y0', 'params']);
    expect(s.phiPattern).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
    expect(s.sensPattern).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('the columns layout leaves the pattern undefined (it treats Φ and S as dense)', () => {
    const s = system(CHAIN, ['y0', 'params'], 'columns');
    expect(s.phiPattern).toBeUndefined();
    expect(s.sensPattern).toBeUndefined();
  });

  it('structurally zero components have the constant-0 right-hand side, the others a non-zero one', () => {
    for (const spec of [CHAIN, BLOCKS, LORENZ, diagonal(9)]) {
      const s = system(spec, ['y0', 'params']);
      const n = spec.states.length;
      const np = Object.keys(spec.params ?? {}).length;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const zero = isConst(s.rhs[s.phiOffset + i * n + j]!, 0);
          expect(zero, `${spec.name}: Φ_${i}${j}`).toBe(!s.phiPattern![i]!.includes(j));
        }
        for (let k = 0; k < np; k++) {
          const zero = isConst(s.rhs[s.sensOffset + i * np + k]!, 0);
          expect(zero, `${spec.name}: S_${i}${k}`).toBe(!s.sensPattern![i]!.includes(k));
        }
      }
    }
  });

  it('a diagonal system builds n products for Φ, not n², and its GPU code writes the zeros in loops', () => {
    const n = 300;
    const s = system(diagonal(n), ['y0']);
    expect(s.rhs).toHaveLength(n + n * n);
    expect(s.rhs.slice(n).reduce((sum, e) => sum + products(e), 0)).toBe(n);
    // One loop per run of zeros between two diagonal entries: n − 1 of them, and a line per non-zero.
    for (const code of [printCudaRhs(s, 'f64'), printWgslRhsBody(s), printRhsBody(s)]) {
      const lines = code.split('\n');
      expect(lines.filter((l) => /^\s*for \(/.test(l) || l.includes('dy.fill(')).length).toBe(n - 1);
      expect(lines.length).toBeLessThan(10 * n);
    }
  });

  it('rhsSegments: runs of at least minRun +0 constants become one segment; -0 and shorter runs do not', () => {
    const b = buildModel(CHAIN).builder;
    const [z, x] = [b.zero, b.sym('x', 'state', 0)];
    const rhs = [x, z, z, z, x, z, z, b.num(-0), z, z, z];
    expect(rhsSegments(rhs, 3)).toEqual([
      { kind: 'one', index: 0 },
      { kind: 'zeros', start: 1, end: 4 },
      { kind: 'one', index: 4 },
      { kind: 'one', index: 5 },
      { kind: 'one', index: 6 },
      { kind: 'one', index: 7 },
      { kind: 'zeros', start: 8, end: 11 },
    ]);
  });
});

/** The bits of every value of a result (state, Φ, S, dense output), -0 apart from +0. */
function bits(r: SolveResult): string[] {
  const arrays = [r.y, r.jacobian, r.paramJacobian, r.dense?.y, r.dense?.jacobian, r.dense?.paramJacobian];
  return arrays.map((a) =>
    a === undefined ? '-' : Array.from(new BigUint64Array(Float64Array.from(a).buffer), (v) => v.toString(16)).join(),
  );
}

describe('unrolled (structural zeros left out) against columns (every product): the same bits', () => {
  const cases: [string, ModelSpec, Partial<SolveOptions>][] = [
    // 12 states, y0 and parameter sensitivities: 204 components, the array step with dy.fill for the zero runs.
    ['blocks, adaptive, forward, tEval', BLOCKS, { t0: 0, t1: 1.5, tEval: [0.1, 0.7, 1.5] }],
    ['blocks, adaptive, backward', BLOCKS, { t0: 0.5, t1: -0.2 }],
    ['blocks, error control on the sensitivities too', BLOCKS, { t0: 0, t1: 1, errorControl: 'all' }],
    // 4 states: the scalar step, the right-hand side inlined per stage.
    ['chain, adaptive, tEval', CHAIN, { t0: 0, t1: 3, tEval: [0.5, 3] }],
  ];
  it.each(cases)('%s', (_name, spec, options) => {
    const n = spec.states.length;
    const y0 = Array.from({ length: n }, (_, i) => 0.4 + 0.13 * i - 0.02 * i * i);
    const sensitivities: Sensitivity[] = ['y0', 'params'];
    const unrolled = compile(spec, { layout: 'unrolled', sensitivities, wasm: false });
    const columns = compile(spec, { layout: 'columns', sensitivities, wasm: false });
    // The array step (BLOCKS) writes the runs of zeros with fill, the scalar step (CHAIN) inlines them.
    expect(unrolled.source.includes('dy.fill(0, ')).toBe(spec === BLOCKS);
    const a = unrolled.solve({ y0, ...options } as SolveOptions);
    const b = columns.solve({ y0, ...options } as SolveOptions);
    expect(a.stats).toEqual(b.stats);
    expect(bits(a)).toEqual(bits(b));
    // …and the structural zeros are exact zeros (+0) of the result.
    const phi = system(spec, sensitivities).phiPattern!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (!phi[i]!.includes(j)) expect(Object.is(a.jacobian![i * n + j], 0), `Φ_${i}${j}`).toBe(true);
      }
    }
  });

  it('the WebAssembly kernel of the unrolled layout (the same plan, zero components included) agrees too', () => {
    const y0 = Array.from({ length: 12 }, (_, i) => 0.3 + 0.1 * i);
    const options = { y0, t0: 0, t1: 1, tEval: [0.25, 1] };
    const kernel = compile(BLOCKS, { layout: 'unrolled', sensitivities: ['y0', 'params'], wasm: true, fma: false });
    const columns = compile(BLOCKS, { layout: 'columns', sensitivities: ['y0', 'params'], wasm: false });
    expect(kernel.stepKernel()).toBe('webassembly');
    expect(bits(kernel.solve(options))).toEqual(bits(columns.solve(options)));
  });
});

const gpp = await haveCompiler('cpu', 'the g++ run of CUDA code with structurally zero components');

describe.skipIf(!gpp)('the CUDA source with zero loops, built with g++', () => {
  // As test/cuda/numerics.test.ts: agreement with the TypeScript solver to 1e-12 normwise (the two differ in
  // the last bits even for dense systems); the structural zeros must come out as exact +0.
  it('agrees with the TypeScript solver (RK4, fixed steps, y0 and parameter sensitivities)', async () => {
    const s = system(BLOCKS, ['y0', 'params']);
    expect(printCudaRhs(s, 'f64')).toMatch(/for \(int i = \d+; i < \d+; i\+\+\) dy\[i\] = 0\.0;/);
    const ensemble = await prepareCpuEnsemble(s, findMethod('RK4'), 'f64');
    const [count, n, np] = [3, 12, 4];
    const y0 = Float64Array.from({ length: count * n }, (_, i) => 0.2 + 0.05 * (i % n) + 0.01 * Math.floor(i / n));
    const r = await ensemble.run({ t0: 0, t1: 1, dt: 0.01, y0 });
    const ts = compile(BLOCKS, { method: 'RK4', sensitivities: ['y0', 'params'] });
    for (let t = 0; t < count; t++) {
      const want = ts.solve({ t0: 0, t1: 1, dt: 0.01, y0: Array.from(row(y0, t, n)) });
      const jacobian = row(r.jacobian!, t, n * n);
      const paramJacobian = row(r.paramJacobian!, t, n * np);
      expect(normwiseRelative(row(r.y, t, n), want.y)).toBeLessThanOrEqual(1e-12);
      expect(normwiseRelative(jacobian, want.jacobian!)).toBeLessThanOrEqual(1e-12);
      expect(normwiseRelative(paramJacobian, want.paramJacobian!)).toBeLessThanOrEqual(1e-12);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (!s.phiPattern![i]!.includes(j)) expect(Object.is(jacobian[i * n + j], 0), `Φ_${i}${j}`).toBe(true);
        }
        for (let k = 0; k < np; k++) {
          if (!s.sensPattern![i]!.includes(k)) expect(Object.is(paramJacobian[i * np + k], 0), `S_${i}${k}`).toBe(true);
        }
      }
    }
  });
});

describeGpu('the WGSL shader with zero loops, on WebGPU', () => {
  it('agrees with the f64 TypeScript solver to f32 accuracy, and the structural zeros are exact zeros', async () => {
    const s = system(BLOCKS, ['y0', 'params']);
    expect(printWgslRhsBody(s)).toMatch(/for \(var i = \d+u; i < \d+u; i\+\+\) \{ \(\*dy\)\[i\] = 0\.0f; \}/);
    const [count, n, np] = [4, 12, 4];
    const y0 = Float64Array.from({ length: count * n }, (_, i) => 0.2 + 0.05 * (i % n) + 0.01 * Math.floor(i / n));
    const a = await compareWithTypeScript(BLOCKS, 'RK4', ['y0', 'params'], { t0: 0, t1: 0.5, dt: 0.01, y0 });
    expect(a.y).toBeLessThan(1e-5);
    expect(a.jacobian).toBeLessThan(1e-4);
    expect(a.paramJacobian).toBeLessThan(1e-4);
    for (let t = 0; t < count; t++) {
      const jacobian = row(a.result.jacobian!, t, n * n);
      const paramJacobian = row(a.result.paramJacobian!, t, n * np);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (!s.phiPattern![i]!.includes(j)) expect(jacobian[i * n + j], `Φ_${i}${j}`).toBe(0);
        }
        for (let k = 0; k < np; k++) {
          if (!s.sensPattern![i]!.includes(k)) expect(paramJacobian[i * np + k], `S_${i}${k}`).toBe(0);
        }
      }
    }
  });
});
