/**
 * Prints IR expressions in the C-like syntax that TypeScript, CUDA C and WGSL share; a Dialect says how each
 * target spells literals and functions (the only places they differ).
 *
 * Subtraction and division come back as `-` and `/` (the IR stores them as a (-1)-scaled term and a
 * power −1), so the emitted arithmetic rounds exactly as the written expression would; operands keep their
 * order. Small integer powers are spelled as products, powers ±1/2 with the target's square root.
 */
import type { Expr, FunctionName } from '../expr/ir.ts';
import { isConst } from '../expr/ir.ts';

/** Names for the leaves: symbols and temporaries. */
export interface NameTable {
  /** The variable holding a symbol's value. */
  symbol(e: Extract<Expr, { kind: 'sym' }>): string;
  /** The temporary holding e, or undefined when e is to be printed inline. */
  temp(e: Expr): string | undefined;
}

// Binding strength of what a printed string is, so the parent knows whether it needs brackets.
export enum Prec {
  Sum = 1,
  Product = 2,
  Unary = 3,
  Atom = 4,
}

export interface Printed {
  text: string;
  prec: Prec;
}

/** How one target spells what differs between targets. */
export interface Dialect {
  /** A numeric literal that reads back as exactly this value in the target's precision. */
  literal(v: number): Printed;
  /** A call of a model-language function with printed arguments. */
  call(fn: FunctionName, args: readonly string[]): string;
  /** u^e for a constant or variable exponent that is not a small integer or ±1/2. */
  pow(base: string, exponent: string): string;
}

/**
 * The one way a number becomes text in generated code: JavaScript's shortest round-trip decimal of a value that
 * must be a number. Every literal printer of every target starts here, so a string, an object or a bigint that
 * reached a literal by mistake (or by design of an attacker: a model's default written "0];evil();[0") is an
 * error, never code. A test keeps the String function out of src/codegen.
 */
export function decimal(v: unknown): string {
  if (typeof v !== 'number') {
    throw new TypeError(`internal: a literal in generated code must be a number, got a ${typeof v}`);
  }
  return `${v}`;
}

/** An integer (a size, an offset, an index) as a literal: a safe integer, or an error. */
export function integerLiteral(v: unknown): string {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new TypeError(`internal: an integer literal in generated code must be a safe integer, got a ${typeof v}`);
  }
  return decimal(v);
}

/** A double as a JavaScript literal that reads back as the same double (shortest round-trip form). */
export function numberLiteral(v: number): Printed {
  const text = decimal(v);
  if (Number.isNaN(v)) return { text: '(0 / 0)', prec: Prec.Atom };
  if (v === Number.POSITIVE_INFINITY) return { text: '(1 / 0)', prec: Prec.Atom };
  if (v === Number.NEGATIVE_INFINITY) return { text: '(-1 / 0)', prec: Prec.Atom };
  if (Object.is(v, -0)) return { text: '-0', prec: Prec.Unary };
  return { text, prec: v < 0 ? Prec.Unary : Prec.Atom };
}

export class ExpressionPrinter {
  constructor(
    private readonly names: NameTable,
    private readonly dialect: Dialect,
  ) {}

  /** Prints e in full (its own temporary is not used: this is the right-hand side of that temporary). */
  definition(e: Expr): string {
    return this.node(e).text;
  }

  /** Prints a use of e: its temporary if it has one, the expression otherwise. */
  use(e: Expr): string {
    return this.ref(e).text;
  }

  private ref(e: Expr): Printed {
    const t = this.names.temp(e);
    return t !== undefined ? { text: t, prec: Prec.Atom } : this.node(e);
  }

  private wrap(p: Printed, min: Prec): string {
    return p.prec >= min ? p.text : `(${p.text})`;
  }

  private node(e: Expr): Printed {
    switch (e.kind) {
      case 'const':
        return this.dialect.literal(e.value);
      case 'sym':
        return { text: this.names.symbol(e), prec: Prec.Atom };
      case 'add':
        return this.sum(e.terms);
      case 'mul':
        return this.product(e.factors);
      case 'pow':
        return this.power(e.base, e.exponent);
      case 'call': {
        return {
          text: this.dialect.call(
            e.fn,
            e.args.map((a) => this.ref(a).text),
          ),
          prec: Prec.Atom,
        };
      }
    }
  }

  private sum(terms: readonly Expr[]): Printed {
    let text = '';
    terms.forEach((t, i) => {
      const negated = i > 0 ? this.negatedTerm(t) : undefined;
      if (i > 0 && negated) {
        // a + (-1 * x) prints as a - x, and a + (-c) as a - c: both exact.
        text += ` - ${this.wrap(negated, Prec.Product)}`;
      } else {
        const p = this.ref(t);
        text += i === 0 ? this.wrap(p, Prec.Sum) : ` + ${this.wrap(p, Prec.Product)}`;
      }
    });
    return { text, prec: Prec.Sum };
  }

  /** If t is −x (a negative constant or a product led by −1, without its own temporary), x printed. */
  private negatedTerm(t: Expr): Printed | undefined {
    if (this.names.temp(t) !== undefined) return undefined;
    if (t.kind === 'const' && t.value < 0) return this.dialect.literal(-t.value);
    if (t.kind !== 'mul') return undefined;
    const lead = t.factors[0]!;
    if (isConst(lead, -1)) return this.product(t.factors.slice(1));
    // a + (-c * x) prints as a - c * x: (-c) * x = -(c * x) exactly.
    if (lead.kind === 'const' && lead.value < 0 && this.names.temp(lead) === undefined) {
      return this.product(t.factors, -lead.value);
    }
    return undefined;
  }

