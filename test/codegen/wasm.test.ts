/**
 * The WebAssembly kernel (src/codegen/wasm): the same step as the TypeScript one, so the solver's results
 * must be identical bit for bit with and without it — for every method, both sensitivities, odd and even
 * sizes (the SIMD loops' scalar tails), every function the kernel imports or has as an instruction, dense
 * output, error control over the whole vector, and failures. Plus what the kernel is not used for: solves
 * nested in another solve's callbacks, and where it is not asked for.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lorenz96, lorenz96Y0 } from '../../bench/models.ts';
import { assembleWat } from '../../src/codegen/wasm/assemble.ts';
import { f64Literal, parseExpression } from '../../src/codegen/wasm/expression.ts';
import { POWER_TABLE_LENGTH, powerFunction } from '../../src/codegen/wasm/kernel.ts';
import { type CompileOptions, compile, generate } from '../../src/compile.ts';
import { IntegrationError } from '../../src/errors.ts';
import { EXPLICIT_METHODS } from '../../src/methods/index.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveOptions, SolveResult } from '../../src/runtime/types.ts';
import { example } from '../helpers/examples.ts';

/** The WebAssembly API (Node's typings here have no DOM). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

function bits(a: Float64Array | undefined): string {
  return a === undefined ? 'none' : Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

function expectIdentical(a: SolveResult, b: SolveResult): void {
  expect(bits(a.y)).toBe(bits(b.y));
  expect(bits(a.jacobian)).toBe(bits(b.jacobian));
  expect(bits(a.paramJacobian)).toBe(bits(b.paramJacobian));
  expect(a.stats).toEqual(b.stats);
  expect(a.t).toBe(b.t);
  expect(bits(a.dense?.y)).toBe(bits(b.dense?.y));
  expect(bits(a.dense?.jacobian)).toBe(bits(b.dense?.jacobian));
}

/**
 * Solves with the kernel and without it; checks the kernel really ran and the results are the same bits. The plain
 * kernel (fma: false), so that this holds on a runtime with relaxed SIMD too (test/codegen/wasm-fma.test.ts checks
 * the relaxed-SIMD kernel against it).
 */
function compare(model: ModelSpec, options: CompileOptions, problem: SolveOptions): SolveResult {
  const withKernel = compile(model, { ...options, wasm: true, fma: false });
  const without = compile(model, { ...options, wasm: false });
  expect(withKernel.stepKernel()).toBe('webassembly');
  expect(without.stepKernel()).toBe('typescript');
  const a = withKernel.solve(problem);
  const b = without.solve(problem);
  expectIdentical(a, b);
  return a;
}

// Six states (the column layout's threshold), every function the model language has, explicit time; the
// derivatives of abs, min and max bring in sign and heaviside.
const KITCHEN_SINK: ModelSpec = {
  name: 'kitchen-sink',
  states: ['a', 'b', 'c', 'd', 'e', 'f'],
  params: { k: 0.7, w: 1.3, s: 0.2 },
  rhs: {
    a: '-k*a + sin(w*t)*b - tanh(c)*s',
    b: 'cos(a) - b*exp(-s*c*c) + atan2(d, 1 + e*e)',
    c: 'sqrt(1 + a*a) - c*log(2 + b*b) + abs(d - e)*s',
    d: '(1 + e*e)^0.75 - d*k + min(a, b) - max(c, 0.1*f)',
    e: 'sign(a - c)*s + abs(b - 0.2)*0.1 - e*cosh(0.1*f)/2 + sinh(0.1*a)',
    f: 'asin(0.5*tanh(a)) + acos(0.5*tanh(b)) - atan(f) - w*f + tan(0.1*c)',
  },
};

