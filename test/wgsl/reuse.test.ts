/**
 * The WebGPU runner keeps its shader, pipeline and buffers from one call to the next (src/ensemble/webgpu-run.ts,
 * EnsembleRunner): these tests check that what is kept never leaks into a result. Trajectories are independent
 * and the arithmetic is the same call after call, so every comparison here is bit for bit: a reused solver
 * against a fresh one, a smaller or larger ensemble against the same rows of another, a kept state against the
 * host round trip (f32 → f64 → f32 is exact) where the state is all there is (no sensitivities, or fixed steps
 * for y). A kept state's sensitivities continue where it starts a call (Φ and S are not the host round trip's,
 * which restarts them): the chain rule here, and resume.test.ts in full.
 */
import { afterEach, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { EnsembleResult } from '../../src/ensemble/types.ts';
import {
  releaseWebGpu,
  setWebGpuBatchLimit,
  solveEnsembleWebGpu,
  WebGpuRunner,
  WebGpuState,
} from '../../src/ensemble/webgpu.ts';
import { OptionError } from '../../src/errors.ts';
import { findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import { buildModel } from '../../src/model/model.ts';
import { buildAugmentedSystem } from '../../src/variational/system.ts';
import { chainRule, describeGpu, hash01, LORENZ, worstRow } from './support.ts';

/** count Lorenz rows: y0 near (1, 0.25, 0.25), parameters around (10, 20, 8/3), each row its own. */
function lorenzRows(count: number, salt = 0) {
  const y0 = new Float64Array(count * 3);
  const params = new Float64Array(count * 3);
  for (let i = 0; i < count; i++) {
    const u = (c: number) => hash01(i * 31 + c * 7 + salt);
    y0.set([1 + 0.5 * u(0), 0.5 * u(1), 0.5 * u(2)], i * 3);
    params.set([9 + 2 * u(3), 5 + 20 * u(4), 2 + u(5)], i * 3);
  }
  return { y0, params };
}

const PROBLEM = { t0: 0, t1: 0.5, rtol: 1e-5, atol: 1e-6 };

/** The same numbers, bit for bit (NaN included), in every output both results have. */
function expectSame(a: EnsembleResult, b: EnsembleResult): void {
  expect(a.y).toEqual(b.y);
  expect(a.jacobian).toEqual(b.jacobian);
  expect(a.paramJacobian).toEqual(b.paramJacobian);
  expect(a.status).toEqual(b.status);
  expect(a.stats.steps).toBe(b.stats.steps);
  expect(a.stats.rejected).toBe(b.stats.rejected);
}

/** Rows [0, count) of a result, as a result of count trajectories. */
function firstRows(r: EnsembleResult, count: number, n: number, p: number): Omit<EnsembleResult, 'stats'> {
  return {
    y: r.y.slice(0, count * n),
    ...(r.jacobian ? { jacobian: r.jacobian.slice(0, count * n * n) } : {}),
    ...(r.paramJacobian ? { paramJacobian: r.paramJacobian.slice(0, count * n * p) } : {}),
    status: r.status.slice(0, count),
  };
}

afterEach(() => setWebGpuBatchLimit(undefined));

describeGpu('a solver reuses its device objects and buffers', () => {
  const sensitivities = ['y0', 'params'] as const;

  it('repeated calls on one solver give what a fresh solver gives', async () => {
    const input = { ...PROBLEM, ...lorenzRows(200) };
    const solver = compile(LORENZ, { sensitivities: [...sensitivities] });
    const first = await solver.solveEnsemble(input, { backend: 'webgpu' });
    const second = await solver.solveEnsemble(input, { backend: 'webgpu' });
    const fresh = await compile(LORENZ, { sensitivities: [...sensitivities] }).solveEnsemble(input, {
      backend: 'webgpu',
    });
    expectSame(second, first);
    expectSame(fresh, first);
    expect(first.y.length).toBe(600);
    expect(first.jacobian!.length).toBe(200 * 9);
    expect(first.paramJacobian!.length).toBe(200 * 9);
    // The results are the caller's own arrays: the next call does not write into them.
    const kept = first.y.slice();
    await solver.solveEnsemble({ ...input, ...lorenzRows(200, 5) }, { backend: 'webgpu' });
    expect(first.y).toEqual(kept);
  });

  it('a larger ensemble after a smaller one grows the buffers; a smaller one after it uses their front', async () => {
    const solver = compile(LORENZ, { sensitivities: [...sensitivities] });
    const big = lorenzRows(3000);
    const small = { y0: big.y0.subarray(0, 3 * 40), params: big.params.subarray(0, 3 * 40) };
    const s1 = await solver.solveEnsemble({ ...PROBLEM, ...small }, { backend: 'webgpu' });
    const b1 = await solver.solveEnsemble({ ...PROBLEM, ...big }, { backend: 'webgpu' });
    const s2 = await solver.solveEnsemble({ ...PROBLEM, ...small }, { backend: 'webgpu' });
    const freshBig = await compile(LORENZ, { sensitivities: [...sensitivities] }).solveEnsemble(
      { ...PROBLEM, ...big },
      { backend: 'webgpu' },
    );
    expectSame(b1, freshBig);
    expectSame(s2, s1);
    for (const s of [s1, s2]) {
      expect(s.y.length).toBe(40 * 3);
      expect(s.jacobian!.length).toBe(40 * 9);
      expect(s.paramJacobian!.length).toBe(40 * 9);
      expect(s.status.length).toBe(40);
      expect(s.stats.trajectories).toBe(40);
      // Each trajectory is on its own: its rows do not depend on the size of the ensemble around it.
      expect({ ...s, stats: undefined }).toEqual({ ...firstRows(b1, 40, 3, 3), stats: undefined });
    }
  });

  it('calls with and without params, and other settings, do not see each other', async () => {
    const system = buildAugmentedSystem(buildModel(LORENZ), ['y0']);
    const method = findMethod('RK45CK');
    const rows = lorenzRows(100);
    const withParams = { ...PROBLEM, ...rows };
    const defaults = { ...PROBLEM, y0: rows.y0 };
    const a = await solveEnsembleWebGpu(system, method, withParams);
    const b = await solveEnsembleWebGpu(system, method, defaults);
    const capped = await solveEnsembleWebGpu(system, method, { ...withParams, maxSteps: 3 });
    const c = await solveEnsembleWebGpu(system, method, withParams);
    const d = await solveEnsembleWebGpu(system, method, defaults);
    expectSame(c, a);
    expectSame(d, b);
    expect(capped.status.every((s) => s === 'max-steps')).toBe(true);
    expect(c.status.every((s) => s === 'ok')).toBe(true);
    // the defaults (sigma 10, rho 28, beta 8/3) differ from the rows' parameters
    expect(b.y).not.toEqual(a.y);
  });

  it('concurrent calls on one solver wait for each other and each get their own result', async () => {
    const solver = compile(LORENZ, { sensitivities: ['y0'] });
    const inputs = [lorenzRows(50, 1), lorenzRows(300, 2), lorenzRows(120, 3)].map((r) => ({ ...PROBLEM, ...r }));
    const together = await Promise.all(inputs.map((input) => solver.solveEnsemble(input, { backend: 'webgpu' })));
    for (const [k, input] of inputs.entries()) {
      expectSame(together[k]!, await solver.solveEnsemble(input, { backend: 'webgpu' }));
    }
  });

  it('a new device (the old one released or lost) gets new buffers; states of the old one are refused', async () => {
    const solver = compile(LORENZ, { sensitivities: ['y0'] });
    const system = buildAugmentedSystem(buildModel(LORENZ), []);
    const method = findMethod('RK45CK');
    const input = { ...PROBLEM, ...lorenzRows(100) };
    const before = await solver.solveEnsemble(input, { backend: 'webgpu' });
    const { state } = await solveEnsembleWebGpu(system, method, input, { keep: true, read: [] });
    await releaseWebGpu();
    expectSame(await solver.solveEnsemble(input, { backend: 'webgpu' }), before);
    await expect(solveEnsembleWebGpu(system, method, input, { y0: state! })).rejects.toThrow(
      /webgpu\.y0: this state is on a WebGPU device that has since been lost or released/,
    );
  });

  it('batches reuse the buffers of the batch size, and give the whole ensemble', async () => {
    const system = buildAugmentedSystem(buildModel(LORENZ), ['y0', 'params']);
    const method = findMethod('RK45CK');
    const input = { ...PROBLEM, ...lorenzRows(300) };
    const whole = await solveEnsembleWebGpu(system, method, input);
    setWebGpuBatchLimit(64);
    expectSame(await solveEnsembleWebGpu(system, method, input), whole);
    expectSame(await solveEnsembleWebGpu(system, method, input), whole);
  });
});

describeGpu("the 'webgpu' backend options: read back less, keep the final states on the device", () => {
  const model = buildModel(LORENZ);
  const system = buildAugmentedSystem(model, ['y0', 'params']);
  const stateOnly = buildAugmentedSystem(model, []);
  const method = findMethod('RK45CK');
  const rows = lorenzRows(300);
  const leg1 = { ...PROBLEM, ...rows };

  it("read: ['y'] skips the Jacobians; read: [] keeps statuses and stats", async () => {
    const all = await solveEnsembleWebGpu(system, method, leg1);
    const yOnly = await solveEnsembleWebGpu(system, method, leg1, { read: ['y'] });
    expect(yOnly.jacobian).toBeUndefined();
    expect(yOnly.paramJacobian).toBeUndefined();
    expect(yOnly.y).toEqual(all.y);
    const jacOnly = await solveEnsembleWebGpu(system, method, leg1, { read: ['jacobian'] });
    expect(jacOnly.y.length).toBe(0);
    expect(jacOnly.jacobian).toEqual(all.jacobian);
    const none = await solveEnsembleWebGpu(system, method, leg1, { read: [] });
    expect(none.y.length).toBe(0);
    expect(none.status).toEqual(all.status);
    expect(none.stats.steps).toBe(all.stats.steps);
  });

  for (const batch of [undefined, 64]) {
    it(`a kept state continues where the host copy would${batch ? `, in batches of ${batch}` : ''}`, async () => {
      setWebGpuBatchLimit(batch);
      // Without sensitivities the state is all a kept state holds: starting from it is the host round trip.
      const first = await solveEnsembleWebGpu(stateOnly, method, leg1, { keep: true });
      const state = first.state!;
      expect(state).toBeInstanceOf(WebGpuState);
      expect([state.count, state.states, state.released]).toEqual([300, 3, false]);
      expect(state.sensitivities).toEqual([]);
      const leg2 = { ...PROBLEM, t0: 0.5, t1: 0.8, y0: first.y, params: rows.params };
      const host = await solveEnsembleWebGpu(stateOnly, method, leg2);
      // the values of y0 are not read when a state is given: zeros of the same shape do
      const device = await solveEnsembleWebGpu(
        stateOnly,
        method,
        { ...leg2, y0: new Float64Array(900) },
        { y0: state },
      );
      expectSame(device, host);
      // a state serves as often as wanted, and another solver compiled for the same sensitivities takes it
      const other = compile(LORENZ, { sensitivities: [] });
      const otherRunner = new WebGpuRunner(buildAugmentedSystem(model, []), method);
      const again = await otherRunner.solve({ ...leg2 }, { y0: state, keep: true });
      expect(again.y).toEqual(host.y);
      expect(again.jacobian).toBeUndefined();
      expect(again.y).toEqual((await other.solveEnsemble(leg2, { backend: 'webgpu' })).y);
      // chained: the second leg's kept state starts a third leg
      const third = await otherRunner.solve({ ...leg2, t0: 0.8, t1: 1 }, { y0: again.state! });
      const thirdHost = await otherRunner.solve({ ...leg2, t0: 0.8, t1: 1, y0: again.y });
      expectSame(third, thirdHost);
      state.release();
      again.state!.release();
      expect(state.released).toBe(true);
      state.release(); // a second release does nothing
    });
  }

  it('keep without reading anything back still keeps the state, and its sensitivities', async () => {
    const full = await solveEnsembleWebGpu(stateOnly, method, leg1);
    const kept = await solveEnsembleWebGpu(stateOnly, method, leg1, { keep: true, read: [] });
    expect(kept.y.length).toBe(0);
    const leg2 = { ...PROBLEM, t0: 0.5, t1: 0.6, y0: full.y, params: rows.params };
    expectSame(
      await solveEnsembleWebGpu(stateOnly, method, leg2, { y0: kept.state! }),
      await solveEnsembleWebGpu(stateOnly, method, leg2),
    );
    kept.state!.release();
    // Φ and S are kept whether read back or not: a call from either state gives the same bits.
    const withSens = await solveEnsembleWebGpu(system, method, leg1, { keep: true });
    const withSensUnread = await solveEnsembleWebGpu(system, method, leg1, { keep: true, read: [] });
    expect(withSensUnread.jacobian).toBeUndefined();
    expectSame(
      await solveEnsembleWebGpu(system, method, leg2, { y0: withSensUnread.state! }),
      await solveEnsembleWebGpu(system, method, leg2, { y0: withSens.state! }),
    );
    withSens.state!.release();
    withSensUnread.state!.release();
  });

  it('checks its options like the others: unknown keys and bad values are OptionErrors', async () => {
    const kept = (await solveEnsembleWebGpu(system, method, leg1, { keep: true, read: [] })).state!;
    const cases: [unknown, RegExp][] = [
      [{ keep: true, reed: ['y'] }, /webgpu\.reed: unknown option \(did you mean 'read'\?\)/],
      [{ read: 'y' }, /webgpu\.read: expected an array/],
      [{ read: ['y', 'hessian'] }, /webgpu\.read: unknown output "hessian"/],
      [{ read: ['y', 'y'] }, /'y' is listed twice/],
      [{ keep: 1 }, /webgpu\.keep: expected true or false/],
      [{ y0: rows.y0 }, /webgpu\.y0: expected a WebGpuState/],
      [{ y0: kept }, /webgpu\.y0: this state has 300 rows, y0 10/],
      ['fast', /webgpu: expected an object of options/],
    ];
    for (const [options, message] of cases) {
      const input =
        (options as { y0?: unknown }).y0 === kept
          ? { ...leg1, y0: rows.y0.subarray(0, 30), params: rows.params.subarray(0, 30) }
          : leg1;
      const call = solveEnsembleWebGpu(system, method, input, options as never);
      await expect(call).rejects.toThrow(OptionError);
      await expect(solveEnsembleWebGpu(system, method, input, options as never)).rejects.toThrow(message);
    }
    await expect(solveEnsembleWebGpu(stateOnly, method, leg1, { read: ['jacobian'] })).rejects.toThrow(
      /'jacobian' needs the 'y0' sensitivities/,
    );
    const pendulumLike = buildAugmentedSystem(
      buildModel({ name: 'two', states: ['a', 'b'], params: {}, rhs: { a: 'b', b: '-a' } }),
      [],
    );
    await expect(
      solveEnsembleWebGpu(pendulumLike, method, { ...PROBLEM, y0: new Float64Array(600) }, { y0: kept }),
    ).rejects.toThrow(/this state has 3 states per row, the model 2/);
    kept.release();
    await expect(solveEnsembleWebGpu(system, method, leg1, { y0: kept })).rejects.toThrow(
      /webgpu\.y0: this state was released/,
    );
  });
});

describeGpu("solveEnsemble's `webgpu` backend option", () => {
  it('keeps a state and starts from it: y as the host round trip, Φ continued; other backends refuse the option', async () => {
    const solver = compile(LORENZ, { method: 'RK4', sensitivities: ['y0'] });
    const rows = lorenzRows(50, 3);
    const leg1 = { ...PROBLEM, t1: 0.25, dt: 0.01, ...rows };
    const leg2 = { ...PROBLEM, t0: 0.25, dt: 0.01, ...rows };
    const first = await solver.solveEnsemble(leg1, { backend: 'webgpu', webgpu: { keep: true, read: ['y'] } });
    expect(first.jacobian).toBeUndefined();
    const state = first.state!;
    expect(state.count).toBe(50);
    expect(state.sensitivities).toEqual(['y0']);
    const fromDevice = await solver.solveEnsemble(leg2, { backend: 'webgpu', webgpu: { y0: state } });
    const fromHost = await solver.solveEnsemble({ ...leg2, y0: first.y }, { backend: 'webgpu' });
    // Fixed steps: Φ does not size them, so y is the host round trip's, bit for bit...
    expect(fromDevice.y).toEqual(fromHost.y);
    expect(fromDevice.status).toEqual(fromHost.status);
    expect(fromDevice.stats.steps).toBe(fromHost.stats.steps);
    // ...and Φ is that of the whole integration, Φ(t2, t1)·Φ(t1, t0), not the host round trip's Φ(t2, t1).
    const phi1 = await solver.solveEnsemble(leg1, { backend: 'webgpu' });
    const phi = chainRule(phi1, fromHost, 3, 3).jacobian;
    expect(worstRow(fromDevice.jacobian!, phi, 9)).toBeLessThan(1e-4);
    expect(worstRow(fromHost.jacobian!, phi, 9)).toBeGreaterThan(0.1);
    state.release();
    await expect(solver.solveEnsemble(leg1, { backend: 'cpu', webgpu: { keep: true } })).rejects.toThrow(
      /webgpu: options of the 'webgpu' backend \(backend is 'cpu'\)/,
    );
    await expect(solver.solveEnsemble(leg1, { backend: 'webgpu', keepOnDevice: true })).rejects.toThrow(
      /keepOnDevice: .*'cuda' backend only/,
    );
  });
});
