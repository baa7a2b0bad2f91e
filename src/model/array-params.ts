/**
 * Array parameters: `"params": { "M": [[0, 1], [-20, 0]] }`, used in expressions as `M[1][0]` (0-based).
 *
 * Each entry is a scalar parameter of its own: the IR, the differentiator and every code generator see plain
 * symbols, so ∂y/∂p has one column per entry, in row-major order, where the array stands among the declared
 * parameters. An entry's name is its array's name and indices joined by '_' (`M_1_0`): an identifier made of
 * a validated name and digits only, so generated code never holds user text, and it is the name a solver's
 * `info.params` and its `params` option use. buildModel refuses a model in which such a name is also another
 * symbol's.
 */
import { OptionError } from '../errors.ts';

/** A parameter's default: a number, or a non-empty rectangular array of them (nested for a matrix). */
export type ParamValue = number | readonly ParamValue[];

/** The most dimensions an array parameter may have (a deeper array is refused, never walked). */
export const MAX_RANK = 8;

/** An array parameter of a built model. */
export interface ParamArray {
  /** The array's name as declared (its entries are the parameters `NAME_i_j`). */
  readonly name: string;
  /** Lengths of the dimensions: [rows, columns] for a matrix. */
  readonly shape: readonly number[];
  /** Index in Model.params of the entry [0, 0, …]; the others follow in row-major order. */
  readonly offset: number;
}

/** The parameter name of an entry: `M_1_0`. */
export function entryName(name: string, indices: readonly number[]): string {
  return [name, ...indices].join('_');
}

/** An entry as expressions and messages write it: `M[1][0]`. */
export function entryLabel(name: string, indices: readonly number[]): string {
  return `${name}${indices.map((i) => `[${i}]`).join('')}`;
}

/** A shape as a message writes it: `2×2`, or `3 entries` for a vector. */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `${shape[0]} entries` : shape.join('×');
}

/** The indices of the k-th entry in row-major order. */
export function indicesOf(k: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return out;
}

/** The row-major position of an entry, or a problem (wrong number of indices, one out of range). */
export function entryOffset(array: Pick<ParamArray, 'name' | 'shape'>, indices: readonly number[]): number | string {
  const { name, shape } = array;
  const label = entryLabel(name, indices);
  if (indices.length !== shape.length) {
    const kind = shape.length === 1 ? 'a vector' : `${shape.length}-dimensional (${shapeText(shape)})`;
    const form = `${name}${shape.map((_, d) => `[${'ijklmnop'[d]}]`).join('')}`;
    const count = `${shape.length} ind${shape.length === 1 ? 'ex' : 'ices'}`;
    return `array parameter '${name}' is ${kind}: it takes ${count} (${form}), got ${indices.length === 0 ? `'${name}' alone` : label}`;
  }
  let k = 0;
  for (let d = 0; d < shape.length; d++) {
    if (indices[d]! >= shape[d]!) {
      return `index ${indices[d]} of ${label} is out of range: '${name}' is ${shapeText(shape)} (indices from 0)`;
    }
    k = k * shape[d]! + indices[d]!;
  }
  return k;
}

/**
 * Reads an array parameter's value: its shape and its entries in row-major order, or a problem. Walked without
 * recursion, and the number of entries is checked against `maxEntries` before any entry is read, so a hostile
 * value (nested 100,000 levels deep, or a million rows) costs no more than its first few levels.
 */
