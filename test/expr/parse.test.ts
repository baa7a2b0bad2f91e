/**
 * The model-language parser, checked against JavaScript: the same text (with ^ spelled ** where JavaScript
 * allows it, or an explicitly bracketed JavaScript spelling where it does not) must give the same double.
 * The IR keeps the written operations and their order, so `exactEval` (which divides for u^-1 factors, as
 * the printer does) must match JavaScript bit for bit; the library's `evaluate` is checked loosely too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Expr, ExprBuilder, evaluate, isConst } from '../../src/expr/ir.ts';
import { ExpressionError, parseExpression, parseExpressionInFull } from '../../src/expr/parse.ts';
import { ENVS, type Env, envOf, exactEval, jsEval, jsLiteral, makeCtx, VAR_NAMES, type VarName } from './support.ts';

const ctx = makeCtx();

/** Parses text, evaluates it in every env and compares with JavaScript's value of js. */
function expectSameAsJs(text: string, js: string): void {
  const e = ctx.parse(text);
  for (const env of ENVS) {
    const want = jsEval(js, env);
    const got = exactEval(e, envOf(env));
    if (!Object.is(got, want)) {
      throw new Error(
        `${JSON.stringify(text)} vs JS ${JSON.stringify(js)} at ${JSON.stringify(env)}: got ${got}, want ${want}`,
      );
    }
    // The library evaluator multiplies by u^-1 instead of dividing: equal up to rounding.
    const loose = evaluate(e, envOf(env));
    if (!Number.isFinite(want)) expect(loose).toBe(want);
    else expect(Math.abs(loose - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
  }
}

describe('precedence and associativity, numerically against JavaScript', () => {
  // [model text, JavaScript text]; an empty JS text means "the model text with ^ replaced by **".
  const cases: [string, string?][] = [
    ['2^3^2'],
    ['2**3**2'],
    ['a^b^c'],
    ['x^y^z^u'],
    ['(a^b)^c'],
    ['a^(b^c)'],
    ['a-b-c'],
    ['a-b-c-x-y'],
    ['a/b/c'],
    ['x/y/z/a'],
    ['a-b+c'],
    ['a+b-c'],
    ['a*b/c'],
    ['a/b*c'],
    ['a-(b-c)'],
    ['a/(b/c)'],
    ['a+(b+c)'],
    ['a*(b*c)'],
    ['(a+b)+c'],
    ['a+b*c'],
    ['a*b+c'],
    ['(a+b)*c'],
    ['a*b^c'],
    ['a^b*c'],
    ['a/b^c'],
    ['a^b/c'],
    ['a-b^c'],
    ['a^b-c'],
    ['-x^2', '-(x**2)'],
    ['-x**2', '-(x**2)'],
    ['-2^2', '-(2**2)'],
    ['(-2)^2'],
    ['(-x)^2'],
    ['(-x)^3'],
    ['x/-y^2', 'x/-(y**2)'],
    ['x/-y', 'x/-y'],
    ['x*-y'],
    ['x*-y^2', 'x*-(y**2)'],
    ['2^-x^2', '2**-(x**2)'],
    ['2^-x'],
    ['x^-y'],
    ['x^+y', 'x**+y'],
    ['x^-y^z', 'x**-(y**z)'],
    ['a^-b*c'],
    ['a^-b/c'],
    ['a*-b^c', 'a*-(b**c)'],
    ['--x', '-(-x)'],
    ['- - -x', '-(-(-x))'],
    ['+x'],
    ['-+x', '-(+x)'],
    ['+-x', '+(-x)'],
    ['x - -y', 'x - (-y)'],
    ['x--y', 'x - (-y)'],
    ['x+-y'],
    ['x-+y', 'x - (+y)'],
    ['-x*y'],
    ['-x/y'],
    ['-x-y'],
    ['-x+y'],
    ['-(a+b)*c'],
    ['-x^-y', '-(x**-y)'],
    ['sin(x)^2', 'sin(x)**2'],
    ['-sin(x)^2', '-(sin(x)**2)'],
    ['sin(cos(tan(x)))'],
    ['exp(log(sqrt(abs(x-y))))'],
    ['atan2(sin(x), cos(y)) * 2'],
    ['pow(a,b)', 'Math.pow(a,b)'],
    ['pow(a, b)^c', 'Math.pow(a,b)**c'],
    ['a^pow(b,c)', 'a**Math.pow(b,c)'],
    ['pow(-x, 2)', 'Math.pow(-x, 2)'],
    ['pow(x, -y^2)', 'Math.pow(x, -(y**2))'],
    ['pow(a+b, c-x)', 'Math.pow(a+b, c-x)'],
    ['pow(pow(a, b), c)', 'Math.pow(Math.pow(a,b),c)'],
    ['-pow(a, 2)', '-Math.pow(a, 2)'],
    ['min(a,b,c)'],
    ['max(a,b,c)'],
    ['min(a,b)'],
    ['max(x, y, z, a, b)'],
    ['min(x, y, z, a, b, c, u)'],
    ['min(max(a,b), c)'],
    ['max(min(a, b, c), atan2(x, y), pow(z, 2))', 'max(min(a,b,c), atan2(x,y), Math.pow(z,2))'],
    ['atan2(y,x)'],
    ['atan2(-y,-x)'],
    ['atan2(y, x - 3)'],
    ['atan2(x, y)^2', 'atan2(x, y)**2'],
    ['pi'],
    ['2*pi*x'],
    ['pi^2'],
    ['-pi', '-Math.PI'],
    ['sinh(x)+cosh(y)-tanh(z)'],
    ['asin(z)+acos(z)'],
    ['atan(x)'],
    ['sign(x-y)*abs(x-y)'],
    ['sqrt(x*x + y*y)'],
    ['((((x))))'],
    ['  x  *  y '],
    ['\tx\t+\ty'],
    ['sin (x)'],
    ['sin(  x  )'],
    ['min( a , b , c )'],
    ['x/10'],
    ['x/3*3'],
    ['(x + 1)/10 - y/7'],
    ['1/x'],
    ['1/x/y'],
    ['2/x'],
    ['x/1'],
    ['x/-1'],
    ['x/0.1'],
    ['x*0.1'],
    ['x*10^-1', 'x*10**-1'],
    ['x/(2*5)'],
    ['1e-20*x'],
    ['6.62607015e-34*x*w'],
    ['x - 1e-20'],
    ['c*(a-b)/(a+b)^2', 'c*(a-b)/(a+b)**2'],
    ['x*(1-x/w)-x*y/(1+x)'],
    ['-t/w + exp(-t/u)'],
    // a written reciprocal stays one factor: 3*(1/x) is not 3/x (one ulp apart at x = 0.9)
    ['3*(1/x)'],
    ['3*(sign(2)/x)'],
    ['x*y^-1', 'x*y**-1'],
    ['a*(1/b)*c'],
    ['(1/x)*3'],
    ['-(1/x)*a'],
  ];
  it.each(cases)('%s', (text, js) => {
    expectSameAsJs(text, js ?? text.replaceAll('^', '**'));
  });

  it('keeps the order of floating-point additions (no reassociation)', () => {
    const env: Env = { ...ENVS[0]!, a: 1, b: 1e16, c: -1e16 };
    for (const [text, want] of [
      ['a+b+c', 0],
      ['(a+b)+c', 0],
      ['a+(b+c)', 1],
      ['b+c+a', 1],
      ['a-c-b', 0],
      ['a-(c+b)', 1],
    ] as const) {
      expect(exactEval(ctx.parse(text), envOf(env)), text).toBe(want);
      expect(evaluate(ctx.parse(text), envOf(env)), text).toBe(want);
    }
  });

  it('keeps the order of floating-point multiplications (overflow tells)', () => {
    const env: Env = { ...ENVS[0]!, a: 1e200, b: 1e200, c: 1e-200 };
    expect(evaluate(ctx.parse('a*b*c'), envOf(env))).toBe(Number.POSITIVE_INFINITY);
    expect(evaluate(ctx.parse('a*(b*c)'), envOf(env))).toBe(1e200);
    expect(exactEval(ctx.parse('a/c/c'), envOf(env))).toBe(Number.POSITIVE_INFINITY);
    expect(exactEval(ctx.parse('a/(c*c)'), envOf(env))).toBe(Number.POSITIVE_INFINITY);
    expect(exactEval(ctx.parse('c*a/b'), envOf(env))).toBe((1e-200 * 1e200) / 1e200);
  });

  it('min and max with more than two arguments nest from the left', () => {
    const e = ctx.parse('min(a, b, c)');
    const { a, b, c } = Object.fromEntries([...ctx.syms].map(([n, s]) => [n, s]));
    expect(e).toBe(ctx.b.call('min', [ctx.b.call('min', [a!, b!]), c!]));
    expect(ctx.parse('max(a,b,c,x)')).toBe(
      ctx.b.call('max', [ctx.b.call('max', [ctx.b.call('max', [a!, b!]), c!]), ctx.syms.get('x')!]),
    );
  });

  it('pow(a, b) is the same node as a^b', () => {
    expect(ctx.parse('pow(a, b)')).toBe(ctx.parse('a^b'));
    expect(ctx.parse('pow(a+1, -b)')).toBe(ctx.parse('(a+1)^-b'));
  });

  it('x/-y^2 means x/(-(y^2)), not x/(-y)^2 (nerdamer reads the latter)', () => {
    const env = { ...ENVS[0]!, x: 1, y: 2 };
    expect(exactEval(ctx.parse('x/-y^2'), envOf(env))).toBe(-0.25);
    expect(exactEval(ctx.parse('x*-y^2'), envOf(env))).toBe(-4);
    expect(exactEval(ctx.parse('2^-y^2'), envOf(env))).toBe(2 ** -4);
  });

  it('division by a constant stays a division (x/10 is not x*0.1)', () => {
    // 0.9/10 = 0.09 but 0.9*0.1 = 0.09000000000000001: folding 1/10 would change the rounding.
    const env = { ...ENVS[0]!, x: 0.9 };
    expect(exactEval(ctx.parse('x/10'), envOf(env))).toBe(0.9 / 10);
    expect(exactEval(ctx.parse('x/3*3'), envOf(env))).toBe((0.9 / 3) * 3);
    const e = ctx.parse('x/10');
    expect(e.kind).toBe('mul');
    const found: number[] = [];
    const walk = (n: Expr): void => {
      if (n.kind === 'const') found.push(n.value);
      if (n.kind === 'mul') n.factors.forEach(walk);
      if (n.kind === 'pow') [n.base, n.exponent].forEach(walk);
    };
    walk(e);
    expect(found).not.toContain(0.1);
  });
});

// A random expression over the grammar, printed with as few brackets as the model language needs (and
// random spacing, ^ or **, redundant brackets), and fully bracketed for JavaScript.
type Tree =
  | { k: 'num'; text: string }
  | { k: 'var'; name: VarName }
  | { k: 'sign'; op: '-' | '+'; x: Tree }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; l: Tree; r: Tree }
  | { k: 'pow'; star: boolean; l: Tree; r: Tree }
  | { k: 'call'; fn: string; args: Tree[] }
  | { k: 'paren'; x: Tree };

const LITERALS = [
  '2',
  '3',
  '0.5',
  '.5',
  '3.',
  '1e-3',
  '1E+2',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
  '6.62607015e-34',
  '2.5e1',
];
const ONE_ARG = [
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sign',
];

const { tree: treeArb } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'medium', withCrossShrink: true, maxDepth: 6 },
    fc.record({ k: fc.constant('num' as const), text: fc.constantFrom(...LITERALS) }),
    fc.record({ k: fc.constant('var' as const), name: fc.constantFrom(...VAR_NAMES) }),
    fc.record({ k: fc.constant('sign' as const), op: fc.constantFrom('-' as const, '+' as const), x: tie('tree') }),
    fc.record({
      k: fc.constant('bin' as const),
      op: fc.constantFrom('+' as const, '-' as const, '*' as const, '/' as const),
      l: tie('tree'),
      r: tie('tree'),
    }),
    fc.record({ k: fc.constant('pow' as const), star: fc.boolean(), l: tie('tree'), r: tie('tree') }),
    fc.record({ k: fc.constant('call' as const), fn: fc.constantFrom(...ONE_ARG), args: fc.tuple(tie('tree')) }),
    fc.record({
      k: fc.constant('call' as const),
      fn: fc.constantFrom('atan2', 'pow', 'min', 'max'),
      args: fc.array(tie('tree'), { minLength: 2, maxLength: 2 }),
    }),
    fc.record({
      k: fc.constant('call' as const),
      fn: fc.constantFrom('min', 'max'),
      args: fc.array(tie('tree'), { minLength: 3, maxLength: 4 }),
    }),
    fc.record({ k: fc.constant('paren' as const), x: tie('tree') }),
  ),
}));

