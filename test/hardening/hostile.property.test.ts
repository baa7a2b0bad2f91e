/**
 * Hostile data, generated: model objects (plain specs and forged Models with a `builder` key, as a JSON file can
 * carry them), tableaux and option objects with a payload in any field, of any type. Each must end in a typed
 * refusal (an OdeforgeError) or a clean run, and never in a side effect: the payloads write a global or a file
 * when executed, and their marker text must not appear in any generated TypeScript, CUDA, WGSL or WAT.
 *
 *   FC_SEED=<seed> [FC_PATH=<path>] npx vitest run test/hardening/hostile.property.test.ts
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type GenerateOptions, generate } from '../../src/compile.ts';
import { OdeforgeError } from '../../src/errors.ts';
import { DORMAND_PRINCE, RK4 } from '../../src/methods/index.ts';
import { checkProperty } from './property.ts';

const FILE = 'test/hardening/hostile.property.test.ts';
const MARKER = 'odeforgePWN';
const dir = mkdtempSync(join(tmpdir(), 'odeforge-hostile-'));
const witness = join(dir, 'written');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Code that, run anywhere in a generated module or by the generator, leaves a trace the test sees. */
const ACTIONS = [
  `globalThis.__${MARKER} = 1`,
  `process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(witness)}, '${MARKER}')`,
  `process.stdout.write('${MARKER}')`,
];

/** Ways out of the places a value could land: a number, an array literal, a string, a comment, a line. */
const WRAPPERS: readonly ((code: string) => string)[] = [
  (c) => `0];${c};[0`,
  (c) => `5; ${c}; //`,
  (c) => `*/ ${c}; /*`,
  (c) => `'); ${c}; ('`,
  (c) => `"); ${c}; ("`,
  (c) => `\`; ${c}; \``,
  (c) => `\${${c}}`,
  (c) => `$' $\` $& ${c}`,
  (c) => `\n${c}\n`,
  (c) => `\u2028${c}\u2029`,
  (c) => `0\n#define real ${c}\n#include "/dev/zero"\n`,
  (c) => `1e0) + (${c}`,
  (c) => `x; } fn evil() { ${c}`,
];

const payload = fc.tuple(fc.constantFrom(...WRAPPERS), fc.constantFrom(...ACTIONS)).map(([wrap, act]) => wrap(act));

/** Anything JSON can hold, plus what a TypeScript caller could pass: objects that stringify to a payload. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  payload,
  payload.map((p) => [p]),
  payload.map((p) => ({ toString: () => p, valueOf: () => p })),
  payload.map((p) => ({ kind: 'const', id: 0, value: p })),
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    1e308,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53 + 2,
    true,
    null,
    undefined,
    [],
    {},
    '',
    '1/0',
    '1e999999',
  ),
  fc.bigInt().map((b) => b),
);

const SEED_SPEC = {
  name: 'seed',
  states: ['x', 'v'],
  params: { k: 20 },
  rhs: { x: 'v', v: '-k*x' },
};

/** A forged Model, as the security report's evil.json has it: every field a built Model has, as data. */
function forgedModel(): Record<string, unknown> {
  return {
    name: 'm',
    builder: { zero: { kind: 'const', id: 0, value: 0 } },
    time: { kind: 'sym', id: 1, name: 't', role: 'time', index: 0 },
    states: [{ kind: 'sym', id: 2, name: 'x', role: 'state', index: 0 }],
    params: [{ kind: 'sym', id: 4, name: 'k', role: 'param', index: 0 }],
    paramDefaults: [1],
    rhs: [{ kind: 'const', id: 3, value: 1 }],
  };
}

type Path = readonly (string | number)[];

/** A deep copy of `base` with the value at `path` replaced (created when missing). */
function withValue(base: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string | number, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return copy;
}

const modelPaths: Path[] = [
  ['name'],
  ['states'],
  ['states', 0],
  ['params'],
  ['params', 'k'],
  ['params', 'evil'],
  ['rhs'],
  ['rhs', 'x'],
  ['rhs', 'v'],
  ['time'],
  ['builder'],
  ['paramDefaults'],
  ['__proto__'],
];
const forgedPaths: Path[] = [
  ['paramDefaults', 0],
  ['rhs', 0, 'value'],
  ['states', 0, 'name'],
  ['name'],
  ['builder'],
  ['time', 'name'],
];

const hostileModel = fc.oneof(
  fc.tuple(fc.constantFrom(...modelPaths), hostileValue).map(([p, v]) => withValue(SEED_SPEC, p, v)),
  fc.tuple(fc.constantFrom(...forgedPaths), hostileValue).map(([p, v]) => withValue(forgedModel(), p, v)),
);

