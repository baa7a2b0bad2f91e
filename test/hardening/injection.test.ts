/**
 * Injection: hostile names and expressions are either refused with a ModelError, or end up only where they
 * cannot act — behind a prefix in identifiers (states are y_<name>, parameters p_<name>), in comments and in
 * JSON strings the generator writes from validated identifiers — in every target.
 *
 *   - Names with quotes, backticks, `${`, comment markers, line breaks (\n, \r, U+2028, U+2029), NUL,
 *     look-alike letters (Cyrillic а, full-width ｘ, math italic 𝑥), zero-width and bidirectional marks,
 *     `__proto__`/`constructor`/`prototype`, reserved words and globals of JavaScript/TypeScript are refused,
 *     as states, parameters, time and model names; so are expressions with code in them.
 *   - Names that are fine in the model language but reserved or predefined in CUDA C++ or WGSL (int, double,
 *     struct, __global__, template, fn, let-free WGSL keywords, f32, array, the generator's own locals …) are
 *     accepted, and generated: the module for the hostile model and the module for the same model with plain
 *     placeholder names lex to the same tokens, except that the placeholders are replaced — so the user names
 *     sit only where the placeholders sit (identifiers, comments, strings), and no expression text appears.
 *     The CUDA output is compiled by g++ (syntax only) and the WGSL by Dawn where those are present.
 *   - Compiling and solving them runs nothing of theirs: a getter on globalThis for every such name and a
 *     __pwned flag stay untouched, and Object.prototype is unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';
import { ModelError } from '../../src/errors.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { invisibleCharacter, type Language, lex } from './code-tokens.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---- Names ----

/** Must be refused, in any role. */
const REFUSED_NAMES = [
  '',
  ' ',
  'a b',
  "x'",
  'x"',
  'x`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text, on purpose
  '${x}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text, on purpose
  '`${globalThis.__pwned = true}`',
  '*/',
  '/*',
  '//',
  'x*/y',
  'x\u2028',
  'x\u2029y',
  'x\n',
  'x\r',
  'x\u0000',
  'x\u0085',
  '\u0430', // Cyrillic а
  'x\u0430',
  '\uff58', // full-width ｘ
  '\u{1d465}', // math italic 𝑥
  'x\u200b', // zero-width space
  'x\u202e', // right-to-left override
  '\ufeffx', // byte-order mark
  'é',
  '1x',
  '-x',
  'x-y',
  'x.y',
  'x;y',
  'x=1',
  '__proto__',
  'constructor',
  'prototype',
  // JavaScript/TypeScript reserved words and globals the generated code relies on
  ...'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with let static yield await implements interface package private protected public'.split(
    ' ',
  ),
  ...'Math Object Array Float64Array globalThis eval arguments undefined NaN Infinity'.split(' '),
  // functions and constants of the model language
  ...'sin cos tan asin acos atan atan2 sinh cosh tanh exp log sqrt abs pow min max sign pi heaviside'.split(' '),
];

/** Fine in the model language, reserved or predefined somewhere else: must be accepted and kept harmless. */
const UNUSUAL_NAMES = [
  // C / C++ / CUDA
  ...'int float double char short long signed unsigned bool struct union typedef sizeof extern register volatile auto goto inline restrict template typename namespace using operator friend virtual explicit mutable nullptr'.split(
    ' ',
  ),
  ...'__global__ __device__ __host__ __shared__ __constant__ __restrict__ __CUDA_ARCH__ threadIdx blockIdx blockDim gridDim warpSize'.split(
    ' ',
  ),
  ...'INFINITY NAN M_PI DBL_EPSILON FLT_MAX printf malloc real ODEFORGE_N ODEFORGE_HD ODEFORGE_INLINE odeforge_rhs odeforge_min odeforge_pow'.split(
    ' ',
  ),
  // WGSL
  ...'fn loop f32 f16 i32 u32 vec2 vec3 vec4 mat4x4 array ptr atomic sampler override alias discard fallthrough continuing bitcast workgroup uniform storage read_write enable requires diagnostic const_assert Vec rk_p rk_y rk_step'.split(
    ' ',
  ),
  // the generators' own names and prefixes
  ...'main rhs solve info y p dy h k1 w0 N M P phi_0_0 s_0_0 y_x p_k _ __ _x x_ L0 V0 e E i I'.split(' '),
  // Object.prototype members other than the refused ones
  ...'toString valueOf hasOwnProperty isPrototypeOf propertyIsEnumerable toLocaleString __defineGetter__ __lookupGetter__'.split(
    ' ',
  ),
  'x'.repeat(300),
];

