/**
 * buildModel: every validation path raises a ModelError whose message names the model, the state (for a
 * problem in a right-hand side) and the offending text; valid models build the expected IR.
 */
import { describe, expect, it } from 'vitest';
import { ModelError, OdeforgeError } from '../../src/errors.ts';
import { ExprBuilder, evaluate } from '../../src/expr/ir.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';

const base = { name: 'osc', states: ['x', 'v'], params: { k: 2, c: 0.1 }, rhs: { x: 'v', v: '-k*x - c*v' } };

/** Builds a spec from the valid base with some fields replaced (undefined deletes a field). */
function spec(overrides: Record<string, unknown>): ModelSpec {
  const s: Record<string, unknown> = { ...base, ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete s[k];
  return s as unknown as ModelSpec;
}

interface Expected {
  /** Pieces the message must contain (besides the model name and the state). */
  readonly says: readonly (string | RegExp)[];
  readonly model?: string;
  readonly state?: string;
  readonly text?: string;
}

function expectModelError(input: unknown, want: Expected): ModelError {
  let caught: unknown;
  try {
    buildModel(input as ModelSpec);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'buildModel must throw').toBeDefined();
  expect(caught).toBeInstanceOf(ModelError);
  expect(caught).toBeInstanceOf(OdeforgeError);
  expect(caught).toBeInstanceOf(Error);
  const err = caught as ModelError;
  expect(err.name).toBe('ModelError');
  const model = want.model ?? 'osc';
  expect(err.location.model).toBe(model);
  expect(err.message).toContain(`model '${model}'`);
  expect(err.location.state).toBe(want.state);
  if (want.state !== undefined) expect(err.message).toContain(`rhs of '${want.state}'`);
  else expect(err.message).not.toContain('rhs of');
  expect(err.location.text).toBe(want.text);
  for (const piece of want.says) {
    if (typeof piece === 'string') expect(err.message).toContain(piece);
    else expect(err.message).toMatch(piece);
  }
  // One line, for the CLI.
  expect(err.message).not.toContain('\n');
  return err;
}

describe('valid models', () => {
  it('builds states, params, time and right-hand sides in declared order', () => {
    const m = buildModel(base);
    expect(m.name).toBe('osc');
    expect(m.states.map((s) => [s.name, s.role, s.index])).toEqual([
      ['x', 'state', 0],
      ['v', 'state', 1],
    ]);
    expect(m.params.map((p) => [p.name, p.role, p.index])).toEqual([
      ['k', 'param', 0],
      ['c', 'param', 1],
    ]);
    expect(m.paramDefaults).toEqual([2, 0.1]);
    expect([m.time.name, m.time.role, m.time.index]).toEqual(['t', 'time', 0]);
    const env = (s: { name: string }) => ({ x: 0.5, v: -1.5, k: 2, c: 0.1, t: 0 })[s.name]!;
    expect(evaluate(m.rhs[0]!, env)).toBe(-1.5);
    expect(evaluate(m.rhs[1]!, env)).toBe(-2 * 0.5 - 0.1 * -1.5);
  });

  it('accepts a custom time name, no params, numeric right-hand sides and a shared builder', () => {
    const b = new ExprBuilder();
    const m = buildModel({ name: 'decay-2.v1', states: ['y', 'z'], time: 'tau', rhs: { y: '-y*tau', z: 3 } }, b);
    expect(m.builder).toBe(b);
    expect(m.time.name).toBe('tau');
    expect(m.params).toEqual([]);
    expect(m.rhs[1]).toBe(b.num(3));
    expect(m.rhs[0]!.kind).toBe('mul');
  });

  it('model names may be 64 characters of letters, digits, _, - and .', () => {
    expect(buildModel(spec({ name: 'a'.repeat(64) })).name).toBe('a'.repeat(64));
    expect(buildModel(spec({ name: '0_a.b-c' })).name).toBe('0_a.b-c');
  });

  it('names that are Object.prototype members but not reserved are ordinary names', () => {
    // Regression: `'toString' in USER_FUNCTIONS` is true, so these were refused as "function names".
    const m = buildModel({
      name: 'proto',
      states: ['toString', 'hasOwnProperty'],
      params: { valueOf: 3 },
      rhs: { toString: 'valueOf*toString', hasOwnProperty: '-hasOwnProperty' },
    });
    expect(m.states.map((s) => s.name)).toEqual(['toString', 'hasOwnProperty']);
    const env = (s: { name: string }) => (s.name === 'valueOf' ? 3 : 2);
    expect(evaluate(m.rhs[0]!, env)).toBe(6);
  });

  it('params: null (as JSON may write it) means no params, like time: null means the default time', () => {
    const m = buildModel(spec({ params: null, time: null, rhs: { x: 'v', v: '-x*t' } }));
    expect(m.params).toEqual([]);
    expect(m.time.name).toBe('t');
  });

  it('the first character of an expression error is counted from 1', () => {
    const err = expectModelError(spec({ rhs: { x: 'v', v: 'x + q' } }), {
      state: 'v',
      text: 'x + q',
      says: ["unknown symbol 'q' at character 5", '"x + q"'],
    });
    expect(err.location.text).toBe('x + q');
  });
});

describe('every ModelError path', () => {
  const cases: [string, unknown, Expected][] = [
    // The spec itself
    ['spec is null', null, { model: '?', says: ['a model must be an object, got null'] }],
    ['spec is an array', [base], { model: '?', says: ['a model must be an object, got an array'] }],
    ['spec is a string', 'osc', { model: '?', says: ['a model must be an object, got "osc"'] }],
    ['spec is a number', 42, { model: '?', says: ['got 42'] }],
    // The model name
    ['name missing', spec({ name: undefined }), { model: '?', says: ["'name' must be", 'got undefined'] }],
    ['name not a string', spec({ name: 7 }), { model: '?', says: ["'name' must be", 'got 7'] }],
    ['name empty', spec({ name: '' }), { model: '', says: ["'name' must be", 'got ""'] }],
    ['name with a space', spec({ name: 'my model' }), { model: 'my model', says: ['got "my model"'] }],
    ['name with a slash', spec({ name: 'a/b' }), { model: 'a/b', says: ['got "a/b"'] }],
    ['name starting with a dot', spec({ name: '../x' }), { model: '../x', says: ['got "../x"'] }],
    ['name starting with a dash', spec({ name: '-x' }), { model: '-x', says: ['got "-x"'] }],
    // Regression: the raw name went into the message, which must stay one line (and short).
    ['name with a newline', spec({ name: 'a\nb' }), { model: '"a\\nb"', says: ["'name' must be", 'got "a\\nb"'] }],
    ['name of 65 characters', spec({ name: 'n'.repeat(65) }), { model: `"${'n'.repeat(40)}…"`, says: ['1–64'] }],
    [
      'name of 10 000 characters',
      spec({ name: 'n'.repeat(10_000) }),
      { model: `"${'n'.repeat(40)}…"`, says: ['1–64'] },
    ],
    // Unknown fields
    [
      'unknown field',
      spec({ parms: { k: 1 } }),
      { text: 'parms', says: ["unknown field 'parms'", 'expected name, states'] },
    ],
    ['unknown field y0', spec({ y0: [1, 2] }), { text: 'y0', says: ["unknown field 'y0'"] }],
    ['unknown field with a newline', spec({ 'a\nb': 1 }), { text: 'a\nb', says: ['unknown field \'"a\\nb"\''] }],
    [
      'own __proto__ field (JSON)',
      JSON.parse('{"name":"osc","states":["x"],"rhs":{"x":"1"},"__proto__":{}}'),
      { text: '__proto__', says: ["unknown field '__proto__'"] },
    ],
    // States
    ['states missing', spec({ states: undefined }), { says: ["'states' must be a non-empty array", 'got undefined'] }],
    ['states empty', spec({ states: [] }), { says: ["'states' must be a non-empty array", 'got an array'] }],
    ['states a string', spec({ states: 'x' }), { says: ["'states' must be a non-empty array", 'got "x"'] }],
    ['states an object', spec({ states: { x: 1 } }), { says: ['got an object'] }],
    ['state name a number', spec({ states: ['x', 1] }), { text: '1', says: ['state name 1 is not an identifier'] }],
    [
      'state name null',
      spec({ states: ['x', null] }),
      { text: 'null', says: ['state name null is not an identifier'] },
    ],
    ['state name empty', spec({ states: [''] }), { text: '', says: ['state name "" is not an identifier'] }],
    [
      'state name with a digit first',
      spec({ states: ['1x'] }),
      { text: '1x', says: ['state name "1x" is not an identifier'] },
    ],
    ['state name with a dash', spec({ states: ['x-y'] }), { text: 'x-y', says: ['"x-y" is not an identifier'] }],
    ['state name with a space', spec({ states: ['x y'] }), { text: 'x y', says: ['"x y" is not an identifier'] }],
    ['state name with a dollar', spec({ states: ['$x'] }), { text: '$x', says: ['"$x" is not an identifier'] }],
    ['state name non-ASCII', spec({ states: ['\u0445'] }), { text: '\u0445', says: ['is not an identifier'] }],
    [
      'state name class',
      spec({ states: ['class'] }),
      { text: 'class', says: ["state name 'class' is a reserved word"] },
    ],
    [
      'state name constructor',
      spec({ states: ['constructor'] }),
      { text: 'constructor', says: ["state name 'constructor' is a reserved word"] },
    ],
    [
      'state name __proto__',
      spec({ states: ['__proto__'] }),
      { text: '__proto__', says: ["state name '__proto__' is a reserved word"] },
    ],
    [
      'state name prototype',
      spec({ states: ['prototype'] }),
      { text: 'prototype', says: ["'prototype' is a reserved word"] },
    ],
    ['state name Math', spec({ states: ['Math'] }), { text: 'Math', says: ["'Math' is a reserved word"] }],
    ['state name NaN', spec({ states: ['NaN'] }), { text: 'NaN', says: ["'NaN' is a reserved word"] }],
    [
      'state name undefined',
      spec({ states: ['undefined'] }),
      { text: 'undefined', says: ["'undefined' is a reserved word"] },
    ],
    ['state name await', spec({ states: ['await'] }), { text: 'await', says: ["'await' is a reserved word"] }],
    ['state name sin', spec({ states: ['sin'] }), { text: 'sin', says: ["state name 'sin' is a function name"] }],
    [
      'state name atan2',
      spec({ states: ['atan2'] }),
      { text: 'atan2', says: ["state name 'atan2' is a function name"] },
    ],
    ['state name pow', spec({ states: ['pow'] }), { text: 'pow', says: ["state name 'pow' is a function name"] }],
    ['state name min', spec({ states: ['x', 'min'] }), { text: 'min', says: ["state name 'min' is a function name"] }],
    ['state name sign', spec({ states: ['sign'] }), { text: 'sign', says: ["'sign' is a function name"] }],
    [
      'state name heaviside (internal function)',
      spec({ states: ['heaviside'] }),
      { text: 'heaviside', says: ["'heaviside' is a function name"] },
    ],
    ['state name pi', spec({ states: ['pi'] }), { text: 'pi', says: ["state name 'pi' is a built-in constant"] }],
    [
      'duplicate state',
      spec({ states: ['x', 'x'] }),
      { text: 'x', says: ["state name 'x' is already used as a state"] },
    ],
    [
      'state named like the time',
      spec({ states: ['t', 'x'] }),
      { text: 't', says: ["state name 't' is already used as a time"] },
    ],
    [
      'state named like a custom time',
      spec({ time: 'x' }),
      { text: 'x', says: ["state name 'x' is already used as a time"] },
    ],
    // Time
    ['time a number', spec({ time: 1 }), { text: '1', says: ['time name 1 is not an identifier'] }],
    ['time empty', spec({ time: '' }), { text: '', says: ['time name "" is not an identifier'] }],
    [
      'time reserved',
      spec({ time: 'function' }),
      { text: 'function', says: ["time name 'function' is a reserved word"] },
    ],
    ['time a function name', spec({ time: 'exp' }), { text: 'exp', says: ["time name 'exp' is a function name"] }],
    ['time pi', spec({ time: 'pi' }), { text: 'pi', says: ["time name 'pi' is a built-in constant"] }],
    // Params
    ['params an array', spec({ params: [1, 2] }), { says: ["'params' must be an object", 'got an array'] }],
    ['params a number', spec({ params: 3 }), { says: ["'params' must be an object", 'got 3'] }],
    ['params a string', spec({ params: 'k=1' }), { says: ["'params' must be an object", 'got "k=1"'] }],
    [
      'param default NaN',
      spec({ params: { k: Number.NaN } }),
      { text: 'k', says: ["parameter 'k'", 'finite number', 'got NaN'] },
    ],
    [
      'param default Infinity',
      spec({ params: { k: 1, c: Number.POSITIVE_INFINITY } }),
      { text: 'c', says: ["parameter 'c'", 'got Infinity'] },
    ],
    [
      'param default -Infinity',
      spec({ params: { k: Number.NEGATIVE_INFINITY } }),
      { text: 'k', says: ["parameter 'k'", 'got -Infinity'] },
    ],
    ['param default a string', spec({ params: { k: '2' } }), { text: 'k', says: ["parameter 'k'", 'got "2"'] }],
    ['param default null', spec({ params: { k: null } }), { text: 'k', says: ["parameter 'k'", 'got null'] }],
    [
      'param default missing',
      spec({ params: { k: undefined } }),
      { text: 'k', says: ["parameter 'k'", 'got undefined'] },
    ],
    ['param default an object', spec({ params: { k: { value: 1 } } }), { text: 'k', says: ['got an object'] }],
    [
      'param named like a state',
      spec({ params: { x: 1 } }),
      { text: 'x', says: ["parameter name 'x' is already used as a state"] },
    ],
    [
      'param named like the time',
      spec({ params: { t: 1 } }),
      { text: 't', says: ["parameter name 't' is already used as a time"] },
    ],
    [
      'param reserved',
      spec({ params: { new: 1 } }),
      { text: 'new', says: ["parameter name 'new' is a reserved word"] },
    ],
    [
      'param __proto__ (JSON)',
      JSON.parse('{"name":"osc","states":["x"],"params":{"__proto__":1},"rhs":{"x":"1"}}'),
      { text: '__proto__', says: ["parameter name '__proto__' is a reserved word"] },
    ],
    [
      'param a function name',
      spec({ params: { sqrt: 1 } }),
      { text: 'sqrt', says: ["parameter name 'sqrt' is a function name"] },
    ],
    ['param pi', spec({ params: { pi: 3 } }), { text: 'pi', says: ["parameter name 'pi' is a built-in constant"] }],
    [
      'param not an identifier',
      spec({ params: { 'k 1': 1 } }),
      { text: 'k 1', says: ['parameter name "k 1" is not an identifier'] },
    ],
    // Right-hand sides
    ['rhs missing', spec({ rhs: undefined }), { says: ["'rhs' must be an object", 'got undefined'] }],
    ['rhs an array', spec({ rhs: ['v', 'x'] }), { says: ["'rhs' must be an object", 'got an array'] }],
    ['rhs a string', spec({ rhs: 'v' }), { says: ["'rhs' must be an object", 'got "v"'] }],
    [
      'rhs for an unknown state',
      spec({ rhs: { ...base.rhs, z: '1' } }),
      { state: 'z', text: 'z', says: ["'rhs' has an entry for 'z', which is not a state"] },
    ],
    [
      'rhs keyed by a param',
      spec({ rhs: { ...base.rhs, k: '1' } }),
      { state: 'k', text: 'k', says: ["entry for 'k', which is not a state"] },
    ],
    [
      'rhs for an unknown state with a newline',
      spec({ rhs: { ...base.rhs, 'z\n': '1' } }),
      { state: '"z\\n"', text: 'z\n', says: ['entry for \'"z\\n"\''] },
    ],
    [
      'rhs with an own __proto__ key (JSON)',
      JSON.parse('{"name":"osc","states":["x"],"rhs":{"x":"1","__proto__":"2"}}'),
      { state: '__proto__', text: '__proto__', says: ["entry for '__proto__'"] },
    ],
    ['no rhs for a state', spec({ rhs: { x: 'v' } }), { state: 'v', says: ["no right-hand side for state 'v'"] }],
    [
      'rhs undefined for a state',
      spec({ rhs: { x: undefined, v: 'x' } }),
      { state: 'x', says: ["no right-hand side for state 'x'"] },
    ],
    [
      'no rhs for a state named toString',
      { name: 'osc', states: ['toString'], rhs: {} },
      { state: 'toString', says: ["no right-hand side for state 'toString'"] },
    ],
    ['rhs NaN', spec({ rhs: { x: Number.NaN, v: 'x' } }), { state: 'x', says: ['must be finite, got NaN'] }],
    [
      'rhs Infinity',
      spec({ rhs: { x: 'v', v: Number.POSITIVE_INFINITY } }),
      { state: 'v', says: ['must be finite, got Infinity'] },
    ],
    [
      'rhs a boolean',
      spec({ rhs: { x: true, v: 'x' } }),
      { state: 'x', says: ['must be a string expression, got true'] },
    ],
    ['rhs null', spec({ rhs: { x: 'v', v: null } }), { state: 'v', says: ['must be a string expression, got null'] }],
    ['rhs an object', spec({ rhs: { x: 'v', v: { expr: 'x' } } }), { state: 'v', says: ['got an object'] }],
    ['rhs an array', spec({ rhs: { x: ['v'], v: 'x' } }), { state: 'x', says: ['got an array'] }],
    // Expressions (the parser's errors, located)
    [
      'unknown symbol',
      spec({ rhs: { x: 'v', v: '-k*x - d*v' } }),
      { state: 'v', text: '-k*x - d*v', says: ["unknown symbol 'd' at character 8", '"-k*x - d*v"'] },
    ],
    [
      'unknown function',
      spec({ rhs: { x: 'foo(v)', v: 'x' } }),
      { state: 'x', text: 'foo(v)', says: ["unknown function 'foo' at character 1"] },
    ],
    [
      'juxtaposition',
      spec({ rhs: { x: 'k v', v: 'x' } }),
      { state: 'x', text: 'k v', says: ["unexpected 'v'", 'at character 3'] },
    ],
    ['empty expression', spec({ rhs: { x: '', v: 'x' } }), { state: 'x', text: '', says: ['empty expression in ""'] }],
    ['blank expression', spec({ rhs: { x: 'v', v: '  ' } }), { state: 'v', text: '  ', says: ['empty expression'] }],
    [
      'unclosed bracket',
      spec({ rhs: { x: '(v', v: 'x' } }),
      { state: 'x', text: '(v', says: ["missing ')'", 'at character 3'] },
    ],
    [
      'bad arity',
      spec({ rhs: { x: 'atan2(v)', v: 'x' } }),
      { state: 'x', text: 'atan2(v)', says: ["'atan2' takes 2 arguments, got 1"] },
    ],
    [
      'calling a state',
      spec({ rhs: { x: 'v(2)', v: 'x' } }),
      { state: 'x', text: 'v(2)', says: ["'v' is not a function"] },
    ],
    [
      'calling a param',
      spec({ rhs: { x: 'k(v)', v: 'x' } }),
      { state: 'x', text: 'k(v)', says: ["'k' is not a function"] },
    ],
    [
      'calling the time',
      spec({ rhs: { x: 't(v)', v: 'x' } }),
      { state: 'x', text: 't(v)', says: ["'t' is not a function"] },
    ],
    [
      'malformed number',
      spec({ rhs: { x: '2v', v: 'x' } }),
      { state: 'x', text: '2v', says: ["malformed number '2v'"] },
    ],
    [
      'legacy octal',
      spec({ rhs: { x: '017*v', v: 'x' } }),
      { state: 'x', text: '017*v', says: ["malformed number '017'"] },
    ],
    [
      'bad character',
      spec({ rhs: { x: 'v % 2', v: 'x' } }),
      { state: 'x', text: 'v % 2', says: ["unexpected character '%' at character 3"] },
    ],
    ['newline', spec({ rhs: { x: 'v\n+1', v: 'x' } }), { state: 'x', text: 'v\n+1', says: ['U+000A', '"v\\n+1"'] }],
    ['look-alike letter', spec({ rhs: { x: '\u0445', v: 'x' } }), { state: 'x', text: '\u0445', says: ['U+0445'] }],
    [
      'trailing operator',
      spec({ rhs: { x: 'v +', v: 'x' } }),
      { state: 'x', text: 'v +', says: ['ends where a value is expected'] },
    ],
    [
      'Object.prototype function',
      spec({ rhs: { x: 'constructor(v)', v: 'x' } }),
      { state: 'x', text: 'constructor(v)', says: ["unknown function 'constructor'"] },
    ],
    [
      'Object.prototype name',
      spec({ rhs: { x: 'toString', v: 'x' } }),
      { state: 'x', text: 'toString', says: ["unknown symbol 'toString'"] },
    ],
    [
      'an error far into a long expression gives its character position',
      spec({ rhs: { x: `${'v + '.repeat(30)}q`, v: 'x' } }),
      { state: 'x', text: `${'v + '.repeat(30)}q`, says: ["unknown symbol 'q' at character 121"] },
    ],
    [
      // Regression: a RangeError (stack overflow) escaped instead of a ModelError.
      'an expression nested too deeply',
      spec({ rhs: { x: `${'('.repeat(20_000)}v${')'.repeat(20_000)}`, v: 'x' } }),
      {
        state: 'x',
        text: `${'('.repeat(20_000)}v${')'.repeat(20_000)}`,
        says: ['expression is nested too deeply to read'],
      },
    ],
  ];
  it.each(cases)('%s', (_label, input, want) => {
    expectModelError(input, want);
  });

  it('reports the first state whose right-hand side is wrong, in state order', () => {
    expectModelError(spec({ rhs: { v: 'q2', x: 'q1' } }), { state: 'x', text: 'q1', says: ["unknown symbol 'q1'"] });
  });

  it('does not mutate its input', () => {
    const input = structuredClone(base);
    buildModel(input);
    expect(input).toEqual(base);
  });
});
