/**
 * The expression IR: an immutable, hash-consed DAG.
 *
 * Every node is created through an `ExprBuilder`, which returns the existing node when an identical one
 * was built before. Identical subexpressions are therefore the same object, so common-subexpression
 * elimination is free and a node's `id` can key memo tables (derivatives, printing, use counts).
 *
 * Node kinds: const | sym | add | mul | pow | call. Subtraction is add with a (-1)-scaled term and
 * division is mul with a power -1; the printers turn both back into `-` and `/` so the generated code
 * rounds exactly as the written expression would.
 *
 * Simplification is limited to rewrites that are exact in IEEE arithmetic, or that drop structurally zero
 * terms (the point of sparsity): x+0 → x, x*1 → x, x*0 → 0, x^1 → x, x^0 → 1, --x → x, and folding of
 * operations whose operands are all constants (computed exactly as the runtime would). Operands are never
 * reordered or reassociated. One exception to the folding: the reciprocal c^-1 made by a division x/c by a
 * constant stays a pow node (see `div`), since x*(1/c) is not x/c in floating point. The structural rules are
 * not IEEE-exact at the edges, by design: x+0 → x keeps a -0 where -0 + 0 is +0, and x*0 → 0 where x*0 is
 * NaN for an infinite or NaN x, or −0 for a negative x (test/hardening/literals.test.ts meets the first). They
 * are meant for the zeros differentiation makes; a zero the model writes as a factor or dividend (0*x, x*0,
 * 0/x, parsed through `chain`, `times` and `quotient`) is kept and computed as written, signed zero and NaN included.
 */

/** Functions of the model language, with their arity. `heaviside` is internal (derivatives of min/max). */
export const FUNCTION_ARITY = {
  sin: 1,
  cos: 1,
  tan: 1,
  asin: 1,
  acos: 1,
  atan: 1,
  atan2: 2,
  sinh: 1,
  cosh: 1,
  tanh: 1,
  exp: 1,
  log: 1,
  sqrt: 1,
  abs: 1,
  sign: 1,
  min: 2,
  max: 2,
  heaviside: 1,
} as const;

export type FunctionName = keyof typeof FUNCTION_ARITY;

/** What a symbol stands for; the index is its position in its vector. */
export type SymbolRole = 'time' | 'state' | 'param' | 'aux';

export interface ConstNode {
  readonly kind: 'const';
  readonly id: number;
  readonly value: number;
}
export interface SymNode {
  readonly kind: 'sym';
  readonly id: number;
  readonly name: string;
  readonly role: SymbolRole;
  readonly index: number;
}
export interface AddNode {
  readonly kind: 'add';
  readonly id: number;
  readonly terms: readonly Expr[];
}
export interface MulNode {
  readonly kind: 'mul';
  readonly id: number;
  readonly factors: readonly Expr[];
}
export interface PowNode {
  readonly kind: 'pow';
  readonly id: number;
  readonly base: Expr;
  readonly exponent: Expr;
}
export interface CallNode {
  readonly kind: 'call';
  readonly id: number;
  readonly fn: FunctionName;
  readonly args: readonly Expr[];
}

export type Expr = ConstNode | SymNode | AddNode | MulNode | PowNode | CallNode;

/** The children of a node, in evaluation order. */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'add':
      return e.terms;
    case 'mul':
      return e.factors;
    case 'pow':
      return [e.base, e.exponent];
    case 'call':
      return e.args;
    default:
      return [];
  }
}

/** Whether e is a constant (with exactly this value, -0 and 0 apart, when one is given). Not a type guard:
 *  a false answer for a given value says nothing about e's kind. */
export function isConst(e: Expr, value?: number): boolean {
  return e.kind === 'const' && (value === undefined || Object.is(e.value, value));
}

/** Evaluates a function of the model language the way the generated TypeScript does. */
export function applyFunction(fn: FunctionName, args: readonly number[]): number {
  const [a, b] = args as [number, number];
  switch (fn) {
    case 'atan2':
      return Math.atan2(a, b);
    case 'min':
      return Math.min(a, b);
    case 'max':
      return Math.max(a, b);
    case 'heaviside':
      return a > 0 ? 1 : a < 0 ? 0 : a === 0 ? 0.5 : Number.NaN;
    default:
      return Math[fn](a);
  }
}

