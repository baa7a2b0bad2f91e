/**
 * Expressions for the WebAssembly kernel. The kernel evaluates exactly the expressions that the TypeScript
 * solver prints (codegen/printer.ts with the TS dialect): each printed expression is read back here with
 * JavaScript's precedence and associativity and written as folded WebAssembly text, one instruction per
 * operation in the same order. WebAssembly's f64 arithmetic is IEEE 754 with round-to-nearest and no
 * contraction into fused multiply-adds, like JavaScript's, so the kernel and the TypeScript step agree bit
 * for bit — which the tests check.
 *
 * The text read here is our own printer's output (identifiers, numeric literals, + - * /, unary minus,
 * brackets, calls of Math functions and heaviside), never user text: model names reach it only as the
 * printer's mangled locals, and the caller maps every identifier to a WebAssembly local or load.
 *
 * Vector mode: identifiers the caller marks as vectors are f64x2 values (two columns of Φ or S, two
 * components of the augmented vector); any operation with a vector operand is done lane-wise, its scalar
 * operands splatted. Each lane performs the scalar operation, so the results are the same.
 */
import { decimal } from '../printer.ts';

export type Node =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'neg'; readonly arg: Node }
  | { readonly kind: 'bin'; readonly op: '+' | '-' | '*' | '/'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Node[] };

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:e[+-]?\d+)?)|([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?)|([-+*/(),]))/y;

/** Reads one printed expression into a tree. */
export function parseExpression(text: string): Node {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new Error(`internal: cannot read printed expression at ${at}: ${text.slice(at, at + 40)}`);
    }
    tokens.push(m[1] ?? m[2] ?? m[3]!);
  }
  let pos = 0;
  const peek = () => tokens[pos];
  const expect = (t: string) => {
    if (tokens[pos] !== t) throw new Error(`internal: expected '${t}' in printed expression: ${text}`);
    pos++;
  };
  const additive = (): Node => {
    let left = multiplicative();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[pos++] as '+' | '-';
      left = { kind: 'bin', op, left, right: multiplicative() };
    }
    return left;
  };
  const multiplicative = (): Node => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[pos++] as '*' | '/';
      left = { kind: 'bin', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      pos++;
      return { kind: 'neg', arg: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`internal: printed expression ends early: ${text}`);
    if (t === '(') {
      const inner = additive();
      expect(')');
      return inner;
    }
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) };
    if (/^[A-Za-z_$]/.test(t)) {
      if (peek() !== '(') return { kind: 'name', name: t };
      pos++;
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(additive());
        while (peek() === ',') {
          pos++;
          args.push(additive());
        }
      }
      expect(')');
      return { kind: 'call', fn: t, args };
    }
    throw new Error(`internal: unexpected '${t}' in printed expression: ${text}`);
  };
  const tree = additive();
  if (pos !== tokens.length) throw new Error(`internal: trailing tokens in printed expression: ${text}`);
  return tree;
}

/** A double as an exact WebAssembly float literal (hexadecimal significand, so nothing is rounded twice). */
export function f64Literal(v: number): string {
  decimal(v); // a number, or an error
  if (Number.isNaN(v)) return 'nan';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, v);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const exponent = (hi >>> 20) & 0x7ff;
  const mantissa = ((hi & 0xfffff).toString(16).padStart(5, '0') + lo.toString(16).padStart(8, '0')).replace(/0+$/, '');
  if (exponent === 0) {
    // zero, or subnormal: 0x0.m p-1022
    return mantissa === '' ? `${sign}0x0p+0` : `${sign}0x0.${mantissa}p-1022`;
  }
  const e = exponent - 1023;
  return `${sign}0x1${mantissa === '' ? '' : `.${mantissa}`}p${e >= 0 ? '+' : ''}${e}`;
}

/** What an identifier stands for: a WebAssembly expression, scalar (f64) or vector (f64x2). */
export interface Operand {
  readonly wat: string;
  readonly vector: boolean;
}

/** Model-language functions that WebAssembly has as instructions (scalar, and lane-wise for vectors). */
const NATIVE: Readonly<Record<string, string>> = {
  'Math.abs': 'abs',
  'Math.sqrt': 'sqrt',
  'Math.min': 'min',
  'Math.max': 'max',
};

/** Functions the kernel imports (JavaScript's own, so results match the TypeScript step exactly). */
export const IMPORTED_FUNCTIONS: Readonly<Record<string, { module: string; name: string; arity: number }>> = {
  'Math.sin': { module: 'math', name: 'sin', arity: 1 },
  'Math.cos': { module: 'math', name: 'cos', arity: 1 },
  'Math.tan': { module: 'math', name: 'tan', arity: 1 },
  'Math.asin': { module: 'math', name: 'asin', arity: 1 },
  'Math.acos': { module: 'math', name: 'acos', arity: 1 },
  'Math.atan': { module: 'math', name: 'atan', arity: 1 },
  'Math.atan2': { module: 'math', name: 'atan2', arity: 2 },
  'Math.sinh': { module: 'math', name: 'sinh', arity: 1 },
  'Math.cosh': { module: 'math', name: 'cosh', arity: 1 },
  'Math.tanh': { module: 'math', name: 'tanh', arity: 1 },
  'Math.exp': { module: 'math', name: 'exp', arity: 1 },
  'Math.log': { module: 'math', name: 'log', arity: 1 },
  'Math.sign': { module: 'math', name: 'sign', arity: 1 },
  'Math.pow': { module: 'math', name: 'pow', arity: 2 },
  heaviside: { module: 'solver', name: 'heaviside', arity: 1 },
};

