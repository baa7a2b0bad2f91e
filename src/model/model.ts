/**
 * The model: what the user writes (ModelSpec, a JSON file or a TS object) and what odeforge compiles
 * (Model: validated names and right-hand sides as IR). Everything is checked here, before any code is
 * generated; each problem raises a ModelError naming the model, the state and the offending text.
 */
import { ModelError } from '../errors.ts';
import { type Expr, ExprBuilder, FUNCTION_ARITY, type SymNode } from '../expr/ir.ts';
import { CONSTANTS, ExpressionError, type IndexResolver, parseExpression, USER_FUNCTIONS } from '../expr/parse.ts';
import {
  entryLabel,
  entryName,
  entryOffset,
  indicesOf,
  type ParamArray,
  type ParamValue,
  readParamArray,
} from './array-params.ts';

/**
 * A model as written: a JSON file's contents or a TypeScript object. `compile`, `generate` and `buildModel`
 * validate it and throw ModelError on the first problem (a bad name, an unknown symbol or function, a malformed
 * expression, a missing or extra right-hand side).
 */
/**
 * `V` is what a parameter's default may be: `number` by default (what most code reading a spec expects), or
 * ParamValue for a spec with array parameters (buildModel and defineModel take those).
 */
export interface ModelSpec<V extends ParamValue = number> {
  /** A short name: letters, digits, '_', '-' and '.'. */
  readonly name: string;
  /** State names, in the order of the state vector. */
  readonly states: readonly string[];
  /**
   * Parameter names with their default values, in declared order. A default may be an array (nested for a
   * matrix: `[[0, 1], [-20, 0]]`); each of its entries is then a parameter, used as `M[1][0]` (see
   * array-params.ts).
   */
  readonly params?: Readonly<Record<string, V>>;
  /** One right-hand side per state: d(state)/d(time) = expression. */
  readonly rhs: Readonly<Record<string, string | number>>;
  /** Name of the independent variable (default "t"). */
  readonly time?: string;
  /**
   * The states as canonical coordinates of a Hamiltonian system: every state in exactly one of the lists,
   * positions[i] paired with momenta[i]. The symplectic methods (SymplecticEuler, ABAs5o6H, BABs9o7H) need it, and
   * a separable right-hand side: the positions' derivatives in the momenta and parameters alone, the momenta's in
   * the positions, parameters and time alone.
   */
  readonly hamiltonian?: {
    /** The position states q, in the order of their conjugate momenta. */
    readonly positions: readonly string[];
    /** The momentum states p: momenta[i] is conjugate to positions[i]. */
    readonly momenta: readonly string[];
  };
  /**
   * Events by name: functions of the time, the states and the parameters whose zero crossings the solver locates
   * (see EventSpec). A name is an identifier; it names the event in results and messages only.
   */
  readonly events?: Readonly<Record<string, EventSpec>>;
}

/**
 * An event as a model writes it: `{ "expr": "x", "direction": -1, "terminal": true }` is "x crosses 0 going down,
 * and the solve ends there".
 */
export interface EventSpec {
  /** g(time, states, params), in the language of the right-hand sides; the event is where g crosses 0. */
  readonly expr: string | number;
  /**
   * Which crossings count, as the solve proceeds: 1 only where g goes from negative to non-negative, -1 only from
   * positive to non-positive, 0 (default) both.
   */
  readonly direction?: -1 | 0 | 1;
  /** Whether the solve ends at the first crossing that counts (default false: it is recorded and the solve goes on). */
  readonly terminal?: boolean;
}

/** A validated event of a Model: its function as IR. */
export interface ModelEvent {
  /** The event's name, as in its ModelSpec. */
  readonly name: string;
  /** g(time, states, params); the event is where it crosses 0. */
  readonly expr: Expr;
  /** 1: crossings from negative to non-negative only; -1: from positive to non-positive only; 0: both. */
  readonly direction: -1 | 0 | 1;
  /** Whether the solve ends at the event. */
  readonly terminal: boolean;
}

/**
 * A validated model. Only `buildModel` makes one (it is frozen and recorded in a private set, see isModel):
 * an object of the same shape from anywhere else — a parsed JSON file with a `builder` key, say — is not a
 * Model, and every public entry sends it through buildModel, which refuses it.
 */