/** Seeds of the composite nodes' hashes (see ExprBuilder.internComposite): one per kind, one per function. */
const COMPOSITE_SEED = { add: 0x1b873593, mul: 0x2c1b3c6d, pow: 0x297a2d39, call: 0x3c6ef372 } as const;
const FUNCTION_SEED = Object.fromEntries(
  Object.keys(FUNCTION_ARITY).map((name, i) => [name, Math.imul(i + 1, 0x85ebca6b)]),
) as Record<FunctionName, number>;

/** Whether `node` is the sum, product or call (of `fn`) over exactly operands[0…count). */
function sameComposite(
  node: Expr,
  kind: 'add' | 'mul' | 'call',
  fn: FunctionName | undefined,
  operands: readonly Expr[],
  count: number,
): boolean {
  if (node.kind !== kind) return false;
  let own: readonly Expr[];
  switch (node.kind) {
    case 'add':
      own = node.terms;
      break;
    case 'mul':
      own = node.factors;
      break;
    case 'call':
      if (node.fn !== fn) return false;
      own = node.args;
      break;
    default:
      return false;
  }
  if (own.length !== count) return false;
  for (let i = 0; i < count; i++) if (own[i] !== operands[i]) return false;
  return true;
}

/** One step of the composite nodes' hash (see ExprBuilder.internComposite). */
const hashStep = (h: number, id: number): number => Math.imul(h ^ id, 0x9e3779b1) ^ (h >>> 15);
/** The 30-bit key of a hash. */
const hashKey = (h: number): number => (h ^ (h >>> 13)) & 0x3fffffff;

/** Whether every node of `nodes` is a constant. */
function allConstants(nodes: readonly Expr[]): boolean {
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.kind !== 'const') return false;
  return true;
}

/** One step of a left-to-right chain: `acc op operand`. */
export type ChainStep = readonly ['+' | '-' | '*' | '/' | '^', Expr];

/**
 * Builds hash-consed nodes. One builder holds the nodes of one compilation; nodes from different builders
 * must not be mixed.
 */
export class ExprBuilder {
  /** Symbols, by a key that spells them. */
  private readonly table = new Map<string, Expr>();
  /**
   * Constants by value (a Map's keys compare by SameValueZero: NaN finds NaN, and 0 finds +0 only, since -0 is
   * kept apart in `negativeZero`). Keyed by the number itself, not by a string that spells it: every literal of a
   * large model and every constant the differentiator makes looks one up.
   */
  private readonly constants = new Map<number, ConstNode>();
  private negativeZero: ConstNode | undefined;
  /**
   * Sums, products, powers and calls, by a 30-bit hash of their kind and their operands' ids (a small integer
   * key, so no string per lookup: with string keys, building a 98,304-equation system spent a third of its time
   * collecting garbage); a slot holds one node or, on a collision, a list.
   */
  private readonly composites = new Map<number, Expr | Expr[]>();
  private nextId = 0;
  /** By node id: how many times the node is an operand of the composite nodes built so far (see operandCount). */
  private operandUses = new Int32Array(1024);
  /** Where addAll and mulAll collect operands (see internComposite). */
  private readonly sumScratch: Expr[] = [];
  private readonly productScratch: Expr[] = [];

  readonly zero = this.num(0);
  readonly one = this.num(1);
  readonly minusOne = this.num(-1);

  /** Number of distinct nodes built so far. */
  get size(): number {
    return this.nextId;
  }

  /**
   * How many times e is an operand of the sums, products, powers and calls built so far (twice in x*x). A node
   * counted at most once is reached from one place only, so a walk that remembers its result for the node
   * above it need not remember it for this one (see Differentiator.d).
   */
  operandCount(e: Expr): number {
    return e.id < this.operandUses.length ? this.operandUses[e.id]! : 0;
  }

  /** Counts the operands of a new node (see operandCount); they are older than it, so their ids are < nextId. */
  private countOperands(operands: readonly Expr[]): void {
    this.reserveOperandUses();
    for (let i = 0; i < operands.length; i++) this.operandUses[operands[i]!.id]!++;
  }

  /** Makes operandUses long enough for every node built so far. */
  private reserveOperandUses(): void {
    if (this.nextId <= this.operandUses.length) return;
    const grown = new Int32Array(Math.max(2 * this.operandUses.length, this.nextId));
    grown.set(this.operandUses);
    this.operandUses = grown;
  }