/** The WebAssembly function name of an imported function. */
export function importedName(fn: string): string {
  const f = IMPORTED_FUNCTIONS[fn];
  if (!f) throw new Error(`internal: no WebAssembly import for ${fn}`);
  return `$${f.module}_${f.name}`;
}

const BINARY: Readonly<Record<string, string>> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' };

/**
 * Folded WebAssembly text for a tree. `resolve` gives each identifier's operand; `used` collects the imported
 * functions the expression calls. `fuse`: vector a * b + c, c + a * b and c - a * b become relaxed-SIMD
 * multiply-adds (f64x2.relaxed_madd / relaxed_nmadd), which the runtime may compute with one rounding (a fused
 * multiply-add, where the CPU has one) or two — so these results are no longer the TypeScript step's bits.
 */
export function emitWat(tree: Node, resolve: (name: string) => Operand, used?: Set<string>, fuse = false): Operand {
  const splat = (o: Operand) => {
    if (o.vector) return o.wat;
    // a literal becomes a vector constant rather than a splat on every evaluation
    const literal = /^\(f64\.const (\S+)\)$/.exec(o.wat);
    return literal ? `(v128.const f64x2 ${literal[1]} ${literal[1]})` : `(f64x2.splat ${o.wat})`;
  };
  const walk = (n: Node): Operand => {
    switch (n.kind) {
      case 'num':
        return { wat: `(f64.const ${f64Literal(n.value)})`, vector: false };
      case 'name':
        return resolve(n.name);
      case 'neg': {
        const a = walk(n.arg);
        return { wat: `(${a.vector ? 'f64x2' : 'f64'}.neg ${a.wat})`, vector: a.vector };
      }
      case 'bin': {
        const fused = fuse ? multiplyAdd(n) : undefined;
        if (fused) return fused;
        const a = walk(n.left);
        const b = walk(n.right);
        const op = BINARY[n.op]!;
        if (!a.vector && !b.vector) return { wat: `(f64.${op} ${a.wat} ${b.wat})`, vector: false };
        return { wat: `(f64x2.${op} ${splat(a)} ${splat(b)})`, vector: true };
      }
      case 'call': {
        const args = n.args.map(walk);
        const vector = args.some((a) => a.vector);
        const native = NATIVE[n.fn];
        if (native) {
          const arity = native === 'min' || native === 'max' ? 2 : 1;
          if (args.length !== arity) throw new Error(`internal: ${n.fn} with ${args.length} arguments`);
          return vector
            ? { wat: `(f64x2.${native} ${args.map(splat).join(' ')})`, vector: true }
            : { wat: `(f64.${native} ${args.map((a) => a.wat).join(' ')})`, vector: false };
        }
        if (vector) throw new Error(`internal: ${n.fn} of a vector (only lane-wise instructions are vectorised)`);
        const f = IMPORTED_FUNCTIONS[n.fn];
        if (!f || f.arity !== args.length) throw new Error(`internal: no WebAssembly form for ${n.fn}`);
        used?.add(n.fn);
        return { wat: `(call ${importedName(n.fn)} ${args.map((a) => a.wat).join(' ')})`, vector: false };
      }
    }
  };
  /** a * b ± c as one relaxed multiply-add, when the product is a vector (undefined otherwise). */
  const multiplyAdd = (n: Node & { kind: 'bin' }): Operand | undefined => {
    if (n.op !== '+' && n.op !== '-') return undefined;
    const product = (x: Node) => (x.kind === 'bin' && x.op === '*' ? x : undefined);
    // c - a * b is -(a * b) + c; a * b - c is left alone (it would need c negated first)
    const mul = product(n.right) ?? (n.op === '+' ? product(n.left) : undefined);
    if (mul === undefined) return undefined;
    const addend = mul === n.right ? n.left : n.right;
    const a = walk(mul.left);
    const b = walk(mul.right);
    if (!a.vector && !b.vector) return undefined;
    const c = walk(addend);
    const op = n.op === '+' ? 'relaxed_madd' : 'relaxed_nmadd';
    return { wat: `(f64x2.${op} ${splat(a)} ${splat(b)} ${splat(c)})`, vector: true };
  };
  return walk(tree);
}

/** Parses printed text and emits it (`fuse`: see emitWat). */
export function watOf(text: string, resolve: (name: string) => Operand, used?: Set<string>, fuse = false): Operand {
  return emitWat(parseExpression(text), resolve, used, fuse);
}