enum P {
  Sum = 1,
  Product = 2,
  Unary = 3,
  Power = 4,
  Atom = 5,
}

/** Tokens of the model-language text, and what the text binds as. */
function modelTokens(t: Tree): { toks: string[]; prec: P } {
  const at = (x: Tree, min: P): string[] => {
    const p = modelTokens(x);
    return p.prec >= min ? p.toks : ['(', ...p.toks, ')'];
  };
  switch (t.k) {
    case 'num':
      return { toks: [t.text], prec: P.Atom };
    case 'var':
      return { toks: [t.name], prec: P.Atom };
    case 'paren':
      return { toks: ['(', ...modelTokens(t.x).toks, ')'], prec: P.Atom };
    case 'sign':
      return { toks: [t.op, ...at(t.x, P.Unary)], prec: P.Unary };
    case 'bin':
      return t.op === '+' || t.op === '-'
        ? { toks: [...at(t.l, P.Sum), t.op, ...at(t.r, P.Product)], prec: P.Sum }
        : { toks: [...at(t.l, P.Product), t.op, ...at(t.r, P.Unary)], prec: P.Product };
    case 'pow':
      return { toks: [...at(t.l, P.Atom), t.star ? '**' : '^', ...at(t.r, P.Unary)], prec: P.Power };
    case 'call': {
      const args = t.args.flatMap((a, i) => (i === 0 ? modelTokens(a).toks : [',', ...modelTokens(a).toks]));
      return { toks: [t.fn, '(', ...args, ')'], prec: P.Atom };
    }
  }
}