  /**
   * The sum, product or call (of `fn`) over operands[0…count), made if it is new. Operands are compared by
   * identity: they are themselves hash-consed. `operands` may be longer than `count` (a scratch list) and is
   * never kept: a new node gets its own copy, exactly `count` long. No closure and no array per lookup: this runs
   * for every node a large model builds, and most lookups find the node.
   */
  private internComposite(
    kind: 'add' | 'mul' | 'call',
    fn: FunctionName | undefined,
    operands: readonly Expr[],
    count: number,
  ): Expr {
    let h = COMPOSITE_SEED[kind] ^ (fn === undefined ? 0 : FUNCTION_SEED[fn]);
    for (let i = 0; i < count; i++) h = hashStep(h, operands[i]!.id);
    const hash = hashKey(h);
    const slot = this.composites.get(hash);
    if (slot !== undefined) {
      if (Array.isArray(slot)) {
        for (let i = 0; i < slot.length; i++) if (sameComposite(slot[i]!, kind, fn, operands, count)) return slot[i]!;
      } else if (sameComposite(slot, kind, fn, operands, count)) return slot;
    }
    const own = operands.slice(0, count);
    this.countOperands(own);
    const id = this.nextId++;
    const node: Expr =
      kind === 'add'
        ? { kind: 'add', id, terms: own }
        : kind === 'mul'
          ? { kind: 'mul', id, factors: own }
          : { kind: 'call', id, fn: fn!, args: own };
    this.store(hash, slot, node);
    return node;
  }

  /** The power base^exponent, made if it is new (the same hash as a composite over [base, exponent]). */
  private powNode(base: Expr, exponent: Expr): Expr {
    const hash = hashKey(hashStep(hashStep(COMPOSITE_SEED.pow, base.id), exponent.id));
    const slot = this.composites.get(hash);
    if (slot !== undefined) {
      if (Array.isArray(slot)) {
        for (let i = 0; i < slot.length; i++) {
          const node = slot[i]!;
          if (node.kind === 'pow' && node.base === base && node.exponent === exponent) return node;
        }
      } else if (slot.kind === 'pow' && slot.base === base && slot.exponent === exponent) return slot;
    }
    this.reserveOperandUses();
    this.operandUses[base.id]!++;
    this.operandUses[exponent.id]!++;
    const node: Expr = { kind: 'pow', id: this.nextId++, base, exponent };
    this.store(hash, slot, node);
    return node;
  }

  /** Records a new node under its hash, whose slot held `slot`. */
  private store(hash: number, slot: Expr | Expr[] | undefined, node: Expr): void {
    if (slot === undefined) this.composites.set(hash, node);
    else if (Array.isArray(slot)) slot.push(node);
    else this.composites.set(hash, [slot, node]);
  }

  num(value: number): ConstNode {
    // Object.is keeps -0 apart from 0 (the Map would not) and NaN equal to itself (the Map does too).
    if (Object.is(value, -0)) {
      if (this.negativeZero === undefined) this.negativeZero = { kind: 'const', id: this.nextId++, value };
      return this.negativeZero;
    }
    let node = this.constants.get(value);
    if (node === undefined) {
      node = { kind: 'const', id: this.nextId++, value };
      this.constants.set(value, node);
    }
    return node;
  }

  sym(name: string, role: SymbolRole, index: number): SymNode {
    const key = `s${role}:${index}:${name}`;
    const found = this.table.get(key);
    if (found !== undefined) return found as SymNode;
    const node: SymNode = { kind: 'sym', id: this.nextId++, name, role, index };
    this.table.set(key, node);
    return node;
  }

  add(...operands: Expr[]): Expr {
    return this.addAll(operands);
  }

  /**
   * add() over an array. Hardening: spreading an array into a call (`b.add(...terms)`, `push(...terms)`) throws
   * a RangeError beyond ~100,000 elements, and a right-hand side of 1,000,000 characters (the default limit)
   * has 300,000 terms; callers with long lists use addAll and mulAll.
   */
  addAll(operands: readonly Expr[]): Expr {
    // The terms go to a scratch list (internComposite copies them into a node that is new).
    const terms = this.sumScratch;
    let count = 0;
    let allConstant = true;
    for (let i = 0; i < operands.length; i++) {
      const t = operands[i]!;
      // The constants 0 and -0 (t.value === 0 holds for both, and for nothing else).
      if (t.kind === 'const' && t.value === 0) continue;
      // Only a leading sum is flattened: (a + b) + c evaluates exactly like a + b + c.
      if (i === 0 && t.kind === 'add') {
        const inner = t.terms;
        for (let k = 0; k < inner.length; k++) {
          if (inner[k]!.kind !== 'const') allConstant = false;
          terms[count++] = inner[k]!;
        }
      } else {
        if (t.kind !== 'const') allConstant = false;
        terms[count++] = t;
      }
    }
    if (count === 0) return this.zero;
    if (count === 1) return terms[0]!;
    if (allConstant) {
      let s = 0;
      for (let i = 0; i < count; i++) s += (terms[i] as ConstNode).value;
      return this.num(s);
    }
    return this.internComposite('add', undefined, terms, count);
  }

