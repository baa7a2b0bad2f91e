/**
 * The WGSL generator without a GPU: f32 literals, the assembled shader's structure, generation-time errors,
 * the dispatch grid and the option checks that run before any device is touched.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F32_MIN_NORMAL, F32RangeError, f32Literal, WGSL_HELPERS } from '../../src/codegen/wgsl/dialect.ts';
import { emitWgslModule, WGSL_CONFIG_BYTES, WGSL_CONFIG_FIELDS } from '../../src/codegen/wgsl/module.ts';
import { ENSEMBLE_STATUS } from '../../src/ensemble/types.ts';
import { packConfig, solveEnsembleWebGpu } from '../../src/ensemble/webgpu.ts';
import { dispatchGrid, SHADER_ABI } from '../../src/ensemble/webgpu-dispatch.ts';
import { ModelError, OdeforgeError, OptionError } from '../../src/errors.ts';
import { SEED_MODEL } from '../../src/examples.ts';
import { EXPLICIT_METHODS, findExplicitMethod as findMethod, RK4 } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { buildAugmentedSystem, type Sensitivity } from '../../src/variational/system.ts';
import { FORCED, FUNCTIONS, LORENZ, PENDULUM } from './support.ts';

const TEMPLATE = readFileSync(new URL('../../templates/wgsl/explicit-rk.wgsl', import.meta.url), 'utf8');

// WGSL's decimal float literal with the f suffix (WGSL spec, 'decimal_float_literal').
const F32_LITERAL = /^-?(?:(?:\d*\.\d+|\d+\.\d*)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)f$/;

function emit(spec: ModelSpec, method = 'RK45CK', sens: Sensitivity[] = ['y0', 'params']): string {
  return emitWgslModule(buildAugmentedSystem(buildModel(spec), sens), findMethod(method));
}

describe('f32 literals', () => {
  it.each([
    [0.1, '0.1f'],
    [2, '2.0f'],
    [1e-7, '1e-7f'],
    [-3.5, '-3.5f'],
    [1 / 3, '0.33333334f'],
    [100, '100.0f'],
    [0, '0.0f'],
    [-0, '-0.0f'],
    [6.62607015e-34, '6.62607e-34f'],
    [3.4028234663852886e38, '3.4028235e+38f'],
    [F32_MIN_NORMAL, '1.1754944e-38f'],
    [99999996, '1e+8f'],
    [12345678, '12345678.0f'],
  ])('%s prints as %s', (v, text) => {
    expect(f32Literal(v).text).toBe(text);
  });

  it('every double in f32 range prints as the shortest WGSL literal that reads back as fround(v)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3.4e38, max: 3.4e38, noNaN: true }), (v) => {
        fc.pre(v === 0 || Math.abs(Math.fround(v)) >= F32_MIN_NORMAL);
        const text = f32Literal(v).text;
        expect(text).toMatch(F32_LITERAL);
        expect(Math.fround(Number(text.slice(0, -1)))).toBe(Math.fround(v));
        const mantissa = text.replace(/^-|f$/g, '').split('e')[0]!.replace('.', '');
        expect(mantissa.replace(/^0+|0+$/g, '').length).toBeLessThanOrEqual(9);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [1e39, 'overflows f32'],
    [-1e39, 'overflows f32'],
    [Number.POSITIVE_INFINITY, 'not finite'],
    [Number.NaN, 'not finite'],
    [1e-50, 'underflows'],
    [1e-40, 'subnormal'],
  ])('%s is an F32RangeError', (v, why) => {
    expect(() => f32Literal(v)).toThrow(F32RangeError);
    expect(() => f32Literal(v)).toThrow(why);
  });

  it('F32RangeError is an OdeforgeError, and other odeforge errors are not F32RangeErrors', () => {
    expect(new F32RangeError(1e39, 'x')).toBeInstanceOf(OdeforgeError);
    expect(new ModelError({ model: 'm' }, 'x')).not.toBeInstanceOf(F32RangeError);
  });

  it('a model constant outside f32 is a ModelError at generation time', () => {
    for (const rhs of ['x*1e39', '1e-50*x', 'x + 2^200']) {
      const spec = { name: 'big', states: ['x'], rhs: { x: rhs } };
      expect(() => emit(spec)).toThrow(ModelError);
      expect(() => emit(spec)).toThrow(/model 'big'.*f32/);
    }
    // The TypeScript target takes them: f64 holds them.
    expect(() => emit({ name: 'ok', states: ['x'], rhs: { x: 'x*1e38' } })).not.toThrow();
  });
});

describe('the emitted shader', () => {
  const models: [string, ModelSpec][] = [
    ['seed', SEED_MODEL],
    ['lorenz', LORENZ],
    ['pendulum', PENDULUM],
    ['functions', FUNCTIONS],
    ['forced', FORCED],
  ];

  it.each(models)('%s: every template block is filled, every helper it calls is defined', (_, spec) => {
    for (const method of ['RK45CK', 'Dormand-Prince', 'RK4']) {
      const code = emit(spec, method);
      expect(code).not.toMatch(/^\s*\/\/ @odeforge:(begin|end)|\/\* @odeforge:header/m);
      expect(code).toContain('@compute @workgroup_size(WORKGROUP_SIZE)');
      for (const call of code.matchAll(/\b(odeforge_\w+)\(/g)) expect(code).toContain(`fn ${call[1]}(`);
      for (const helper of WGSL_HELPERS) expect(code).toContain(`fn ${helper}(`);
    }
  });

  it('constants, stages and the FSAL step follow the system and the tableau', () => {
    const code = emit(LORENZ, 'Dormand-Prince');
    expect(code).toContain('const N: u32 = 3u;');
    expect(code).toContain('const P: u32 = 3u;');
    expect(code).toContain('const M: u32 = 21u;');
    expect(code).toContain('const PHI_OFFSET: u32 = 3u;');
    expect(code).toContain('const SENS_OFFSET: u32 = 12u;');
    expect(code).toContain('const ERROR_ORDER: f32 = 4.0f;');
    expect(code).toContain('var<private> rk_k7: Vec;');
    // FSAL: the last stage is evaluated at y_new before the error estimate, and copied into rk_k1 afterwards.
    const step = code.slice(code.indexOf('fn rk_step'), code.indexOf('fn error_norm'));
    expect(step.indexOf('rhs(th + (tl + h), &rk_ynew, &rk_k7);')).toBeGreaterThan(step.indexOf('rk_ynew[i] ='));
    expect(step.indexOf('rk_err[i] =')).toBeGreaterThan(step.indexOf('&rk_k7);'));
    expect(code).toContain('rk_k1 = rk_k7;');

    const rk4 = emit(SEED_MODEL, 'RK4', []);
    expect(rk4).toContain('const ERROR_ORDER: f32 = 0.0f;');
    expect(rk4).toContain('const HAS_PHI: bool = false;');
    expect(rk4).toContain('const PA: u32 = 1u;');
    expect(rk4).not.toContain('rk_err[i] =');
    expect(rk4).toContain('rhs(t_new.x + t_new.y, &rk_ynew, &rk_err);');
    expect(rk4).toContain('rk_k1 = rk_err;');
    expect(rk4).toContain('const HAS_STIFF: bool = false;');
    // The stiffness estimate compares the stage at c = 1 (its input saved) with F(t + h, y_new).
    expect(code).toContain('const HAS_STIFF: bool = true;');
    expect(code).toContain('const STABILITY_BOUNDARY: f32 = 3.306568f;');
    expect(code).toContain('let estimate = stiffness_rho(&rk_k6, &rk_k7);');
    expect(step.indexOf('rk_zstiff = rk_z;')).toBeLessThan(step.indexOf('&rk_k6);'));
    const ck = emit(LORENZ, 'RK45CK');
    expect(ck).toContain('let estimate = stiffness_rho(&rk_k5, &rk_err);');
    expect(ck).toContain('rhs(t_new.x + t_new.y, &rk_ynew, &rk_err);');
  });

  it('prints every number of the generated code as an f32 literal, and no state or parameter name bare', () => {
    const code = emit(FUNCTIONS);
    const generated = code.slice(code.indexOf('fn rhs('), code.indexOf('// ─── The driver'));
    const body = generated.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of body.matchAll(/(?<![\w.[])(\d+\.?\d*(?:e[+-]?\d+)?)([fu]?)/g)) {
      if (m[2] === 'u') continue; // loop bounds
      expect(`${m[1]}${m[2]}`).toMatch(F32_LITERAL);
    }
    expect(body).not.toMatch(/\bu\b|\bv\b|\ba\b|\bb\b/);
    expect(body).toContain('odeforge_pow(');
    expect(body).toContain('odeforge_atan2(');
    expect(body).toContain('odeforge_heaviside(');
  });

  it('the header names the model and the method, and never pastes a name it cannot vouch for', () => {
    const code = emit(LORENZ, 'RK45CK');
    const header = code.slice(0, code.indexOf('*/') + 2);
    expect(header).toContain("Model 'lorenz': states x, y, z; params sigma, rho, beta; time t.");
    expect(header).toContain('Method RK45CK (order 5, adaptive with an order-4 error estimate)');
    const evil = { ...RK4, name: 'evil */ @compute fn x() {} /*' };
    const custom = emitWgslModule(buildAugmentedSystem(buildModel(SEED_MODEL), ['y0']), evil);
    expect(custom).toContain('Method a custom tableau (order 4, fixed step)');
    expect(custom).not.toContain('evil');
  });

  it('a state named like a WGSL keyword or built-in is always prefixed', () => {
    const code = emit({ name: 'k', states: ['loop', 'f32'], params: { fn: 2 }, rhs: { loop: 'fn*f32', f32: '-loop' } });
    expect(code).toContain('let y_loop = (*y)[0];');
    expect(code).toContain('let p_fn = rk_p[0];');
  });

  it('the template says the status codes in the order of ENSEMBLE_STATUS, and the uniform layout of module.ts', () => {
    const codes = [...TEMPLATE.matchAll(/const STATUS_(\w+): u32 = (\d+)u;/g)].map(
      (m) => [m[1], Number(m[2])] as const,
    );
    // the codes a kernel writes: ENSEMBLE_STATUS up to 'stiff' (the implicit families' reasons, appended after it,
    // occur on the cpu backend only)
    expect(codes.length).toBe(ENSEMBLE_STATUS.indexOf('stiff') + 1);
    for (const [name, code] of codes) expect(ENSEMBLE_STATUS[code]).toBe(name.toLowerCase().replaceAll('_', '-'));
    const struct = /struct Config \{([^}]*)\}/.exec(TEMPLATE)![1]!;
    const fields = [...struct.matchAll(/^\s*(\w+): (f32|u32),/gm)].map((m) => m[1]);
    expect(fields).toEqual([...WGSL_CONFIG_FIELDS]);
    expect(WGSL_CONFIG_BYTES % 16).toBe(0);
  });

  it('the runner sets count and resume at their words of the uniform; packConfig leaves resume at 0', () => {
    expect(WGSL_CONFIG_FIELDS[SHADER_ABI.configWords.count]).toBe('count');
    expect(WGSL_CONFIG_FIELDS[SHADER_ABI.configWords.resume]).toBe('resume');
    for (const adaptive of [true, false]) {
      const config = packConfig({ t0: 0, t1: 1, rtol: 1e-5, atol: 1e-6, dt: 0.1, maxSteps: 10 }, adaptive);
      expect(new Uint32Array(config)[SHADER_ABI.configWords.resume]).toBe(0);
    }
  });

  it('the shader starts Φ and S at I and 0, or, with cfg.resume, from what its jacobian and paramJacobian hold', () => {
    const code = emitWgslModule(buildAugmentedSystem(buildModel(LORENZ), ['y0', 'params']), findMethod('RK45CK'));
    expect(code).toContain('let resume = cfg.resume != 0u;');
    expect(code).toContain('rk_y[PHI_OFFSET + c] = jac_out[c * n + i];');
    expect(code).toContain('rk_y[SENS_OFFSET + c] = pjac_out[c * n + i];');
    expect(code).toContain('rk_y[PHI_OFFSET + c * N + c] = 1.0f;');
    const header = code.slice(0, code.indexOf('*/') + 2);
    expect(header).toContain('resume: u32');
    expect(header).toContain('resume = 1: the initial Φ and S');
  });

  it("a system built with the 'columns' layout gets the same shader as the unrolled one", () => {
    const model = buildModel(LORENZ);
    const columns = buildAugmentedSystem(model, ['y0', 'params'], 'columns');
    const unrolled = buildAugmentedSystem(model, ['y0', 'params'], 'unrolled');
    expect(emitWgslModule(columns, findMethod('RK45CK'))).toBe(emitWgslModule(unrolled, findMethod('RK45CK')));
  });

  it('every method of the registry has a WGSL step', () => {
    for (const method of EXPLICIT_METHODS) {
      const code = emitWgslModule(buildAugmentedSystem(buildModel(SEED_MODEL), ['y0']), method);
      expect(code).toContain(`var<private> rk_k${method.c.length}: Vec;`);
    }
  });
});