/**
 * Fully bracketed JavaScript for the tree. A written zero factor or dividend is computed as written, so no
 * rewrite is mirrored here (x+0 → x, which may lose the sign of a zero, is allowed for in the comparison).
 */
function jsText(t: Tree): string {
  switch (t.k) {
    case 'num':
      return `(${t.text})`;
    case 'var':
      return t.name;
    case 'paren':
      return jsText(t.x);
    case 'sign':
      return `(${t.op}(${jsText(t.x)}))`;
    case 'bin': {
      return `((${jsText(t.l)}) ${t.op} (${jsText(t.r)}))`;
    }
    case 'pow':
      return `((${jsText(t.l)}) ** (${jsText(t.r)}))`;
    case 'call':
      return `${t.fn}(${t.args.map(jsText).join(', ')})`;
  }
}

describe('random expressions, against JavaScript', () => {
  it('parse(text) evaluates bit for bit like the same text in JavaScript', () => {
    const sep = fc.constantFrom('', '', ' ', '\t', '  ');
    fc.assert(
      fc.property(treeArb, fc.array(sep, { minLength: 24, maxLength: 24 }), (tree, seps) => {
        const toks = modelTokens(tree).toks;
        const text = toks.map((tok, i) => (i === 0 ? tok : seps[i % seps.length] + tok)).join('');
        const js = jsText(tree);
        const e = ctx.parse(text);
        for (const env of ENVS) {
          const want = jsEval(js, env);
          const got = exactEval(e, envOf(env));
          // x+0 → x may lose the sign of a zero (a documented structural simplification).
          if (!(Object.is(got, want) || (got === 0 && want === 0))) {
            throw new Error(`${JSON.stringify(text)} (JS ${js}): got ${got}, want ${want} at ${JSON.stringify(env)}`);
          }
        }
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? 600),
        // FC_SEED replays a failure (fast-check prints the seed with its counterexample)
        ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
      },
    );
  });
});