  /**
   * ((first op₁ x₁) op₂ x₂) … : exactly the node that calling add/sub/times/div/pow once per step returns, built
   * in time linear in the length of the chain.
   *
   * Regression (hardening): step by step, every partial sum or product is interned with all its terms copied
   * (a leading sum or product is flattened into the next one), which is quadratic in time and memory. The
   * parser folded long chains that way: a sum of 10,000 terms took 2.5 s, and one of 20,000 terms (about
   * 100 kB of text) exhausted a 4 GB heap and killed the process. Here a step that would only append its
   * operand to the terms of the previous node appends it to a pending list; a node is interned when another
   * rule applies, and at the end. Only the partial nodes nobody refers to are never built (node ids differ,
   * nothing else); test/hardening checks the result against the step-by-step fold.
   */
  chain(first: Expr, steps: readonly ChainStep[]): Expr {
    let acc = first;
    // The operands of the node that `acc` stands for, not interned yet (a sum's when pendingSum, else a
    // product's); undefined when `acc` is the node itself. Locals, not a closure: the parser chains every sum
    // and product of a model.
    let pending: Expr[] | undefined;
    let pendingSum = false;
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s]!;
      const op = step[0];
      const x = op === '*' ? this.writtenFactor(step[1]) : step[1];
      if (op === '+' || op === '-') {
        const term = op === '+' ? x : this.neg(x);
        if (pending !== undefined && pendingSum) {
          // add(node, term) with node an interned sum: its terms, then term unless it is a zero (0 or -0).
          if (!(term.kind === 'const' && term.value === 0)) pending.push(term);
          continue;
        }
        if (pending !== undefined) {
          acc = this.mulNode(pending); // (a pending sum took the branch above)
          pending = undefined;
        }
        acc = this.add(acc, term);
        if (acc.kind === 'add') {
          pending = [...acc.terms];
          pendingSum = true;
        }
      } else if (op === '*' || op === '/') {
        const kept = this.writtenZeroProduct(pending === undefined ? acc : undefined, op, x);
        if (kept !== undefined) {
          if (pending !== undefined) {
            acc = pendingSum ? this.addNode(pending) : this.mulNode(pending);
            pending = undefined;
          }
          const factors = [...(acc.kind === 'mul' ? acc.factors : [acc]), kept];
          acc = this.mulNode(factors);
          // A copy: the interned node keeps its own array, which appending to the pending list must not change.
          pending = [...factors];
          pendingSum = false;
          continue;
        }
        if (pending !== undefined && !pendingSum) {
          const factor = this.appendedFactor(op, x);
          if (factor === 'none') continue;
          if (factor !== undefined) {
            pending.push(factor);
            continue;
          }
        }
        if (pending !== undefined) {
          acc = pendingSum ? this.addNode(pending) : this.mulNode(pending);
          pending = undefined;
        }
        acc = op === '*' ? this.mul(acc, x) : this.div(acc, x); // x: written factor (see times)
        if (acc.kind === 'mul') {
          pending = [...acc.factors];
          pendingSum = false;
        }
      } else {
        if (pending !== undefined) {
          acc = pendingSum ? this.addNode(pending) : this.mulNode(pending);
          pending = undefined;
        }
        acc = this.pow(acc, x);
      }
    }
    if (pending !== undefined) acc = pendingSum ? this.addNode(pending) : this.mulNode(pending);
    return acc;
  }

  /**
   * a * x as written in a model: mul, except that a reciprocal x = u^-1 (written 1/u or u^-1) stays a factor
   * of its own. Joined to a's factors as u^-1 it would be how a division a / u is stored and printed, and
   * a / u rounds differently from a * (1/u) (3/0.9 against 3*(1/0.9)); as a product of one factor it prints
   * `a * (1 / u)`. (The differentiator's own products use mul: there a / u is as good as a * (1/u).)
   *
   * Regression (test/expr/parse.test.ts, random expressions against JavaScript): 3*(sign(2)/x) was printed
   * 3 / x, one ulp off at x = 0.9.
   */
  times(a: Expr, x: Expr): Expr {
    const factor = this.writtenFactor(x);
    const kept = this.writtenZeroProduct(a, '*', factor);
    if (kept !== undefined) return this.mulNode([...(a.kind === 'mul' ? a.factors : [a]), kept]);
    return this.mul(a, factor);
  }

  /** a / x as written in a model: div, except that a literal zero dividend is kept (see writtenZeroProduct). */
  quotient(a: Expr, x: Expr): Expr {
    const kept = this.writtenZeroProduct(a, '/', x);
    return kept !== undefined ? this.mulNode([a, kept]) : this.div(a, x);
  }

  /**
   * A product or quotient that a model writes with a literal zero — 0*x, x*0, 0/x — is computed as written,
   * not folded to the structural zero: 0*x is −0 for a negative x (atan2(t, 0*x) takes the other branch, 1/(0*x)
   * is −∞) and NaN for an infinite one. Returns the factor to append to `left` (undefined: mul/div apply as
   * usual). `left` is undefined when the left operand is a product still being built, which is never constant.
   */
  private writtenZeroProduct(left: Expr | undefined, op: '*' | '/', x: Expr): Expr | undefined {
    const leftZero = left !== undefined && isConst(left, 0);
    const leftConstant = left !== undefined && left.kind === 'const';
    if (op === '*' && ((leftZero && x.kind !== 'const') || (isConst(x, 0) && !leftConstant))) return x;
    if (op === '/' && leftZero && x.kind !== 'const') return this.pow(x, this.minusOne);
    return undefined;
  }

  private writtenFactor(x: Expr): Expr {
    return x.kind === 'pow' && isConst(x.exponent, -1) ? this.mulNode([x]) : x;
  }

  /**
   * For `node * x` or `node / x` with node an interned product: the factor that mul or div would append to
   * node's factors, 'none' when they return node itself (× 1, ÷ 1), undefined when another rule applies
   * (× 0 annihilates, ÷ -1 negates). An interned product has at least two factors, not all constant, none 0
   * or 1, and no (-1, constant, …) lead (mul folds those), and appending keeps all of that.
   */
  private appendedFactor(op: '*' | '/', x: Expr): Expr | 'none' | undefined {
    if (op === '*') {
      if (isConst(x, 0)) return undefined;
      return isConst(x, 1) ? 'none' : x;
    }
    if (x.kind === 'const') {
      if (isConst(x, 1)) return 'none';
      return isConst(x, -1) ? undefined : this.constReciprocal(x);
    }
    return this.pow(x, this.minusOne);
  }

  private addNode(terms: readonly Expr[]): Expr {
    return this.internComposite('add', undefined, terms, terms.length);
  }

  private mulNode(factors: readonly Expr[]): Expr {
    return this.internComposite('mul', undefined, factors, factors.length);
  }

  /** c^-1 as a node (see div). */
  private constReciprocal(c: ConstNode): Expr {
    return this.powNode(c, this.minusOne);
  }

  sub(a: Expr, b: Expr): Expr {
    return this.add(a, this.neg(b));
  }

  neg(a: Expr): Expr {
    if (a.kind === 'const') return this.num(-a.value);
    // -(-x) → x and -(-1 * x) → x are exact.
    if (a.kind === 'mul' && isConst(a.factors[0]!, -1)) return this.mulAll(a.factors.slice(1));
    return this.mul(this.minusOne, a);
  }

  mul(...operands: Expr[]): Expr {
    return this.mulAll(operands);
  }

  /** mul() over an array (see addAll). */
  mulAll(operands: readonly Expr[]): Expr {
    // Only constants: fold exactly as the runtime would, before the structural-zero rule below, which would
    // turn 0 * Infinity (NaN at run time) into 0.
    if (operands.length > 1 && allConstants(operands)) {
      let p = (operands[0] as ConstNode).value;
      for (let i = 1; i < operands.length; i++) p *= (operands[i] as ConstNode).value;
      return this.num(p);
    }
    // The factors go to a scratch list (internComposite copies them into a node that is new).
    const factors = this.productScratch;
    let count = 0;
    let allConstant = true;
    for (let i = 0; i < operands.length; i++) {
      const f = operands[i]!;
      if (f.kind === 'const') {
        // A structural zero (+0, not -0) annihilates the product: this is what keeps Jacobians sparse.
        if (Object.is(f.value, 0)) return this.zero;
        if (f.value === 1) continue;
      }
      if (i === 0 && f.kind === 'mul') {
        const inner = f.factors;
        for (let k = 0; k < inner.length; k++) {
          if (inner[k]!.kind !== 'const') allConstant = false;
          factors[count++] = inner[k]!;
        }
      } else {
        if (f.kind !== 'const') allConstant = false;
        factors[count++] = f;
      }
    }
    if (count === 0) return this.one;
    if (count === 1) {
      // 1 * (1/u) is 1/u exactly: a written reciprocal's own product (see times) is needed no longer
      const only = factors[0]!;
      return only.kind === 'mul' && only.factors.length === 1 ? only.factors[0]! : only;
    }
    if (allConstant) {
      let p = 1;
      for (let i = 0; i < count; i++) p *= (factors[i] as ConstNode).value;
      return this.num(p);
    }
    // (-1) * (-1 * x) and (-1) * c: fold the signs, which is exact. (`rest` is a copy: the calls below reuse
    // the scratch list.)
    if (isConst(factors[0]!, -1)) {
      const rest = factors.slice(1, count);
      if (rest[0]!.kind === 'const') return this.mulAll([this.num(-rest[0]!.value), ...rest.slice(1)]);
      if (rest.length === 1 && rest[0]!.kind === 'mul' && isConst(rest[0]!.factors[0]!, -1)) {
        return this.mulAll(rest[0]!.factors.slice(1));
      }
    }
    return this.internComposite('mul', undefined, factors, count);
  }

  div(a: Expr, b: Expr): Expr {
    if (a.kind === 'const' && b.kind === 'const') return this.num(a.value / b.value);
    if (b.kind === 'const') {
      // x/1 = x and x/-1 = -x exactly. For any other constant c, keep c^-1 as a node instead of letting pow
      // fold it to the double 1/c: x*(1/c) rounds differently from x/c (0.9/10 = 0.09 but 0.9*0.1 =
      // 0.09000000000000001), and the printers turn a c^-1 factor back into `/ c` only if it is still there.
      if (isConst(b, 1)) return a;
      if (isConst(b, -1)) return this.neg(a);
      return this.mul(a, this.constReciprocal(b));
    }
    return this.mul(a, this.pow(b, this.minusOne));
  }

  pow(base: Expr, exponent: Expr): Expr {
    if (isConst(exponent, 1)) return base;
    if (isConst(exponent, 0)) return this.one;
    if (base.kind === 'const' && exponent.kind === 'const') return this.num(base.value ** exponent.value);
    return this.powNode(base, exponent);
  }

  call(fn: FunctionName, args: readonly Expr[]): Expr {
    if (args.length !== FUNCTION_ARITY[fn]) {
      throw new Error(`internal: ${fn} expects ${FUNCTION_ARITY[fn]} arguments, got ${args.length}`);
    }
    if (args.every((a) => a.kind === 'const')) {
      return this.num(
        applyFunction(
          fn,
          args.map((a) => (a as ConstNode).value),
        ),
      );
    }
    return this.internComposite('call', fn, args, args.length);
  }
}