describe('the dispatch grid', () => {
  it('is one row of workgroups up to 65,535 of them', () => {
    expect(dispatchGrid(0)).toEqual({ x: 0, y: 0, workgroups: 0 });
    expect(dispatchGrid(1)).toEqual({ x: 1, y: 1, workgroups: 1 });
    expect(dispatchGrid(64)).toEqual({ x: 1, y: 1, workgroups: 1 });
    expect(dispatchGrid(65)).toEqual({ x: 2, y: 1, workgroups: 2 });
    expect(dispatchGrid(65_535 * 64)).toEqual({ x: 65_535, y: 1, workgroups: 65_535 });
  });

  it('becomes a 2-D grid beyond, with every trajectory covered and less than a row to spare', () => {
    expect(dispatchGrid(65_535 * 64 + 1)).toEqual({ x: 65_535, y: 2, workgroups: 65_536 });
    expect(dispatchGrid(2 ** 23)).toEqual({ x: 65_535, y: 3, workgroups: 131_072 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 34 }), fc.integer({ min: 1, max: 65_535 }), (count, max) => {
        fc.pre(Math.ceil(count / 64) <= max * max);
        const g = dispatchGrid(count, max);
        expect(g.x).toBeLessThanOrEqual(max);
        expect(g.y).toBeLessThanOrEqual(max);
        expect(g.x * g.y * 64).toBeGreaterThanOrEqual(count);
        expect(g.x * (g.y - 1) * 64).toBeLessThan(count);
      }),
    );
    expect(() => dispatchGrid(65_535 * 65_535 * 64 + 1)).toThrow(RangeError);
  });
});