/** Must be refused: expressions with anything but the model language in them. */
const REFUSED_EXPRESSIONS = [
  'x; globalThis.__pwned = true',
  'x + (globalThis.__pwned = true)',
  '(globalThis.__pwned = 1, x)',
  'x /* comment */',
  'x // comment',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text, on purpose
  '`${x}`',
  '"x"',
  "'x'",
  'x\u2028+ 1',
  'x\u2029',
  'x\n+ 1',
  'x\r',
  'x\u0000',
  'x +\u00a0 1', // no-break space
  'x\u200b',
  '\ufeffx',
  '\u0430 + x',
  '\uff58',
  '\u{1d465}',
  'x.constructor',
  'constructor(x)',
  '__proto__',
  'toString(x)',
  'Math.sin(x)',
  'eval("1")',
  'x[0]',
  'x = 1',
  'x == 1',
  'x ? 1 : 2',
  'x, x',
  '() => x',
  'new Date()',
  'import("fs")',
  'require("fs")',
  'process.exit(1)',
  'x % 2',
  'x & 1',
  '!x',
  '~x',
  'x++',
  '1n',
  '#x',
  '@x',
  '\\x',
  'x\\',
  '0b2',
  '09',
  '1__0',
  '1_',
  '.',
  'NaN',
  'Infinity',
  'undefined',
  'this',
  'arguments',
  'globalThis',
  '',
  '   ',
];

const spec = (over: Partial<ModelSpec> & Record<string, unknown>): ModelSpec =>
  ({ name: 'm', states: ['x'], rhs: { x: '-x' }, ...over }) as ModelSpec;

/** Model names have their own, wider rule (they only appear in comments, strings and messages). */
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

function refusedAsEveryRole(name: string): void {
  const roles: [string, ModelSpec][] = [
    ['state', spec({ states: [name], rhs: { [name]: '1' } })],
    ['parameter', spec({ params: { [name]: 1 } })],
    ['time', spec({ time: name })],
  ];
  if (!MODEL_NAME.test(name)) roles.push(['model name', spec({ name })]);
  for (const [role, s] of roles) {
    let error: unknown;
    try {
      buildModel(s);
    } catch (e) {
      error = e;
    }
    expect(error, `${JSON.stringify(name)} as ${role}`).toBeInstanceOf(ModelError);
    const message = (error as Error).message;
    // One line, nothing invisible: the CLI prints it as one line.
    expect(invisibleCharacter(message), `message for ${JSON.stringify(name)} as ${role}`).toBeUndefined();
  }
}