const tableauPaths = (m: typeof RK4): Path[] => [
  ['name'],
  ['family'],
  ['order'],
  ['fsal'],
  ['aliases'],
  ['aliases', 0],
  ['description'],
  ['source'],
  ['c'],
  ['c', m.c.length - 1],
  ['a'],
  ['a', 1],
  ['a', m.a.length - 1, 0],
  ['b'],
  ['b', 0],
  ['errorEstimate'],
  ['errorEstimate', 'order'],
  ['errorEstimate', 'bHat', 0],
  ['extra'],
];
const hostileTableau = fc.oneof(
  ...[RK4, DORMAND_PRINCE].map((base) =>
    fc
      .tuple(fc.constantFrom(...tableauPaths(base)), hostileValue)
      .map(([p, v]) => withValue({ ...base, name: `${base.name}-copy` }, p, v)),
  ),
);

const optionKeys = ['method', 'sensitivities', 'command', 'layout', 'limits', 'wasm', 'target', 'precision', 'rtoll'];
const hostileOptions = fc
  .tuple(fc.constantFrom(...optionKeys), hostileValue)
  .map(([k, v]) => ({ [k]: v }) as Record<string, unknown>);

/** Whatever `run` does, it either succeeds or throws an OdeforgeError; and no payload ever acts. */
function harmless(run: () => string[]): boolean {
  let outputs: string[] = [];
  try {
    outputs = run();
  } catch (e) {
    if (!(e instanceof OdeforgeError)) throw new Error(`not a typed refusal: ${String(e)}`, { cause: e });
  }
  expect((globalThis as Record<string, unknown>)[`__${MARKER}`]).toBeUndefined();
  expect(existsSync(witness)).toBe(false);
  for (const text of outputs) expect(text).not.toContain(MARKER);
  return true;
}

const TARGETS: GenerateOptions[] = [
  { target: 'ts' },
  { target: 'cuda', precision: 'f64' },
  { target: 'cuda', precision: 'f32' },
  { target: 'wgsl' },
  { target: 'wat' },
];

/** Generates every target and compiles and runs the TypeScript solver once. */
function everything(model: unknown, options: Record<string, unknown>): string[] {
  const outputs: string[] = [];
  const written = process.stdout.write;
  // A payload that reaches process.stdout.write shows up here rather than on the test's output.
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    for (const t of TARGETS) {
      try {
        outputs.push(generate(model as never, { ...t, ...options } as GenerateOptions));
      } catch (e) {
        if (!(e instanceof OdeforgeError)) throw e;
      }
    }
    const { target: _t, precision: _p, ...compileOptions } = options;
    const solver = compile(model as never, compileOptions);
    outputs.push(solver.source);
    try {
      const n = solver.info.states.length;
      solver.solve({ t0: 0, t1: 0.1, y0: Array.from({ length: n }, () => 0.5), dt: 0.01 });
    } catch (e) {
      if (!(e instanceof OdeforgeError)) throw e;
    }
  } finally {
    process.stdout.write = written;
    outputs.push(printed);
  }
  return outputs;
}

describe('hostile data never runs: a typed refusal or a clean run, no side effect, no payload in any output', () => {
  it('model objects (specs and forged Models)', () => {
    const run = checkProperty(
      'hostile models',
      FILE,
      fc.property(hostileModel, (model) => harmless(() => everything(model, {}))),
      { numRuns: 150 },
    );
    if (!run.replay) expect(run.runs).toBe(run.asked);
  });

  it('tableaux', () => {
    const run = checkProperty(
      'hostile tableaux',
      FILE,
      fc.property(hostileTableau, (method) => harmless(() => everything(SEED_SPEC, { method }))),
      { numRuns: 150 },
    );
    if (!run.replay) expect(run.runs).toBe(run.asked);
  });

  it('compile and generate options', () => {
    const run = checkProperty(
      'hostile options',
      FILE,
      fc.property(hostileOptions, (options) => harmless(() => everything(SEED_SPEC, options))),
      { numRuns: 150 },
    );
    if (!run.replay) expect(run.runs).toBe(run.asked);
  });
});

describe('the cases of the security report', () => {
  it('a forged Model with a payload default is refused as a model (unknown field builder)', () => {
    const evil = withValue(forgedModel(), ['paramDefaults', 0], `0];${ACTIONS[0]};[0`);
    expect(() => generate(evil as never)).toThrow(/unknown field 'builder'/);
    expect(() => compile(evil as never)).toThrow(/unknown field 'builder'/);
    expect((globalThis as Record<string, unknown>)[`__${MARKER}`]).toBeUndefined();
  });

  it("a tableau whose order is code: OptionError('method.order')", () => {
    const method = { ...RK4, name: 'mine', order: `5; ${ACTIONS[0]}; //` };
    expect(() => compile(SEED_SPEC, { method: method as never })).toThrow(/^method\.order: expected an integer/);
    expect((globalThis as Record<string, unknown>)[`__${MARKER}`]).toBeUndefined();
  });
});
