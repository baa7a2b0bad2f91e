/**
 * The relaxed-SIMD kernel (CompileOptions.fma): which modules carry it, that a runtime without relaxed SIMD runs
 * the plain kernel with the TypeScript step's bits, and — in a child process with relaxed SIMD — that it runs
 * where the runtime has it, stays within a stated tolerance of the plain kernel, and gives the same bits split
 * over threads as on one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lorenz96, lorenz96Y0 } from '../../bench/models.ts';
import { assembleWat } from '../../src/codegen/wasm/assemble.ts';
import { compile, generate } from '../../src/compile.ts';
import { OptionError } from '../../src/errors.ts';
import { example } from '../helpers/examples.ts';

const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** Whether this runtime compiles relaxed SIMD (Node 22 on; Node 20 only with --experimental-wasm-relaxed-simd). */
const RELAXED = wasm.validate(
  assembleWat(
    '(module (func (result v128) (f64x2.relaxed_madd (v128.const f64x2 1 1) (v128.const f64x2 2 2) (v128.const f64x2 3 3))))',
  ),
);

/** The base64 the module carries for the relaxed-SIMD kernel ('' for none). */
function fmaBinary(source: string): string {
  const m = /const KERNEL_FMA_BASE64: string = '([^']*)'/.exec(source);
  if (!m) throw new Error('no KERNEL_FMA_BASE64 in the module');
  return m[1]!;
}

describe('relaxed-SIMD kernel: what a module carries', () => {
  it('the column products and stage combinations fused in the wat text with fma: true, plain by default', () => {
    const options = { target: 'wat' as const, sensitivities: ['y0', 'params'] as ('y0' | 'params')[] };
    const fused = generate(lorenz96(9), { ...options, fma: true });
    const plain = generate(lorenz96(9), options);
    expect(fused).toMatch(/f64x2\.relaxed_madd/);
    expect(plain).not.toMatch(/relaxed/);
    // the odd last column and component in lane 0, with the same multiply-adds as the pairs
    expect(fused).toMatch(/v128\.load64_zero/);
    expect(fused).toMatch(/f64x2\.extract_lane 0/);
    expect(wasm.validate(assembleWat(plain))).toBe(true);
    expect(wasm.validate(assembleWat(fused))).toBe(RELAXED);
  });

  it('large systems carry both kernels; small ones (a scalar step), and fma: false, the plain one only', () => {
    // generated files may run anywhere: always both
    expect(fmaBinary(generate(lorenz96(8)))).not.toBe('');
    expect(fmaBinary(generate(lorenz96(8), { fma: false }))).toBe('');
    expect(fmaBinary(generate(example('pendulum')))).toBe('');
    // compile's module runs here: the second kernel only where this runtime could run it
    expect(fmaBinary(compile(lorenz96(8)).source) !== '').toBe(RELAXED);
    expect(fmaBinary(compile(lorenz96(8), { fma: false }).source)).toBe('');
    expect(compile(example('pendulum')).stepKernel()).toBe('webassembly');
    expect(compile(example('pendulum')).stepKernelFma()).toBe(false);
    expect(compile(lorenz96(8), { wasm: false }).stepKernelFma()).toBe(false);
  });

  it("bad values are refused with an OptionError naming 'fma'", () => {
    for (const bad of ['yes', 1, null]) {
      expect(() => compile(lorenz96(8), { fma: bad as never })).toThrow(OptionError);
      expect(() => compile(lorenz96(8), { fma: bad as never })).toThrow(/fma/);
    }
    expect(() => compile(lorenz96(8), { fmaa: true } as never)).toThrow(/fma/);
  });

  it.runIf(!RELAXED)('without relaxed SIMD (this runtime): the plain kernel, with its bits', () => {
    const fused = compile(lorenz96(9), { sensitivities: ['y0', 'params'] });
    const plain = compile(lorenz96(9), { sensitivities: ['y0', 'params'], fma: false });
    expect(fused.stepKernel()).toBe('webassembly');
    expect(fused.stepKernelFma()).toBe(false);
    const problem = { t0: 0, t1: 0.5, y0: lorenz96Y0(9), rtol: 1e-9, atol: 1e-9 };
    const a = fused.solve(problem);
    const b = plain.solve(problem);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.jacobian!)).toEqual(Array.from(b.jacobian!));
    expect(Array.from(a.paramJacobian!)).toEqual(Array.from(b.paramJacobian!));
  });
});

describe('relaxed-SIMD kernel: where the runtime has relaxed SIMD (a child process)', () => {
  it('runs, stays within 10·rtol of the plain kernel, and threads give the one-thread bits', () => {
    const script = fileURLToPath(new URL('./fma-child.ts', import.meta.url));
    const tsx = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
    // V8 has relaxed SIMD by default from Node 21 on (and no flag for it: Node 22 refuses the option)
    const flags = Number(process.versions.node.split('.')[0]) >= 21 ? [] : ['--experimental-wasm-relaxed-simd'];
    const r = spawnSync(process.execPath, [...flags, '--import', tsx, script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      n: number;
      method: string;
      fusedKernel: boolean;
      plainKernel: boolean;
      kernel: string;
      difference: number;
      splitSameBits: boolean;
    }[];
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const where = `Lorenz-96 N = ${row.n}, ${row.method}`;
      expect(row.kernel, where).toBe('webassembly');
      expect(row.fusedKernel, where).toBe(true);
      expect(row.plainKernel, where).toBe(false);
      // rtol = atol = 1e-10 over [0, 0.5]: the relaxed kernel's results within 10·rtol (relative to 1 + |x|) of the
      // plain kernel's, for the state, both Jacobians and the samples (measured: up to 2.4e-11, RK87)
      expect(row.difference, where).toBeLessThanOrEqual(1e-9);
      expect(row.splitSameBits, where).toBe(true);
    }
  });
});