export interface Model {
  /** The model's name, as in its ModelSpec. */
  readonly name: string;
  /** The independent variable's symbol. */
  readonly time: SymNode;
  /** The state symbols, in the order of the state vector. */
  readonly states: readonly SymNode[];
  /** The parameter symbols, in declared order. */
  readonly params: readonly SymNode[];
  /** The parameters' default values, in the same order. */
  readonly paramDefaults: readonly number[];
  /** The array parameters, whose entries are among `params` (named `M_1_0`, see array-params.ts). */
  readonly paramArrays: readonly ParamArray[];
  /** rhs[i] = d states[i] / d time. */
  readonly rhs: readonly Expr[];
  /** The events, in the order the spec lists them (empty when it has none). */
  readonly events: readonly ModelEvent[];
  /** The spec's `hamiltonian`, as state indices (absent when the spec has none). */
  readonly hamiltonian?: {
    /** Indices of the position states, in the order of their conjugate momenta. */
    readonly positions: readonly number[];
    /** Indices of the momentum states: momenta[i] is conjugate to positions[i]. */
    readonly momenta: readonly number[];
  };
  /** The builder that owns every node of this model; derived systems must use it too. */
  readonly builder: ExprBuilder;
}

// Reserved words of JavaScript/TypeScript (including strict-mode and contextual ones that would confuse a
// reader), plus globals the generated code relies on. Generated code never uses a user name bare (states
// become y_<name>), but a model that names a state `class` or `Math` is refused all the same.
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var void ' +
    'while with as implements interface let package private protected public static yield any boolean ' +
    'constructor declare get module require number set string symbol type from of async await never unknown ' +
    'undefined NaN Infinity Math Object Array Float64Array globalThis eval arguments prototype __proto__'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * JSON.stringify, with the characters it leaves raw that still break or disguise a line of output escaped too:
 * C1 controls (U+0085 is a line break for some readers), U+2028/U+2029 (line and paragraph separators),
 * zero-width characters, bidirectional marks and overrides, the BOM. Hardening: a name or an expression containing them went into a
 * ModelError message, which the CLI prints as one line, as is.
 */
function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * An expression as a message quotes it: whole when it is short, else 160 characters around the position of
 * the problem, marked with … and followed by the full length. Hardening: a 100,000-character expression was
 * quoted whole, in a one-line message of 100 kB.
 */