describe('the fast path for plain arithmetic builds what the full parser builds', () => {
  /** The IR with its node ids (JSON keeps shared nodes as copies), or the error's class and message. */
  const outcome = (parse: typeof parseExpression, text: string): string => {
    const c = makeCtx(VAR_NAMES, new ExprBuilder());
    try {
      return JSON.stringify(parse(text, (n) => c.syms.get(n), c.b));
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  it('random expressions, whole and with a character dropped, doubled or swapped in: same IR, ids or error', () => {
    const sep = fc.constantFrom('', '', ' ', '\t');
    fc.assert(
      fc.property(
        treeArb,
        fc.array(sep, { minLength: 8, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('drop', 'double', '(', ')', ',', '^', '*', '.', 'e', '#', 'none'),
        (tree, seps, at, edit) => {
          const toks = modelTokens(tree).toks;
          let text = toks.map((tok, i) => (i === 0 ? tok : seps[i % seps.length] + tok)).join('');
          const i = at % (text.length + 1);
          if (edit === 'drop') text = text.slice(0, i) + text.slice(i + 1);
          else if (edit === 'double') text = text.slice(0, i) + text.slice(i, i + 1) + text.slice(i);
          else if (edit !== 'none') text = text.slice(0, i) + edit + text.slice(i);
          expect(outcome(parseExpression, text)).toBe(outcome(parseExpressionInFull, text));
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 600) },
    );
  });
});

describe('numeric literals keep the exact double JavaScript gives them', () => {
  const literals = [
    '0',
    '1',
    '1e-20',
    '6.62607015e-34',
    '.5',
    '5.',
    '1_000',
    '0x1F',
    '0X1f',
    '0x1_F',
    '0o17',
    '0O17',
    '0b101',
    '0B1_01',
    '1E+3',
    '1e3',
    '1e1_0',
    '1.e5',
    '1_000.000_1',
    '0.0_1',
    '.5e-3',
    '0.1',
    '0.2',
    '0.30000000000000004',
    '1.0000000000000002',
    '0.9999999999999999',
    '0.99999999999999995',
    '9007199254740993',
    '123456789012345678901234567890',
    '5e-324',
    '4.9406564584124654e-324',
    '2.2250738585072014e-308',
    '2.225073858507201e-308',
    '1.7976931348623157e308',
    '1.602176634e-19',
    '6.02214076e23',
    '299792458',
    '3.141592653589793',
    '2.718281828459045',
    '1e21',
    '1e-7',
    '0.000001',
    '123.456e-7',
    '1e-400',
  ];
  it.each(literals)('%s', (text) => {
    const want = jsLiteral(text);
    const e = ctx.parse(text);
    expect(e.kind).toBe('const');
    expect(Object.is((e as { value: number }).value, want)).toBe(true);
    // Number() reads the same notations except numeric separators.
    if (!text.includes('_')) expect(Object.is((e as { value: number }).value, Number(text))).toBe(true);
    // Inside expressions too: nerdamer must never see (and round) the literal.
    const x = ctx.syms.get('x')!;
    const product = ctx.parse(`x*${text}`);
    if (want === 0) {
      // A written zero factor is kept: x*0 is −0 for a negative x and NaN for an infinite one.
      if (product.kind !== 'mul') throw new Error(`x*${text} is not a product`);
      expect(product.factors).toEqual([x, ctx.b.num(want)]);
    } else if (want === 1) expect(product).toBe(x);
    else {
      if (product.kind !== 'mul') throw new Error(`x*${text} is not a product`);
      expect(product.factors[0]).toBe(x);
      expect(isConst(product.factors[1]!, want)).toBe(true);
    }
    const neg = ctx.parse(`-${text}`);
    expect(Object.is((neg as { value: number }).value, -want)).toBe(true);
    expect(
      Object.is(
        exactEval(ctx.parse(`(${text}) + x`), () => 0.5),
        want + 0.5,
      ),
    ).toBe(true);
  });

  it('1e-20*x is not 0 and 6.62607015e-34 is not rounded to a fraction', () => {
    const env = envOf(ENVS[0]!);
    expect(evaluate(ctx.parse('1e-20*x'), env)).toBe(1e-20 * 0.9);
    expect(evaluate(ctx.parse('6.62607015e-34 * 1e34'), env)).toBe(6.62607015e-34 * 1e34);
    expect(evaluate(ctx.parse('1e-5 + 0*x'), env)).toBe(1e-5);
  });

  it('pi is Math.PI exactly', () => {
    expect(Object.is((ctx.parse('pi') as { value: number }).value, Math.PI)).toBe(true);
  });

  it('a number too large for a double is refused', () => {
    expectError('1e400', /too large/, 0);
    expectError('x + 2e308', /too large/, 4);
  });
});

describe('long expressions', () => {
  it('a sum of thousands of terms is read (a left-deep chain, not recursion)', () => {
    // Regression: a 6000-term sum overflowed the stack in the conversion from nerdamer's tree.
    const n = 6000;
    const terms = Array.from({ length: n }, (_, k) => `${(k % 7) + 1}*${VAR_NAMES[k % VAR_NAMES.length]}`);
    const text = terms.map((t, k) => (k === 0 ? t : k % 3 === 0 ? ` - ${t}` : ` + ${t}`)).join('');
    const e = ctx.parse(text);
    expect(e.kind).toBe('add');
    expect(exactEval(e, envOf(ENVS[0]!))).toBe(jsEval(text, ENVS[0]!));
    // (A long product takes the same path; building either is quadratic in the number of terms, because the
    // builder interns every partial sum, so one check is enough here.)
  });
});

describe('symbols', () => {
  it('user names that look like the placeholders or like nerdamer constants are plain symbols', () => {
    const names = ['L0', 'V0', 'V1', 'L1', 'e', 'E', 'i', 'Infinity_', 'sqrt2', 'x_1', '_y'];
    const c = makeCtx(names);
    const values = new Map(names.map((n, k) => [n, 1.5 + k / 7]));
    const env = (s: { name: string }) => values.get(s.name)!;
    const v = (n: string) => values.get(n)!;
    expect(exactEval(c.parse('V1 - V0 + L0 * L1'), env)).toBe(v('V1') - v('V0') + v('L0') * v('L1'));
    expect(exactEval(c.parse('e^i / E'), env)).toBe(v('e') ** v('i') / v('E'));
    expect(exactEval(c.parse('sqrt2 * x_1 - _y + Infinity_'), env)).toBe(
      v('sqrt2') * v('x_1') - v('_y') + v('Infinity_'),
    );
    expect(c.parse('V0')).toBe(c.syms.get('V0'));
    expect(c.parse('L0')).toBe(c.syms.get('L0'));
  });

  it('the resolver decides what a name means, and is asked for each name', () => {
    const c = makeCtx(['x']);
    const seen: string[] = [];
    const e = parseExpression(
      'x + y*x',
      (n) => {
        seen.push(n);
        return c.syms.get(n) ?? (n === 'y' ? c.b.num(3) : undefined);
      },
      c.b,
    );
    expect(seen).toContain('x');
    expect(seen).toContain('y');
    expect(exactEval(e, () => 2)).toBe(2 + 3 * 2);
  });
});

function expectError(
  text: string,
  message: RegExp,
  pos: number | undefined,
  resolveNames = VAR_NAMES,
): ExpressionError {
  const c = resolveNames === VAR_NAMES ? ctx : makeCtx(resolveNames);
  let caught: unknown;
  try {
    c.parse(text);
  } catch (e) {
    caught = e;
  }
  expect(caught, `${JSON.stringify(text)} must be refused`).toBeInstanceOf(ExpressionError);
  const err = caught as ExpressionError;
  expect(err.message).toMatch(message);
  expect(err.problem).toBe(err.message);
  expect(err.pos).toBe(pos);
  expect(err.text).toBe(text);
  return err;
}

describe('malformed expressions raise ExpressionError with a message and a position', () => {
  const cases: [string, RegExp, number | undefined][] = [
    ['q', /unknown symbol 'q'/, 0],
    ['x + qq', /unknown symbol 'qq'/, 4],
    ['foo(x)', /unknown function 'foo'/, 0],
    ['x*foo (x)', /unknown function 'foo'/, 2],
    ['x y', /unexpected 'y' after a complete expression/, 2],
    ['x\ty', /unexpected 'y'/, 2],
    ['2 3', /unexpected '3'/, 2],
    ['(x)(y)', /unexpected '\('/, 3],
    ['2(x)', /unexpected '\('/, 1],
    ['', /empty expression/, undefined],
    ['   ', /empty expression/, undefined],
    ['\t', /empty expression/, undefined],
    ['(x', /missing '\)' for the '\(' at character 1/, 2],
    ['((x)', /missing '\)' for the '\(' at character 1/, 4],
    ['(x,y)', /missing '\)'.*found ','/, 2],
    ['x)', /unmatched '\)'/, 1],
    ['sin(x))', /unmatched '\)'/, 6],
    ['()', /'\)' where a value is expected/, 1],
    ['sin()', /'sin' takes 1 argument, got 0/, 0],
    ['atan2(x)', /'atan2' takes 2 arguments, got 1/, 0],
    ['atan2(x, y, z)', /'atan2' takes 2 arguments, got 3/, 0],
    ['sin(x,y)', /'sin' takes 1 argument, got 2/, 0],
    ['pow(x)', /'pow' takes 2 arguments, got 1/, 0],
    ['pow(x, y, z)', /'pow' takes 2 arguments, got 3/, 0],
    ['min(x)', /'min' takes at least 2 arguments, got 1/, 0],
    ['max()', /'max' takes at least 2 arguments, got 0/, 0],
    ['log(x, 2)', /'log' takes 1 argument, got 2/, 0],
    ['y + exp(x, y)', /'exp' takes 1 argument, got 2/, 4],
    ['abs(x', /missing '\)' for the call of 'abs' at character 4/, 5],
    ['sin(,x)', /',' where a value is expected/, 4],
    ['min(x,,y)', /',' where a value is expected/, 6],
    ['min(x,y,)', /'\)' where a value is expected/, 8],
    ['x(2)', /'x' is not a function/, 0],
    ['pi(2)', /'pi' is not a function/, 0],
    ['sin', /function 'sin' used without arguments/, 0],
    ['sin x', /function 'sin' used without arguments/, 0],
    ['x + min', /function 'min' used without arguments/, 4],
    ['heaviside(x)', /unknown function 'heaviside'/, 0],
    ['2x', /malformed number '2x'/, 0],
    ['x*3y', /malformed number '3y'/, 2],
    ['1.2.3', /malformed number '1\.2\.3'/, 0],
    ['017', /malformed number '017'/, 0],
    ['08', /malformed number '08'/, 0],
    ['00', /malformed number '00'/, 0],
    ['10n', /malformed number '10n'/, 0],
    ['1e', /malformed number '1e'/, 0],
    ['1e+', /malformed number/, 0],
    ['0x', /malformed number '0x'/, 0],
    ['0xg', /malformed number '0xg'/, 0],
    ['0b2', /malformed number '0b2'/, 0],
    ['0o8', /malformed number '0o8'/, 0],
    ['1__0', /malformed number '1__0'/, 0],
    ['1_', /malformed number '1_'/, 0],
    ['0_1', /malformed number '0_1'/, 0],
    ['1._5', /malformed number '1\._5'/, 0],
    ['1_.5', /malformed number/, 0],
    ['x!', /unexpected character '!'/, 1],
    ['x%y', /unexpected character '%'/, 1],
    ['x==y', /unexpected character '='/, 1],
    ['x=y', /unexpected character '='/, 1],
    ['x;y', /unexpected character ';'/, 1],
    ['x<y', /unexpected character '<'/, 1],
    ['x&y', /unexpected character '&'/, 1],
    ['x|y', /unexpected character '\|'/, 1],
    ['x?y:z', /unexpected character '\?'/, 1],
    ['x.y', /unexpected character '\.'/, 1],
    ['x~', /unexpected character '~'/, 1],
    ['[x]', /unexpected character '\['/, 0],
    ['{x}', /unexpected character '\{'/, 0],
    ['`x`', /unexpected character '`'/, 0],
    ['"x"', /unexpected character '"'/, 0],
    ["'x'", /unexpected character '''/, 0],
    ['$' + '{x}', /unexpected character '\$'/, 0], // a template placeholder
    ['x\n+ y', /unexpected character U\+000A/, 1],
    ['x\r\n', /unexpected character U\+000D/, 1],
    ['x\u00a0+ y', /unexpected character U\+00A0/, 1],
    ['x\u200b', /unexpected character U\+200B/, 1],
    ['\u0445 + 1', /unexpected character U\+0445/, 0], // Cyrillic х
    ['y + \u03bf', /unexpected character U\+03BF/, 4], // Greek omicron
    ['\uff58', /unexpected character U\+FF58/, 0], // fullwidth x
    ['x \u2212 y', /unexpected character U\+2212/, 2], // minus sign
    ['x \u00d7 y', /unexpected character U\+00D7/, 2], // multiplication sign
    ['\u{1d465}', /unexpected character U\+1D465/, 0], // mathematical italic x
    ['x +', /expression ends where a value is expected/, 3],
    ['x^', /expression ends where a value is expected/, 2],
    ['x**', /expression ends where a value is expected/, 3],
    ['-', /expression ends where a value is expected/, 1],
    ['* x', /'\*' where a value is expected/, 0],
    ['/x', /'\/' where a value is expected/, 0],
    ['^x', /'\^' where a value is expected/, 0],
    ['x^^y', /'\^' where a value is expected/, 2],
    ['x***y', /'\*' where a value is expected/, 3],
    ['x//y', /'\/' where a value is expected/, 2],
    ['x+*y', /'\*' where a value is expected/, 2],
    [',x', /',' where a value is expected/, 0],
    ['x,y', /unexpected ',' after a complete expression/, 1],
    ['NaN', /unknown symbol 'NaN'/, 0],
    ['Infinity', /unknown symbol 'Infinity'/, 0],
    // Names of Object.prototype are not functions or constants of the model language.
    ['toString', /unknown symbol 'toString'/, 0],
    ['constructor', /unknown symbol 'constructor'/, 0],
    ['__proto__', /unknown symbol '__proto__'/, 0],
    ['hasOwnProperty(x)', /unknown function 'hasOwnProperty'/, 0],
    ['constructor(x)', /unknown function 'constructor'/, 0],
    ['valueOf(x, y)', /unknown function 'valueOf'/, 0],
    ['x + toString(x)', /unknown function 'toString'/, 4],
  ];
  it.each(cases)('%j', (text, message, pos) => {
    expectError(text, message, pos);
  });

  it('very deep nesting is an ExpressionError, not a stack overflow (RangeError)', () => {
    // Regression: the recursion of the recognizer and of the tree conversion escaped as a RangeError.
    const n = 20_000;
    expectError(`${'('.repeat(n)}x${')'.repeat(n)}`, /nested too deeply/, undefined);
    expectError(`${'-'.repeat(n)}x`, /nested too deeply/, undefined);
    expectError(`${'sin('.repeat(n)}x${')'.repeat(n)}`, /nested too deeply/, undefined);
  });

  it('a name that is known but not a function says so', () => {
    expectError('t(1)', /'t' is not a function/, 0);
  });
});
