/**
 * A large stiff system's rhs multiplies Φ and S by J through the module's jacobian function and row tables
 * (src/codegen/ts/rhs.ts, JACOBIAN_PRODUCTS_FROM) instead of printing every product. Both forms must give the same
 * bits: the same sums in the same order. Checked here on a 2-D reaction–diffusion grid with y0 and parameter
 * sensitivities, the two rhs functions compiled side by side and run on random inputs.
 */
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { printJacobian, printJacobianStructure } from '../../src/codegen/ts/newton-matrix.ts';
import { JACOBIAN_PRODUCTS_FROM, printRhsBody, useJacobianProducts } from '../../src/codegen/ts/rhs.ts';
import { compile } from '../../src/compile.ts';
import { buildModel } from '../../src/model/model.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
import { UNPACK_INT32_SOURCE } from '../helpers/unpack.ts';

type Rhs = (t: number, y: Float64Array, p: Float64Array, dy: Float64Array) => void;

/** A k×k periodic grid of u, v with the Brusselator's kinetics and a parameter in the diffusion and the kinetics. */
function grid(k: number) {
  const id = (i: number, j: number) => `${(i + k) % k}_${(j + k) % k}`;
  const states: string[] = [];
  for (const f of ['u', 'v']) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) states.push(`${f}${id(i, j)}`);
  const rhs: Record<string, string> = {};
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const lap = (f: string) =>
        `D*(${f}${id(i - 1, j)} + ${f}${id(i + 1, j)} + ${f}${id(i, j - 1)} + ${f}${id(i, j + 1)} - 4*${f}${id(i, j)})`;
      rhs[`u${id(i, j)}`] = `1 + u${id(i, j)}^2*v${id(i, j)} - (B + 1)*u${id(i, j)} + ${lap('u')}`;
      rhs[`v${id(i, j)}`] = `B*u${id(i, j)} - u${id(i, j)}^2*v${id(i, j)} + ${lap('v')} + sin(t)`;
    }
  }
  return { name: 'grid', states, params: { B: 3.4, D: 0.3 }, rhs };
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('rhs through the jacobian function (large stiff systems)', () => {
  it('gives the bits of the printed products, for Φ and S', () => {
    const k = 26; // 1,352 states, 8,112 non-zeros of J
    const system = buildAugmentedSystem(buildModel(grid(k)), ['y0', 'params'], 'columns', true);
    expect(useJacobianProducts(system)).toBe(true);
    expect(system.jacobian.reduce((s, r) => s + r.columns.length, 0)).toBeGreaterThanOrEqual(JACOBIAN_PRODUCTS_FROM);
    const signature = '(t, y, p, dy)';
    const nnz = system.jacobian.reduce((s, r) => s + r.columns.length, 0);
    const module = [
      printJacobian(system),
      ...printJacobianStructure(system).map(([, text]) => text),
      `const RHS_JAC = new Float64Array(${nnz});`,
      `function printed${signature} {\n${printRhsBody(system)}\n}`,
      `function looped${signature} {\n${printRhsBody(system, undefined, { jacobianProducts: true })}\n}`,
    ].join('\n');
    // the packed tables' decoder, as the stiff templates define it
    const decoder = UNPACK_INT32_SOURCE;
    const js = transformSync(`${decoder}\n${module}`, { loader: 'ts' }).code;
    const [printed, looped] = new Function(`${js}\nreturn [printed, looped];`)() as [Rhs, Rhs];
    const rand = random(7);
    for (let trial = 0; trial < 3; trial++) {
      const y = Float64Array.from({ length: system.size }, () => 2 * rand());
      const p = Float64Array.from([3.4 + rand(), 0.3 + rand()]);
      const a = new Float64Array(system.size).fill(Number.NaN);
      const b = new Float64Array(system.size).fill(Number.NaN);
      printed(0.3 * trial, y, p, a);
      looped(0.3 * trial, y, p, b);
      for (let i = 0; i < system.size; i++) {
        if (!Object.is(a[i], b[i]) && !(a[i] === 0 && b[i] === 0)) {
          throw new Error(`component ${i}: printed ${a[i]}, through J ${b[i]}`);
        }
      }
    }
  });

  it('a compiled stiff solver that uses them gives the sensitivities of an explicit one (the module loads and runs)', () => {
    const model = grid(26);
    const y0 = Array.from({ length: 2 * 26 * 26 }, (_, i) => 1 + 0.5 * Math.sin(i));
    const options = { t0: 0, t1: 0.05, y0, rtol: 1e-10, atol: 1e-10 };
    const stiff = compile(model, { method: 'BDF', sensitivities: ['params'] });
    expect(stiff.source).toMatch(/jacobian\(t, y, p, RHS_JAC\);/);
    const a = stiff.solve({ ...options, errorControl: 'all' });
    const b = compile(model, { method: 'RK87', sensitivities: ['params'] }).solve(options);
    expect([a.t, b.t]).toEqual([0.05, 0.05]);
    let worst = 0;
    let scale = 0;
    for (let k = 0; k < b.paramJacobian!.length; k++) {
      worst = Math.max(worst, Math.abs(a.paramJacobian![k]! - b.paramJacobian![k]!));
      scale = Math.max(scale, Math.abs(b.paramJacobian![k]!));
    }
    expect(scale).toBeGreaterThan(0);
    expect(worst / scale).toBeLessThan(1e-6);
  });

  it('small systems keep the printed products', () => {
    const system = buildAugmentedSystem(buildModel(grid(4)), ['params'], 'columns', true);
    expect(useJacobianProducts(system)).toBe(false);
  });
});