/** Evaluates an expression numerically; used by tests and by constant checks, never by generated code. */
export function evaluate(e: Expr, env: (s: SymNode) => number, memo = new Map<number, number>()): number {
  const cached = memo.get(e.id);
  if (cached !== undefined) return cached;
  let v: number;
  switch (e.kind) {
    case 'const':
      v = e.value;
      break;
    case 'sym':
      v = env(e);
      break;
    case 'add':
      v = e.terms.reduce((s, t) => s + evaluate(t, env, memo), 0);
      break;
    case 'mul':
      v = e.factors.reduce((p, f) => p * evaluate(f, env, memo), 1);
      break;
    case 'pow':
      v = evaluate(e.base, env, memo) ** evaluate(e.exponent, env, memo);
      break;
    case 'call':
      v = applyFunction(
        e.fn,
        e.args.map((a) => evaluate(a, env, memo)),
      );
      break;
  }
  memo.set(e.id, v);
  return v;
}

/** A readable infix rendering for messages and debugging (not for code generation). */
export function toInfix(e: Expr): string {
  switch (e.kind) {
    case 'const':
      return String(e.value);
    case 'sym':
      return e.name;
    case 'add':
      return `(${e.terms.map(toInfix).join(' + ')})`;
    case 'mul':
      return `(${e.factors.map(toInfix).join('*')})`;
    case 'pow':
      return `${toInfix(e.base)}^${toInfix(e.exponent)}`;
    case 'call':
      return `${e.fn}(${e.args.map(toInfix).join(', ')})`;
  }
}
