/**
 * A tableau handed in by a user (`compile(model, { method: {...} })`, possibly parsed from JSON) is data: every
 * field is checked for type, shape and range before anything is generated from it, and what is compiled is a
 * frozen copy made here, read once from the user's object (a getter cannot answer differently later).
 * Anything wrong is an OptionError that names the field, e.g. `method.a[3]` or `method.order`.
 */
import { OptionError } from '../errors.ts';
import { checkOptionKeys, quoteValue } from '../options.ts';
import { equals, parseCoefficient, type Rational, rationalToNumber } from './exact.ts';
import type { Coefficient, ErrorEstimate, ExplicitRungeKuttaMethod, Method } from './types.ts';

/** Method names go into comments of generated code and messages: no comment ends, quotes, `$`, line breaks. */
export const METHOD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
/** Families this version generates code for. */
export const FAMILIES = ['explicit-rk'] as const;
/** More stages than any published explicit tableau has (Feagin's 14(12) has 35). */
export const MAX_STAGES = 100;
/** Orders beyond this are not a real explicit Runge–Kutta method. */
export const MAX_ORDER = 30;
/** A coefficient's text: Feagin publishes 60 digits; 1,000 characters and exponents within ±1000 are ample. */
const MAX_COEFFICIENT_LENGTH = 1000;
const MAX_EXPONENT = 1000;

const FIELDS = ['family', 'name', 'aliases', 'description', 'source', 'order', 'c', 'a', 'b', 'errorEstimate', 'fsal'];

function fail(field: string, problem: string): never {
  throw new OptionError(`method.${field}`, problem);
}

/** Free text (description, source): a string without control characters, of reasonable length. */
function text(field: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') fail(field, `expected a string, got ${quoteValue(value)}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (value.length > 2000 || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(value)) {
    fail(field, `expected at most 2,000 characters without control characters or line breaks`);
  }
  return value;
}

function name(field: string, value: unknown): string {
  if (typeof value !== 'string' || !METHOD_NAME.test(value)) {
    fail(
      field,
      `expected 1–64 letters, digits, '_', '.', '+' or '-' (starting with a letter or digit), got ${quoteValue(value)}`,
    );
  }
  return value;
}

function positiveInteger(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    fail(field, `expected an integer from 1 to ${max}, got ${quoteValue(value)}`);
  }
  return value;
}

/**
 * One coefficient: a finite JSON number (kept exactly: String(v) reads back as v) or a string in the exact
 * syntax of src/methods/exact.ts ("-3", "75/64", "0.125", "4.01e-7"), whose value must be a finite double.
 */
function coefficient(field: string, value: unknown): { text: Coefficient; exact: Rational } {
  let t: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(field, `expected a finite number, got ${quoteValue(value)}`);
    t = String(value);
  } else if (typeof value === 'string') {
    t = value.trim();
  } else {
    fail(field, `expected a number or a string such as "3/40" or "0.125", got ${quoteValue(value)}`);
  }
  if (t.length > MAX_COEFFICIENT_LENGTH) fail(field, `longer than ${MAX_COEFFICIENT_LENGTH} characters`);
  const exponent = /[eE]([+-]?\d+)$/.exec(t);
  if (exponent && Math.abs(Number(exponent[1])) > MAX_EXPONENT) fail(field, `exponent beyond ±${MAX_EXPONENT}`);
  let exact: Rational;
  try {
    exact = parseCoefficient(t);
  } catch {
    fail(field, `${quoteValue(value)} is neither an integer, a fraction p/q nor a decimal`);
  }
  if (!Number.isFinite(rationalToNumber(exact))) fail(field, `${quoteValue(value)} is not a finite double`);
  return { text: t, exact };
}

function vector(field: string, value: unknown, length: number): { texts: Coefficient[]; exact: Rational[] } {
  if (!Array.isArray(value)) fail(field, `expected an array of ${length} coefficients, got ${quoteValue(value)}`);
  const items = [...value];
  if (items.length !== length) fail(field, `expected ${length} coefficients (one per stage), got ${items.length}`);
  const parsed = items.map((v, j) => coefficient(`${field}[${j}]`, v));
  return { texts: parsed.map((p) => p.text), exact: parsed.map((p) => p.exact) };
}

/**
 * Row i of A: the i coefficients left of the diagonal, or a full row of s whose entries on and right of the
 * diagonal are zero (an explicit method's A is strictly lower triangular).
 */