describe('hostile names and expressions are refused with a one-line ModelError', () => {
  it.each(REFUSED_NAMES.map((n) => [JSON.stringify(n), n]))('name %s', (_shown, name) => {
    refusedAsEveryRole(name);
  });

  it.each(REFUSED_EXPRESSIONS.map((e) => [JSON.stringify(e), e]))('expression %s', (_shown, text) => {
    let error: unknown;
    try {
      buildModel(spec({ rhs: { x: text } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    expect(invisibleCharacter((error as Error).message)).toBeUndefined();
  });

  it('unusual names are accepted in every role', () => {
    for (const name of UNUSUAL_NAMES) {
      expect(() => buildModel(spec({ states: [name], rhs: { [name]: `-${name}` } })), name).not.toThrow();
      expect(() => buildModel(spec({ params: { [name]: 2 }, rhs: { x: `-${name}*x` } })), name).not.toThrow();
      expect(() => buildModel(spec({ time: name, rhs: { x: `-${name}*x` } })), name).not.toThrow();
    }
  });
});

// ---- Models with unusual names, and their placeholder twins ----

interface Twin {
  readonly hostile: ModelSpec;
  readonly benign: ModelSpec;
  /** placeholder → hostile name */
  readonly names: ReadonlyMap<string, string>;
}

const placeholder = (i: number) => `qz${i}q`;

/**
 * A model over some names: a few states, parameters and the time, each right-hand side an expression over all
 * of them (with functions and literals), and its twin with the names replaced by placeholders.
 */
function twin(modelName: string, names: readonly string[], timeName: string, paramCount: number): Twin {
  const all = [...names, timeName];
  const map = new Map<string, string>(all.map((n, i) => [placeholder(i), n]));
  map.set('qzmodelq', modelName);
  const make = (rename: (i: number) => string, model: string): ModelSpec => {
    const states = names.slice(paramCount).map((_, i) => rename(i + paramCount));
    const params = Object.fromEntries(names.slice(0, paramCount).map((_, i) => [rename(i), 0.5 + i / 7]));
    const time = rename(names.length);
    const symbols = [...states, ...Object.keys(params), time];
    const rhs = Object.fromEntries(
      states.map((s, i) => {
        const a = symbols[(i + 1) % symbols.length]!;
        const b = symbols[(i + 2) % symbols.length]!;
        return [s, `-${s}*${a} + sin(${time})*${b} - min(${s}, ${a})*1e-3 + ${b}^2/(1 + ${s}^2) + atan2(${a}, 2)`];
      }),
    );
    return { name: model, states, params, time, rhs };
  };
  return { hostile: make((i) => all[i]!, modelName), benign: make(placeholder, 'qzmodelq'), names: map };
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, k) => list.slice(k * size, (k + 1) * size));
}

// Groups of names (a time name, two parameters, the rest states), covering every unusual name.
const TWINS: Twin[] = chunks(
  UNUSUAL_NAMES.filter((n) => n.length < 100),
  9,
).map((group, k) => twin(`hostile-${k}.v1`, group.slice(1), group[0]!, 2));
TWINS.push(twin('long-name', ['x'.repeat(300), `k${'y'.repeat(300)}`], 't', 1));
// A state named t while the time has another name; the time named like the generated code's time argument.
TWINS.push(twin('t-state', ['k', 't', 'y'], 'tau', 1));
TWINS.push(twin('dy-time', ['p', 'y'], 'dy', 1));
// Model names that are words of some language (they only reach comments and JSON strings).
for (const name of ['class', '__proto__', 'constructor', '1x', 'x--y', '_.-', 'a'.repeat(64)]) {
  TWINS.push(twin(name, ['a', 'b'], 't', 1));
}

type Target = { name: string; language: Language; options: Parameters<typeof generate>[1] };
const TARGETS: Target[] = [
  { name: 'TypeScript', language: 'ts', options: { sensitivities: ['y0', 'params'] } },
  { name: 'CUDA f64', language: 'c', options: { sensitivities: ['y0', 'params'], target: 'cuda', precision: 'f64' } },
  { name: 'CUDA f32', language: 'c', options: { sensitivities: ['y0', 'params'], target: 'cuda', precision: 'f32' } },
  { name: 'WGSL', language: 'wgsl', options: { sensitivities: ['y0', 'params'], target: 'wgsl' } },
];

let hostileModulesChecked = 0;

/**
 * Why the hostile module is not its twin with the placeholders replaced, token for token (and with no
 * placeholder as a bare identifier, a number or punctuation), or undefined when it is.
 */
function compareTwins(
  hostile: string,
  benign: string,
  language: Language,
  names: ReadonlyMap<string, string>,
): string | undefined {
  let h: ReturnType<typeof lex>;
  try {
    h = lex(hostile, language);
  } catch (e) {
    return `does not lex: ${(e as Error).message}`;
  }
  const b = lex(benign, language);
  const substitute = (text: string) => text.replace(/qz(?:\d+|model)q/g, (p) => names.get(p) ?? p);
  for (let i = 0; i < Math.max(h.length, b.length); i++) {
    const [x, y] = [h[i], b[i]];
    if (x === undefined || y === undefined) return `token counts differ (${h.length}, twin ${b.length})`;
    if (x.kind !== y.kind || x.text !== substitute(y.text)) {
      return `token ${i}: ${x.kind} ${JSON.stringify(x.text.slice(0, 200))} where the twin has ${y.kind} ${JSON.stringify(y.text.slice(0, 200))}`;
    }
    // A user name in code (not in a comment or a string) is always behind a prefix: never a bare identifier.
    if (y.kind === 'identifier' && /^qz(?:\d+|model)q$/.test(y.text))
      return `a user name is a bare identifier: ${x.text}`;
    if ((y.kind === 'punct' || y.kind === 'number') && /qz/.test(y.text)) return `a user name in ${y.kind}: ${x.text}`;
  }
  return undefined;
}

describe('the twin comparison itself catches a name out of place', () => {
  const names = new Map([['qz0q', 'int']]);
  it('accepts a name behind a prefix, in a comment and in a string', () => {
    expect(
      compareTwins('const y_int = 1; // int\nx = "int";', 'const y_qz0q = 1; // qz0q\nx = "qz0q";', 'ts', names),
    ).toBeUndefined();
  });
  it('flags a bare identifier, a comment broken by a line break, a string closed early, a comment ended early', () => {
    expect(compareTwins('int + 1', 'qz0q + 1', 'ts', names)).toMatch(/bare identifier/);
    const evil = (name: string) => new Map([['qz0q', name]]);
    expect(compareTwins('// a\nb()\nc', '// qz0q\nc', 'ts', evil('a\nb()'))).toBeDefined();
    expect(compareTwins('// a\u2028b()\nc', '// qz0q\nc', 'ts', evil('a\u2028b()'))).toBeDefined();
    expect(compareTwins('x = "a"; b(); ""', 'x = "qz0q"', 'ts', evil('a"; b(); "'))).toBeDefined();
    expect(compareTwins('/* a */ b() /* */', '/* qz0q */', 'c', evil('a */ b() /*'))).toBeDefined();
    expect(compareTwins('// a\\\nb();', '// qz0q\nb();', 'c', evil('a\\'))).toBeDefined();
    expect(compareTwins('// a\u0085b();', '// qz0q\nb();', 'wgsl', evil('a\u0085b();'))).toBeDefined();
  });
});

describe('unusual names end up only where the placeholders of a plain twin model are', () => {
  const outputs: { target: Target; twin: Twin; code: string }[] = [];

  afterAll(() => {
    console.info(
      `injection: ${REFUSED_NAMES.length} refused names × 4 roles, ${REFUSED_EXPRESSIONS.length} refused expressions, ` +
        `${UNUSUAL_NAMES.length} unusual names accepted, ${hostileModulesChecked} hostile modules compared token by token`,
    );
  });

  it.each(TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    for (const t of TWINS) {
      const hostile = generate(t.hostile, target.options);
      const benign = generate(t.benign, target.options);
      const problem = compareTwins(hostile, benign, target.language, t.names);
      if (problem) throw new Error(`${target.name}, model ${t.hostile.name}: ${problem}`);
      // No right-hand side appears as written.
      for (const text of Object.values(t.hostile.rhs)) expect(hostile.includes(String(text))).toBe(false);
      outputs.push({ target, twin: t, code: hostile });
      hostileModulesChecked++;
    }
  });

  it('the CUDA outputs compile (g++ -fsyntax-only, as the CPU build does), when g++ is present', () => {
    const gxx = spawnSync('g++', ['--version']);
    if (gxx.status !== 0) return; // no compiler here: the token comparison above still holds
    const dir = mkdtempSync(join(tmpdir(), 'odeforge-injection-cu-'));
    const cuda = outputs.filter((o) => o.target.language === 'c');
    expect(cuda.length).toBeGreaterThan(0);
    cuda.forEach((o, k) => {
      const file = join(dir, `m${k}.cu`);
      writeFileSync(file, o.code);
      const r = spawnSync('g++', ['-fsyntax-only', '-x', 'c++', '-DODEFORGE_HD=', file], { encoding: 'utf8' });
      expect(r.stderr, `${o.target.name} ${o.twin.hostile.name}`).toBe('');
      expect(r.status).toBe(0);
    });
  });

  it('the WGSL outputs compile (Dawn, on lavapipe without a GPU), when a driver is installed', () => {
    const icd = process.env.VK_ICD_FILENAMES ?? join(homedir(), '.cache/lavapipe/lvp_icd.json');
    if (!existsSync(icd)) return; // no Vulkan driver here: the token comparison above still holds
    const env = execFileSync('bash', ['-c', 'eval "$(bash scripts/webgpu-env.sh 2>/dev/null)" && env -0'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const vars = Object.fromEntries(
      env
        .split('\0')
        .filter(Boolean)
        .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    const dir = mkdtempSync(join(tmpdir(), 'odeforge-injection-wgsl-'));
    const wgsl = outputs.filter((o) => o.target.language === 'wgsl');
    const files = wgsl.map((o, k) => {
      const file = join(dir, `m${k}.wgsl`);
      writeFileSync(file, o.code);
      return file;
    });
    const r = spawnSync('npx', ['tsx', join(ROOT, 'test/hardening/wgsl-validate.ts'), ...files], {
      cwd: ROOT,
      env: vars,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    const result = JSON.parse(line) as Record<string, string[]>;
    for (const file of files) expect(result[file], file).toEqual([]);
  });
});

describe('compiling and solving runs nothing of the user', () => {
  const g = globalThis as Record<string, unknown>;
  const trapped: string[] = [];
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(() => {
    g.__pwned = false;
    // A getter on globalThis for every unusual name that is not a global already: generated code that read a
    // user name as a free identifier would call it.
    for (const name of new Set(TWINS.flatMap((t) => [...t.names.values()]))) {
      if (name in globalThis) continue;
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          trapped.push(name);
          return 1;
        },
        set() {
          trapped.push(name);
        },
      });
    }
  });

  afterAll(() => {
    for (const name of new Set(TWINS.flatMap((t) => [...t.names.values()]))) {
      const d = Object.getOwnPropertyDescriptor(globalThis, name);
      if (d?.get) delete g[name];
    }
    delete g.__pwned;
  });

  it('solves every model with unusual names, with parameters overridden by name', () => {
    for (const t of TWINS) {
      const solver = compile(t.hostile, { sensitivities: ['y0', 'params'] });
      const n = t.hostile.states.length;
      const params = Object.fromEntries(Object.keys(t.hostile.params ?? {}).map((p) => [p, 0.25]));
      const r = solver.solve({ t0: 0, t1: 0.1, y0: Array(n).fill(0.5), params, rtol: 1e-8, atol: 1e-10 });
      expect(r.y.every(Number.isFinite)).toBe(true);
      // The same numbers as the placeholder twin: the names change nothing.
      const twinResult = compile(t.benign, { sensitivities: ['y0', 'params'] }).solve({
        t0: 0,
        t1: 0.1,
        y0: Array(n).fill(0.5),
        params: Object.fromEntries(Object.keys(t.benign.params ?? {}).map((p) => [p, 0.25])),
        rtol: 1e-8,
        atol: 1e-10,
      });
      expect(Array.from(r.y)).toEqual(Array.from(twinResult.y));
      expect(Array.from(r.paramJacobian!)).toEqual(Array.from(twinResult.paramJacobian!));
    }
    expect(trapped).toEqual([]);
    expect(g.__pwned).toBe(false);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
  });

  it('refused expressions and names run nothing either', () => {
    for (const text of REFUSED_EXPRESSIONS) {
      expect(() => compile(spec({ rhs: { x: text } }))).toThrow(ModelError);
    }
    for (const name of REFUSED_NAMES) {
      expect(() => compile(spec({ states: [name], rhs: { [name]: '1' } }))).toThrow(ModelError);
      expect(() => compile(spec({ params: { [name]: 1 }, rhs: { x: '-x' } }))).toThrow(ModelError);
    }
    expect(trapped).toEqual([]);
    expect(g.__pwned).toBe(false);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
  });

  it('a parameter override named like an Object.prototype member is an unknown parameter, not a lookup', () => {
    const solver = compile(spec({ params: { k: 1 }, rhs: { x: '-k*x' } }));
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      expect(() => solver.solve({ t0: 0, t1: 1, y0: [1], params: { [name]: 2 } })).toThrow(/unknown parameter/);
    }
    const proto = JSON.parse('{"__proto__": 2}') as Record<string, number>;
    expect(() => solver.solve({ t0: 0, t1: 1, y0: [1], params: proto })).toThrow(/unknown parameter '__proto__'/);
  });
});