describe('WebAssembly kernel: bit-identical to the TypeScript step', () => {
  it.each(EXPLICIT_METHODS.map((m) => m.name))(
    '%s, Lorenz-96 N = 7 (odd widths), sensitivities to y0 and params',
    (method) => {
      const model = lorenz96(7);
      // dt: the step of the fixed-step methods, the first step of the adaptive ones
      const problem: SolveOptions = { t0: 0, t1: 0.4, y0: lorenz96Y0(7), rtol: 1e-7, atol: 1e-7, dt: 0.004 };
      const r = compare(model, { method, sensitivities: ['y0', 'params'] }, problem);
      expect(r.stats.steps).toBeGreaterThan(5);
    },
  );

  it.each([6, 8, 9, 12])('Lorenz-96 N = %i, RK45CK, state + Φ', (n) => {
    compare(
      lorenz96(n),
      { method: 'RK45CK', sensitivities: ['y0'] },
      { t0: 0, t1: 0.5, y0: lorenz96Y0(n), rtol: 1e-8, atol: 1e-8, dt: 0.01 },
    );
  });

  it.each([24, 25])(
    'Lorenz-96 N = %i: the blocks multiplied row by row (odd and even widths, S one column wide)',
    (n) => {
      const wat = generate(lorenz96(n), { target: 'wat', sensitivities: ['y0', 'params'] });
      expect(wat).toContain('row by row');
      compare(
        lorenz96(n),
        { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] },
        { t0: 0, t1: 0.5, y0: lorenz96Y0(n), rtol: 1e-8, atol: 1e-8, dt: 0.01 },
      );
    },
  );

  it('every model-language function, explicit time, both sensitivities, dense output', () => {
    const tEval = Array.from({ length: 9 }, (_, i) => 0.25 * i);
    const problem = { t0: 0, t1: 2, y0: [0.3, -0.2, 0.5, 0.1, -0.4, 0.2], rtol: 1e-9, atol: 1e-9, tEval };
    for (const method of ['Dormand-Prince', 'RK87']) {
      const r = compare(KITCHEN_SINK, { method, sensitivities: ['y0', 'params'] }, problem);
      expect(r.dense?.y.length).toBe(9 * 6);
    }
  });

  it('state only, and error control over the whole augmented vector', () => {
    const problem = { t0: 0, t1: 1.5, y0: [0.3, -0.2, 0.5, 0.1, -0.4, 0.2], rtol: 1e-8, atol: 1e-8 };
    compare(KITCHEN_SINK, { sensitivities: [] }, problem);
    compare(KITCHEN_SINK, { sensitivities: ['params'] }, { ...problem, errorControl: 'all' });
  });

  it('names that mean something in WebAssembly text or in the step (func, local, i32, select, k1, yNew, h, x0 …)', () => {
    const names = ['func', 'local', 'i32', 'f64', 'memory', 'x0', 'k1', 'yNew', 'h', 'select'];
    const rhs = Object.fromEntries(names.map((n, i) => [n, `-${n}*offset + sin(${names[(i + 1) % names.length]})`]));
    const model: ModelSpec = { name: 'wat-words', states: names, params: { offset: 0.5 }, rhs };
    const y0 = names.map((_, i) => 0.1 * (i + 1));
    compare(model, { sensitivities: ['y0', 'params'] }, { t0: 0, t1: 1, y0, rtol: 1e-9, atol: 1e-9 });
  });

  it.each(EXPLICIT_METHODS.map((m) => m.name))(
    '%s, small models: the scalar step (every component a local), same bits as the TypeScript scalar step',
    (method) => {
      const problem = (y0: number[], t1: number): SolveOptions => ({ t0: 0, t1, y0, rtol: 1e-9, atol: 1e-9, dt: 0.01 });
      const lorenz = example('lorenz');
      // The kernel takes the scalar step (no vector pass over the augmented vector: the vector step's is headed
      // ';; yNew = y + h Σ b_j k_j', a loop or, for a few pairs, straight code) exactly where the TypeScript step is
      // scalar (no loop `z[i] = y[i] + …`): for the seed, every tableau but the largest.
      const wat = generate(example('seed'), { target: 'wat', method });
      const typescript = generate(example('seed'), { method, wasm: false });
      const arrays = /z\[i\] = y\[i\]/.test(typescript);
      expect(/;; yNew = y \+ h Σ b_j k_j/.test(wat)).toBe(arrays);
      expect(arrays).toBe(method === 'RK1412');
      compare(lorenz, { method, sensitivities: ['y0', 'params'] }, problem([1, 1, 1], 0.5));
      compare(example('seed'), { method }, problem([1, 1], 2));
      compare(
        example('pendulum'),
        { method, sensitivities: ['params'] },
        { ...problem([1.2, -0.3], 3), errorControl: 'all' },
      );
      // past 24 components one per local, up to 24 in pairs (scalarStepFunction, lanes 1 and 2)
      compare(lorenz96(5), { method, sensitivities: ['y0'] }, problem(lorenz96Y0(5), 0.5));
      if (arrays) return;
      const pairLoad = /\(v128\.load offset=0 align=8 \(local\.get \$y\)\)/;
      expect(wat).toMatch(pairLoad);
      expect(generate(lorenz96(5), { target: 'wat', method, sensitivities: ['y0'] })).not.toMatch(pairLoad);
    },
  );

  it('a small model in the unrolled layout, when asked for', () => {
    compare(
      example('pendulum'),
      { method: 'RK45CK', sensitivities: ['y0', 'params'], layout: 'unrolled' },
      { t0: 0, t1: 4, y0: [1.2, -0.3], rtol: 1e-10, atol: 1e-10 },
    );
  });

  it('the same failure (non-finite), and the kernel is free again afterwards', () => {
    const blowUp: ModelSpec = {
      name: 'blow-up',
      states: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'],
      rhs: { u0: 'u0*u0', u1: 'u1', u2: 'u2', u3: 'u3', u4: 'u4', u5: 'u5' },
    };
    const problem = { t0: 0, t1: 5, y0: [1, 1, 1, 1, 1, 1], rtol: 1e-6, atol: 1e-6, dt: 0.01, maxSteps: 1e6 };
    const errors = [true, false].map((wasm) => {
      const solver = compile(blowUp, { wasm, fma: false });
      try {
        solver.solve(problem);
      } catch (e) {
        expect(solver.stepKernel()).toBe(wasm ? 'webassembly' : 'typescript');
        return e as IntegrationError;
      }
      throw new Error('expected a failure');
    });
    expect(errors[0]).toBeInstanceOf(IntegrationError);
    expect(errors[0]!.reason).toBe(errors[1]!.reason);
    expect(errors[0]!.t).toBe(errors[1]!.t);
    expect(errors[0]!.message).toBe(errors[1]!.message);
    expectIdentical(errors[0]!.partial as SolveResult, errors[1]!.partial as SolveResult);
  });
});

