/**
 * Size and depth limits of the symbolic core: what used to crash, hang or blow up, now bounded.
 *   - Long chains (a + b + c …, a*b/c …) are folded in linear time by ExprBuilder.chain, which must build
 *     exactly the node the step-by-step fold builds (checked by property).
 *   - Long products are differentiated by halves (O(n log n)); their derivatives are checked against the
 *     complex step.
 *   - min/max of many arguments nest logarithmically.
 *   - Nesting deeper than MAX_NESTING is a ModelError; everything up to it generates.
 *   - Lists longer than a call can take as spread arguments (~100,000) are never spread.
 *   - The augmented system's size, J's non-zeros and the unrolled layout's expressions are estimated before
 *     anything is built, and refused past src/variational/limits.ts's limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionPrinter } from '../../src/codegen/printer.ts';
import { scheduleStraightLine } from '../../src/codegen/straight-line.ts';
import { TS_DIALECT } from '../../src/codegen/ts/dialect.ts';
import { compile, generate } from '../../src/compile.ts';
import { Differentiator, PRODUCT_RULE_FLAT } from '../../src/diff/derivative.ts';
import { ModelError, OptionError } from '../../src/errors.ts';
import { type ChainStep, type Expr, ExprBuilder, evaluate, type SymNode } from '../../src/expr/ir.ts';
import { MAX_NESTING, MIN_MAX_FLAT, parseExpression } from '../../src/expr/parse.ts';
import { buildModel, type Model, type ModelLimits, type ModelSpec } from '../../src/model/model.ts';
import { checkSystemSize, DEFAULT_SYSTEM_LIMITS, type SystemLimits } from '../../src/variational/limits.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
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
                      ? b.quotient(folded, e)
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

/** n states, each reading all of them: J is dense. */
function denseModel(n: number): ModelSpec {
  const states = Array.from({ length: n }, (_, i) => `x${i}`);
  const sum = states.join(' + ');
  return {
    name: `dense-${n}`,
    states,
    params: { k: 1 },
    rhs: Object.fromEntries(states.map((x) => [x, `-k*${x} + 1e-3*(${sum})`])),
  };
}

/** n states, each on its own: J is diagonal. */
function diagonalModel(n: number): ModelSpec {
  const states = Array.from({ length: n }, (_, i) => `x${i}`);
  return {
    name: `diagonal-${n}`,
    states,
    params: { k: 1 },
    rhs: Object.fromEntries(states.map((x) => [x, `-k*${x}`])),
  };
}

/** Lorenz-96: f_i reads x_{i-2}, x_{i-1}, x_i, x_{i+1} (cyclic), so every state reaches every other. */
function lorenz96(n: number): ModelSpec {
  const x = (i: number) => `x${(i + n) % n}`;
  const states = Array.from({ length: n }, (_, i) => x(i));
  return {
    name: `lorenz96-${n}`,
    states,
    params: { F: 8 },
    rhs: Object.fromEntries(states.map((s, i) => [s, `(${x(i + 1)} - ${x(i - 2)})*${x(i - 1)} - ${s} + F`])),
  };
}

/** 1,000 dense states (10 MB of model text, seconds to parse), built once for the tests that need it. */
let dense1000: Model | undefined;
const denseThousand = (): Model => {
  dense1000 ??= buildModel(denseModel(1000));
  return dense1000;
};

/** What a call throws (undefined when it returns). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Products J_ik·X_kc and ∂f/∂p terms the unrolled layout built: a sum's terms, one, or none. */
function builtTerms(system: ReturnType<typeof buildAugmentedSystem>): number {
  return system.rhs
    .slice(system.model.states.length)
    .reduce((sum, e) => sum + (e.kind === 'add' ? e.terms.length : e.kind === 'const' ? 0 : 1), 0);
}