describe('option checks (before any device is touched)', () => {
  const system = buildAugmentedSystem(buildModel(SEED_MODEL), ['y0']);
  const base = { t0: 0, t1: 1, y0: Float64Array.of(1, 1, 2, 2) };
  it.each([
    ['y0', { y0: Float64Array.of(1, 2, 3) }, /y0: expected N×2 values/],
    ['y0', { y0: [1, 1] as unknown as Float64Array }, /y0: expected a Float64Array/],
    ['y0[2]', { y0: Float64Array.of(1, 1, 1e39, 1) }, /y0\[2\]: .*range of f32/],
    ['params', { params: Float64Array.of(20) }, /params: expected 2×1 values/],
    ['t1', { t1: Number.NaN }, /t1: must be a finite number/],
    ['rtol', { rtol: 0, atol: 0 }, /rtol and atol cannot both be zero/],
    ['atol', { atol: -1 }, /atol: must be non-negative/],
    ['dt', { dt: 0 }, /dt: must be positive/],
    ['maxSteps', { maxSteps: 0 }, /maxSteps: must be positive/],
  ])('%s', async (_, change, message) => {
    await expect(solveEnsembleWebGpu(system, findMethod('RK45CK'), { ...base, ...change })).rejects.toThrow(
      OptionError,
    );
    await expect(solveEnsembleWebGpu(system, findMethod('RK45CK'), { ...base, ...change })).rejects.toThrow(message);
  });

  it('a parameter default beyond f32 is refused when no params are given', async () => {
    const big = buildAugmentedSystem(
      buildModel({ name: 'b', states: ['x'], params: { k: 1e39 }, rhs: { x: '-k*x' } }),
      [],
    );
    await expect(
      solveEnsembleWebGpu(big, findMethod('RK45CK'), { t0: 0, t1: 1, y0: Float64Array.of(1) }),
    ).rejects.toThrow(/params \(the default of k\): .*f32/);
  });

  it('a fixed-step method needs dt', async () => {
    await expect(solveEnsembleWebGpu(system, findMethod('RK4'), base)).rejects.toThrow(/dt: .*RK4 needs dt/);
  });

  it('an empty ensemble needs no device', async () => {
    const r = await solveEnsembleWebGpu(system, findMethod('RK45CK'), { ...base, y0: new Float64Array(0) });
    expect(r.y.length).toBe(0);
    expect(r.jacobian?.length).toBe(0);
    expect(r.status).toEqual([]);
    expect(r.stats.backend).toBe('webgpu');
  });
});