/**
 * Counts the calls of the kernels' loop (their export `advance`) in the solvers compiled inside `run`: the
 * WebAssembly.Instance they create is replaced by one whose exports count them.
 */
function countingLoops<T>(run: (calls: () => number) => T): T {
  const api = (
    globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: object } } }
  ).WebAssembly;
  const Original = api.Instance;
  let calls = 0;
  api.Instance = function (this: unknown, module: object, imports: object) {
    const exports = new Original(module, imports).exports as Record<string, unknown>;
    const advance = exports.advance as ((...a: unknown[]) => unknown) | undefined;
    const counted = advance && {
      advance: (...a: unknown[]) => {
        calls++;
        return advance(...a);
      },
    };
    return { exports: { ...exports, ...counted } };
  } as unknown as typeof Original;
  try {
    return run(() => calls);
  } finally {
    api.Instance = Original;
  }
}

describe('WebAssembly kernel: its own loop', () => {
  const problem = { t0: 0, t1: 1, y0: lorenz96Y0(8), rtol: 1e-8, atol: 1e-8 };

  it('takes a plain solve whole, not one with callbacks or samples, and both give the same bits', () => {
    countingLoops((calls) => {
      const solver = compile(lorenz96(8), { sensitivities: ['y0', 'params'] });
      const plain = solver.solve(problem);
      expect(calls()).toBe(1);
      const stepped = solver.solve({ ...problem, onStep: () => {} });
      const sampled = solver.solve({ ...problem, tEval: [0.5, 1] });
      expect(calls()).toBe(1);
      expectIdentical(plain, stepped);
      expect(bits(plain.y)).toBe(bits(sampled.y));
      expect(bits(plain.jacobian)).toBe(bits(sampled.jacobian));
    });
  });

  it.each(EXPLICIT_METHODS.filter((m) => m.errorEstimate !== undefined).map((m) => [m.name, m.order] as const))(
    '%s: forward and backward, tight and loose, the same bits as the TypeScript loop',
    (method, order) => {
      for (const [t1, rtol] of [
        [2, order >= 4 ? 1e-8 : 1e-6],
        // (RK1412 at 1e-4 and at 1e-10 accepts a first step that blows up: Feagin's error estimate, f_1 − f_33
        // alone, misses it — a weakness of the method's estimate, in the TypeScript loop as much)
        [-1, order >= 14 ? 1e-6 : 1e-4],
      ] as const) {
        compare(
          lorenz96(7),
          { method, sensitivities: ['y0', 'params'] },
          { ...problem, y0: lorenz96Y0(7), t1, rtol, atol: rtol },
        );
      }
    },
  );

  it('fails as the TypeScript loop does: max-steps, a stiff problem, a step too small', () => {
    const stiff: ModelSpec = {
      name: 'stiff6',
      states: ['a', 'b', 'c', 'd', 'e', 'f'],
      rhs: { a: '-1e5*(a - cos(t))', b: '-b', c: '-c', d: '-d', e: '-e', f: '-f' },
    };
    const cases: [ModelSpec, SolveOptions][] = [
      [lorenz96(8), { ...problem, maxSteps: 20 }],
      [stiff, { t0: 0, t1: 10, y0: [1, 1, 1, 1, 1, 1], rtol: 1e-6, atol: 1e-6 }],
      [lorenz96(8), { ...problem, rtol: 1e-300, atol: 1e-300 }],
    ];
    for (const [model, options] of cases) {
      const errors = [true, false].map((wasm) => {
        try {
          compile(model, { wasm, sensitivities: [], fma: false }).solve(options);
        } catch (e) {
          return e as IntegrationError;
        }
        throw new Error('expected a failure');
      });
      expect(errors[0]).toBeInstanceOf(IntegrationError);
      expect(errors[0]!.message).toBe(errors[1]!.message);
      expectIdentical(errors[0]!.partial as SolveResult, errors[1]!.partial as SolveResult);
    }
  });
});

