/**
 * Size and depth limits of the symbolic core: what used to crash, hang or blow up, now bounded.
 *   - Long chains (a + b + c …, a*b/c …) are folded in linear time by ExprBuilder.chain, which must build
 *     exactly the node the step-by-step fold builds (checked by property).
 *   - Long products are differentiated by halves (O(n log n)); their derivatives are checked against the
 *     complex step.
 *   - min/max of many arguments nest logarithmically.
 *   - Nesting deeper than MAX_NESTING is a ModelError; everything up to it generates.
 *   - Lists longer than a call can take as spread arguments (~100,000) are never spread.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionPrinter } from '../../src/codegen/printer.ts';
import { scheduleStraightLine } from '../../src/codegen/straight-line.ts';
import { TS_DIALECT } from '../../src/codegen/ts/dialect.ts';
import { generate } from '../../src/compile.ts';
import { Differentiator, PRODUCT_RULE_FLAT } from '../../src/diff/derivative.ts';
import { ModelError } from '../../src/errors.ts';
import { type ChainStep, type Expr, ExprBuilder, evaluate, type SymNode } from '../../src/expr/ir.ts';
import { MAX_NESTING, MIN_MAX_FLAT, parseExpression } from '../../src/expr/parse.ts';
import { buildModel } from '../../src/model/model.ts';
import { complexStepDerivative } from './complex.ts';
import { checkProperty } from './property.ts';

const FILE = 'test/hardening/limits.test.ts';

function depth(e: Expr, memo = new Map<number, number>()): number {
  const known = memo.get(e.id);
  if (known !== undefined) return known;
  const kids =
    e.kind === 'add'
      ? e.terms
      : e.kind === 'mul'
        ? e.factors
        : e.kind === 'pow'
          ? [e.base, e.exponent]
          : e.kind === 'call'
            ? e.args
            : [];
  const d = 1 + kids.reduce((m, k) => Math.max(m, depth(k, memo)), 0);
  memo.set(e.id, d);
  return d;
}

describe('ExprBuilder.chain builds what the step-by-step fold builds', () => {
  it('random chains over constants (0, -0, ±1, NaN, ∞ …), symbols, sums, products, negations, reciprocals', () => {
    const run = checkProperty(
      'chain',
      FILE,
      fc.property(
        fc.nat(30),
        fc.array(fc.tuple(fc.constantFrom<ChainStep[0]>('+', '-', '*', '/', '^', '+', '*'), fc.nat(30)), {
          maxLength: 40,
        }),
        (firstPick, picks) => {
          const b = new ExprBuilder();
          const [x, y] = [b.sym('x', 'state', 0), b.sym('y', 'state', 1)];
          const pool: Expr[] = [
            ...[0, -0, 1, -1, 2, 0.5, -3, 1e-300, Number.NaN, Number.POSITIVE_INFINITY].map((v) => b.num(v)),
            x,
            y,
            b.add(x, y),
            b.sub(x, y),
            b.add(b.num(2), x),
            b.mul(x, y),
            b.mul(b.num(-1), x),
            b.mul(b.num(3), y),
            b.div(x, y),
            b.div(x, b.num(7)),
            b.neg(b.mul(x, y)),
            b.pow(x, b.minusOne),
            b.pow(x, b.num(2)),
            b.call('sin', [x]),
            b.add(b.mul(x, y), b.num(1)),
            b.mul(b.add(x, y), b.num(-2)),
            b.sub(b.num(0), x),
            b.div(b.num(1), y),
            b.neg(b.neg(y)),
            b.mul(b.num(-1), b.num(-1), x),
          ];
          const first = pool[firstPick % pool.length]!;
          const steps: ChainStep[] = picks.map(([op, k]) => [op, pool[k % pool.length]!]);
          // Chain first, then the step-by-step fold: hash-consing makes equal structure the same object.
          const chained = b.chain(first, steps);
          let folded = first;
          for (const [op, e] of steps) {
            folded =
              op === '+'
                ? b.add(folded, e)
                : op === '-'
                  ? b.sub(folded, e)
                  : op === '*'
                    ? b.times(folded, e)
                    : op === '/'
                      ? b.div(folded, e)
                      : b.pow(folded, e);
          }
          expect(chained).toBe(folded);
        },
      ),
      { numRuns: 3000 },
    );
    if (!run.replay) expect(run.runs).toBe(run.asked);
  });

  it('a written reciprocal times 1 is the reciprocal, chained or folded (regression, seed 173700933)', () => {
    const b = new ExprBuilder();
    const r = b.pow(b.sym('x', 'state', 0), b.minusOne);
    const steps: ChainStep[] = [
      ['^', b.num(0)],
      ['*', r],
      ['*', b.num(1)],
    ];
    expect(b.chain(b.num(0), steps)).toBe(r);
    expect(b.times(b.times(b.pow(b.num(0), b.num(0)), r), b.num(1))).toBe(r);
    // …and with a factor before it, it stays a factor of its own: 3 * (1/x), not 3 / x
    const product = b.chain(b.num(3), [['*', r]]);
    expect(product.kind === 'mul' && product.factors[1]!.kind).toBe('mul');
  });

  it('a 20,000-term sum and a 20,000-factor product (≈100 kB each) are read in linear time', () => {
    const b = new ExprBuilder();
    const syms = new Map(['a', 'b', 'c', 'x'].map((n, i) => [n, b.sym(n, 'state', i)]));
    const env = { a: 1.3, b: -0.7, c: 2.1, x: 0.9 } as Record<string, number>;
    const n = 20_000;
    const names = ['a', 'b', 'c', 'x'];
    const sum = Array.from({ length: n }, (_, k) => `${(k % 7) + 1}*${names[k % 4]}`).join(' - ');
    const product = Array.from({ length: n }, (_, k) => (k % 3 === 0 ? '1.0001' : names[k % 4])).join('*');
    const started = performance.now();
    const e1 = parseExpression(sum, (s) => syms.get(s), b);
    const e2 = parseExpression(product, (s) => syms.get(s), b);
    // Quadratic folding took 2.5 s for 10,000 terms and ran out of memory at 20,000.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(e1.kind).toBe('add');
    expect(e2.kind).toBe('mul');
    const js = (text: string) => new Function(...names, `return ${text};`)(...names.map((k) => env[k])) as number;
    const at = (s: SymNode) => env[s.name]!;
    expect(evaluate(e1, at)).toBe(js(sum));
    expect(evaluate(e2, at)).toBe(js(product));
  });
});

describe('right-hand sides up to the default length limit (1,000,000 characters)', () => {
  it('a 333,000-term sum and a 100,000-term sum of products generate (RangeError from spreading them before)', () => {
    const sum = Array(333_000).fill('x').join('+');
    const mixed = Array(100_000).fill('x*y+1').join('-');
    const started = performance.now();
    for (const text of [sum, mixed]) {
      expect(text.length).toBeLessThanOrEqual(1_000_000);
      expect(generate({ name: 'big', states: ['x', 'y'], rhs: { x: text, y: 'x' } })).toMatch(/export function solve/);
    }
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('long products: derivatives by halves', () => {
  it(`products of ${PRODUCT_RULE_FLAT + 1} to 80 factors against the complex step`, () => {
    const run = checkProperty(
      'long products',
      FILE,
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('x', 'y', 'sin(x)', 'exp(y/4)', '1.01', 'cos(x*y)', '(1 + x)'), fc.nat()), {
          minLength: PRODUCT_RULE_FLAT + 1,
          maxLength: 80,
        }),
        fc.double({ min: 0.5, max: 1.2, noNaN: true }),
        fc.double({ min: 0.5, max: 1.2, noNaN: true }),
        (factors, x0, y0) => {
          const b = new ExprBuilder();
          const [x, y] = [b.sym('x', 'state', 0), b.sym('y', 'state', 1)];
          const text = factors.map(([f]) => f).join('*');
          const e = parseExpression(text, (n) => (n === 'x' ? x : n === 'y' ? y : undefined), b);
          const d = new Differentiator(b);
          const point = (s: SymNode) => (s.id === x.id ? x0 : y0);
          for (const v of [x, y]) {
            const got = evaluate(d.d(e, v), point);
            const want = complexStepDerivative(e, v, point);
            expect(Math.abs(got - want), `d/d${v.name} of ${text}`).toBeLessThanOrEqual(
              1e-12 * Math.max(1, Math.abs(want)),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    if (!run.replay) expect(run.runs).toBe(run.asked);
  });

  it('x*y*x*y*… with 3,000 factor pairs generates a module of a few MB in seconds (was 188 MB for 1,000 pairs)', () => {
    const started = performance.now();
    const source = generate({
      name: 'prod',
      states: ['x', 'y'],
      rhs: { x: Array(3000).fill('x*y').join('*'), y: 'x' },
    });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(source.length).toBeLessThan(5_000_000);
  });
});

describe('min and max with many arguments', () => {
  it(`nest logarithmically beyond ${MIN_MAX_FLAT} arguments, with the same value and derivative`, () => {
    const b = new ExprBuilder();
    const x = b.sym('x', 'state', 0);
    for (const n of [MIN_MAX_FLAT, MIN_MAX_FLAT + 1, 100, 5000]) {
      const coefficients = Array.from({ length: n }, (_, k) => Math.cos(k * 1.7) + 0.01 * k);
      const text = `min(${coefficients.map((c) => `${c}*x + ${c * c}`).join(', ')})`;
      const e = parseExpression(text, () => x, b);
      expect(depth(e)).toBeLessThan(MIN_MAX_FLAT + 4 * Math.log2(n) + 8);
      for (const x0 of [-1.3, 0.2, 2.9]) {
        const values = coefficients.map((c) => c * x0 + c * c);
        expect(evaluate(e, () => x0)).toBe(Math.min(...values));
        const got = evaluate(new Differentiator(b).d(e, x), () => x0);
        const want = complexStepDerivative(e, x, () => x0, true);
        expect(got).toBeCloseTo(want, 12);
      }
    }
  });

  it('a model with max of 5,000 arguments generates (a stack overflow, exit 70, before)', () => {
    const args = Array.from({ length: 5000 }, (_, k) => `x*${k + 1}`).join(', ');
    expect(generate({ name: 'wide', states: ['x'], rhs: { x: `max(${args})` } })).toMatch(/export function solve/);
  });
});

describe(`nesting: up to ${MAX_NESTING} levels generates, deeper is a ModelError`, () => {
  const kinds: Record<string, (n: number) => string> = {
    brackets: (n) => `${'('.repeat(n)}x${')'.repeat(n)}`,
    calls: (n) => `${'sin('.repeat(n)}x${')'.repeat(n)}`,
    signs: (n) => `${'-'.repeat(n)}x`,
    powers: (n) =>
      Array(n + 1)
        .fill('x')
        .join('^'),
    'powers of k': (n) => `${Array(n).fill('x').join('^')}^k`,
    'nested sums': (n) => `${'x+('.repeat(n)}x${')'.repeat(n)}`,
    horner: (n) => `${'x*(1+'.repeat(n)}x${')'.repeat(n)}`,
    roots: (n) => `${'sqrt(1+'.repeat(n)}x${')'.repeat(n)}`,
    'min in min': (n) => `${'min(x,'.repeat(n)}x${')'.repeat(n)}`,
    'atan2 in atan2': (n) => `${'atan2(x,'.repeat(n)}x${')'.repeat(n)}`,
    'tan of tan': (n) => `${'tan(k*'.repeat(n)}x${')'.repeat(n)}`,
    divisions: (n) => `${'x/(1+'.repeat(n)}x${')'.repeat(n)}`,
    'pow in pow': (n) => `${'pow(x,'.repeat(n)}k${')'.repeat(n)}`,
  };
  it.each(Object.entries(kinds))('%s', (_name, text) => {
    const spec = (n: number) => ({
      name: 'deep',
      states: ['x', 'y'],
      params: { k: 0.5 },
      rhs: { x: text(n), y: `${text(n)}*y` },
    });
    // Regression: these were accepted from 2,000–4,000 levels on and overflowed the stack in generate.
    expect(generate(spec(MAX_NESTING), { sensitivities: ['y0', 'params'] })).toMatch(/export function solve/);
    expect(() => buildModel(spec(MAX_NESTING + 1))).toThrow(ModelError);
    expect(() => buildModel(spec(MAX_NESTING + 1))).toThrow(/nested too deeply to read \(more than \d+ levels\)/);
  });
});

describe('printing is linear in the size of what is printed', () => {
  // Regression (hardening): ExpressionPrinter.sum called negatedTerm(t) for the first term too, where the
  // result was thrown away and the term printed again. A first term that is a negated product containing such
  // a sum was then printed twice per level: `-x^-x^-x^…^x` (90 characters, 30 levels) made `generate` run for
  // hours, in every target.
  it('each node of the derivative of -x^-x^…^sin(x) is spelled at most once', () => {
    const levels = 14;
    const b = new ExprBuilder();
    const x = b.sym('x', 'state', 0);
    const e = parseExpression(`${'-x^'.repeat(levels)}sin(x)`, () => x, b);
    const de = new Differentiator(b).d(e, x);
    const program = scheduleStraightLine([e, de]);
    const temps = new Map(program.temps.map((t, i) => [t.id, `w${i}`]));
    let calls = 0;
    const printer = new ExpressionPrinter(
      { symbol: () => 'y_x', temp: (t) => temps.get(t.id) },
      {
        ...TS_DIALECT,
        call: (fn, args) => {
          calls++;
          return TS_DIALECT.call(fn, args);
        },
      },
    );
    for (const t of program.temps) printer.definition(t);
    for (const out of program.outputs) printer.use(out);
    // Distinct call nodes reachable: an upper bound on what a linear printer spells.
    const callNodes = new Set<number>();
    const walk = (n: Expr) => {
      if (n.kind === 'call') callNodes.add(n.id);
      const kids =
        n.kind === 'add'
          ? n.terms
          : n.kind === 'mul'
            ? n.factors
            : n.kind === 'pow'
              ? [n.base, n.exponent]
              : n.kind === 'call'
                ? n.args
                : [];
      kids.forEach(walk);
    };
    walk(de);
    expect(calls).toBeLessThanOrEqual(callNodes.size + program.temps.length);
  });
});