function excerpt(text: string, pos: number | undefined): string {
  const WIDTH = 160;
  if (text.length <= WIDTH + 40) return quote(text);
  const start = Math.max(0, Math.min((pos ?? 0) - WIDTH / 2, text.length - WIDTH));
  const end = start + WIDTH;
  return `${start > 0 ? '…' : ''}${quote(text.slice(start, end))}${end < text.length ? '…' : ''} (${text.length} characters)`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return quote(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

/**
 * A user-supplied key or name as it may appear between quotes in a message: as is when it is short printable
 * ASCII, JSON-escaped otherwise. ModelError messages are printed as one line by the CLI, and a raw key with
 * a newline (or a 10 000-character one) would break that.
 */
function shown(text: string): string {
  return /^[\x20-\x7e]{0,64}$/.test(text) ? text : describe(text);
}

/** Sizes past which a model is refused before any work is done on it (memory and time grow with them). */
export interface ModelLimits {
  /**
   * States (default 100,000: method-of-lines grids such as a 128×128 two-species Brusselator, 32,768 states; y0
   * sensitivities of such a model are refused by the size of the augmented system, see variational/limits.ts).
   */
  readonly maxStates: number;
  /** Parameters (default 10,000). */
  readonly maxParams: number;
  /** Characters in one right-hand side (default 1,000,000). */
  readonly maxExpressionLength: number;
}

export const DEFAULT_LIMITS: ModelLimits = { maxStates: 100_000, maxParams: 10_000, maxExpressionLength: 1_000_000 };

/**
 * The models buildModel returned. Membership is the only proof that an object is a validated Model: a WeakSet
 * cannot be forged from data (no key, prototype or symbol of a plain object puts it here), and it does not keep
 * models alive.
 */
const BUILT_MODELS = new WeakSet<object>();

/** Whether x is a Model made by buildModel (and so validated), as opposed to anything shaped like one. */
export function isModel(x: unknown): x is Model {
  return typeof x === 'object' && x !== null && BUILT_MODELS.has(x);
}

/** Checks a model and builds its IR. Throws ModelError on the first problem found. */
export function buildModel(
  spec: ModelSpec<ParamValue>,
  builder = new ExprBuilder(),
  limits: Partial<ModelLimits> = {},
): Model {
  const { maxStates, maxParams, maxExpressionLength } = { ...DEFAULT_LIMITS, ...limits };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ModelError({ model: '?' }, `a model must be an object, got ${describe(spec)}`);
  }
  const raw = spec as unknown as Record<string, unknown>;
  const name = raw.name;
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw new ModelError(
      { model: typeof name === 'string' ? shown(name) : '?' },
      `'name' must be 1–64 letters, digits, '_', '-' or '.', got ${describe(name)}`,
    );
  }
  const fail = (problem: string, extra: { state?: string; text?: string } = {}) =>
    new ModelError({ model: name, ...extra }, problem);

  for (const key of Object.keys(raw)) {
    if (!['name', 'states', 'params', 'rhs', 'time', 'events', 'hamiltonian'].includes(key)) {
      throw fail(`unknown field '${shown(key)}' (expected name, states, params, rhs, time, events, hamiltonian)`, {
        text: key,
      });
    }
  }

  const taken = new Map<string, string>();
  const checkName = (id: unknown, what: string): string => {
    if (typeof id !== 'string' || !IDENTIFIER.test(id)) {
      throw fail(
        `${what} name ${describe(id)} is not an identifier (letters, digits and '_', not starting with a digit)`,
        // Not String(id): a deeply nested array would overflow the stack in Array.prototype.toString
        // (hardening: a JSON file with "states": [[[[…]]]] 100,000 levels deep was an internal error).
        { text: typeof id === 'string' ? id : describe(id) },
      );
    }
    if (RESERVED.has(id)) throw fail(`${what} name '${id}' is a reserved word`, { text: id });
    // Own properties only: `in` would also see Object.prototype, and call a state `toString` a function name.
    if (Object.hasOwn(USER_FUNCTIONS, id) || Object.hasOwn(FUNCTION_ARITY, id)) {
      throw fail(`${what} name '${id}' is a function name`, { text: id });
    }
    if (Object.hasOwn(CONSTANTS, id)) throw fail(`${what} name '${id}' is a built-in constant`, { text: id });
    const before = taken.get(id);
    if (before) throw fail(`${what} name '${id}' is already used as ${before}`, { text: id });
    taken.set(id, `a ${what}`);
    return id;
  };

  const timeName = checkName(raw.time ?? 't', 'time');
  const time = builder.sym(timeName, 'time', 0);

  if (!Array.isArray(raw.states) || raw.states.length === 0) {
    throw fail(`'states' must be a non-empty array of names, got ${describe(raw.states)}`);
  }
  if (raw.states.length > maxStates) throw fail(`${raw.states.length} states exceed the limit of ${maxStates}`);
  const states = (raw.states as unknown[]).map((s, i) => builder.sym(checkName(s, 'state'), 'state', i));

  const paramsRaw = raw.params ?? {};
  if (typeof paramsRaw !== 'object' || paramsRaw === null || Array.isArray(paramsRaw)) {
    throw fail(`'params' must be an object of name: default value, got ${describe(paramsRaw)}`);
  }
  const paramCount = Object.keys(paramsRaw).length;
  if (paramCount > maxParams) throw fail(`${paramCount} parameters exceed the limit of ${maxParams}`);
  const params: SymNode[] = [];
  const paramDefaults: number[] = [];
  const paramArrays: ParamArray[] = [];
  // entry name (M_1_0) → how expressions write it (M[1][0])
  const entryLabels = new Map<string, string>();
  for (const [p, value] of Object.entries(paramsRaw as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      checkName(p, 'parameter');
      const read = readParamArray(p, value, maxParams - params.length, describe);
      if (typeof read === 'string') throw fail(read, { text: p });
      paramArrays.push(Object.freeze({ name: p, shape: Object.freeze(read.shape), offset: params.length }));
      for (const [k, v] of read.values.entries()) {
        // Entry names are made of a checked name and digits; only a clash with another name can go wrong.
        const indices = indicesOf(k, read.shape);
        const entry = entryName(p, indices);
        const before = taken.get(entry);
        if (before) {
          throw fail(
            `the entry ${entryLabel(p, indices)} of array parameter '${p}' is named '${entry}', already used as ${before}`,
            {
              text: p,
            },
          );
        }
        taken.set(entry, `the name of the entry ${entryLabel(p, indices)} of array parameter '${p}'`);
        entryLabels.set(entry, entryLabel(p, indices));
        params.push(builder.sym(entry, 'param', params.length));
        paramDefaults.push(v);
      }
      continue;
    }
    params.push(builder.sym(checkName(p, 'parameter'), 'param', params.length));
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw fail(`parameter '${p}' must have a finite number as its default value, got ${describe(value)}`, {
        text: p,
      });
    }
    paramDefaults.push(value);
  }
  if (params.length > maxParams) throw fail(`${params.length} parameters exceed the limit of ${maxParams}`);

  const rhsRaw = raw.rhs;
  if (typeof rhsRaw !== 'object' || rhsRaw === null || Array.isArray(rhsRaw)) {
    throw fail(`'rhs' must be an object of state: expression, got ${describe(rhsRaw)}`);
  }
  const rhsMap = rhsRaw as Record<string, unknown>;
  const stateNames = new Set(states.map((s) => s.name));
  for (const key of Object.keys(rhsMap)) {
    if (!stateNames.has(key)) {
      throw fail(`'rhs' has an entry for '${shown(key)}', which is not a state`, { state: shown(key), text: key });
    }
  }
  // Entries of array parameters are written M[1][0] in expressions, not by their names (M_1_0): see `indexed`.
  const arrayOf = new Map(paramArrays.map((a) => [a.name, a]));
  const symbols = new Map<string, SymNode>([
    [timeName, time],
    ...[...states, ...params.filter((q) => !entryLabels.has(q.name))].map((s) => [s.name, s] as const),
  ]);
  const indexed: IndexResolver = (n, indices) => {
    const array = arrayOf.get(n);
    if (array !== undefined) {
      const k = entryOffset(array, indices);
      return typeof k === 'string' ? k : params[array.offset + k];
    }
    if (indices.length > 0) return symbols.has(n) ? `'${n}' is not an array parameter: it takes no index` : undefined;
    const label = entryLabels.get(n);
    return label === undefined
      ? undefined
      : `'${n}' names the entry ${label} in results: in expressions write ${label}`;
  };
  // One resolver for every expression, not a closure per right-hand side (there may be 100,000 of them).
  const resolveName = (n: string): SymNode | undefined => symbols.get(n);
  const rhs = states.map((s) => {
    // Own entries only: a state named like an Object.prototype member (toString) has no inherited rhs.
    const text = Object.hasOwn(rhsMap, s.name) ? rhsMap[s.name] : undefined;
    if (text === undefined) throw fail(`no right-hand side for state '${s.name}'`, { state: s.name });
    if (typeof text === 'number') {
      if (!Number.isFinite(text)) throw fail(`the right-hand side must be finite, got ${text}`, { state: s.name });
      return builder.num(text);
    }
    if (typeof text !== 'string') {
      throw fail(`the right-hand side must be a string expression, got ${describe(text)}`, { state: s.name });
    }
    if (text.length > maxExpressionLength) {
      throw fail(`the right-hand side has ${text.length} characters, more than the limit of ${maxExpressionLength}`, {
        state: s.name,
      });
    }
    try {
      return parseExpression(text, resolveName, builder, indexed);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const at = e.pos === undefined ? '' : ` at character ${e.pos + 1}`;
      throw fail(`${e.problem}${at} in ${excerpt(text, e.pos)}`, { state: s.name, text });
    }
  });

  const hamiltonian = buildHamiltonian(raw.hamiltonian, states, fail);
  // An event's expression: parsed as a right-hand side is, with the same symbols and limits.
  const parseEvent = (text: string, event: string): Expr => {
    if (text.length > maxExpressionLength) {
      const size = `${text.length} characters, more than the limit of ${maxExpressionLength}`;
      throw fail(`event '${event}': its expression has ${size}`);
    }
    try {
      return parseExpression(text, resolveName, builder, indexed);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const at = e.pos === undefined ? '' : ` at character ${e.pos + 1}`;
      throw fail(`event '${event}': ${e.problem}${at} in ${excerpt(text, e.pos)}`, { text });
    }
  };
  const events = buildEvents(raw.events, parseEvent, builder, fail);

  // Frozen, so that what was validated is what gets compiled.
  const model: Model = Object.freeze({
    name,
    time,
    states: Object.freeze(states),
    params: Object.freeze(params),
    paramDefaults: Object.freeze(paramDefaults),
    paramArrays: Object.freeze(paramArrays),
    rhs: Object.freeze(rhs),
    events,
    ...(hamiltonian === undefined ? {} : { hamiltonian }),
    builder,
  });
  BUILT_MODELS.add(model);
  return model;
}

