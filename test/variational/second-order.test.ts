/**
 * Second-order sensitivities (compile's `order: 2`, src/variational/second-order.ts): hessian, paramHessian and
 * mixedHessian against central finite differences of the first-order Jacobians from tight solves, on nonlinear
 * models with parameters, explicit time dependence and every function of the model language; exactly 0 for a
 * linear model; a closed form for y' = −k y²; the first-order results unchanged; refusals; the CLI's --order.
 * (Complex-step differentiation does not apply: the generated solvers compute in Float64Array.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';
import { OptionError } from '../../src/errors.ts';
import { isConst } from '../../src/expr/ir.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import type { SolveResult } from '../../src/runtime/types.ts';
import { buildSecondOrderSystem } from '../../src/variational/second-order.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
import { FUNCTIONS, normwise, PENDULUM } from './models.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));

const TIGHT = { rtol: 1e-12, atol: 1e-12 };

type Case = { model: ModelSpec; y0: number[]; t1: number };
const CASES: Case[] = [
  { model: PENDULUM, y0: [1, 0.2], t1: 3 },
  { model: FUNCTIONS, y0: [1, 0.5, 0.8], t1: 1 },
];

describe('second-order sensitivities against finite differences of the Jacobians', () => {
  for (const { model, y0, t1 } of CASES) {
    const n = model.states.length;
    const names = Object.keys(model.params!);
    const p = names.length;
    const defaults = model.params as Record<string, number>;
    const first = compile(model, { sensitivities: ['y0', 'params'] });
    const second = compile(model, { sensitivities: ['y0', 'params'], order: 2 });
    const solve1 = (y: number[], params: Record<string, number> = defaults) =>
      first.solve({ t0: 0, t1, y0: y, params, ...TIGHT });
    const r = second.solve({ t0: 0, t1, y0, ...TIGHT });
    const h = 1e-4;

    it(`${model.name}: hessian and mixedHessian against ∂Φ/∂y0 and ∂Φ/∂p; paramHessian against ∂S/∂p`, () => {
      const hess = new Float64Array(n * n * n);
      for (let k = 0; k < n; k++) {
        const plus = solve1(y0.map((v, j) => (j === k ? v + h : v))).jacobian!;
        const minus = solve1(y0.map((v, j) => (j === k ? v - h : v))).jacobian!;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) hess[(i * n + j) * n + k] = (plus[i * n + j]! - minus[i * n + j]!) / (2 * h);
      }
      const mixed = new Float64Array(n * n * p);
      const param = new Float64Array(n * p * p);
      names.forEach((name, k) => {
        const step = h * Math.max(1, Math.abs(defaults[name]!));
        const plus = solve1(y0, { ...defaults, [name]: defaults[name]! + step });
        const minus = solve1(y0, { ...defaults, [name]: defaults[name]! - step });
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++)
            mixed[(i * n + j) * p + k] = (plus.jacobian![i * n + j]! - minus.jacobian![i * n + j]!) / (2 * step);
          for (let j = 0; j < p; j++)
            param[(i * p + j) * p + k] =
              (plus.paramJacobian![i * p + j]! - minus.paramJacobian![i * p + j]!) / (2 * step);
        }
      });
      expect(r.hessian).toHaveLength(n * n * n);
      expect(r.mixedHessian).toHaveLength(n * n * p);
      expect(r.paramHessian).toHaveLength(n * p * p);
      expect(normwise(r.hessian!, hess)).toBeLessThan(1e-6);
      expect(normwise(r.mixedHessian!, mixed)).toBeLessThan(1e-6);
      expect(normwise(r.paramHessian!, param)).toBeLessThan(1e-6);
      // The finite differences are symmetric in j, k to their own accuracy; the result exactly.
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          for (let k = 0; k < n; k++) {
            expect(r.hessian![(i * n + j) * n + k]).toBe(r.hessian![(i * n + k) * n + j]);
            expect(Math.abs(hess[(i * n + j) * n + k]! - hess[(i * n + k) * n + j]!)).toBeLessThan(
              1e-6 * Math.max(1, Math.abs(hess[(i * n + j) * n + k]!)),
            );
          }
      for (let i = 0; i < n; i++)
        for (let j = 0; j < p; j++)
          for (let k = 0; k < p; k++)
            expect(r.paramHessian![(i * p + j) * p + k]).toBe(r.paramHessian![(i * p + k) * p + j]);
    });

    it(`${model.name}: the steps, state and first-order sensitivities are those of order 1`, () => {
      // (the same steps: the error control covers the state alone; a larger system may take the array step
      // where order 1 takes the scalar one, which can round Φ and S differently in the last bit)
      const one = solve1(y0);
      expect(r.y).toEqual(one.y);
      expect(normwise(r.jacobian!, one.jacobian!)).toBeLessThan(1e-14);
      expect(normwise(r.paramJacobian!, one.paramJacobian!)).toBeLessThan(1e-14);
      expect(r.stats.steps).toBe(one.stats.steps);
      expect(second.info.sensitivityOrder).toBe(2);
      expect(first.info).not.toHaveProperty('sensitivityOrder');
      expect(one).not.toHaveProperty('hessian');
    });
  }

  it('y0 alone gives hessian only; params alone paramHessian only', () => {
    const y = compile(PENDULUM, { sensitivities: ['y0'], order: 2 }).solve({ t0: 0, t1: 1, y0: [1, 0] });
    expect(y.hessian).toHaveLength(8);
    expect(y).not.toHaveProperty('paramHessian');
    expect(y).not.toHaveProperty('mixedHessian');
    const q = compile(PENDULUM, { sensitivities: ['params'], order: 2 }).solve({ t0: 0, t1: 1, y0: [1, 0] });
    expect(q.paramHessian).toHaveLength(2 * 3 * 3);
    expect(q).not.toHaveProperty('hessian');
    expect(q).not.toHaveProperty('mixedHessian');
  });
});

describe('second-order sensitivities: exact cases', () => {
  it("y' = A·y: the Hessian is exactly 0 (structurally: no curvature term)", () => {
    const linear: ModelSpec = {
      name: 'linear',
      states: ['a', 'b'],
      params: { k: 2 },
      rhs: { a: '-k*a + b', b: 'a - 3*b + sin(t)' },
    };
    const r = compile(linear, { order: 2 }).solve({ t0: 0, t1: 2, y0: [1, -1], ...TIGHT });
    expect(Array.from(r.hessian!)).toEqual(new Array(8).fill(0));
  });

  it("y' = −k·y²: y = y0/(1 + k·y0·t), second derivatives by hand", () => {
    const model: ModelSpec = { name: 'quadratic', states: ['y'], params: { k: 0.8 }, rhs: { y: '-k*y^2' } };
    const [y0, k, t] = [1.5, 0.8, 2];
    const r: SolveResult = compile(model, { sensitivities: ['y0', 'params'], order: 2 }).solve({
      t0: 0,
      t1: t,
      y0: [y0],
      ...TIGHT,
    });
    const d = 1 + k * y0 * t;
    const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(1e-10 * Math.abs(want));
    close(r.y[0]!, y0 / d);
    close(r.jacobian![0]!, 1 / d ** 2);
    close(r.paramJacobian![0]!, (-(y0 ** 2) * t) / d ** 2);
    close(r.hessian![0]!, (-2 * k * t) / d ** 3);
    close(r.mixedHessian![0]!, (-2 * y0 * t) / d ** 3);
    close(r.paramHessian![0]!, (2 * y0 ** 3 * t ** 2) / d ** 3);
  });
});

describe('second-order sensitivities: structural zeros', () => {
  it('a diagonal system integrates Ψ_iii only; a chain only what its dependency graph reaches', () => {
    const states = ['a', 'b', 'c', 'd'];
    const nonZero = (spec: ModelSpec) => {
      const system = buildSecondOrderSystem(buildAugmentedSystem(buildModel(spec), ['y0', 'params'], 'unrolled'));
      const at = system.secondOrder.hessOffset;
      const n = spec.states.length;
      return system.rhs.slice(at, at + n * ((n * (n + 1)) / 2)).filter((e) => !isConst(e, 0)).length;
    };
    const diagonal: ModelSpec = {
      name: 'diagonal',
      states,
      params: { k: 0.5 },
      rhs: Object.fromEntries(states.map((x): [string, string] => [x, `-k*${x}*${x}`])),
    };
    expect(nonZero(diagonal)).toBe(4);
    // a → b → c → d, only c's right-hand side is nonlinear (in b): Ψ_c,bb, Ψ_c,ab, Ψ_c,aa and the same in d
    const chain: ModelSpec = {
      name: 'chain',
      states,
      params: { k: 0.5 },
      rhs: { a: '-k*a', b: 'a - b', c: 'b*b - c', d: 'c - d' },
    };
    expect(nonZero(chain)).toBe(6);
  });
});

describe('second-order sensitivities: what is refused', () => {
  const refusal = (f: () => unknown, pattern: RegExp) => {
    expect(f).toThrow(OptionError);
    expect(f).toThrow(pattern);
  };
  it('an order other than 1 or 2', () => {
    refusal(() => compile(PENDULUM, { order: 3 as 2 }), /order.*expected 1 or 2, got 3/);
    refusal(() => compile(PENDULUM, { order: '2' as unknown as 2 }), /expected 1 or 2/);
  });
  it('the other families, targets, events, kernels, ensembles; no sensitivities', async () => {
    const scope = /order 2 is available for every method on the TypeScript target/;
    refusal(
      () => compile(PENDULUM, { method: 'RadauIIA5', order: 2, layout: 'columns' }),
      /order 2 unrolls for the implicit-rk family/,
    );
    for (const target of ['wgsl', 'wat'] as const) refusal(() => generate(PENDULUM, { target, order: 2 }), scope);
    refusal(() => compile(PENDULUM, { wasm: true, order: 2 }), /WebAssembly kernel/);
    const ball: ModelSpec = {
      name: 'ball',
      states: ['h', 'v'],
      params: { g: 9.81 },
      rhs: { h: 'v', v: '-g' },
      events: { ground: { expr: 'h', direction: -1, terminal: true } },
    } as ModelSpec;
    refusal(() => compile(ball, { order: 2 }), /events/);
    refusal(() => compile(PENDULUM, { sensitivities: [], order: 2 }), /needs sensitivities/);
    const solver = compile(PENDULUM, { order: 2 });
    await expect(solver.solveEnsemble({ y0: [1, 0], t0: 0, t1: 1 }, { backend: 'webgpu' })).rejects.toThrow(
      /order 2 ensembles run on the 'cpu' and 'cuda' backends/,
    );
  });
  it('the size limits count the second-order blocks, in both layouts', () => {
    const states = Array.from({ length: 8 }, (_, i) => `x${i}`);
    const big: ModelSpec = {
      name: 'ring',
      states,
      params: { k: 0.5 },
      rhs: Object.fromEntries(states.map((x, i): [string, string] => [x, `-k*${x}*${states[(i + 1) % 8]}`])),
    };
    const r = compile(big, { order: 2 }).solve({ t0: 0, t1: 0.5, y0: states.map((_, i) => 1 + i / 10) });
    expect(r.hessian).toHaveLength(512);
    // n + n² + n·n(n+1)/2 = 8 + 64 + 288 = 360 components: refused under a limit that order 1 passes
    expect(() => compile(big, { order: 2, layout: 'unrolled', limits: { maxAugmentedSize: 300 } })).toThrow(
      /second-order blocks/,
    );
    expect(() => compile(big, { layout: 'unrolled', limits: { maxAugmentedSize: 300 } })).not.toThrow();
    expect(() => compile(big, { order: 2, layout: 'columns', limits: { maxAugmentedSize: 300 } })).toThrow(
      /second-order blocks/,
    );
  });
});

describe('odeforge solve --order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'odeforge-order2-'));
  const file = join(dir, 'pendulum.json');
  writeFileSync(file, JSON.stringify(PENDULUM));
  const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });

  it('--order 2 --json: hessian, paramHessian, mixedHessian as nested arrays [i][j][k], as the API gives them', () => {
    const r = run(['solve', file, '--y0', '1,0.2', '--t1', '3', '--sens', 'y0,params', '--order', '2', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const api = compile(PENDULUM, { sensitivities: ['y0', 'params'], order: 2 }).solve({ t0: 0, t1: 3, y0: [1, 0.2] });
    expect(out.hessian).toHaveLength(2);
    expect(out.hessian[0]).toHaveLength(2);
    expect(out.hessian.flat(2)).toEqual(Array.from(api.hessian!));
    expect(out.mixedHessian[1][0]).toHaveLength(3);
    expect(out.mixedHessian.flat(2)).toEqual(Array.from(api.mixedHessian!));
    expect(out.paramHessian[0]).toHaveLength(3);
    expect(out.paramHessian.flat(2)).toEqual(Array.from(api.paramHessian!));
    const plain = JSON.parse(run(['solve', file, '--y0', '1,0.2', '--t1', '3', '--json']).stdout);
    expect(plain).not.toHaveProperty('hessian');
  });

  it('--order 3 is exit 2 with one line; --order 2 with a method it does not cover names the scope', () => {
    const r = run(['solve', file, '--y0', '1,0.2', '--t1', '3', '--order', '3', '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--order.*expected 1 or 2/);
    const g = run(['generate', file, '--order', '2', '--target', 'wgsl', '--out', '-']);
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/order 2 is available for every method on the TypeScript target/);
    const ok = run(['generate', file, '--order', '2', '--out', '-']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('HESS_OFFSET');
    expect(ok.stdout).toContain('--order 2');
  });
});
