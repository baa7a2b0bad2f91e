/**
 * defineModel and TypeScript model files: a right-hand side written as a TypeScript function is read from its
 * syntax tree, never called, and gives the same IR, generated code and results as the JSON model written in the
 * model language; every construct outside that language is a ModelError naming it and its line and column (in
 * the function's source, or in the file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';
import { ModelError } from '../../src/errors.ts';
import type { Expr } from '../../src/expr/ir.ts';
import { defineModel, paramValues } from '../../src/index.ts';
import { buildModel, type Model, type ModelSpec } from '../../src/model/model.ts';
import { ModelSourceError, readTypeScriptModel } from '../../src/model/ts-model-file.ts';

/** The IR of an expression as text: structure, symbols by role and name, constants by their exact value. */
function ir(e: Expr): string {
  switch (e.kind) {
    case 'const':
      return Object.is(e.value, -0) ? '-0' : String(e.value);
    case 'sym':
      return `${e.role}:${e.name}`;
    case 'add':
      return `(+ ${e.terms.map(ir).join(' ')})`;
    case 'mul':
      return `(* ${e.factors.map(ir).join(' ')})`;
    case 'pow':
      return `(^ ${ir(e.base)} ${ir(e.exponent)})`;
    case 'call':
      return `(${e.fn} ${e.args.map(ir).join(' ')})`;
  }
}

const irOf = (m: Model) => m.rhs.map(ir);

function refusal(run: () => unknown): ModelError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'must throw').toBeInstanceOf(ModelError);
  const message = (caught as ModelError).message;
  expect(message).not.toMatch(/[\n\r\u2028\u2029]/);
  return caught as ModelError;
}

