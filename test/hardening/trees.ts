/**
 * Random expression trees over every function and operator of the model language, written out as model text
 * (random spellings: `^`, `**` and pow(); `.5`, `5e-1`, `0x2`, `1_0`; unary signs; redundant brackets; spaces
 * and tabs), and evaluated directly in JavaScript so the parse can be checked too.
 *
 * Domains: each function only sees arguments where it is defined and smooth — log and sqrt of 1 + u², asin of
 * 0.9·sin u, tan of sin u, real powers of 1 + u², a variable power of 1.5 + sin u, division by 1.5 + sin v.
 * abs, sign, min, max and atan2 take raw arguments: the point may be near a kink or a branch cut (never
 * exactly on one, with probability 1), and the tests that use these trees keep their difference steps on one
 * side of it.
 */
import fc from 'fast-check';

export type Var = 'x' | 'y' | 't' | 'k';
export const VARS: readonly Var[] = ['x', 'y', 't', 'k'];

export type Tree =
  | { k: 'var'; v: Var }
  | { k: 'num'; v: number; spelling: number }
  | { k: 'call'; fn: 'sin' | 'cos' | 'atan' | 'tanh'; a: Tree }
  | { k: 'bounded'; fn: 'exp' | 'sinh' | 'cosh' | 'tan'; via: 'sin' | 'tanh'; a: Tree }
  | { k: 'log'; form: 0 | 1 | 2; a: Tree }
  | { k: 'sqrt'; form: 0 | 1; a: Tree }
  | { k: 'arc'; fn: 'asin' | 'acos'; via: 'sin' | 'tanh'; a: Tree }
  | { k: 'ipow'; n: number; spelling: number; a: Tree }
  | { k: 'rpow'; c: number; spelling: number; a: Tree }
  | { k: 'vpow'; spelling: number; a: Tree; b: Tree }
  | { k: 'bin'; op: '+' | '-' | '*'; a: Tree; b: Tree }
  | { k: 'div'; form: 0 | 1; a: Tree; b: Tree }
  | { k: 'sign1'; op: '-' | '+'; a: Tree }
  | { k: 'paren'; a: Tree }
  | { k: 'abs'; a: Tree }
  | { k: 'sign'; a: Tree; b: Tree }
  | { k: 'minmax'; fn: 'min' | 'max'; args: Tree[] }
  | { k: 'atan2'; a: Tree; b: Tree };

/** The kinds whose functions are analytic: complex-step differentiation applies to trees made only of them. */
const ANALYTIC_KINDS = new Set(['var', 'num', 'call', 'bounded', 'log', 'sqrt', 'arc', 'ipow', 'rpow', 'vpow']);
ANALYTIC_KINDS.add('bin').add('div').add('sign1').add('paren');

const LITERALS = [0.25, 0.5, 1.5, 2, 3, 0.1, 7];

function treeArbitrary(analyticOnly: boolean, maxDepth: number): fc.Arbitrary<Tree> {
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => {
    const sub = tie('tree');
    const kinds: fc.Arbitrary<Tree>[] = [
      fc.record({ k: fc.constant('var' as const), v: fc.constantFrom<Var>(...VARS) }),
      fc.record({ k: fc.constant('num' as const), v: fc.constantFrom(...LITERALS), spelling: fc.nat(5) }),
      fc.record({ k: fc.constant('call' as const), fn: fc.constantFrom('sin', 'cos', 'atan', 'tanh'), a: sub }),
      fc.record({
        k: fc.constant('bounded' as const),
        fn: fc.constantFrom('exp', 'sinh', 'cosh', 'tan'),
        via: fc.constantFrom('sin', 'tanh'),
        a: sub,
      }),
      fc.record({ k: fc.constant('log' as const), form: fc.constantFrom(0, 1, 2), a: sub }),
      fc.record({ k: fc.constant('sqrt' as const), form: fc.constantFrom(0, 1), a: sub }),
      fc.record({
        k: fc.constant('arc' as const),
        fn: fc.constantFrom('asin', 'acos'),
        via: fc.constantFrom('sin', 'tanh'),
        a: sub,
      }),
      fc.record({
        k: fc.constant('ipow' as const),
        n: fc.constantFrom(2, 3, 4, 5, -1, -2),
        spelling: fc.nat(3),
        a: sub,
      }),
      fc.record({
        k: fc.constant('rpow' as const),
        c: fc.constantFrom(0.5, -0.5, 1.5, 0.3, -2.5),
        spelling: fc.nat(3),
        a: sub,
      }),
      fc.record({ k: fc.constant('vpow' as const), spelling: fc.nat(3), a: sub, b: sub }),
      fc.record({ k: fc.constant('bin' as const), op: fc.constantFrom('+', '-', '*'), a: sub, b: sub }),
      fc.record({ k: fc.constant('bin' as const), op: fc.constantFrom('+', '-', '*'), a: sub, b: sub }),
      fc.record({ k: fc.constant('div' as const), form: fc.constantFrom(0, 1), a: sub, b: sub }),
      fc.record({ k: fc.constant('sign1' as const), op: fc.constantFrom('-', '-', '+'), a: sub }),
      fc.record({ k: fc.constant('paren' as const), a: sub }),
    ];
    if (!analyticOnly) {
      kinds.push(
        fc.record({ k: fc.constant('abs' as const), a: sub }),
        fc.record({ k: fc.constant('sign' as const), a: sub, b: sub }),
        fc.record({
          k: fc.constant('minmax' as const),
          fn: fc.constantFrom('min', 'max'),
          args: fc.array(sub, { minLength: 2, maxLength: 3 }),
        }),
        fc.record({ k: fc.constant('atan2' as const), a: sub, b: sub }),
      );
    }
    return { tree: fc.oneof({ depthSize: 'medium', maxDepth, withCrossShrink: true }, ...kinds) };
  });
  return tree;
}

