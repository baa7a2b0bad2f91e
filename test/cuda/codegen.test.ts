/**
 * The CUDA printer and emitter without a GPU: literals that C reads back exactly (checked by compiling them with
 * g++ where it is available), function spellings per precision, the assembled source (every block replaced,
 * nothing but validated names in it), and the template compiling on its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CUDA_DIALECT_F32,
  CUDA_DIALECT_F64,
  cudaDoubleLiteral,
  cudaFloatLiteral,
} from '../../src/codegen/cuda/dialect.ts';
import { emitCudaModule, statusMacro } from '../../src/codegen/cuda/module.ts';
import { ENSEMBLE_STATUS } from '../../src/ensemble/types.ts';
import { buildModel } from '../../src/model/model.ts';
import { buildSecondOrderSystem } from '../../src/variational/second-order.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
import { FUNCTIONS, haveCompiler, LORENZ, method, SEED, system } from './support.ts';

const gxx = await haveCompiler('cpu', 'the g++ checks of CUDA literals and of the template');
const work = mkdtempSync(join(tmpdir(), 'odeforge-cuda-codegen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Deterministic pseudo-random doubles over many magnitudes, both signs. */
function sampleValues(count: number): number[] {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const out: number[] = [0.1, 0.2, 1 / 3, 2 / 3, 5, -3, 1e-20, 1e21, 123456789, 2 ** -1074, 2 ** -149, 2 ** -126];
  out.push(3.4028234663852886e38, 1.401298464324817e-45, 0.3, 1e-7, 16777217, 2 ** 53 + 2);
  for (let i = out.length; i < count; i++) {
    const sign = next() < 0.5 ? -1 : 1;
    out.push(sign * next() * 10 ** Math.floor(next() * 80 - 40));
  }
  return out;
}

const VALUES = sampleValues(400);