/** Where `snippet` (+ offset) is in the function's source as the engine gives it (a transpiler reprints it). */
function positionIn(fn: unknown, snippet: string, offset = 0): string {
  const source = Function.prototype.toString.call(fn);
  const at = source.indexOf(snippet);
  expect(at, `${snippet} in ${source}`).toBeGreaterThanOrEqual(0);
  const before = source.slice(0, at + offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1} of the rhs function`;
}

describe('defineModel gives the JSON model’s IR, code and results', () => {
  it('the seed oscillator: same generated module, same solution bit for bit', () => {
    const typed = defineModel({
      name: 'seed',
      states: ['x', 'v'],
      params: { k: 20 },
      rhs: (_t, { x, v }, { k }) => ({ x: v, v: -k * x }),
    });
    const json = buildModel({ name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: { x: 'v', v: '-k*x' } });
    expect(irOf(typed)).toEqual(irOf(json));
    const options = { method: 'RK45CK', sensitivities: ['y0', 'params'] } as const;
    expect(generate(typed, options)).toBe(generate(json, options));
    const problem = { t0: 0, t1: 2, y0: [1, 1], rtol: 1e-10, atol: 1e-10 };
    const a = compile(typed, options).solve(problem);
    const b = compile(json, options).solve(problem);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.paramJacobian!)).toEqual(Array.from(b.paramJacobian!));
  });

  it('Lorenz, the pendulum and Lotka–Volterra, each as the example file has it', () => {
    const pairs: [Model, ModelSpec][] = [
      [
        defineModel({
          name: 'lorenz',
          states: ['x', 'y', 'z'],
          params: { sigma: 10, rho: 28, beta: 8 / 3 },
          rhs: (_t, { x, y, z }, { sigma, rho, beta }) => ({
            x: sigma * (y - x),
            y: x * (rho - z) - y,
            z: x * y - beta * z,
          }),
        }),
        {
          name: 'lorenz',
          states: ['x', 'y', 'z'],
          params: { sigma: 10, rho: 28, beta: 2.6666666666666665 },
          rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
        },
      ],
      [
        defineModel({
          name: 'pendulum',
          states: ['theta', 'omega'],
          params: { g: 9.81, L: 1, c: 0.1 },
          rhs(_t, { theta, omega }, { g, L, c }) {
            return { theta: omega, omega: -(g / L) * Math.sin(theta) - c * omega };
          },
        }),
        {
          name: 'pendulum',
          states: ['theta', 'omega'],
          params: { g: 9.81, L: 1, c: 0.1 },
          rhs: { theta: 'omega', omega: '-(g/L)*sin(theta) - c*omega' },
        },
      ],
      [
        defineModel({
          name: 'lotka-volterra',
          states: ['prey', 'predator'],
          params: { alpha: 1.5, beta: 1, delta: 1, gamma: 3 },
          rhs: (_t, { prey, predator }, { alpha, beta, delta, gamma }) => ({
            prey: alpha * prey - beta * prey * predator,
            predator: delta * prey * predator - gamma * predator,
          }),
        }),
        {
          name: 'lotka-volterra',
          states: ['prey', 'predator'],
          params: { alpha: 1.5, beta: 1, delta: 1, gamma: 3 },
          rhs: { prey: 'alpha*prey - beta*prey*predator', predator: 'delta*prey*predator - gamma*predator' },
        },
      ],
    ];
    for (const [typed, spec] of pairs) {
      const json = buildModel(spec);
      expect(irOf(typed), spec.name).toEqual(irOf(json));
      expect(generate(typed, { sensitivities: ['y0', 'params'] })).toBe(
        generate(json, { sensitivities: ['y0', 'params'] }),
      );
    }
  });

  // The model language's precedence and associativity against TypeScript's, construct by construct.
  const P = {
    k: 2,
    M: [
      [1, 2],
      [3, 4],
    ],
  } as const;
  type S = { readonly x: number };
  type Q = { readonly k: number; readonly M: readonly (readonly number[])[] };
  const cases: [string, (t: number, s: S, p: Q) => S, string][] = [
    ['negated power', (_t, { x }) => ({ x: -(x ** 2) }), '-x^2'],
    ['negative exponent', (_t, { x }) => ({ x: x ** -2 * 3 }), 'x^-2*3'],
    ['power of a negation', (_t, { x }) => ({ x: (-x) ** 2 }), '(-x)^2'],
    ['right-associative powers', (_t, { x }) => ({ x: 2 ** (3 ** x) }), '2^3^x'],
    ['bracketed power base', (_t, { x }) => ({ x: (2 ** 3) ** x }), '(2^3)^x'],
    ['differences', (_t, { x }) => ({ x: x - (x - 1) - 1 }), 'x - (x - 1) - 1'],
    ['quotients', (_t, { x }, { k }) => ({ x: x / (2 * x) / k }), 'x/(2*x)/k'],
    ['signs', (_t, { x }, { k }) => ({ x: -x * -x + +k }), '-x*-x + +k'],
    [
      'literals',
      (_t, { x }) => ({ x: 0.1 + 1e-300 * x + 0x10 + 1_000 + 5e-324 * x + 1e21 }),
      '0.1 + 1e-300*x + 16 + 1000 + 5e-324*x + 1e21',
    ],
    [
      'Math functions',
      (t, { x }, { k }) => ({ x: Math.min(x, 1, t) + Math.atan2(t, x) + x ** k + Math.sign(x) }),
      'min(x, 1, t) + atan2(t, x) + pow(x, k) + sign(x)',
    ],
    ['Math constants', (_t, { x }) => ({ x: Math.PI * Math.E * x }), 'pi * 2.718281828459045 * x'],
    ['array entries', (_t, { x }, { M }) => ({ x: M[1]![0]! * x - M[0]![1]! }), 'M[1][0]*x - M[0][1]'],
    [
      'inlined consts',
      (_t, { x }) => {
        const a = x + 1;
        const b = a * a;
        return { x: b / a };
      },
      '((x + 1)*(x + 1))/(x + 1)',
    ],
    ['renamed bindings', (time, { x: position }, { k: stiffness }) => ({ x: -stiffness * position * time }), '-k*x*t'],
  ];
  it.each(cases)('%s', (_name, rhs, text) => {
    const typed = defineModel({ name: 'm', states: ['x'], params: P, rhs } as never);
    const json = buildModel({ name: 'm', states: ['x'], params: P, rhs: { x: text } });
    expect(irOf(typed)).toEqual(irOf(json));
  });

  it('reads the function as the engine prints it: a method, a function expression, a minified arrow', () => {
    const minified = new Function('return (n,{x:o,v:s},{k:c})=>({x:s,v:-c*o})')();
    const typed = defineModel({ name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: minified } as never);
    expect(irOf(typed)).toEqual(
      irOf(buildModel({ name: 'seed', states: ['x', 'v'], params: { k: 20 }, rhs: { x: 'v', v: '-k*x' } })),
    );
  });

  it('an array parameter as defineModel takes it, with paramValues for the solve', () => {
    const m = defineModel({
      name: 'seed-matrix',
      states: ['x', 'v'],
      params: {
        M: [
          [0, 1],
          [-20, 0],
        ],
      },
      rhs: (_t, { x, v }, { M }) => ({ x: M[0][0] * x + M[0][1] * v, v: M[1][0] * x + M[1][1] * v }),
    });
    expect(m.params.map((p) => p.name)).toEqual(['M_0_0', 'M_0_1', 'M_1_0', 'M_1_1']);
    expect(m.paramDefaults).toEqual([0, 1, -20, 0]);
    const solver = compile(m, { sensitivities: ['params'] });
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
    const b = solver.solve({ ...problem, params: { M_1_0: -5 } });
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
  });
});

describe('constructs outside the model language are refused where they are', () => {
  const outer = 3;
  const foo = (a: number) => a;
  type S = { x: number; y: number };
  type Q = { k: number; M: number[][] };
  const PARAMS = {
    k: 2,
    M: [
      [1, 2],
      [3, 4],
    ],
  };
  const cases: [string, (t: number, s: S, p: Q & { q: number }) => unknown, RegExp, string, number?][] = [
    [
      'a call of another function',
      (_t, { x, y }) => ({ x: foo(x), y }),
      /only the model language's functions/,
      'foo(x)',
    ],
    [
      'Math.random',
      (_t, { x, y }) => ({ x: Math.random() * x, y }),
      /Math\.random is not a function of the model/,
      'Math.random',
    ],
    ['Math.hypot', (_t, { x, y }) => ({ x: Math.hypot(x, y), y }), /Math\.hypot is not a function/, 'Math.hypot'],
    [
      'a property other than Math.*',
      (_t, { x, y }) => ({ x: Number.EPSILON * x, y }),
      /property access/,
      'Number.EPSILON',
    ],
    ['a template string', (_t, { x, y }) => ({ x: `${x}`, y }), /a template string/, '`'],
    ['a conditional', (_t, { x, y }) => ({ x: x > 0 ? x : -x, y }), /a conditional/, 'x > 0'],
    // biome-ignore lint/suspicious/noAssignInExpressions: an assignment, refused on purpose
    ['an assignment', (_t, { y }) => ({ x: (y = 2), y }), /an assignment is not read/, '= 2'],
    ['^ for a power', (_t, { x, y }) => ({ x: x ^ 2, y }), /bitwise XOR in TypeScript: write \*\*/, '^'],
    ['a remainder', (_t, { x, y }) => ({ x: x % 2, y }), /the operator '%' is not read/, '%'],
    ['an increment', (_t, { x, y }) => ({ x: x++, y }), /'\+\+' and '--' are not read/, 'x++'],
    [
      'a closure over an outer variable',
      (_t, { x, y }) => ({ x: outer * x, y }),
      /outer variables are not read/,
      'outer',
    ],
    ['a nested function', (_t, { x, y }) => ({ x: (() => x)(), y }), /only the model language's functions/, '(() =>'],
    ['a spread argument', (_t, { x, y }) => ({ x: Math.max(...[x, y]), y }), /a spread argument/, '...'],
    [
      'an index out of range',
      (_t, { x, y }, { M }) => ({ x: M[2]![0]! * x, y }),
      /index 2 of M\[2\]\[0\] is out of range: 'M' is 2×2/,
      'M[2]',
    ],
    [
      'a wrong number of indices',
      (_t, { y }, { M }) => ({ x: M[1], y }),
      /it takes 2 indices \(M\[i\]\[j\]\), got M\[1\]/,
      'M[1]',
    ],
    ['an array used whole', (_t, { y }, { M }) => ({ x: M, y }), /got 'M' alone/, 'M,'],
    [
      'a key that is not a state',
      (_t, { x, y }) => ({ x, y, z: 1 }),
      /'z' is not a state of the model \(states: x, y\)/,
      'z:',
    ],
    [
      'a parameter that does not exist',
      (_t, { x, y }, { q }: Q & { q: number }) => ({ x: q * x, y }),
      /'q' is not a parameter/,
      'q',
    ],
  ];
  it.each(cases)('%s', (_name, rhs, says, snippet, offset) => {
    const e = refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], params: PARAMS, rhs } as never));
    expect(e.message).toMatch(says);
    expect(e.message).toContain(positionIn(rhs, snippet, offset));
    expect(e.location.model).toBe('bad');
  });

  it('names the state whose right-hand side is at fault', () => {
    const rhs = (_t: number, { x, y }: S) => ({ x, y: Math.cbrt(y) });
    const e = refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], rhs }));
    expect(e.location.state).toBe('y');
    expect(e.message).toMatch(/^model 'bad', rhs of 'y': Math\.cbrt/);
  });

  it('statements other than const declarations and the return, and a missing state', () => {
    const loop = (_t: number, { x, y }: S) => {
      for (;;) break;
      return { x, y };
    };
    expect(refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], rhs: loop })).message).toMatch(
      /a for statement is not read/,
    );
    const mutable = (_t: number, { x, y }: S) => {
      let a = x;
      a = a + 1;
      return { x: a, y };
    };
    expect(refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], rhs: mutable })).message).toMatch(
      /only const declarations are read, not 'let'/,
    );
    const missing = (_t: number, { x }: S) => ({ x });
    const e = refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], rhs: missing } as never));
    expect(e.message).toMatch(/no right-hand side for state 'y'/);
    expect(e.location.state).toBe('y');
  });

  it('a states object that is not destructured', () => {
    const rhs = (_t: number, s: S) => ({ x: s.y, y: s.x });
    const e = refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], rhs }));
    expect(e.message).toMatch(/a property of the states is not read: destructure them/);
    expect(e.message).toContain(positionIn(rhs, 's.y'));
  });

  it('never calls the function: a side effect in it is refused, not run', () => {
    const g = globalThis as Record<string, unknown>;
    const rhs = (_t: number, { x, y }: S) => {
      g.__odeforgeCalled = true;
      return { x, y };
    };
    expect(refusal(() => defineModel({ name: 'bad', states: ['x', 'y'], rhs })).message).toMatch(
      /an expression statement is not read/,
    );
    expect(g.__odeforgeCalled).toBeUndefined();
  });

  it('an rhs that is not a readable function; the fields as buildModel checks them', () => {
    const native = refusal(() => defineModel({ name: 'bad', states: ['x'], rhs: Math.sin } as never));
    expect(native.message).toMatch(/native or bound function/);
    const bound = (_t: number, { x }: { x: number }) => ({ x: -x });
    expect(refusal(() => defineModel({ name: 'bad', states: ['x'], rhs: bound.bind(null) })).message).toMatch(
      /native or bound/,
    );
    const asyncRhs = async (_t: number, { x }: { x: number }) => ({ x: -x });
    expect(refusal(() => defineModel({ name: 'bad', states: ['x'], rhs: asyncRhs } as never)).message).toMatch(/async/);
    // right-hand sides in the model language are taken as buildModel takes them
    expect(irOf(defineModel({ name: 'm', states: ['x'], rhs: { x: '-x' } } as never))).toEqual(['(* -1 state:x)']);
    expect(refusal(() => defineModel({ name: 'bad', states: ['x'], rhs: 'x' } as never)).message).toMatch(
      /'rhs' must be a function/,
    );
    // the same message as for the JSON model with the same names
    const json = refusal(() => buildModel({ name: 'bad', states: ['class'], rhs: { class: '1' } }));
    const typed = refusal(() => defineModel({ name: 'bad', states: ['class'], rhs: () => ({ class: 1 }) }));
    expect(typed.message).toBe(json.message);
    const extra = refusal(() => defineModel({ name: 'bad', states: ['x'], rhs: () => ({ x: 1 }), stats: 1 } as never));
    expect(extra.message).toMatch(/unknown field 'stats'/);
  });
});

