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
  /**
   * The temporary holding e, or undefined when e is to be printed inline. Asked about sums, products, powers and
   * calls only: a symbol or a constant is always spelled as itself (by `symbol`, or as a literal).
   */
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
  /**
   * The binding strength of the text that `node` and `ref` returned last (one field rather than a Printed
   * object per node: a large model's module prints millions of them).
   */
  private prec: Prec = Prec.Atom;

  constructor(
    private readonly names: NameTable,
    private readonly dialect: Dialect,
  ) {}

  /** Prints e in full (its own temporary is not used: this is the right-hand side of that temporary). */
  definition(e: Expr): string {
    return this.node(e);
  }

  /** Prints a use of e: its temporary if it has one, the expression otherwise. */
  use(e: Expr): string {
    return this.ref(e);
  }

  /**
   * e's temporary, or undefined (see NameTable.temp: the leaves are not asked about, which halves the lookups:
   * in a large model's module, a Map's lookup for every node printed was most of the printing time).
   */
  private tempOf(e: Expr): string | undefined {
    return e.kind === 'const' || e.kind === 'sym' ? undefined : this.names.temp(e);
  }

  /** e's temporary, or e printed (its strength in `prec`). */
  private ref(e: Expr): string {
    return this.operand(e, this.tempOf(e), Prec.Sum);
  }

  /** ref(e), in brackets when it binds less strongly than `min`. */
  private wrapped(e: Expr, min: Prec): string {
    return this.operand(e, this.tempOf(e), min);
  }

  /** wrapped(e, min) for an e whose temporary `t` was looked up already (once per node printed, not twice). */
  private operand(e: Expr, t: string | undefined, min: Prec): string {
    if (t !== undefined) {
      this.prec = Prec.Atom;
      return t;
    }
    const text = this.node(e);
    return this.prec >= min ? text : `(${text})`;
  }

  /** The literal v (its strength in `prec`). */
  private literal(v: number): string {
    const p = this.dialect.literal(v);
    this.prec = p.prec;
    return p.text;
  }

  private node(e: Expr): string {
    switch (e.kind) {
      case 'const':
        return this.literal(e.value);
      case 'sym':
        this.prec = Prec.Atom;
        return this.names.symbol(e);
      case 'add':
        return this.sum(e.terms);
      case 'mul':
        return this.product(e.factors, 0, undefined);
      case 'pow':
        return this.power(e.base, e.exponent);
      case 'call': {
        const args: string[] = new Array(e.args.length);
        for (let i = 0; i < e.args.length; i++) args[i] = this.ref(e.args[i]!);
        const text = this.dialect.call(e.fn, args);
        this.prec = Prec.Atom;
        return text;
      }
    }
  }

  private sum(terms: readonly Expr[]): string {
    let text = this.wrapped(terms[0]!, Prec.Sum);
    for (let i = 1; i < terms.length; i++) {
      const term = terms[i]!;
      const t = this.tempOf(term);
      const negated = t === undefined ? this.negatedTerm(term) : undefined;
      if (negated !== undefined) {
        // a + (-1 * x) prints as a - x, and a + (-c) as a - c: both exact.
        text += ` - ${this.prec >= Prec.Product ? negated : `(${negated})`}`;
      } else {
        text += ` + ${this.operand(term, t, Prec.Product)}`;
      }
    }
    this.prec = Prec.Sum;
    return text;
  }

  /**
   * If t (which has no temporary) is −x (a negative constant or a product led by −1), x printed (its strength in
   * `prec`).
   */
  private negatedTerm(t: Expr): string | undefined {
    if (t.kind === 'const' && t.value < 0) return this.literal(-t.value);
    if (t.kind !== 'mul') return undefined;
    const lead = t.factors[0]!;
    if (isConst(lead, -1)) return this.product(t.factors, 1, undefined);
    // a + (-c * x) prints as a - c * x: (-c) * x = -(c * x) exactly.
    if (lead.kind === 'const' && lead.value < 0 && this.tempOf(lead) === undefined) {
      return this.product(t.factors, 0, -lead.value);
    }
    return undefined;
  }

  /**
   * Prints the product of factors[from…] (its strength in `prec`); `leadValue` replaces the value of a constant
   * first factor (to print it negated).
   */
  private product(factors: readonly Expr[], from: number, leadValue: number | undefined): string {
    const count = factors.length - from;
    if (count === 1) return this.ref(factors[from]!);
    let text = '';
    let sign = false;
    for (let i = 0; i < count; i++) {
      const f = factors[from + i]!;
      if (i === 0 && isConst(f, -1)) {
        sign = true;
        continue;
      }
      if (i === 0 && leadValue !== undefined) {
        text += this.dialect.literal(leadValue).text;
        continue;
      }
      // a factor u^-1 printed inline (no temporary of its own) is a division by u
      const t = this.tempOf(f);
      const reciprocal = t === undefined && f.kind === 'pow' && isConst(f.exponent, -1) ? f.base : undefined;
      const first = text === '';
      if (reciprocal !== undefined) {
        const denominator = this.wrapped(reciprocal, Prec.Atom);
        text += first ? `${this.dialect.literal(1).text} / ${denominator}` : ` / ${denominator}`;
      } else {
        text += first ? this.operand(f, t, Prec.Product) : ` * ${this.operand(f, t, Prec.Unary)}`;
      }
    }
    this.prec = Prec.Product;
    // -1 * a * b prints as -a * b; (-a) * b equals -(a * b) exactly.
    if (sign) return `-${text.startsWith('-') ? `(${text})` : text}`;
    return text;
  }

  private power(base: Expr, exponent: Expr): string {
    if (exponent.kind === 'const') {
      const v = exponent.value;
      const abs = Math.abs(v);
      if (Number.isInteger(abs) && abs >= 1 && abs <= 4) {
        const u = this.wrapped(base, Prec.Atom);
        let product = u;
        for (let k = 1; k < abs; k++) product += ` * ${u}`;
        this.prec = Prec.Product;
        return v > 0 ? product : `${this.dialect.literal(1).text} / ${abs === 1 ? u : `(${product})`}`;
      }
      if (v === 0.5 || v === -0.5) {
        const root = this.dialect.call('sqrt', [this.ref(base)]);
        this.prec = v > 0 ? Prec.Atom : Prec.Product;
        return v > 0 ? root : `${this.dialect.literal(1).text} / ${root}`;
      }
    }
    const text = this.dialect.pow(this.ref(base), this.ref(exponent));
    this.prec = Prec.Atom;
    return text;
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