describe("the step-size controller's power", () => {
  // the driver's controllerPower, taken from the template, and the kernel's $power
  const template = readFileSync(new URL('../../templates/ts/driver.ts', import.meta.url), 'utf8');
  const from = template.indexOf('const POWER_BITS');
  const to = template.indexOf('\n}\n', template.indexOf('function controllerPower')) + 3;
  const js = transformSync(`${template.slice(from, to)}\nreturn [controllerPower, POWER_TABLE];`, {
    loader: 'ts',
  }).code;
  const [controllerPower, powerTable] = new Function(js)() as [(x: number, q: number) => number, Float64Array];
  // the kernel's power reads the driver's table where the module copies it (here at byte 64)
  const kernel = new wasm.Instance(
    new wasm.Module(
      assembleWat(`(module (memory (export "memory") 1)\n${powerFunction(64)}\n(export "power" (func $power)))`),
    ),
  ).exports as { power: (x: number, q: number) => number; memory: { buffer: ArrayBuffer } };
  new Float64Array(kernel.memory.buffer, 64, powerTable.length).set(powerTable);
  const kernelPower = kernel.power;
  const positive = fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true });
  const exponent = fc.constantFrom(-1 / 2, -1 / 3, -1 / 4, -1 / 5, -1 / 6, -1 / 8, -1 / 9, -1 / 13, 0.8);

  it('is Math.pow to 1e-12·(1 + |ln x^q|) where the result is a normal number, and the kernel gives the same bits', () => {
    fc.assert(
      fc.property(positive, exponent, (x, q) => {
        const got = controllerPower(x, q);
        expect(Object.is(kernelPower(x, q), got)).toBe(true);
        const want = x ** q;
        // (y = q ln x is rounded once: its error grows with |ln x^q|)
        if (want > 1e-300 && want < 1e300) {
          expect(Math.abs(got - want) / want).toBeLessThan(1e-12 * (1 + Math.abs(Math.log(want))));
        }
      }),
      { numRuns: 20_000 },
    );
    for (const x of [1, 2, 0.5, Math.SQRT2, 1e-10, 1 + 2 ** -52, 5e-324]) {
      expect(Object.is(kernelPower(x, -0.2), controllerPower(x, -0.2))).toBe(true);
    }
    expect(Math.abs(controllerPower(1, -0.2) - 1)).toBeLessThan(1e-12);
    // the module reserves POWER_TABLE_LENGTH doubles for the table in the kernel's memory
    expect(powerTable.length).toBe(POWER_TABLE_LENGTH);
  });
});