/** Trees of analytic functions only (complex step applies), and trees of everything. */
export const analyticTree = treeArbitrary(true, 5);
export const anyTree = treeArbitrary(false, 5);

export function isAnalyticTree(t: Tree): boolean {
  if (!ANALYTIC_KINDS.has(t.k)) return false;
  return children(t).every(isAnalyticTree);
}

function children(t: Tree): Tree[] {
  switch (t.k) {
    case 'var':
    case 'num':
      return [];
    case 'vpow':
    case 'bin':
    case 'div':
    case 'sign':
    case 'atan2':
      return [t.a, t.b];
    case 'minmax':
      return t.args;
    default:
      return [t.a];
  }
}

// ---- Evaluation, as the tree means it (JavaScript doubles) ----

export type Point = Readonly<Record<Var, number>>;

export function evalTree(t: Tree, p: Point): number {
  const ev = (u: Tree) => evalTree(u, p);
  switch (t.k) {
    case 'var':
      return p[t.v];
    case 'num':
      return t.v;
    case 'call':
      return Math[t.fn](ev(t.a));
    case 'bounded':
      return Math[t.fn](Math[t.via](ev(t.a)));
    case 'log': {
      const u = ev(t.a);
      return Math.log(t.form === 0 ? 1 + u * u : t.form === 1 ? Math.exp(Math.tanh(u)) + 1 : 2 + Math.sin(u));
    }
    case 'sqrt': {
      const u = ev(t.a);
      return Math.sqrt(t.form === 0 ? 1 + u * u : 3 + Math.cos(u));
    }
    case 'arc':
      return Math[t.fn](0.9 * Math[t.via](ev(t.a)));
    case 'ipow': {
      const u = ev(t.a);
      return t.n > 0 ? u ** t.n : (1 + u * u) ** t.n;
    }
    case 'rpow': {
      const u = ev(t.a);
      return (1 + u * u) ** t.c;
    }
    case 'vpow':
      return (1.5 + Math.sin(ev(t.a))) ** ev(t.b);
    case 'bin': {
      const [u, v] = [ev(t.a), ev(t.b)];
      return t.op === '+' ? u + v : t.op === '-' ? u - v : u * v;
    }
    case 'div': {
      const v = ev(t.b);
      return ev(t.a) / (t.form === 0 ? 1.5 + Math.sin(v) : 1 + v * v);
    }
    case 'sign1':
      return t.op === '-' ? -ev(t.a) : ev(t.a);
    case 'paren':
      return ev(t.a);
    case 'abs':
      return Math.abs(ev(t.a));
    case 'sign':
      return Math.sign(ev(t.a)) * ev(t.b);
    case 'minmax':
      return Math[t.fn](...t.args.map(ev));
    case 'atan2':
      return Math.atan2(ev(t.a), ev(t.b));
  }
}

// ---- Model-language text ----

// Binding strengths: a parent brackets a child that binds more loosely than it requires.
const SUM = 1;
const PRODUCT = 2;
const SIGNED = 3;
const POWER = 4;
const ATOM = 5;

interface Text {
  readonly s: string;
  readonly prec: number;
}

/** A small deterministic stream of choices (from the tree's own fields), so the text is a function of the tree. */
function spelled(v: number, spelling: number): string {
  const variants: Record<number, string[]> = {
    0.25: ['0.25', '.25', '25e-2', '2.5E-1', '0.2_5', '0.250'],
    0.5: ['0.5', '.5', '5e-1', '0.50', '5E-1', '1/2'],
    1.5: ['1.5', '1.50', '15e-1', '1_5e-1', '3/2', '0x3/2'],
    2: ['2', '2.', '0x2', '0b10', '2e0', '0o2'],
    3: ['3', '3.0', '0b11', '3E+0', '0O3', '30e-1'],
    0.1: ['0.1', '.1', '1e-1', '1E-1', '0.1_0', '10e-2'],
    7: ['7', '7.', '0x7', '0o7', '0b111', '7_0e-1'],
  };
  const list = variants[v] ?? [String(v)];
  return list[spelling % list.length]!;
}