/** More events than any model needs; past it a model is refused (each event costs code and work per step). */
const MAX_EVENTS = 10_000;

/**
 * The `events` field, checked: an object of name → { expr, direction, terminal }, each expression parsed by
 * `parse` exactly as a right-hand side is (same symbols, same functions, same limits), so that nothing of it reaches
 * generated code but IR. Problems name the event.
 */
function buildEvents(
  value: unknown,
  parse: (text: string, event: string) => Expr,
  builder: ExprBuilder,
  fail: (problem: string, extra?: { text?: string }) => ModelError,
): readonly ModelEvent[] {
  if (value === undefined) return Object.freeze([]);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`'events' must be an object of name: { expr, direction, terminal }, got ${describe(value)}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_EVENTS) throw fail(`${entries.length} events exceed the limit of ${MAX_EVENTS}`);
  const events = entries.map(([name, spec]): ModelEvent => {
    if (!IDENTIFIER.test(name)) {
      const problem = "is not an identifier (letters, digits and '_', not starting with a digit)";
      throw fail(`event name ${describe(name)} ${problem}`, { text: name });
    }
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      const problem = `must be an object { expr, direction, terminal }, got ${describe(spec)}`;
      throw fail(`event '${name}' ${problem}`, { text: name });
    }
    const fields = spec as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!['expr', 'direction', 'terminal'].includes(key)) {
        const problem = `unknown field '${shown(key)}' (expected expr, direction, terminal)`;
        throw fail(`event '${name}': ${problem}`, { text: key });
      }
    }
    const text = fields.expr;
    let expr: Expr;
    if (typeof text === 'number') {
      if (!Number.isFinite(text)) throw fail(`event '${name}': its expression must be finite, got ${text}`);
      expr = builder.num(text);
    } else if (typeof text === 'string') expr = parse(text, name);
    else throw fail(`event '${name}': 'expr' must be a string expression, got ${describe(text)}`);
    const direction = fields.direction ?? 0;
    if (direction !== -1 && direction !== 0 && direction !== 1) {
      throw fail(`event '${name}': 'direction' must be -1, 0 or 1, got ${describe(direction)}`);
    }
    const terminal = fields.terminal ?? false;
    if (typeof terminal !== 'boolean') {
      throw fail(`event '${name}': 'terminal' must be true or false, got ${describe(terminal)}`);
    }
    return Object.freeze({ name, expr, direction, terminal });
  });
  return Object.freeze(events);
}

/**
 * The `hamiltonian` field, checked: { positions, momenta }, two lists of state names of the same length that
 * together name every state exactly once. Returns the states' indices (undefined when the field is absent).
 */
function buildHamiltonian(
  value: unknown,
  states: readonly SymNode[],
  fail: (problem: string, extra?: { text?: string }) => ModelError,
): Model['hamiltonian'] {
  if (value === undefined) return undefined;
  const form = `{ "positions": [...], "momenta": [...] }`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`'hamiltonian' must be an object ${form}, got ${describe(value)}`);
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'positions' && key !== 'momenta') {
      throw fail(`'hamiltonian': unknown field '${shown(key)}' (expected positions, momenta)`, { text: key });
    }
  }
  const index = new Map(states.map((s, i) => [s.name, i]));
  const listed = new Map<number, string>();
  const read = (key: 'positions' | 'momenta'): number[] => {
    const list = fields[key];
    if (!Array.isArray(list) || list.length === 0) {
      throw fail(`'hamiltonian.${key}' must be a non-empty array of state names, got ${describe(list)}`);
    }
    return list.map((name: unknown) => {
      const i = typeof name === 'string' ? index.get(name) : undefined;
      if (i === undefined) {
        throw fail(`'hamiltonian.${key}' names ${describe(name)}, which is not a state`, {
          text: typeof name === 'string' ? name : describe(name),
        });
      }
      const before = listed.get(i);
      if (before !== undefined) {
        const where = before === key ? `'hamiltonian.${key}'` : `'hamiltonian.${before}' and 'hamiltonian.${key}'`;
        throw fail(`state '${states[i]!.name}' is listed twice, in ${where}`, {
          text: states[i]!.name,
        });
      }
      listed.set(i, key);
      return i;
    });
  };
  const positions = read('positions');
  const momenta = read('momenta');
  if (positions.length !== momenta.length) {
    throw fail(
      `'hamiltonian' has ${positions.length} position${positions.length === 1 ? '' : 's'} and ${momenta.length} ${momenta.length === 1 ? 'momentum' : 'momenta'}: each position needs its conjugate momentum`,
    );
  }
  const missing = states.find((_, i) => !listed.has(i));
  if (missing !== undefined) {
    throw fail(`state '${missing.name}' is in neither 'hamiltonian.positions' nor 'hamiltonian.momenta'`, {
      text: missing.name,
    });
  }
  return Object.freeze({ positions: Object.freeze(positions), momenta: Object.freeze(momenta) });
}