describe('TypeScript model files', () => {
  const SEED_MATRIX = `import { defineModel } from 'odeforge';

// y' = M y: the seed oscillator, its matrix a parameter
export default defineModel({
  name: 'seed-matrix',
  states: ['x', 'v'],
  params: { M: [[0, 1], [-20, 0]], scale: 8 / 3 },
  rhs: (t, { x, v }, { M, scale }) => ({
    x: M[0][0] * x + M[0][1] * v,
    v: (M[1][0] * x + M[1][1] * v) * scale / (8 / 3),
  }),
}) satisfies unknown;
`;

  it('reads events and hamiltonian as data, to the JSON model’s fields; a non-literal there is refused in place', () => {
    const text = `import { defineModel } from 'odeforge';
export default defineModel({
  name: 'ball',
  states: ['h', 'v'],
  params: { g: 9.81 },
  rhs: (t, { h, v }, { g }) => ({ h: v, v: -g }),
  events: { ground: { expr: 'h', direction: -1, terminal: true }, apex: { expr: 'v' } },
  hamiltonian: { positions: ['h'], momenta: ['v'] },
});
`;
    const m = readTypeScriptModel(text);
    const json = buildModel({
      name: 'ball',
      states: ['h', 'v'],
      params: { g: 9.81 },
      rhs: { h: 'v', v: '-g' },
      events: { ground: { expr: 'h', direction: -1, terminal: true }, apex: { expr: 'v' } },
      hamiltonian: { positions: ['h'], momenta: ['v'] },
    });
    const fields = (model: Model) => model.events.map((e) => [e.name, e.direction, e.terminal, e.expr.kind]);
    expect(fields(m)).toEqual(fields(json));
    expect(m.events.map((e) => e.name)).toEqual(['ground', 'apex']);
    expect(m.hamiltonian).toEqual(json.hamiltonian);
    const r = compile(m, { sensitivities: [] }).solve({ t0: 0, t1: 10, y0: [10, 0], rtol: 1e-12, atol: 1e-12 });
    expect(r.t).toBeCloseTo(Math.sqrt((2 * 10) / 9.81), 10);
    expect(() => readTypeScriptModel(text.replace("expr: 'h'", 'expr: someVariable'))).toThrow(/line 7, column/);
  });

  it('reads the default export as data: the same model as the JSON one', () => {
    const m = readTypeScriptModel(SEED_MATRIX);
    const json = buildModel({
      name: 'seed-matrix',
      states: ['x', 'v'],
      params: {
        M: [
          [0, 1],
          [-20, 0],
        ],
        scale: 2.6666666666666665,
      },
      rhs: { x: 'M[0][0]*x + M[0][1]*v', v: '(M[1][0]*x + M[1][1]*v)*scale/(8/3)' },
    });
    expect(irOf(m)).toEqual(irOf(json));
    expect(m.paramDefaults).toEqual(json.paramDefaults);
  });

  /** The message of reading `text`, and the position it must name. */
  function fileRefusal(text: string, marker: string, offset = 0) {
    const e = refusal(() => readTypeScriptModel(text));
    const before = text.slice(0, text.indexOf(marker) + offset).split('\n');
    expect(e.message).toContain(`line ${before.length}, column ${before[before.length - 1]!.length + 1})`);
    return e;
  }
  const model = (rhs: string, params = '{ k: 2, M: [[1, 2], [3, 4]] }') =>
    `export default defineModel({\n  name: 'bad',\n  states: ['x'],\n  params: ${params},\n  rhs: (t, { x }, { k, M }) => ({\n    x: ${rhs},\n  }),\n});\n`;

  it.each([
    ['M[1.5][0] * x', '1.5', /an index must be a non-negative integer written in decimal digits/],
    ['M[0x1][0] * x', '0x1', /decimal digits/],
    ['M[1e0][0] * x', '1e0', /decimal digits/],
    ['M[1_0][0] * x', '1_0', /decimal digits/],
    ['M[-1][0] * x', '-1', /decimal digits/],
    ["M['1'][0] * x", "'1'", /decimal digits/],
    ['M[k][0] * x', 'k]', /decimal digits/],
    ['M[(1)][0] * x', '(1)', /decimal digits/],
    ['M[9007199254740993][0] * x', '9007199254740993', /decimal digits/],
    ['M[0][0][0] * x', 'M[0][0][0]', /takes 2 indices \(M\[i\]\[j\]\), got M\[0\]\[0\]\[0\]/],
    ['M[0][2] * x', 'M[0][2]', /index 2 of M\[0\]\[2\] is out of range/],
    ['Math.atan2(x) * k', 'Math.atan2', /Math\.atan2 takes 2 arguments here, got 1/],
    ['Math.sin() * k', 'Math.sin', /Math\.sin takes 1 argument here, got 0/],
    ['x[0]', 'x[0]', /only an array parameter takes an index/],
    ['M?.[0][0]', 'M?.[0]', /optional indexing/],
  ])('index %s', (rhs, marker, says) => {
    expect(fileRefusal(model(rhs), marker).message).toMatch(says);
  });

  it('names in the file are placed too: a bad state name, an unknown field, a bad default', () => {
    const badState = `export default defineModel({ name: 'bad', states: ['x', 'class'], rhs: () => ({ x: 1, class: 2 }) });`;
    expect(fileRefusal(badState, "'class'").message).toMatch(/state name 'class' is a reserved word/);
    const field = `export default defineModel({ name: 'bad', states: ['x'], stats: 1, rhs: () => ({ x: 1 }) });`;
    expect(fileRefusal(field, 'stats').message).toMatch(/unknown field 'stats'/);
    const infinite = `export default defineModel({ name: 'bad', states: ['x'], params: { k: 1 / 0 }, rhs: () => ({ x: 1 }) });`;
    expect(fileRefusal(infinite, '1 / 0').message).toMatch(/the default of 'k' is Infinity/);
    const ragged = `export default defineModel({ name: 'bad', states: ['x'], params: { M: [[1, 2], [3]] }, rhs: () => ({ x: 1 }) });`;
    expect(fileRefusal(ragged, 'M:').message).toMatch(/not rectangular/);
    const outerValue = `const k = 2;\nexport default defineModel({ name: 'bad', states: ['x'], params: { k }, rhs: () => ({ x: 1 }) });`;
    expect(fileRefusal(outerValue, 'k }').message).toMatch(/write name: default value/);
  });

  it('a file that is not a model: a syntax error, no default export', () => {
    const syntax = (() => {
      try {
        readTypeScriptModel("export default defineModel({ name: 'm', states: ['x'] rhs: 1 });");
      } catch (e) {
        return e;
      }
    })();
    expect(syntax).toBeInstanceOf(ModelSourceError);
    expect((syntax as ModelSourceError).problem).toMatch(/not valid TypeScript: ',' expected/);
    expect((syntax as ModelSourceError).column).toBe(55);
    expect(() => readTypeScriptModel('export const model = 1;')).toThrow(ModelSourceError);
    expect(() => readTypeScriptModel('export default makeModel({});')).toThrow(/defineModel\(\{ … \}\)/);
  });

  it('const chains inline flat: a chain of 500 does not nest 500 levels', () => {
    const consts = Array.from({ length: 500 }, (_, i) => `const a${i + 1} = a${i} + 1;`).join('\n');
    const text = `export default defineModel({ name: 'chain', states: ['x'], rhs: (t, { x }) => {\nconst a0 = x;\n${consts}\nreturn { x: a500 };\n} });`;
    const m = readTypeScriptModel(text);
    expect(ir(m.rhs[0]!)).toMatch(/^\(\+ state:x 1 1 /);
    // const a(i+1) = a(i) * a(i): the text doubles each time, and stops at the limit with a message
    const doubling = Array.from({ length: 30 }, (_, i) => `const a${i + 1} = a${i} * a${i};`).join('\n');
    const blowUp = `export default defineModel({ name: 'chain', states: ['x'], rhs: (t, { x }) => {\nconst a0 = x;\n${doubling}\nreturn { x: a30 };\n} });`;
    expect(refusal(() => readTypeScriptModel(blowUp)).message).toMatch(/grows past 1000000 characters/);
  });

  it('a hostile file: nothing in it runs, and no text of it reaches the generated code', () => {
    const text = `import { defineModel } from 'odeforge';
globalThis.__odeforgeRan = true;
export default defineModel({
  name: 'm',
  states: ['x'],
  params: { k: 2 },
  rhs: (t, { x: odeforgePWN }, { k }) => ({ x: -k * odeforgePWN /* odeforgePWN */ }),
});
`;
    const m = readTypeScriptModel(text);
    expect((globalThis as Record<string, unknown>).__odeforgeRan).toBeUndefined();
    expect(generate(m)).not.toContain('odeforgePWN');
  });
});

describe('TypeScript model files through the CLI', () => {
  const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'odeforge-ts-model-'));
  const witness = join(work, 'ran');
  const run = (...args: string[]) => {
    const r = spawnSync(BIN, args, { cwd: work, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const file = (name: string, text: string) => {
    writeFileSync(join(work, name), text);
    return name;
  };
  const model = file(
    'seed-matrix.ts',
    `import { writeFileSync } from 'node:fs';
import { defineModel } from 'odeforge';

writeFileSync(${JSON.stringify(witness)}, 'ran');
process.stdout.write('odeforgePWN');

export default defineModel({
  name: 'seed-matrix',
  states: ['x', 'v'],
  params: { M: [[0, 1], [-20, 0]] },
  rhs: (t, { x, v }, { M }) => ({
    x: M[0][0] * x + M[0][1] * v,
    v: M[1][0] * x + M[1][1] * v,
  }),
});
`,
  );
  const json = file(
    'seed-matrix.json',
    JSON.stringify({
      name: 'seed-matrix',
      states: ['x', 'v'],
      params: {
        M: [
          [0, 1],
          [-20, 0],
        ],
      },
      rhs: { x: 'M[0][0]*x + M[0][1]*v', v: 'M[1][0]*x + M[1][1]*v' },
    }),
  );
  const solve = ['--y0', '1,1', '--t1', '1', '--rtol', '1e-10', '--atol', '1e-10', '--sens', 'y0,params', '--json'];

  it('solve reads the file without running it, and prints what the JSON model gives', () => {
    const a = run('solve', model, ...solve);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).not.toContain('odeforgePWN');
    expect(existsSync(witness)).toBe(false);
    const b = run('solve', json, ...solve);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const out = JSON.parse(a.stdout);
    expect(Object.keys(out)).toEqual(['t', 'y', 'jacobian', 'paramJacobian', 'stats', 'method']);
    expect(out.paramJacobian[0]).toHaveLength(4);
  });

  it('--param takes an array parameter whole, by entry, or by its result name', () => {
    const whole = run('solve', model, ...solve, '--param', 'M=[[0, 1], [-5, 0]]');
    const entry = run('solve', model, ...solve, '--param', 'M[1][0]=-5');
    const named = run('solve', json, ...solve, '--param', 'M_1_0=-5');
    expect(whole.code, whole.stderr).toBe(0);
    expect(entry.stdout).toBe(whole.stdout);
    expect(named.stdout).toBe(whole.stdout);
    const bad = run('solve', model, ...solve, '--param', 'M=[[0, 1]]');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--param M: expected 2×2 values like the model's 'M', got 1×2/);
  });

  it('generate writes the same module as for the JSON model; a bad file is one line with its position', () => {
    const a = run('generate', model, '--out', '-');
    const b = run('generate', json, '--out', '-');
    expect(a.code, a.stderr).toBe(0);
    const body = (s: string) => s.replace(/^\/\*[\s\S]*?\*\/\n/, '');
    expect(body(a.stdout)).toBe(body(b.stdout));
    const bad = file(
      'bad.ts',
      "export default defineModel({\n  name: 'bad',\n  states: ['x'],\n  rhs: (t, { x }) => ({ x: Math.hypot(x, 1) }),\n});\n",
    );
    const r = run('solve', bad, '--y0', '1', '--t1', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^odeforge: model 'bad', rhs of 'x': Math\.hypot is not a function .*\("Math\.hypot", line 4, column 28\)\n$/,
    );
    const broken = file('broken.mts', 'export default defineModel({ name: "b", states: ["x"] rhs: 1 });\n');
    const s = run('generate', broken, '--out', '-');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/model file 'broken\.mts' at line 1, column 55: not valid TypeScript/);
  });
});