describe('WebAssembly kernel: where it is used', () => {
  it("'auto' uses it for the column layout (from 6 states on), and below for an adaptive solve with sensitivities", () => {
    expect(compile(lorenz96(8)).stepKernel()).toBe('webassembly');
    expect(compile(lorenz96(8), { sensitivities: [] }).stepKernel()).toBe('webassembly');
    expect(compile(lorenz96(5)).stepKernel()).toBe('webassembly');
    expect(compile(example('pendulum')).stepKernel()).toBe('webassembly');
    // below 6 states: not for the state alone, a fixed-step method or a model with events
    expect(compile(lorenz96(5), { sensitivities: [] }).stepKernel()).toBe('typescript');
    expect(compile(example('pendulum'), { method: 'RK4' }).stepKernel()).toBe('typescript');
    const bouncing: ModelSpec = {
      name: 'ball',
      states: ['h', 'v'],
      rhs: { h: 'v', v: '-9.81' },
      events: { ground: { expr: 'h', direction: -1, terminal: true } },
    };
    expect(compile(bouncing).stepKernel()).toBe('typescript');
    expect(compile(lorenz96(8), { wasm: false }).source).not.toContain('KERNEL_BASE64');
  });

  it('a solve started from an onStep callback runs the TypeScript step and changes nothing outside', () => {
    const solver = compile(lorenz96(8), { sensitivities: ['y0', 'params'] });
    const problem = { t0: 0, t1: 0.5, y0: lorenz96Y0(8), rtol: 1e-8, atol: 1e-8 };
    const alone = solver.solve(problem);
    const inner: SolveResult[] = [];
    const kernels: string[] = [];
    const outer = solver.solve({
      ...problem,
      onStep: (t) => {
        if (inner.length < 3) {
          kernels.push(solver.stepKernel());
          inner.push(solver.solve({ ...problem, t1: 0.1 + t }));
        }
      },
    });
    expectIdentical(outer, alone);
    expect(kernels).toEqual(['typescript', 'typescript', 'typescript']);
    const reference = compile(lorenz96(8), { sensitivities: ['y0', 'params'], wasm: false });
    // the nested solves are right too (the TypeScript step on plain arrays)
    expect(bits(inner[2]!.y)).toBe(bits(reference.solve({ ...problem, t1: inner[2]!.t }).y));
    expect(solver.stepKernel()).toBe('webassembly');
  });

  it("the 'cpu' ensemble backend runs the kernel in its worker threads, with the single solve's bits", async () => {
    const solver = compile(lorenz96(8), { sensitivities: ['y0', 'params'], fma: false });
    expect(solver.stepKernel()).toBe('webassembly');
    const count = 64;
    const y0 = new Float64Array(count * 8).map((_, i) => 8 + Math.sin(i));
    const params = new Float64Array(count).map((_, i) => 8 + i / count);
    const r = await solver.solveEnsemble({ t0: 0, t1: 0.3, y0, params, rtol: 1e-8, atol: 1e-8 });
    const reference = compile(lorenz96(8), { sensitivities: ['y0', 'params'], wasm: false });
    for (const i of [0, 31, count - 1]) {
      const single = reference.solve({
        t0: 0,
        t1: 0.3,
        y0: y0.subarray(8 * i, 8 * i + 8),
        params: { F: params[i]! },
        rtol: 1e-8,
        atol: 1e-8,
      });
      expect(bits(r.y.subarray(8 * i, 8 * i + 8))).toBe(bits(single.y));
      expect(bits(r.jacobian!.subarray(64 * i, 64 * i + 64))).toBe(bits(single.jacobian));
      expect(bits(r.paramJacobian!.subarray(8 * i, 8 * i + 8))).toBe(bits(single.paramJacobian));
    }
  });

  it("bad values of the option are refused with an OptionError naming 'wasm'", () => {
    expect(() => compile(lorenz96(8), { wasm: 'yes' as never })).toThrow(/wasm/);
  });

  it('`generate --target wat` prints the kernel text, which assembles and validates', () => {
    const text = generate(lorenz96(9), { target: 'wat', sensitivities: ['y0', 'params'] });
    expect(text).toContain('f64x2');
    expect(wasm.validate(assembleWat(text))).toBe(true);
  });
});

describe('WebAssembly kernel: reading printed expressions and writing literals', () => {
  it('f64 literals are exact (hexadecimal), for random doubles, subnormals and signed zeros', () => {
    const special = [0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, -1 / 3, 1e-300];
    const values = [...special, ...fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), 300)];
    const funcs = values.map((v, i) => `(func (export "v${i}") (result f64) (f64.const ${f64Literal(v)}))`);
    const instance = new wasm.Instance(new wasm.Module(assembleWat(`(module ${funcs.join(' ')})`)));
    values.forEach((v, i) => {
      expect(Object.is((instance.exports[`v${i}`] as () => number)(), v)).toBe(true);
    });
  });

  it('JavaScript precedence and associativity: unary minus binds tighter than *, all operators left to right', () => {
    const tree = parseExpression('-a * b - c / d / e + Math.max(f, -0.5)');
    const show = (n: ReturnType<typeof parseExpression>): string => {
      switch (n.kind) {
        case 'num':
          return String(n.value);
        case 'name':
          return n.name;
        case 'neg':
          return `(neg ${show(n.arg)})`;
        case 'bin':
          return `(${show(n.left)} ${n.op} ${show(n.right)})`;
        case 'call':
          return `${n.fn}(${n.args.map(show).join(', ')})`;
      }
    };
    expect(show(tree)).toBe('((((neg a) * b) - ((c / d) / e)) + Math.max(f, (neg 0.5)))');
    expect(() => parseExpression('a + ')).toThrow(/internal/);
    expect(() => parseExpression('a ? b : c')).toThrow(/internal/);
  });
});