describe('size limits of the augmented system (checkSystemSize, before anything is built)', () => {
  it('10,000 diagonal states with y0 sensitivities: refused for the augmented size (a 9.9 GB solve before)', () => {
    const model = buildModel(diagonalModel(10_000));
    for (const layout of ['columns', 'unrolled'] as const) {
      const refusal = thrown(() => checkSystemSize(model, ['y0'], layout, 'ts'));
      expect(refusal).toBeInstanceOf(ModelError);
      expect((refusal as ModelError).location).toEqual({ model: 'diagonal-10000' });
      expect((refusal as ModelError).message).toBe(
        "model 'diagonal-10000': augmented system of 100,010,000 components (n + n² with y0 sensitivities for " +
          '10,000 states) exceeds limits.maxAugmentedSize = 20,000,000; ask for fewer sensitivities or raise the limit',
      );
    }
    // Raised, the columns layout passes (its code is O(nnz(J))); parameter sensitivities alone are small.
    expect(checkSystemSize(model, ['y0'], 'columns', 'ts', { maxAugmentedSize: 2e8 })).toEqual({
      augmentedSize: 100_010_000,
      jacobianNonzeros: 10_000,
    });
    expect(checkSystemSize(model, ['params'], 'columns', 'ts').augmentedSize).toBe(20_000);
  });

  it('the figure names n·p too, and a model without parameters adds nothing for them', () => {
    const model = buildModel(lorenz96(100));
    expect(() => checkSystemSize(model, ['y0', 'params'], 'columns', 'ts', { maxAugmentedSize: 10_000 })).toThrow(
      /augmented system of 10,200 components \(n \+ n² \+ n·p with y0 and parameter sensitivities for 100 states and 1 parameter\) exceeds limits\.maxAugmentedSize = 10,000/,
    );
    const noParams = buildModel({ name: 'np', states: ['x'], rhs: { x: '-x' } });
    expect(checkSystemSize(noParams, ['params'], 'unrolled', 'cuda').augmentedSize).toBe(1);
  });

  it("J's non-zeros from the symbols each right-hand side reads, refused past maxJacobianNonzeros", () => {
    const model = buildModel(denseModel(100));
    expect(checkSystemSize(model, ['params'], 'columns', 'ts').jacobianNonzeros).toBe(10_000);
    expect(() => checkSystemSize(model, ['y0'], 'columns', 'ts', { maxJacobianNonzeros: 9_999 })).toThrow(
      /Jacobian with up to 10,000 non-zeros .* exceeds limits\.maxJacobianNonzeros = 9,999/,
    );
    // Without sensitivities J is never built: nothing to refuse.
    expect(checkSystemSize(model, [], 'columns', 'ts', { maxJacobianNonzeros: 1 }).jacobianNonzeros).toBe(0);
  });

  it('the unrolled estimate is the count of expressions buildAugmentedSystem builds (structural zeros left out)', () => {
    const chain: ModelSpec = {
      name: 'chain',
      states: ['a', 'b', 'c', 'd', 'e'],
      params: { k: 1, m: 2 },
      rhs: { a: '-k*a', b: 'a - b', c: 'b*c', d: 'c - m*d', e: 'e' },
    };
    for (const spec of [chain, diagonalModel(40), lorenz96(30), denseModel(12)]) {
      for (const sens of [['y0'], ['params'], ['y0', 'params']] as const) {
        const model = buildModel(spec);
        const size = checkSystemSize(model, sens, 'unrolled', 'cuda');
        const system = buildAugmentedSystem(model, sens, 'unrolled');
        expect(size.unrolledTermsExact, `${spec.name} ${sens}`).toBe(true);
        expect(size.unrolledTerms, `${spec.name} ${sens}`).toBe(system.size + builtTerms(system));
      }
    }
    // Lorenz-96 reaches everywhere: 4 products per component of Φ.
    expect(checkSystemSize(buildModel(lorenz96(30)), ['y0'], 'unrolled', 'cuda').unrolledTerms).toBe(
      30 + 900 + 4 * 900,
    );
  });

  it('1,000 dense states unrolled for CUDA: a ModelError at once (was a heap exhausted after 60 s, exit 134)', () => {
    const model = denseThousand();
    expect(() => checkSystemSize(model, ['y0'], 'unrolled', 'cuda')).toThrow(
      /Jacobian with up to 1,000,000 non-zeros .* exceeds limits\.maxJacobianNonzeros = 500,000; simplify the model or raise the limit/,
    );
    // Past that limit, the unrolled count (10⁹ products) stops as soon as it passes its own.
    expect(() =>
      checkSystemSize(model, ['y0'], 'unrolled', 'cuda', { maxJacobianNonzeros: Number.POSITIVE_INFINITY }),
    ).toThrow(
      /right-hand side of more than [\d,]+ expressions \(the cuda target unrolls every component: 1,001,000 components .*\) exceeds limits\.maxUnrolledTerms = 2,000,000; ask for fewer sensitivities or raise the limit/,
    );
  });

  it('300 dense states unrolled: refused for the expressions; the TypeScript target is told of the columns layout', () => {
    const model = buildModel(denseModel(300));
    expect(() => checkSystemSize(model, ['y0'], 'unrolled', 'wgsl')).toThrow(/the wgsl target unrolls every component/);
    expect(() => checkSystemSize(model, ['y0'], 'unrolled', 'ts')).toThrow(
      /exceeds limits\.maxUnrolledTerms = 2,000,000; use layout 'columns', ask for fewer sensitivities, or raise the limit/,
    );
    expect(checkSystemSize(model, ['y0'], 'columns', 'ts').jacobianNonzeros).toBe(90_000);
  });

  it('1,000 diagonal states unrolled with y0: 1,001,000 components but only 1,000 products, within the limits', () => {
    const size = checkSystemSize(buildModel(diagonalModel(1000)), ['y0'], 'unrolled', 'cuda');
    expect(size).toEqual({
      augmentedSize: 1_001_000,
      jacobianNonzeros: 1000,
      unrolledTerms: 1_002_000,
      unrolledTermsExact: true,
    });
  });

  // buildModel takes most of this test's time (~17 s: src/model/model.ts looks each rhs key up in the state
  // list, quadratic in the states); the check itself takes under a second.
  it('a 2-D Brusselator of 32,768 states with its 2 parameter sensitivities passes in the columns layout', () => {
    const side = 128;
    const at = (f: string, i: number, j: number) => `${f}_${(i + side) % side}_${(j + side) % side}`;
    const states: string[] = [];
    const rhs: Record<string, string> = {};
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        const [u, v] = [at('u', i, j), at('v', i, j)];
        const lap = (f: string) =>
          `(${at(f, i - 1, j)} + ${at(f, i + 1, j)} + ${at(f, i, j - 1)} + ${at(f, i, j + 1)} - 4*${at(f, i, j)})`;
        states.push(u, v);
        rhs[u] = `A + ${u}^2*${v} - (B + 1)*${u} + 0.02*${lap('u')}`;
        rhs[v] = `B*${u} - ${u}^2*${v} + 0.02*${lap('v')}`;
      }
    }
    const model = buildModel({ name: 'brusselator', states, params: { A: 1, B: 3.4 }, rhs }, undefined, {
      maxStates: 40_000,
    });
    expect(checkSystemSize(model, ['params'], 'columns', 'ts')).toEqual({
      augmentedSize: 3 * 32_768,
      jacobianNonzeros: 12 * 16_384,
    });
  });

  it('limits must be positive numbers (Infinity lifts one)', () => {
    const model = buildModel(diagonalModel(3));
    for (const bad of [0, -1, Number.NaN, '5', null]) {
      expect(() => checkSystemSize(model, ['y0'], 'unrolled', 'ts', { maxUnrolledTerms: bad as number })).toThrow(
        OptionError,
      );
    }
    const huge = buildModel(diagonalModel(10_000));
    expect(
      checkSystemSize(huge, ['y0'], 'columns', 'ts', { maxAugmentedSize: Number.POSITIVE_INFINITY }).augmentedSize,
    ).toBe(100_010_000);
  });
});