export function render(t: Tree, style: { space: number } = { space: 0 }): string {
  const sp = (() => {
    const spaces = [' ', '', ' ', '\t', '  '];
    let i = style.space;
    return () => spaces[i++ % spaces.length]!;
  })();
  const wrap = (x: Text, min: number): string => (x.prec >= min ? x.s : `(${x.s})`);
  const call = (fn: string, ...args: string[]): Text => ({ s: `${fn}(${args.join(`,${sp()}`)})`, prec: ATOM });
  const power = (base: Text, exponent: string, spelling: number): Text => {
    switch (spelling % 3) {
      case 0:
        return { s: `${wrap(base, ATOM)}${sp()}^${sp()}${exponent}`, prec: POWER };
      case 1:
        return { s: `${wrap(base, ATOM)}**${exponent}`, prec: POWER };
      default:
        return call('pow', base.s, exponent);
    }
  };
  const onePlusSquare = (u: Text): Text => ({ s: `1${sp()}+${sp()}${wrap(u, SIGNED)}*${wrap(u, SIGNED)}`, prec: SUM });
  // An exponent is an operand: a signed or powered value is fine without brackets (x^-2, x^y^z).
  const exponentText = (v: number): string => (v < 0 ? `-${spelled(-v, 0)}` : spelled(v, 0));

  const r = (u: Tree): Text => {
    switch (u.k) {
      case 'var':
        return { s: u.v, prec: ATOM };
      case 'num': {
        const s = spelled(u.v, u.spelling);
        return { s, prec: s.includes('/') ? PRODUCT : ATOM };
      }
      case 'call':
        return call(u.fn, r(u.a).s);
      case 'bounded':
        return call(u.fn, call(u.via, r(u.a).s).s);
      case 'log': {
        const a = r(u.a);
        if (u.form === 0) return call('log', onePlusSquare(a).s);
        if (u.form === 1) return call('log', `${call('exp', call('tanh', a.s).s).s}${sp()}+${sp()}1`);
        return call('log', `2 + ${call('sin', a.s).s}`);
      }
      case 'sqrt': {
        const a = r(u.a);
        return call('sqrt', u.form === 0 ? onePlusSquare(a).s : `3${sp()}+${sp()}${call('cos', a.s).s}`);
      }
      case 'arc':
        return call(u.fn, `0.9${sp()}*${sp()}${call(u.via, r(u.a).s).s}`);
      case 'ipow': {
        const a = r(u.a);
        const base = u.n > 0 ? a : { s: onePlusSquare(a).s, prec: SUM };
        return power(base, exponentText(u.n), u.spelling);
      }
      case 'rpow':
        return power({ s: onePlusSquare(r(u.a)).s, prec: SUM }, exponentText(u.c), u.spelling);
      case 'vpow': {
        const base: Text = { s: `1.5${sp()}+${sp()}${call('sin', r(u.a).s).s}`, prec: SUM };
        const b = r(u.b);
        // The exponent of ^ is an operand (signed and powered values need no brackets); of pow(), an argument.
        return power(base, u.spelling % 3 === 2 ? b.s : wrap(b, SIGNED), u.spelling);
      }
      case 'bin': {
        const [a, b] = [r(u.a), r(u.b)];
        if (u.op === '*') return { s: `${wrap(a, PRODUCT)}${sp()}*${sp()}${wrap(b, SIGNED)}`, prec: PRODUCT };
        return { s: `${wrap(a, SUM)}${sp()}${u.op}${sp()}${wrap(b, PRODUCT)}`, prec: SUM };
      }
      case 'div': {
        const [a, b] = [r(u.a), r(u.b)];
        const den = u.form === 0 ? `(1.5${sp()}+${sp()}${call('sin', b.s).s})` : `(${onePlusSquare(b).s})`;
        return { s: `${wrap(a, PRODUCT)}${sp()}/${sp()}${den}`, prec: PRODUCT };
      }
      case 'sign1':
        return { s: `${u.op}${wrap(r(u.a), SIGNED)}`, prec: SIGNED };
      case 'paren':
        return { s: `(${sp()}${r(u.a).s}${sp()})`, prec: ATOM };
      case 'abs':
        return call('abs', r(u.a).s);
      case 'sign':
        return { s: `${call('sign', r(u.a).s).s}${sp()}*${sp()}${wrap(r(u.b), SIGNED)}`, prec: PRODUCT };
      case 'minmax':
        return call(u.fn, ...u.args.map((a) => r(a).s));
      case 'atan2':
        return call('atan2', r(u.a).s, r(u.b).s);
    }
  };
  return r(t).s;
}

/** Number of nodes. */
export function size(t: Tree): number {
  return 1 + children(t).reduce((s, c) => s + size(c), 0);
}
