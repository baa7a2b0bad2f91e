/**
 * What the symplectic methods refuse, and how: the model's `hamiltonian` field, separability (decided from the IR,
 * naming the state and the symbol at fault), fixed steps only, and the targets without this family.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { composeTemplate } from '../../src/codegen/ts/module.ts';
import { declaredPlaceholders, topLevelNames } from '../../src/codegen/ts/template-scan.ts';
import { compile, generate } from '../../src/compile.ts';
import { ModelError, OptionError } from '../../src/errors.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { KEPLER, KEPLER_Y0 } from './support.ts';

/** The error a call throws (the test fails when it throws none). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const withHamiltonian = (hamiltonian: unknown): ModelSpec => ({ ...KEPLER, hamiltonian }) as unknown as ModelSpec;

describe("the model's hamiltonian field", () => {
  it('is kept as state indices, positions paired with momenta in the order listed', () => {
    const model = buildModel({ ...KEPLER, hamiltonian: { positions: ['qy', 'qx'], momenta: ['py', 'px'] } });
    expect(model.hamiltonian).toEqual({ positions: [1, 0], momenta: [3, 2] });
    expect(Object.isFrozen(model.hamiltonian)).toBe(true);
    expect(buildModel({ ...KEPLER, hamiltonian: undefined }).hamiltonian).toBeUndefined();
  });

  it.each([
    [[1, 2], `model 'kepler': 'hamiltonian' must be an object { "positions": [...], "momenta": [...] }, got an array`],
    [
      { positions: ['qx', 'qy'], momenta: ['px', 'py'], kinetic: 'p^2' },
      `model 'kepler': 'hamiltonian': unknown field 'kinetic' (expected positions, momenta)`,
    ],
    [
      { positions: 'qx', momenta: ['px'] },
      `model 'kepler': 'hamiltonian.positions' must be a non-empty array of state names, got "qx"`,
    ],
    [
      { positions: ['qx', 'qy'] },
      `model 'kepler': 'hamiltonian.momenta' must be a non-empty array of state names, got undefined`,
    ],
    [
      { positions: ['qx', 'qz'], momenta: ['px', 'py'] },
      `model 'kepler': 'hamiltonian.positions' names "qz", which is not a state`,
    ],
    [
      { positions: ['qx', 'qx'], momenta: ['px', 'py'] },
      `model 'kepler': state 'qx' is listed twice, in 'hamiltonian.positions'`,
    ],
    [
      { positions: ['qx', 'qy'], momenta: ['px', 'qy'] },
      `model 'kepler': state 'qy' is listed twice, in 'hamiltonian.positions' and 'hamiltonian.momenta'`,
    ],
    [
      { positions: ['qx', 'qy'], momenta: ['px'] },
      `model 'kepler': 'hamiltonian' has 2 positions and 1 momentum: each position needs its conjugate momentum`,
    ],
    [
      { positions: ['qx'], momenta: ['px'] },
      `model 'kepler': state 'qy' is in neither 'hamiltonian.positions' nor 'hamiltonian.momenta'`,
    ],
  ])('refuses %j', (hamiltonian, message) => {
    const e = thrown(() => buildModel(withHamiltonian(hamiltonian)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toBe(message);
  });

  it('is ignored by the other families', () => {
    const r = compile(KEPLER, { method: 'RK4', sensitivities: [] }).solve({ t0: 0, t1: 1, y0: KEPLER_Y0, dt: 0.01 });
    expect(r.y).toHaveLength(4);
  });
});

describe('separability, decided from the IR when a symplectic method is compiled', () => {
  const rhs = (changes: Record<string, string>): ModelSpec => ({ ...KEPLER, rhs: { ...KEPLER.rhs, ...changes } });

  it.each([
    [
      { qx: 'px + 0.01*qy' },
      "model 'kepler', rhs of 'qx': reads position 'qy': a symplectic method needs positions' derivatives in the momenta alone (and the parameters)",
      'qx',
      'qy',
    ],
    [
      { qy: 'py*(1 + 0.1*sin(t))' },
      "model 'kepler', rhs of 'qy': reads the time 't': a symplectic method needs positions' derivatives in the momenta alone (and the parameters)",
      'qy',
      't',
    ],
    [
      { px: '-mu*qx/(qx^2 + qy^2)^1.5 - 0.1*px' },
      "model 'kepler', rhs of 'px': reads momentum 'px': a symplectic method needs momenta's derivatives in the positions alone (and the parameters and the time)",
      'px',
      'px',
    ],
    [
      // a zero factor is kept in the IR (expressions are computed as written): it still reads qx
      { qx: 'px + 0*qx' },
      "model 'kepler', rhs of 'qx': reads position 'qx': a symplectic method needs positions' derivatives in the momenta alone (and the parameters)",
      'qx',
      'qx',
    ],
  ])('refuses %j, naming the state and the symbol', (changes, message, state, text) => {
    for (const method of ['ABAs5o6H', 'BABs9o7H', 'SymplecticEuler']) {
      const e = thrown(() => compile(rhs(changes), { method, sensitivities: [] }));
      expect(e).toBeInstanceOf(ModelError);
      expect(e.message).toBe(message);
      expect((e as ModelError).location).toEqual({ model: 'kepler', state, text });
    }
  });

  it('refuses a model without "hamiltonian", saying what to add', () => {
    const { hamiltonian: _, ...plain } = KEPLER;
    const e = thrown(() => compile(plain, { method: 'BABs9o7H' }));
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toBe(
      `model 'kepler': BABs9o7H is a symplectic splitting method: it needs the model's "hamiltonian": { "positions": [...], "momenta": [...] } (which states are positions and which momenta), and the model has none`,
    );
  });
});

describe('options and targets', () => {
  const solver = compile(KEPLER, { method: 'ABAs5o6H', sensitivities: [] });

  it('takes fixed steps only: dt is required, adaptive stepping refused', () => {
    expect(solver.info.adaptive).toBe(false);
    const noDt = thrown(() => solver.solve({ t0: 0, t1: 1, y0: KEPLER_Y0 }));
    expect(noDt).toBeInstanceOf(OptionError);
    expect(noDt.message).toBe('dt: a fixed-step integration with ABAs5o6H needs dt');
    const adaptive = thrown(() => solver.solve({ t0: 0, t1: 1, y0: KEPLER_Y0, dt: 0.1, adaptive: true }));
    expect(adaptive).toBeInstanceOf(OptionError);
    expect((adaptive as OptionError).option).toBe('adaptive');
  });

  it("is refused by the 'cuda', 'wgsl' and 'wat' targets and the WebAssembly kernel, as the stiff families are", () => {
    for (const [options, target] of [
      [{ target: 'cuda' }, "target 'cuda'"],
      [{ target: 'wgsl' }, "target 'wgsl'"],
      [{ target: 'wat' }, "target 'wat'"],
      [{ wasm: true }, 'the WebAssembly kernel (wasm: true)'],
    ] as const) {
      const e = thrown(() => generate(KEPLER, { method: 'ABAs5o6H', ...options }));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toBe(
        `method: ABAs5o6H is a symplectic splitting method; ${target} has explicit Runge–Kutta methods only (the TypeScript target has every method)`,
      );
    }
  });

  it("runs on the 'cpu' ensemble, each trajectory as a single solve", async () => {
    const tangent = compile(KEPLER, { method: 'BABs9o7H', sensitivities: ['y0'] });
    const y0 = new Float64Array([...KEPLER_Y0, 0.5, 0, 0, 1.6]);
    const options = { t0: 0, t1: 3, dt: 0.01 };
    const r = await tangent.solveEnsemble({ ...options, y0 }, { backend: 'cpu', workers: 2 });
    for (let i = 0; i < 2; i++) {
      const one = tangent.solve({ ...options, y0: y0.subarray(4 * i, 4 * i + 4) });
      expect(r.y.subarray(4 * i, 4 * i + 4)).toEqual(one.y);
      expect(r.jacobian!.subarray(16 * i, 16 * i + 16)).toEqual(one.jacobian);
    }
  });
});

describe('the composed template (driver + templates/ts/symplectic.ts)', () => {
  it('has the placeholders and top-level names a TypeScript parser finds', () => {
    const morph = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
    const text = composeTemplate('symplectic');
    const sf = new morph.Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true }).createSourceFile(
      'template.ts',
      text,
    );
    const want: { name: string; start: number; end: number }[] = [];
    for (const v of sf.getVariableStatements())
      if (v.hasDeclareKeyword())
        want.push({ name: v.getDeclarations()[0]!.getName(), start: v.getStart(), end: v.getEnd() });
    for (const f of sf.getFunctions())
      if (f.hasDeclareKeyword() || !f.hasBody())
        want.push({ name: f.getName()!, start: f.getStart(), end: f.getEnd() });
    want.sort((a, b) => a.start - b.start);
    expect(declaredPlaceholders(text)).toEqual(want);
    const names = new Set<string>();
    for (const v of sf.getVariableStatements()) for (const d of v.getDeclarations()) names.add(d.getName());
    for (const f of sf.getFunctions()) if (f.getName()) names.add(f.getName()!);
    expect(topLevelNames(text)).toEqual(names);
  });
});
