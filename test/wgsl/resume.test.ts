/**
 * A kept WebGPU state holds the final Φ = ∂y/∂y0 and S = ∂y/∂p with y, and a call that starts from it continues
 * them (the shader's Config.resume, src/ensemble/webgpu-run.ts): t0 → t1 kept, then t1 → t2 from the state, has the
 * Jacobians of the whole integration t0 → t2, as the 'cuda' backend's keepOnDevice / resumeOnDevice.
 *
 * What agreement to expect: the two legs take other steps than one call t0 → t2 (the second leg starts with a
 * fresh step estimate at t1), so they agree with it, and with the f64 reference, to the tolerance of the error
 * control, ~1e-4 relative at rtol = 1e-5 in f32 (see ensemble.test.ts). The chain rule over the very same legs
 * (Φ2·Φ1, Φ2·S1 + S2 from a restart at t1) is a tighter check: the variational equations are linear in Φ and S,
 * so the only differences are f32 rounding (and a step the stiffness estimate, which sees Φ, may size otherwise).
 * The restart at the identity, which is what a kept state gave before, is off by O(1): every test checks that it
 * would fail.
 */
import { afterEach, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { EnsembleResult } from '../../src/ensemble/types.ts';
import { setWebGpuBatchLimit, solveEnsembleWebGpu, WebGpuRunner } from '../../src/ensemble/webgpu.ts';
import { OptionError } from '../../src/errors.ts';
import { findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { buildAugmentedSystem, type Sensitivity } from '../../src/variational/system.ts';
import { chainRule, describeGpu, hash01, LORENZ, PENDULUM, worstRow } from './support.ts';

afterEach(() => setWebGpuBatchLimit(undefined));

/** count rows of y0 and params, entry c of row i at lo + (hi − lo)·u with u pseudo-random. */
function rows(count: number, y0: [number, number][], params: [number, number][], salt = 0) {
  const draw = (ranges: [number, number][], s: number) => {
    const a = new Float64Array(count * ranges.length);
    for (let i = 0; i < count; i++) {
      for (const [c, [lo, hi]] of ranges.entries())
        a[i * ranges.length + c] = lo + (hi - lo) * hash01(i * 53 + c * 11 + s);
    }
    return a;
  };
  return { y0: draw(y0, salt), params: draw(params, salt + 7) };
}

const lorenzRows = (count: number) =>
  rows(
    count,
    [
      [0.5, 1.5],
      [0, 0.5],
      [0, 0.5],
    ],
    [
      [9, 11],
      [5, 15],
      [2, 3],
    ],
  );
const pendulumRows = (count: number) =>
  rows(
    count,
    [
      [-1, 1],
      [-1, 1],
    ],
    [
      [8, 11],
      [0.5, 1.5],
      [0, 0.3],
    ],
  );

interface Case {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly method: string;
  readonly rows: { y0: Float64Array; params: Float64Array };
  readonly settings: { rtol?: number; atol?: number; dt?: number };
  readonly times: [number, number, number];
  /** How close the two legs come to one call t0 → t2 (norm-wise per row, as `worst`). */
  readonly toWhole: number;
}

/** The chain rule over the same two legs (measured on lavapipe: 1e-6 … 2e-5). */
const CHAIN = 1e-4;
/** The f64 reference at tight tolerances (one call t0 → t2 on the GPU: 4e-6 … 1.3e-4 on lavapipe). */
const AGREEMENT = 1e-3;

const CASES: Case[] = [
  {
    name: 'Lorenz, RK45CK',
    spec: LORENZ,
    method: 'RK45CK',
    rows: lorenzRows(200),
    settings: { rtol: 1e-5, atol: 1e-6 },
    times: [0, 0.4, 0.8],
    toWhole: 3e-4, // measured 4e-5
  },
  {
    name: 'pendulum, Dormand-Prince',
    spec: PENDULUM,
    method: 'Dormand-Prince',
    rows: pendulumRows(200),
    settings: { rtol: 1e-5, atol: 1e-6 },
    times: [0, 1.5, 3],
    toWhole: 1e-4, // measured 1e-5
  },
  {
    // Fixed steps, t1 a multiple of dt: the same steps as one call (on lavapipe the same bits).
    name: 'pendulum, RK4 (fixed steps)',
    spec: PENDULUM,
    method: 'RK4',
    rows: pendulumRows(200),
    settings: { dt: 0.01 },
    times: [0, 1.5, 3],
    toWhole: 1e-6,
  },
];

const BOTH: Sensitivity[] = ['y0', 'params'];

describeGpu('a call that starts from a kept state continues its sensitivities', () => {
  for (const c of CASES) {
    for (const batch of [undefined, 50]) {
      it(`${c.name}: t0 → t1 kept, then t1 → t2 from the state, is t0 → t2${batch ? `, in batches of ${batch}` : ''}`, async () => {
        // Batches of 50 bind the kept arrays from offsets that are not multiples of the binding alignment.
        setWebGpuBatchLimit(batch);
        const model = buildModel(c.spec);
        const n = model.states.length;
        const p = model.params.length;
        const system = buildAugmentedSystem(model, BOTH);
        const method = findMethod(c.method);
        const [t0, t1, t2] = c.times;
        const base = { ...c.settings, ...c.rows };
        const leg1 = await solveEnsembleWebGpu(system, method, { ...base, t0, t1 }, { keep: true });
        const state = leg1.state!;
        expect(state.sensitivities).toEqual(['y0', 'params']);
        // y0's values are not read when a state is given: zeros of the same shape do
        const zeros = new Float64Array(c.rows.y0.length);
        const resumed = await solveEnsembleWebGpu(
          system,
          method,
          { ...base, y0: zeros, t0: t1, t1: t2 },
          { y0: state },
        );
        // what a kept state gave before: y continued, Φ = I and S = 0 again at t1
        const restarted = await solveEnsembleWebGpu(system, method, { ...base, y0: leg1.y, t0: t1, t1: t2 });
        const whole = await solveEnsembleWebGpu(system, method, { ...base, t0, t1: t2 });
        const reference = await compile(c.spec, { method: 'RK45CK', sensitivities: BOTH }).solveEnsemble(
          { ...c.rows, t0, t1: t2, rtol: 1e-11, atol: 1e-12 },
          { backend: 'cpu' },
        );
        state.release();
        for (const r of [leg1, resumed, restarted, whole]) expect(r.status.every((s) => s === 'ok')).toBe(true);

        const byChain = chainRule(leg1, restarted, n, p);
        expect(worstRow(resumed.jacobian!, byChain.jacobian, n * n)).toBeLessThan(CHAIN);
        expect(worstRow(resumed.paramJacobian!, byChain.paramJacobian!, n * p)).toBeLessThan(CHAIN);
        expect(worstRow(resumed.y, whole.y, n)).toBeLessThan(c.toWhole);
        expect(worstRow(resumed.jacobian!, whole.jacobian!, n * n)).toBeLessThan(c.toWhole);
        expect(worstRow(resumed.paramJacobian!, whole.paramJacobian!, n * p)).toBeLessThan(c.toWhole);
        expect(worstRow(resumed.y, reference.y, n)).toBeLessThan(AGREEMENT);
        expect(worstRow(resumed.jacobian!, reference.jacobian!, n * n)).toBeLessThan(AGREEMENT);
        expect(worstRow(resumed.paramJacobian!, reference.paramJacobian!, n * p)).toBeLessThan(AGREEMENT);
        // The restart at t1 is far off (so each check above can fail): measured 0.7 … 4.4.
        expect(worstRow(restarted.jacobian!, reference.jacobian!, n * n)).toBeGreaterThan(0.3);
        expect(worstRow(restarted.paramJacobian!, reference.paramJacobian!, n * p)).toBeGreaterThan(0.3);
      });
    }
  }

  it('three legs make one; a call only reads the state it starts from, and a kept state owns its buffers', async () => {
    const system = buildAugmentedSystem(buildModel(LORENZ), BOTH);
    const method = findMethod('RK45CK');
    const base = { rtol: 1e-5, atol: 1e-6, ...lorenzRows(120) };
    const zeros = new Float64Array(base.y0.length);
    const leg1 = await solveEnsembleWebGpu(system, method, { ...base, t0: 0, t1: 0.3 }, { keep: true });
    const s1 = leg1.state!;
    const leg2 = await solveEnsembleWebGpu(
      system,
      method,
      { ...base, y0: zeros, t0: 0.3, t1: 0.6 },
      { y0: s1, keep: true },
    );
    const s2 = leg2.state!;
    expect(s2).not.toBe(s1);
    // s1 is as it was: starting from it again gives the same bits
    const again = await solveEnsembleWebGpu(system, method, { ...base, y0: zeros, t0: 0.3, t1: 0.6 }, { y0: s1 });
    expect(again.y).toEqual(leg2.y);
    expect(again.jacobian).toEqual(leg2.jacobian);
    expect(again.paramJacobian).toEqual(leg2.paramJacobian);
    s1.release();
    expect(s1.released).toBe(true);
    await expect(solveEnsembleWebGpu(system, method, { ...base, t0: 0.3, t1: 0.6 }, { y0: s1 })).rejects.toThrow(
      /webgpu\.y0: this state was released/,
    );
    // s2 holds buffers of its own: releasing s1 left it whole
    const leg3 = await solveEnsembleWebGpu(system, method, { ...base, y0: zeros, t0: 0.6, t1: 0.9 }, { y0: s2 });
    const restart3 = await solveEnsembleWebGpu(system, method, { ...base, y0: leg2.y, t0: 0.6, t1: 0.9 });
    const whole = await solveEnsembleWebGpu(system, method, { ...base, t0: 0, t1: 0.9 });
    const byChain = chainRule(leg2, restart3, 3, 3);
    expect(worstRow(leg3.jacobian!, byChain.jacobian, 9)).toBeLessThan(CHAIN);
    expect(worstRow(leg3.paramJacobian!, byChain.paramJacobian!, 9)).toBeLessThan(CHAIN);
    expect(worstRow(leg3.jacobian!, whole.jacobian!, 9)).toBeLessThan(3e-4);
    expect(worstRow(leg3.paramJacobian!, whole.paramJacobian!, 9)).toBeLessThan(3e-4);
    expect(worstRow(restart3.jacobian!, whole.jacobian!, 9)).toBeGreaterThan(0.3);
    s2.release();
    s2.release(); // a second release does nothing
    await expect(solveEnsembleWebGpu(system, method, { ...base, t0: 0.6, t1: 0.9 }, { y0: s2 })).rejects.toThrow(
      OptionError,
    );
  });

  it("keep with read: ['y'] or read: [] keeps Φ and S all the same", async () => {
    const solver = compile(PENDULUM, { method: 'Dormand-Prince', sensitivities: BOTH });
    const base = { rtol: 1e-5, atol: 1e-6, ...pendulumRows(100) };
    const leg1 = { ...base, t0: 0, t1: 1 };
    const leg2 = { ...base, y0: new Float64Array(base.y0.length), t0: 1, t1: 2 };
    const results: EnsembleResult[] = [];
    for (const read of [undefined, ['y'], []] as const) {
      const first = await solver.solveEnsemble(leg1, {
        backend: 'webgpu',
        webgpu: { keep: true, ...(read ? { read: [...read] } : {}) },
      });
      expect(first.jacobian === undefined).toBe(read !== undefined);
      const state = first.state!;
      results.push(await solver.solveEnsemble(leg2, { backend: 'webgpu', webgpu: { y0: state } }));
      state.release();
    }
    const [all, yOnly, none] = results as [EnsembleResult, EnsembleResult, EnsembleResult];
    for (const r of [yOnly, none]) {
      expect(r.y).toEqual(all.y);
      expect(r.jacobian).toEqual(all.jacobian);
      expect(r.paramJacobian).toEqual(all.paramJacobian);
    }
    const whole = await solver.solveEnsemble({ ...base, t0: 0, t1: 2 }, { backend: 'webgpu' });
    expect(worstRow(all.jacobian!, whole.jacobian!, 4)).toBeLessThan(1e-4);
    expect(worstRow(all.paramJacobian!, whole.paramJacobian!, 6)).toBeLessThan(1e-4);
    const restarted = await solver.solveEnsemble({ ...leg2, y0: all.y }, { backend: 'webgpu' });
    expect(worstRow(restarted.jacobian!, whole.jacobian!, 4)).toBeGreaterThan(0.3);
  });

  for (const sens of [['y0'], ['params']] as Sensitivity[][]) {
    it(`a solver with only '${sens[0]}' continues ${sens[0] === 'y0' ? 'Φ' : 'S'} alone`, async () => {
      const system = buildAugmentedSystem(buildModel(PENDULUM), sens);
      const method = findMethod('Dormand-Prince');
      const base = { rtol: 1e-5, atol: 1e-6, ...pendulumRows(100) };
      const leg1 = await solveEnsembleWebGpu(system, method, { ...base, t0: 0, t1: 1.5 }, { keep: true });
      expect(leg1.state!.sensitivities).toEqual(sens);
      const resumed = await solveEnsembleWebGpu(system, method, { ...base, t0: 1.5, t1: 3 }, { y0: leg1.state! });
      leg1.state!.release();
      const restarted = await solveEnsembleWebGpu(system, method, { ...base, y0: leg1.y, t0: 1.5, t1: 3 });
      const whole = await solveEnsembleWebGpu(system, method, { ...base, t0: 0, t1: 3 });
      const [got, want, off, width] =
        sens[0] === 'y0'
          ? [resumed.jacobian!, whole.jacobian!, restarted.jacobian!, 4]
          : [resumed.paramJacobian!, whole.paramJacobian!, restarted.paramJacobian!, 6];
      expect(sens[0] === 'y0' ? resumed.paramJacobian : resumed.jacobian).toBeUndefined();
      expect(worstRow(resumed.y, whole.y, 2)).toBeLessThan(1e-4);
      expect(worstRow(got, want, width)).toBeLessThan(1e-4);
      expect(worstRow(off, want, width)).toBeGreaterThan(0.3);
    });
  }

  it("a model without parameters: 'params' keeps nothing more, and Φ continues (x' = v, v' = -x: a rotation)", async () => {
    const spec: ModelSpec = { name: 'rotation', states: ['x', 'v'], params: {}, rhs: { x: 'v', v: '-x' } };
    const system = buildAugmentedSystem(buildModel(spec), BOTH);
    const method = findMethod('RK45CK');
    const base = { rtol: 1e-6, atol: 1e-7, y0: Float64Array.of(1, 0, 0, 1, 0.5, -0.5) };
    const leg1 = await solveEnsembleWebGpu(system, method, { ...base, t0: 0, t1: 1 }, { keep: true, read: [] });
    const resumed = await solveEnsembleWebGpu(system, method, { ...base, t0: 1, t1: 2.5 }, { y0: leg1.state! });
    leg1.state!.release();
    expect(resumed.paramJacobian!.length).toBe(0);
    // Φ(t) = [[cos t, sin t], [−sin t, cos t]] from t = 0, whatever the state
    const [c, s] = [Math.cos(2.5), Math.sin(2.5)];
    for (let i = 0; i < 3; i++) {
      const phi = resumed.jacobian!.subarray(4 * i, 4 * i + 4);
      for (const [k, want] of [c, s, -s, c].entries()) expect(Math.abs(phi[k]! - want)).toBeLessThan(1e-4);
    }
  });

  it('a solver compiled for other sensitivities refuses the state: an OptionError on webgpu.y0', async () => {
    const model = buildModel(LORENZ);
    const method = findMethod('RK45CK');
    const input = { t0: 0, t1: 0.2, rtol: 1e-5, atol: 1e-6, ...lorenzRows(40) };
    const both = (await solveEnsembleWebGpu(buildAugmentedSystem(model, BOTH), method, input, { keep: true })).state!;
    const none = (await solveEnsembleWebGpu(buildAugmentedSystem(model, []), method, input, { keep: true })).state!;
    expect(none.sensitivities).toEqual([]);
    const cases: [Sensitivity[], typeof both, RegExp][] = [
      [[], both, /compiled for 'y0', 'params', this solver computes none/],
      [['y0'], both, /compiled for 'y0', 'params', this solver computes 'y0'/],
      [['params'], both, /compiled for 'y0', 'params', this solver computes 'params'/],
      [['y0'], none, /compiled for none, this solver computes 'y0'/],
      [BOTH, none, /compiled for none, this solver computes 'y0', 'params'/],
    ];
    for (const [sens, state, message] of cases) {
      const call = () => new WebGpuRunner(buildAugmentedSystem(model, sens), method).solve(input, { y0: state });
      await expect(call()).rejects.toThrow(OptionError);
      await expect(call()).rejects.toThrow(message);
      await expect(call()).rejects.toThrow(/^webgpu\.y0: this state holds the sensitivities of a solver/);
    }
    // the same through compile(): 'y0' and 'params' in another order are the same sensitivities
    const reordered = await compile(LORENZ, { sensitivities: ['params', 'y0'] }).solveEnsemble(input, {
      backend: 'webgpu',
      webgpu: { y0: both },
    });
    expect(reordered.status.every((s) => s === 'ok')).toBe(true);
    await expect(
      compile(LORENZ, { sensitivities: ['y0'] }).solveEnsemble(input, { backend: 'webgpu', webgpu: { y0: both } }),
    ).rejects.toThrow(/webgpu\.y0: this state holds the sensitivities/);
    // S of another number of parameters: a model with as many states and two parameters
    const two = buildModel({
      name: 'two-params',
      states: ['x', 'y', 'z'],
      params: { a: 1, b: 2 },
      rhs: { x: '-a*x', y: '-b*y', z: '-z' },
    });
    await expect(
      solveEnsembleWebGpu(buildAugmentedSystem(two, BOTH), method, { ...input, params: undefined }, { y0: both }),
    ).rejects.toThrow(/webgpu\.y0: this state holds ∂y\/∂p for 3 parameters, the model has 2/);
    both.release();
    none.release();
    await expect(solveEnsembleWebGpu(buildAugmentedSystem(model, BOTH), method, input, { y0: both })).rejects.toThrow(
      /webgpu\.y0: this state was released/,
    );
    // released after the call was made, before it reached the device: refused there
    const late = (await solveEnsembleWebGpu(buildAugmentedSystem(model, BOTH), method, input, { keep: true })).state!;
    const call = solveEnsembleWebGpu(buildAugmentedSystem(model, BOTH), method, input, { y0: late });
    late.release();
    await expect(call).rejects.toThrow(/webgpu\.y0: this state was released/);
  });
});