export function readParamArray(
  name: string,
  value: readonly unknown[],
  maxEntries: number,
  describe: (v: unknown) => string,
): { shape: number[]; values: number[] } | string {
  const shape: number[] = [];
  let size = 1;
  for (let at: unknown = value; Array.isArray(at); at = at[0]) {
    if (at.length === 0) {
      const where =
        shape.length === 0
          ? `'${name}'`
          : entryLabel(
              name,
              shape.map(() => 0),
            );
      return `array parameter ${where} is empty (an array parameter needs at least one entry in every dimension)`;
    }
    shape.push(at.length);
    if (shape.length > MAX_RANK) return `array parameter '${name}' has more than ${MAX_RANK} dimensions`;
    size *= at.length;
    if (size > maxEntries) return `array parameter '${name}' has more than ${maxEntries} entries`;
  }
  const values: number[] = [];
  for (let k = 0; k < size; k++) {
    const indices = indicesOf(k, shape);
    let at: unknown = value;
    for (let d = 0; d < shape.length; d++) {
      if (!Array.isArray(at) || at.length !== shape[d]) {
        const row = entryLabel(name, indices.slice(0, d));
        const first = entryLabel(
          name,
          indices.slice(0, d).map(() => 0),
        );
        const got = Array.isArray(at) ? `${at.length} entr${at.length === 1 ? 'y' : 'ies'}` : describe(at);
        return `array parameter '${name}' is not rectangular: ${row} must be an array of ${shape[d]} entries like ${first}, got ${got}`;
      }
      at = at[indices[d]!];
    }
    if (typeof at !== 'number' || !Number.isFinite(at)) {
      return `entry ${entryLabel(name, indices)} of array parameter '${name}' must be a finite number, got ${describe(at)}`;
    }
    values.push(at);
  }
  return { shape, values };
}

/** The parameter values of a model as a solver takes them: one finite number per entry, by entry name. */
export type FlatParams = Record<string, number>;

const LABEL = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])+)$/;

/**
 * Turns parameter values written with arrays into the flat form a solver's `params` option takes:
 * `{ k: 3, M: [[0, 1], [-20, 0]], 'v[2]': 5 }` → `{ k: 3, M_0_0: 0, M_0_1: 1, M_1_0: -20, M_1_1: 0, v_2: 5 }`.
 * A whole array must have the array's exact shape; a single entry is named `M[1][0]` or `M_1_0`. Other names
 * are passed on as they are (the solver refuses the unknown ones). Problems are OptionErrors naming `option`.
 */
export function flattenParams(
  arrays: readonly Pick<ParamArray, 'name' | 'shape'>[],
  values: Readonly<Record<string, unknown>>,
  option = 'params',
): FlatParams {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  // As each interface names a value: `--param M` on the command line, `params.M` in the API.
  const named = (key: string): string => (option.startsWith('--') ? `${option} ${key}` : `${option}.${key}`);
  // Without a prototype, so that a key `__proto__` stays a key (and an unknown parameter for the solver).
  const out: FlatParams = Object.create(null);
  const describe = (v: unknown) => (Array.isArray(v) ? 'an array' : typeof v === 'number' ? String(v) : typeof v);
  for (const [key, value] of Object.entries(values)) {
    const array = byName.get(key);
    const label = LABEL.exec(key);
    if (array !== undefined) {
      if (!Array.isArray(value)) {
        throw new OptionError(
          named(key),
          `'${key}' is an array parameter (${shapeText(array.shape)}): give the whole array, or entries as ${entryLabel(
            key,
            array.shape.map(() => 0),
          )}`,
        );
      }
      const read = readParamArray(key, value, Number.POSITIVE_INFINITY, describe);
      if (typeof read === 'string') throw new OptionError(named(key), read);
      if (read.shape.join() !== array.shape.join()) {
        throw new OptionError(
          named(key),
          `expected ${shapeText(array.shape)} values like the model's '${key}', got ${shapeText(read.shape)}`,
        );
      }
      read.values.forEach((v, k) => {
        out[entryName(key, indicesOf(k, array.shape))] = v;
      });
    } else if (label !== null) {
      const [, name, brackets] = label;
      const target = byName.get(name!);
      if (target === undefined) throw new OptionError(named(key), `'${name}' is not an array parameter`);
      const indices = [...brackets!.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
      const offset = entryOffset(target, indices);
      if (typeof offset === 'string') throw new OptionError(named(key), offset);
      out[entryName(name!, indices)] = value as number;
    } else {
      if (Array.isArray(value)) {
        throw new OptionError(named(key), `'${key}' is not an array parameter: give it one number`);
      }
      out[key] = value as number;
    }
  }
  return out;
}