/** System limits as CompileOptions.limits takes them (typed so whether or not ModelLimits includes them). */
const systemLimits = (limits: Partial<SystemLimits>): Partial<ModelLimits> & Partial<SystemLimits> => limits;

describe('generate and compile check the sizes before building (needs checkSystemSize wired in src/compile.ts)', () => {
  it('generate --target cuda of 1,000 dense states with y0: a ModelError naming the limit', () => {
    // The default limit, spelt out: until compile.ts checks sizes this is an OptionError (an unknown limit) at
    // once, not the minute-long heap exhaustion the test is about.
    const limits = systemLimits({ maxJacobianNonzeros: DEFAULT_SYSTEM_LIMITS.maxJacobianNonzeros });
    const refusal = thrown(() => generate(denseThousand(), { target: 'cuda', limits }));
    expect(refusal).toBeInstanceOf(ModelError);
    expect((refusal as ModelError).message).toMatch(/exceeds limits\.maxJacobianNonzeros = 500,000/);
  });

  it('compile of 10,000 diagonal states with y0: refused for the augmented size', () => {
    expect(() => compile(diagonalModel(10_000))).toThrow(/limits\.maxAugmentedSize = 20,000,000/);
  });

  it('the limits option lowers and raises them', () => {
    const spec = lorenz96(30);
    expect(() => generate(spec, { target: 'cuda', limits: systemLimits({ maxUnrolledTerms: 1000 }) })).toThrow(
      /right-hand side of more than [\d,]+ expressions .* exceeds limits\.maxUnrolledTerms = 1,000/,
    );
    expect(() => generate(spec, { target: 'wgsl', limits: systemLimits({ maxAugmentedSize: 100 }) })).toThrow(
      /augmented system of 930 components .* limits\.maxAugmentedSize = 100/,
    );
    expect(generate(spec, { target: 'cuda' })).toMatch(/odeforge_rhs/);
    expect(() => compile(denseModel(40), { limits: systemLimits({ maxJacobianNonzeros: 1000 }) })).toThrow(
      /Jacobian with up to 1,600 non-zeros/,
    );
  });
});