  /** Prints a product; `leadValue` replaces the value of a constant first factor (to print it negated). */
  private product(factors: readonly Expr[], leadValue?: number): Printed {
    if (factors.length === 1) return this.ref(factors[0]!);
    let text = '';
    let sign = '';
    factors.forEach((f, i) => {
      if (i === 0 && isConst(f, -1) && factors.length > 1) {
        sign = '-';
        return;
      }
      const reciprocal = this.reciprocalOf(f);
      const first = text === '';
      if (i === 0 && leadValue !== undefined) {
        text += this.dialect.literal(leadValue).text;
        return;
      }
      if (reciprocal) {
        const denominator = this.wrap(this.ref(reciprocal), Prec.Atom);
        text += first ? `${this.dialect.literal(1).text} / ${denominator}` : ` / ${denominator}`;
      } else {
        const p = this.ref(f);
        text += first ? this.wrap(p, Prec.Product) : ` * ${this.wrap(p, Prec.Unary)}`;
      }
    });
    if (sign) {
      // -1 * a * b prints as -a * b; (-a) * b equals -(a * b) exactly.
      return { text: `-${text.startsWith('-') ? `(${text})` : text}`, prec: Prec.Product };
    }
    return { text, prec: Prec.Product };
  }

  /** If f is u^-1 printed inline, u. */
  private reciprocalOf(f: Expr): Expr | undefined {
    if (this.names.temp(f) !== undefined) return undefined;
    return f.kind === 'pow' && isConst(f.exponent, -1) ? f.base : undefined;
  }

  private power(base: Expr, exponent: Expr): Printed {
    if (exponent.kind === 'const') {
      const v = exponent.value;
      const u = this.wrap(this.ref(base), Prec.Atom);
      const abs = Math.abs(v);
      if (Number.isInteger(abs) && abs >= 1 && abs <= 4) {
        const product = Array.from({ length: abs }, () => u).join(' * ');
        return v > 0
          ? { text: product, prec: Prec.Product }
          : { text: `${this.dialect.literal(1).text} / ${abs === 1 ? u : `(${product})`}`, prec: Prec.Product };
      }
      const root = () => this.dialect.call('sqrt', [this.ref(base).text]);
      if (v === 0.5) return { text: root(), prec: Prec.Atom };
      if (v === -0.5) return { text: `${this.dialect.literal(1).text} / ${root()}`, prec: Prec.Product };
    }
    return { text: this.dialect.pow(this.ref(base).text, this.ref(exponent).text), prec: Prec.Atom };
  }
}

/** `new Float64Array([…])` of checked literals (the stiff families' coefficient tables). */
export function float64ArrayLiteral(values: readonly number[]): string {
  return `new Float64Array([${values.map((v) => numberLiteral(v).text).join(', ')}])`;
}

/**
 * From this many entries on, int32ArrayLiteral packs a table (see packInt32). Below it a table reads as numbers;
 * above it the numbers are what a reader skips anyway, and as decimal text they cost more than the rest of a large
 * model's module: on a 64×64 Brusselator grid the sparse LU's tables were 11 of 16 MB of source, and parsing them
 * (the transpiler, then V8) the largest part of the compile time.
 */
export const PACKED_TABLE_FROM = 2048;

/**
 * An Int32Array as text: `new Int32Array([…])` of checked integer literals (slot and structure tables), or for
 * PACKED_TABLE_FROM entries and more `unpackInt32('…', length)`, which the module defines (templates/ts/
 * newton-matrix.ts holds the decoder of the format packInt32 writes).
 */
export function int32ArrayLiteral(values: ArrayLike<number>): string {
  if (values.length >= PACKED_TABLE_FROM)
    return `unpackInt32('${packInt32(values)}', ${integerLiteral(values.length)})`;
  return `new Int32Array([${Array.from(values, (v) => integerLiteral(v)).join(', ')}])`;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The packed form of an integer table: the differences of consecutive entries (the first from 0), zigzag-mapped
 * to unsigned (0, −1, 1, −2 … → 0, 1, 2, 3 …) and written as LEB128 varints (7 bits a byte, low first, the high
 * bit set on all but the last), the bytes in base64. Structure tables are runs of nearby or ascending indices,
 * so most differences take one byte: about 1.4 characters an entry, against 6–8 as decimals. Only checked
 * integers go in and only base64's alphabet comes out.
 */
export function packInt32(values: ArrayLike<number>): string {
  let bytes = new Uint8Array(values.length + 16);
  let length = 0;
  let previous = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new RangeError(`packInt32: entry ${k} is not a 32-bit integer`);
    }
    const delta = v - previous;
    previous = v;
    let z = delta >= 0 ? 2 * delta : -2 * delta - 1; // zigzag, exact in doubles (|delta| < 2^32)
    if (length + 5 > bytes.length) {
      const grown = new Uint8Array(2 * bytes.length);
      grown.set(bytes);
      bytes = grown;
    }
    while (z >= 128) {
      bytes[length++] = (z % 128) + 128;
      z = Math.floor(z / 128);
    }
    bytes[length++] = z;
  }
  const text = Buffer.from(bytes.buffer, 0, length).toString('base64');
  if (!BASE64.test(text)) throw new Error('internal: packInt32 wrote a character outside base64');
  return text;
}