function row(field: string, value: unknown, i: number, s: number): { texts: Coefficient[]; exact: Rational[] } {
  if (!Array.isArray(value)) fail(field, `expected an array, got ${quoteValue(value)}`);
  const items = [...value];
  if (items.length !== i && items.length !== s) {
    fail(
      field,
      `expected ${i} coefficients (strictly lower triangular) or ${s} with zeros from the diagonal on, got ${items.length}`,
    );
  }
  const parsed = items.map((v, j) => coefficient(`${field}[${j}]`, v));
  for (let j = i; j < parsed.length; j++) {
    if (parsed[j]!.exact.num !== 0n)
      fail(`${field}[${j}]`, 'must be 0: an explicit method has no entries on or above the diagonal');
  }
  const kept = parsed.slice(0, i);
  return { texts: kept.map((p) => p.text), exact: kept.map((p) => p.exact) };
}

function errorEstimate(value: unknown, s: number): ErrorEstimate | undefined {
  if (value === undefined) return undefined;
  const est = checkOptionKeys(
    value,
    ['order', 'bHat', 'errorWeights'],
    'method.errorEstimate',
    'method.errorEstimate.',
  );
  const order = positiveInteger('errorEstimate.order', est.order, MAX_ORDER);
  const hasHat = est.bHat !== undefined;
  const hasWeights = est.errorWeights !== undefined;
  if (hasHat === hasWeights) fail('errorEstimate', 'expected exactly one of bHat and errorWeights');
  return Object.freeze(
    hasHat
      ? { order, bHat: Object.freeze(vector('errorEstimate.bHat', est.bHat, s).texts) }
      : { order, errorWeights: Object.freeze(vector('errorEstimate.errorWeights', est.errorWeights, s).texts) },
  );
}

/**
 * Checks a user's tableau and returns a frozen copy of it. Built-in methods are trusted and come back as they
 * are; anything else must be a complete, consistent explicit Runge–Kutta tableau.
 */
export function validateMethod(value: unknown, builtIn: readonly Method[]): Method {
  if (builtIn.includes(value as Method)) return value as Method;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OptionError('method', `expected a method name or a tableau object, got ${quoteValue(value)}`);
  }
  const raw = checkOptionKeys(value, FIELDS, 'method', 'method.');
  // Each field is read exactly once, here.
  const fields = Object.fromEntries(FIELDS.map((f) => [f, raw[f]])) as Record<string, unknown>;
  if (!(FAMILIES as readonly unknown[]).includes(fields.family)) {
    fail('family', `expected one of ${FAMILIES.map((f) => `'${f}'`).join(', ')}, got ${quoteValue(fields.family)}`);
  }
  const methodName = name('name', fields.name);
  const aliasesRaw = fields.aliases ?? [];
  if (!Array.isArray(aliasesRaw) || aliasesRaw.length > 16) fail('aliases', 'expected an array of at most 16 names');
  const aliases = [...aliasesRaw].map((a, i) => name(`aliases[${i}]`, a));
  const description = text('description', fields.description, 'a user-supplied tableau');
  const source = text('source', fields.source, 'supplied by the user');
  const order = positiveInteger('order', fields.order, MAX_ORDER);

  if (!Array.isArray(fields.c)) fail('c', `expected an array of nodes, got ${quoteValue(fields.c)}`);
  const s = (fields.c as unknown[]).length;
  if (s < 1 || s > MAX_STAGES) fail('c', `expected 1 to ${MAX_STAGES} stages, got ${s}`);
  const c = vector('c', fields.c, s);
  if (!Array.isArray(fields.a)) fail('a', `expected an array of ${s} rows, got ${quoteValue(fields.a)}`);
  const aRows = [...(fields.a as unknown[])];
  if (aRows.length !== s) fail('a', `expected ${s} rows (one per stage), got ${aRows.length}`);
  const a = aRows.map((r, i) => row(`a[${i}]`, r, i, s));
  const b = vector('b', fields.b, s);
  const estimate = errorEstimate(fields.errorEstimate, s);

  if (typeof fields.fsal !== 'boolean') fail('fsal', `expected true or false, got ${quoteValue(fields.fsal)}`);
  if (fields.fsal) {
    // The last stage is F(t + h, y_{n+1}): c_s = 1 and its row of A is b.
    const last = a[s - 1]!.exact;
    const one: Rational = { num: 1n, den: 1n };
    const lastIsB = s > 1 && b.exact.every((bj, j) => (j < s - 1 ? equals(bj, last[j]!) : bj.num === 0n));
    if (!equals(c.exact[s - 1]!, one) || !lastIsB) {
      fail('fsal', 'true needs c[s-1] = 1, a[s-1] = b and b[s-1] = 0 (the last stage evaluated at the new value)');
    }
  }

  const method: ExplicitRungeKuttaMethod = {
    family: 'explicit-rk',
    name: methodName,
    aliases: Object.freeze(aliases),
    description,
    source,
    order,
    c: Object.freeze(c.texts),
    a: Object.freeze(a.map((r) => Object.freeze(r.texts))),
    b: Object.freeze(b.texts),
    ...(estimate === undefined ? {} : { errorEstimate: estimate }),
    fsal: fields.fsal,
  };
  return Object.freeze(method);
}