describe('literals', () => {
  it('f64: a decimal point or an exponent always, and JavaScript reads back the same double', () => {
    for (const v of VALUES) {
      const { text } = cudaDoubleLiteral(v);
      expect(text, String(v)).toMatch(/[.eE]/);
      expect(Number(text)).toBe(v);
    }
    expect(cudaDoubleLiteral(5).text).toBe('5.0');
    expect(cudaDoubleLiteral(-0).text).toBe('-0.0');
    expect(cudaDoubleLiteral(Number.POSITIVE_INFINITY).text).toBe('INFINITY');
    expect(cudaDoubleLiteral(Number.NaN).text).toBe('NAN');
  });

  it('f32: rounded to float, `f` suffix, shortest digits that read back as that float', () => {
    for (const v of VALUES) {
      const { text } = cudaFloatLiteral(v);
      const f = Math.fround(v);
      if (!Number.isFinite(f)) {
        expect(text).toMatch(/^-?INFINITY$/);
        continue;
      }
      expect(text, String(v)).toMatch(/^-?[0-9][0-9.e+-]*f$/);
      expect(text.slice(0, -1)).toMatch(/[.eE]/);
      expect(Math.fround(Number(text.slice(0, -1)))).toBe(f);
    }
    expect(cudaFloatLiteral(0.1).text).toBe('0.1f');
    expect(cudaFloatLiteral(5).text).toBe('5.0f');
    expect(cudaFloatLiteral(1e-20).text).toBe('1e-20f');
    expect(cudaFloatLiteral(1e39).text).toBe('INFINITY');
    expect(cudaFloatLiteral(-0).text).toBe('-0.0f');
  });

  it.skipIf(!gxx)('g++ reads every literal back as exactly the intended double and float', () => {
    const finite = VALUES.filter((v) => Number.isFinite(Math.fround(v)));
    const src = [
      '#include <stdio.h>',
      '#include <string.h>',
      '#include <math.h>',
      `static const double D[] = {${VALUES.map((v) => cudaDoubleLiteral(v).text).join(', ')}};`,
      `static const float F[] = {${finite.map((v) => cudaFloatLiteral(v).text).join(', ')}};`,
      'int main() {',
      '  for (size_t i = 0; i < sizeof D / sizeof D[0]; i++) printf("%.17g\\n", D[i]);',
      '  for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) printf("%.9g\\n", (double)F[i]);',
      '}',
    ].join('\n');
    writeFileSync(join(work, 'literals.cc'), src);
    execFileSync('g++', ['-O0', '-o', join(work, 'literals'), join(work, 'literals.cc')]);
    const lines = execFileSync(join(work, 'literals'), { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(lines.slice(0, VALUES.length)).toEqual(VALUES);
    // %.9g identifies a float uniquely: read back through fround, it must be the float of the value.
    expect(lines.slice(VALUES.length).map(Math.fround)).toEqual(finite.map(Math.fround));
  });
});

describe('functions', () => {
  it('double precision: the C library names; helpers for JavaScript semantics', () => {
    expect(CUDA_DIALECT_F64.call('sin', ['x'])).toBe('sin(x)');
    expect(CUDA_DIALECT_F64.call('abs', ['x'])).toBe('fabs(x)');
    expect(CUDA_DIALECT_F64.call('atan2', ['y', 'x'])).toBe('atan2(y, x)');
    expect(CUDA_DIALECT_F64.call('min', ['a', 'b'])).toBe('odeforge_min(a, b)');
    expect(CUDA_DIALECT_F64.call('sign', ['a'])).toBe('odeforge_sign(a)');
    expect(CUDA_DIALECT_F64.call('heaviside', ['a'])).toBe('odeforge_heaviside(a)');
    expect(CUDA_DIALECT_F64.pow('a', 'b')).toBe('pow(a, b)');
  });

  it('single precision: the float functions', () => {
    expect(CUDA_DIALECT_F32.call('sin', ['x'])).toBe('sinf(x)');
    expect(CUDA_DIALECT_F32.call('abs', ['x'])).toBe('fabsf(x)');
    expect(CUDA_DIALECT_F32.call('atan2', ['y', 'x'])).toBe('atan2f(y, x)');
    expect(CUDA_DIALECT_F32.call('max', ['a', 'b'])).toBe('odeforge_max(a, b)');
    expect(CUDA_DIALECT_F32.pow('a', 'b')).toBe('powf(a, b)');
  });
});

describe('the emitted module', () => {
  const lorenz = emitCudaModule(system(LORENZ), method('Dormand-Prince'), { precision: 'f64' });

  it('replaces every block of the template and keeps no template-only notes', () => {
    expect(lorenz).not.toMatch(/@odeforge/);
    expect(lorenz).not.toMatch(/^\/\/~/m);
    expect(lorenz).toMatch(/^typedef double real;$/m);
    expect(lorenz).toMatch(/^#define ODEFORGE_M 21$/m);
    expect(lorenz).toMatch(/^#define ODEFORGE_FSAL 1$/m);
    expect(lorenz).toMatch(/^#define ODEFORGE_PARAM_DEFAULTS \{10\.0, 28\.0, 2\.6666666666666665\}$/m);
    expect(lorenz).toContain('ODEFORGE_HD static ODEFORGE_INLINE void odeforge_rhs(');
    expect(lorenz).toContain('__global__ void odeforge_ensemble_kernel(');
    expect(lorenz).toContain('extern "C" int odeforge_solve_cpu(');
    expect(lorenz).toContain('extern "C" int odeforge_cuda_run(');
  });

  it('status codes in the order of ENSEMBLE_STATUS', () => {
    ENSEMBLE_STATUS.forEach((s, i) => {
      expect(lorenz).toMatch(new RegExp(`^#define ${statusMacro(s)} ${i}$`, 'm'));
    });
    expect(statusMacro('step-size-underflow')).toBe('ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW');
  });

  it('FSAL: the new value, then the last stage at (t + h, y_new), then the error estimate', () => {
    const step = lorenz.slice(lorenz.indexOf('real odeforge_step('), lorenz.indexOf('// ─── The driver'));
    const update = step.indexOf('const real v = y[i] + hr *');
    const last = step.indexOf('odeforge_rhs(t + h, y_new, p, k[6]);');
    const error = step.indexOf('const real e = odeforge_fabs(hr *');
    expect(update).toBeGreaterThan(0);
    expect(last).toBeGreaterThan(update);
    expect(error).toBeGreaterThan(last);
    // The stiffness estimate reads stage 6 (c = 1, not the FSAL stage): its input goes to z_stiff.
    expect(lorenz).toMatch(/^#define ODEFORGE_STIFF_STAGE 5$/m);
    expect(step).toContain('odeforge_rhs(t + h, z_stiff, p, k[5]);');
    expect(lorenz).toMatch(/^#define ODEFORGE_STABILITY_BOUNDARY 3\.\d+$/m);
  });

  it('refuses the columns layout (the GPU code needs every component as straight-line code)', () => {
    const columns = buildAugmentedSystem(buildModel(LORENZ), ['y0'], 'columns');
    expect(() => emitCudaModule(columns, method('RK45CK'), { precision: 'f64' })).toThrow(/unrolled/);
  });

  it('second-order sensitivities: f64 only (the API refuses f32 first, with an OptionError)', () => {
    const second = buildSecondOrderSystem(buildAugmentedSystem(buildModel(LORENZ), ['y0', 'params'], 'unrolled'));
    expect(emitCudaModule(second, method('RK45CK'), { precision: 'f64' })).toMatch(/^#define ODEFORGE_M 84$/m);
    expect(() => emitCudaModule(second, method('RK45CK'), { precision: 'f32' })).toThrow(/'f64' only/);
  });

  it('f32: float type, float literals and float functions in the generated code', () => {
    const src = emitCudaModule(system(FUNCTIONS), method('RK45CK'), { precision: 'f32' });
    expect(src).toMatch(/^typedef float real;$/m);
    const rhs = src.slice(src.indexOf('void odeforge_rhs('), src.indexOf('// ─── One attempted'));
    expect(rhs).toContain('sqrtf(');
    expect(rhs).toContain('atan2f(');
    expect(rhs).toContain('powf(');
    expect(rhs).toContain('expf(');
    expect(rhs).toContain('logf(');
    expect(rhs).toContain('odeforge_sign(');
    // No double-precision call or literal in the f32 rhs.
    expect(rhs).not.toMatch(/\b(sin|cos|tan|exp|log|sqrt|pow|atan2|fabs)\(/);
    expect(rhs).not.toMatch(/\b\d+\.\d*(e[+-]?\d+)?(?![\d.ef])/);
  });

  it('the header holds validated names only, and a command only when it is plain text', () => {
    const src = emitCudaModule(system(SEED), method('RK45CK'), { precision: 'f64', command: 'odeforge */ evil' });
    expect(src).not.toContain('evil');
    const ok = emitCudaModule(system(SEED), method('RK45CK'), { precision: 'f64', command: 'odeforge cuda seed.json' });
    expect(ok).toContain('(odeforge cuda seed.json)');
    expect(ok).toMatch(/Model 'seed': states x, v; params k; time t\./);
  });

  it('fixed-step methods: no error estimate, and unused parameters are marked', () => {
    const src = emitCudaModule(system(SEED), method('Euler'), { precision: 'f64' });
    expect(src).toMatch(/^#define ODEFORGE_ERROR_ORDER 0$/m);
    expect(src).toMatch(/^#define ODEFORGE_STIFF_STAGE \(-1\)$/m);
    expect(src).toContain('(void)t; (void)p; (void)z; (void)z_stiff; (void)rtol; (void)atol; (void)controlled;');
    expect(src).toContain('return finite ? (real)0 : (real)INFINITY;');
  });
});

/** Runs g++; returns what it printed (warnings), failing the test when it fails. */
function gxxQuiet(args: readonly string[]): string {
  const r = spawnSync('g++', [...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return `${r.stdout}${r.stderr}`;
}

const CPU_FLAGS = ['-Wall', '-Wextra', '-x', 'c++', '-DODEFORGE_HD=', '-shared', '-fPIC'];

describe.skipIf(!gxx)('compiles with g++ without warnings', () => {
  it('the template on its own (its stand-in model)', () => {
    const file = join(work, 'template.cu');
    writeFileSync(file, readFileSync(new URL('../../templates/cuda/explicit-rk.cu', import.meta.url), 'utf8'));
    expect(gxxQuiet(['-O2', ...CPU_FLAGS, file, '-o', `${file}.so`])).toBe('');
  });

  it.each([
    ['Euler', 'f64'],
    ['RK45CK', 'f32'],
    ['RK1412', 'f64'],
  ] as const)('%s, %s, with -Wall -Wextra', (m, precision) => {
    const file = join(work, `${m}-${precision}.cu`);
    writeFileSync(file, emitCudaModule(system(FUNCTIONS), method(m), { precision }));
    expect(gxxQuiet(['-O0', ...CPU_FLAGS, file, '-o', `${file}.so`])).toBe('');
  });

  it('order 2 (second-order blocks), Dormand-Prince and RK4, f64, with -Wall -Wextra', () => {
    const second = buildSecondOrderSystem(buildAugmentedSystem(buildModel(FUNCTIONS), ['y0', 'params'], 'unrolled'));
    for (const m of ['Dormand-Prince', 'RK4']) {
      const file = join(work, `order2-${m}.cu`);
      writeFileSync(file, emitCudaModule(second, method(m), { precision: 'f64' }));
      expect(gxxQuiet(['-O2', ...CPU_FLAGS, file, '-o', `${file}.so`])).toBe('');
    }
  });
});
