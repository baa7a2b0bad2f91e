/**
 * Events (issue #13, part 2) through the API: roots located on each step's dense output, in time order, several in
 * one step, filtered by direction; a terminal event ends the solve with the event's state and the total derivatives
 * of y(τ) (event-time term included), retaken to end at the event where the family allows it; dτ/dy0, dτ/dp and
 * dy(τ)/dy0 against finite differences; tangential crossings; every family, fixed steps too.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IntegrationError, ModelError } from '../../src/errors.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveEvent } from '../../src/runtime/types.ts';
import { maxRelativeError } from '../helpers/fd.ts';

/** DESolver's public case: x' = v, v' = −x + t from (1, 0); exactly x = t + cos t − sin t, v = 1 − sin t − cos t. */
const FORCED: ModelSpec = {
  name: 'forced',
  states: ['x', 'v'],
  rhs: { x: 'v', v: '-x + t' },
  events: { stop: { expr: 't - pi/8', terminal: true } },
};
const DESOLVER_X = 0.933895181844921;

/** The five-point central difference of a scalar function at 0, step h. */
function derivative(f: (d: number) => number, h: number): number {
  return (f(-2 * h) - 8 * f(-h) + 8 * f(h) - f(2 * h)) / (12 * h);
}

const only = (events: readonly SolveEvent[] | undefined, name: string) => (events ?? []).filter((e) => e.name === name);

describe('a terminal event in time: DESolver’s case', () => {
  const tau = Math.PI / 8;
  it.each(['RK45CK', 'Dormand-Prince', 'RK87', 'Rodas5P', 'RadauIIA5', 'BDF', 'auto'])(
    '%s stops at π/8 with x = 0.933895181844921',
    (method) => {
      const r = compile(FORCED, { method, sensitivities: ['y0'] }).solve({
        t0: 0,
        t1: 1,
        y0: [1, 0],
        rtol: 1e-13,
        atol: 1e-13,
      });
      expect(Math.abs(r.t - tau)).toBeLessThanOrEqual(2 * Number.EPSILON);
      expect(Math.abs(r.y[0]! - DESOLVER_X)).toBeLessThan(1e-12);
      expect(Math.abs(r.y[0]! - (tau + Math.cos(tau) - Math.sin(tau)))).toBeLessThan(1e-12);
      // (BDF's global error is a few times its tolerance)
      expect(Math.abs(r.y[1]! - (1 - Math.sin(tau) - Math.cos(tau)))).toBeLessThan(method === 'BDF' ? 5e-12 : 1e-12);
      // g = t − π/8 does not depend on the state: dτ/dy0 = 0, and the total derivative is Φ(τ) = rotation by τ
      const [e] = r.events!;
      expect(r.events).toHaveLength(1);
      expect(e).toMatchObject({ name: 'stop', t: r.t, terminal: true, direction: 1, tangential: false });
      expect(Array.from(e!.y)).toEqual(Array.from(r.y));
      expect(Array.from(e!.dtdy0!)).toEqual([-0, -0]);
      const c = Math.cos(tau);
      const s = Math.sin(tau);
      expect(maxRelativeError(r.jacobian!, [c, s, -s, c])).toBeLessThan(1e-11);
      expect(Array.from(e!.jacobian!)).toEqual(Array.from(r.jacobian!));
    },
  );

  it('with fixed steps (RK4, GaussLegendre4): the event inside a step, to the method’s accuracy', () => {
    for (const method of ['RK4', 'GaussLegendre4']) {
      const r = compile(FORCED, { method }).solve({ t0: 0, t1: 1, y0: [1, 0], dt: 0.01, rtol: 1e-12, atol: 1e-12 });
      expect(Math.abs(r.t - tau)).toBeLessThanOrEqual(2 * Number.EPSILON);
      expect(Math.abs(r.y[0]! - DESOLVER_X)).toBeLessThan(1e-9);
    }
  });

  it('tEval samples stop at the event; onStep’s last call is at the event; onProgress ends at fraction 1', () => {
    const solver = compile(FORCED, { method: 'RK45CK' });
    const tEval = [0, 0.1, 0.2, 0.3, tau, 0.5, 0.9];
    let last = Number.NaN;
    let fraction = 0;
    const r = solver.solve({
      t0: 0,
      t1: 1,
      y0: [1, 0],
      rtol: 1e-10,
      atol: 1e-10,
      tEval,
      onStep: (t) => {
        last = t;
      },
      onProgress: (p) => {
        fraction = p.fraction;
      },
    });
    expect(Array.from(r.dense!.t)).toEqual([0, 0.1, 0.2, 0.3, tau]);
    expect(Array.from(r.dense!.y.subarray(8, 10))).toEqual(Array.from(r.y));
    expect(last).toBe(r.t);
    expect(fraction).toBe(1);
  });
});

describe('locating crossings', () => {
  // x' = 1: x = t − 1 from x0 = −1 (every method is exact on it, so a first step of dt = 2 is accepted as one)
  const line = (events: ModelSpec['events']): ModelSpec => ({ name: 'line', states: ['x'], rhs: { x: '1' }, events });
  const marks = { c: { expr: 'x - 0.4' }, a: { expr: 'x + 0.6' }, b: { expr: 'x + 0.1' } };

  it('several roots in one step, recorded in time order (not the model’s order)', () => {
    const r = compile(line(marks)).solve({ t0: 0, t1: 2, y0: [-1], dt: 2 });
    expect(r.stats.steps).toBe(1);
    expect(r.events!.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    r.events!.forEach((e, k) => {
      expect(Math.abs(e.t - [0.4, 0.9, 1.4][k]!)).toBeLessThan(1e-15);
      expect(e.direction).toBe(1);
      expect(e.terminal).toBe(false);
      // dτ/dx0 = −1 for g = x − c (x moves at rate 1)
      expect(e.dtdy0![0]).toBeCloseTo(-1, 14);
      expect(Math.abs(e.jacobian![0]!)).toBeLessThan(1e-15);
    });
    expect(r.t).toBe(2);
  });

  it('a terminal one among them: the ones before it are kept, the ones after it never happen', () => {
    const r = compile(line({ ...marks, b: { expr: 'x + 0.1', terminal: true } })).solve({
      t0: 0,
      t1: 2,
      y0: [-1],
      dt: 2,
    });
    expect(r.events!.map((e) => e.name)).toEqual(['a', 'b']);
    expect(r.t).toBeCloseTo(0.9, 15);
    expect(r.y[0]).toBeCloseTo(-0.1, 15);
    // (the step was taken again, from 0 to the event: counted as a rejected attempt)
    expect(r.stats.steps).toBe(1);
    expect(r.stats.rejected).toBe(1);
  });

  it('integrating backward: crossings in the order of the solve, direction as the solve proceeds', () => {
    const r = compile(line(marks)).solve({ t0: 2, t1: 0, y0: [1], dt: 2 });
    expect(r.events!.map((e) => e.name)).toEqual(['c', 'b', 'a']);
    expect(r.events!.map((e) => e.direction)).toEqual([-1, -1, -1]);
    expect(r.events![0]!.t).toBeCloseTo(1.4, 14);
  });

  it('a zero at t0 is no crossing, and a zero at a step’s end counts once', () => {
    // fixed steps of 1: x = 0 exactly at the end of the first
    const r = compile(line({ start: { expr: 'x + 1' }, end: { expr: 'x' } })).solve({
      t0: 0,
      t1: 2,
      y0: [-1],
      dt: 1,
      adaptive: false,
    });
    expect(r.events!.map((e) => [e.name, e.t])).toEqual([['end', 1]]);
  });

  it('direction filters crossings: 1 upward only, -1 downward only, 0 both', () => {
    // x = sin t from (0, 1): down at π, 3π; up at 2π (t = 0 is the start, no crossing)
    const spec: ModelSpec = {
      name: 'osc',
      states: ['x', 'v'],
      rhs: { x: 'v', v: '-x' },
      events: { up: { expr: 'x', direction: 1 }, down: { expr: 'x', direction: -1 }, both: { expr: 'x' } },
    };
    const r = compile(spec, { method: 'Dormand-Prince' }).solve({
      t0: 0,
      t1: 10,
      y0: [0, 1],
      rtol: 1e-11,
      atol: 1e-11,
    });
    const times = (name: string) => only(r.events, name).map((e) => e.t);
    const close = (got: number[], want: number[]) => {
      expect(got).toHaveLength(want.length);
      got.forEach((t, k) => {
        expect(Math.abs(t - want[k]!)).toBeLessThan(1e-9);
      });
    };
    close(times('up'), [2 * Math.PI]);
    close(times('down'), [Math.PI, 3 * Math.PI]);
    close(times('both'), [Math.PI, 2 * Math.PI, 3 * Math.PI]);
    expect(only(r.events, 'both').map((e) => e.direction)).toEqual([-1, 1, -1]);
    expect(r.t).toBe(10);
  });
});

describe('a Poincaré section and a bouncing ball', () => {
  it('pendulum: upward crossings of θ = 0 one period apart (the period by the AGM)', () => {
    const spec: ModelSpec = {
      name: 'pendulum',
      states: ['theta', 'omega'],
      rhs: { theta: 'omega', omega: '-sin(theta)' },
      events: { section: { expr: 'theta', direction: 1 } },
    };
    // θ0 = 0, ω0 = 1: amplitude π/3; T = 2π / AGM(1, cos(π/6))
    let [a, b] = [1, Math.cos(Math.PI / 6)];
    for (let k = 0; k < 10; k++) [a, b] = [(a + b) / 2, Math.sqrt(a * b)];
    const period = (2 * Math.PI) / a;
    const r = compile(spec, { method: 'Dormand-Prince', sensitivities: ['y0'] }).solve({
      t0: 0,
      t1: 10.5 * period,
      y0: [0, 1],
      rtol: 1e-12,
      atol: 1e-12,
    });
    expect(r.events).toHaveLength(10);
    r.events!.forEach((e, k) => {
      expect(Math.abs(e.t - (k + 1) * period)).toBeLessThan(1e-9 * (k + 1));
      expect(Math.abs(e.y[0]!)).toBeLessThan(1e-9);
      // the energy ω²/2 − cos θ = −1/2 on the section
      expect(Math.abs(e.y[1]! ** 2 / 2 - Math.cos(e.y[0]!) + 0.5)).toBeLessThan(1e-9);
      // on the section θ stays 0 whatever y0: the first row of the total derivative vanishes
      expect(Math.abs(e.jacobian![0]!) + Math.abs(e.jacobian![1]!)).toBeLessThan(1e-8);
    });
  });

  it('bouncing ball: time and state at the ground, dτ/dy0 and dτ/dg exactly, for every family', () => {
    const spec: ModelSpec = {
      name: 'ball',
      states: ['h', 'v'],
      params: { g: 9.81 },
      rhs: { h: 'v', v: '-g' },
      events: { apex: { expr: 'v', direction: -1 }, ground: { expr: 'h', direction: -1, terminal: true } },
    };
    const [h0, v0, g] = [10, 2, 9.81];
    const root = Math.sqrt(v0 * v0 + 2 * g * h0);
    const tau = (v0 + root) / g;
    for (const method of ['RK45CK', 'RK87', 'Rodas5P', 'RadauIIA5', 'BDF', 'auto']) {
      const r = compile(spec, { method, sensitivities: ['y0', 'params'] }).solve({
        t0: 0,
        t1: 10,
        y0: [h0, v0],
        rtol: 1e-12,
        atol: 1e-12,
      });
      expect(r.events!.map((e) => e.name)).toEqual(['apex', 'ground']);
      expect(Math.abs(r.events![0]!.t - v0 / g)).toBeLessThan(1e-12);
      expect(Math.abs(r.t - tau)).toBeLessThan(1e-12);
      expect(Math.abs(r.y[1]! + root)).toBeLessThan(1e-11);
      const e = r.events![1]!;
      expect(maxRelativeError(e.dtdy0!, [1 / root, (1 + v0 / root) / g])).toBeLessThan(1e-10);
      // dτ/dg = −τ/g + (h0/g)/root·… : differentiate τ(g) = (v0 + √(v0² + 2 g h0))/g
      expect(maxRelativeError(e.dtdp!, [h0 / (g * root) - tau / g])).toBeLessThan(1e-10);
      // v(τ) = v0 − gτ = −root: dv(τ)/dh0 = −g/root, dv(τ)/dv0 = −v0/root; h(τ) = 0 whatever y0
      expect(Math.abs(r.jacobian![0]!) + Math.abs(r.jacobian![1]!)).toBeLessThan(1e-12);
      expect(maxRelativeError(r.jacobian!.subarray(2), [-g / root, -v0 / root])).toBeLessThan(1e-10);
    }
  });
});

describe('event-time sensitivities against finite differences', () => {
  // g depends on the state, the time and a parameter; the crossing is terminal
  const spec: ModelSpec = {
    name: 'spring',
    states: ['x', 'v'],
    params: { k: 4, c: 0.3, level: 0.5 },
    rhs: { x: 'v', v: '-k*x - c*v' },
    events: { cross: { expr: 'x*x + 0.2*t - level', direction: -1, terminal: true } },
  };
  const base = { t0: 0, t1: 5, y0: [1, 0.3], rtol: 1e-12, atol: 1e-12 };
  const defaults = { k: 4, c: 0.3, level: 0.5 };

  it.each(['RK45CK', 'Rodas5P', 'BDF'])('%s: dτ/dy0, dτ/dp, dy(τ)/dy0 and dy(τ)/dp', (method) => {
    const solver = compile(spec, { method, sensitivities: ['y0', 'params'] });
    const r = solver.solve(base);
    const e = r.events![0]!;
    expect(e.terminal).toBe(true);
    expect(r.t).toBe(e.t);
    const at = (y0: number[], params = defaults) => solver.solve({ ...base, y0, params });
    const h = 1e-4;
    const tol = method === 'BDF' ? 2e-6 : 1e-7;
    for (let j = 0; j < 2; j++) {
      const moved = (d: number) => at(base.y0.map((v, i) => (i === j ? v + d : v)));
      expect(Math.abs(e.dtdy0![j]! - derivative((d) => moved(d).t, h))).toBeLessThan(tol);
      for (let i = 0; i < 2; i++) {
        const fd = derivative((d) => moved(d).y[i]!, h);
        expect(Math.abs(r.jacobian![i * 2 + j]! - fd)).toBeLessThan(tol);
      }
    }
    (['k', 'c', 'level'] as const).forEach((name, q) => {
      const moved = (d: number) => at(base.y0, { ...defaults, [name]: defaults[name] + d });
      expect(Math.abs(e.dtdp![q]! - derivative((d) => moved(d).t, h))).toBeLessThan(tol);
      for (let i = 0; i < 2; i++) {
        const fd = derivative((d) => moved(d).y[i]!, h);
        expect(Math.abs(r.paramJacobian![i * 3 + q]! - fd)).toBeLessThan(tol);
      }
    });
  });

  it('a non-terminal event’s derivatives too, and a solve that goes on to t1 unchanged by it', () => {
    const free: ModelSpec = { ...spec, events: { cross: { expr: 'x*x + 0.2*t - level', direction: -1 } } };
    const solver = compile(free, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] });
    const r = solver.solve(base);
    const plain = compile(
      { ...spec, events: undefined },
      { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] },
    );
    const p = plain.solve(base);
    // the events change nothing of the solve itself
    expect(Array.from(r.y)).toEqual(Array.from(p.y));
    expect(Array.from(r.jacobian!)).toEqual(Array.from(p.jacobian!));
    const e = r.events![0]!;
    const first = (y0: number[]) => solver.solve({ ...base, y0 }).events![0]!;
    const fd = derivative((d) => first([base.y0[0]! + d, base.y0[1]!]).t, 1e-4);
    expect(Math.abs(e.dtdy0![0]! - fd)).toBeLessThan(1e-7);
  });
});

describe('edge cases', () => {
  it('a tangential crossing is reported as such: no dτ, Φ(τ) itself, nothing NaN or infinite', () => {
    // g = x³ with x = t − 1: g crosses 0 at t = 1 where its rate 3x²·ẋ is 0
    const spec: ModelSpec = {
      name: 'flat',
      states: ['x'],
      params: { s: 1 },
      rhs: { x: 's' },
      events: { flat: { expr: 'x^3', terminal: true }, cubic: { expr: '(t - 0.5)^3' } },
    };
    const r = compile(spec, { method: 'RK45CK', sensitivities: ['y0', 'params'] }).solve({
      t0: 0,
      t1: 3,
      y0: [-1],
      rtol: 1e-10,
      atol: 1e-10,
    });
    expect(r.events!.map((e) => [e.name, e.tangential])).toEqual([
      ['cubic', true],
      ['flat', true],
    ]);
    expect(Math.abs(r.t - 1)).toBeLessThan(1e-10);
    for (const e of r.events!) {
      expect(e.dtdy0).toBeUndefined();
      expect(e.dtdp).toBeUndefined();
      for (const v of [...e.y, ...e.jacobian!, ...e.paramJacobian!]) expect(Number.isFinite(v)).toBe(true);
    }
    // Φ(τ) = 1, S(τ) = τ: the derivatives at the fixed time τ
    expect(r.jacobian![0]).toBeCloseTo(1, 12);
    expect(r.paramJacobian![0]).toBeCloseTo(r.t, 10);
  });

  it('an event with an unknown symbol, a bad direction, a bad field: a ModelError naming the event', () => {
    const bad = (events: unknown) => () =>
      compile({ name: 'm', states: ['x'], rhs: { x: '-x' }, events } as unknown as ModelSpec);
    const refusal = (events: unknown) => {
      try {
        bad(events)();
      } catch (e) {
        expect(e).toBeInstanceOf(ModelError);
        return (e as ModelError).message;
      }
      throw new Error('not refused');
    };
    expect(refusal({ hit: { expr: 'x + qq' } })).toMatch(/^model 'm': event 'hit': unknown symbol 'qq'/);
    expect(refusal({ hit: { expr: 'x +' } })).toMatch(/event 'hit'/);
    expect(refusal({ hit: { expr: 'process.exit()' } })).toMatch(/event 'hit'/);
    expect(refusal({ hit: { expr: 'x', direction: 2 } })).toMatch(/event 'hit': 'direction' must be -1, 0 or 1/);
    expect(refusal({ hit: { expr: 'x', terminal: 'yes' } })).toMatch(/event 'hit': 'terminal' must be true or false/);
    expect(refusal({ hit: { expr: 'x', when: 1 } })).toMatch(/event 'hit': unknown field 'when'/);
    expect(refusal({ hit: { direction: 1 } })).toMatch(/event 'hit': 'expr' must be a string expression/);
    expect(refusal({ 'no way': { expr: 'x' } })).toMatch(/event name "no way" is not an identifier/);
    expect(refusal([{ expr: 'x' }])).toMatch(/'events' must be an object/);
  });

  it('a failed integration’s partial result holds the events before the failure', () => {
    const spec: ModelSpec = {
      name: 'osc',
      states: ['x', 'v'],
      rhs: { x: 'v', v: '-x' },
      events: { zero: { expr: 'x' } },
    };
    try {
      compile(spec).solve({ t0: 0, t1: 100, y0: [1, 0], rtol: 1e-10, atol: 1e-10, maxSteps: 300 });
      throw new Error('no failure');
    } catch (e) {
      expect(e).toBeInstanceOf(IntegrationError);
      const partial = (e as IntegrationError).partial as { events: SolveEvent[] };
      expect(partial.events.length).toBeGreaterThan(2);
      partial.events.forEach((ev, k) => {
        expect(Math.abs(ev.t - (k + 0.5) * Math.PI)).toBeLessThan(1e-8);
      });
    }
  });

  it('a solve started from another’s callback keeps its own events', () => {
    const spec: ModelSpec = {
      name: 'osc',
      states: ['x', 'v'],
      rhs: { x: 'v', v: '-x' },
      events: { zero: { expr: 'x' } },
    };
    const solver = compile(spec);
    let inner = 0;
    const r = solver.solve({
      t0: 0,
      t1: 5,
      y0: [1, 0],
      onStep: () => {
        inner += solver.solve({ t0: 0, t1: 1, y0: [0.5, -1] }).events!.length;
      },
    });
    expect(inner).toBeGreaterThan(0);
    expect(r.events!.map((e) => e.name)).toEqual(['zero', 'zero']);
    expect(Math.abs(r.events![1]!.t - 1.5 * Math.PI)).toBeLessThan(1e-5);
  });

  it('a model without events has no events field; one with events always has it', () => {
    const plain = compile({ name: 'decay', states: ['x'], rhs: { x: '-x' } }).solve({ t0: 0, t1: 1, y0: [1] });
    expect('events' in plain).toBe(false);
    const none = compile({ name: 'decay', states: ['x'], rhs: { x: '-x' }, events: { never: { expr: 'x + 5' } } });
    expect(none.info.events).toEqual(['never']);
    expect(none.solve({ t0: 0, t1: 1, y0: [1] }).events).toEqual([]);
  });
});

describe('stiff families with events', () => {
  // Robertson: y3 reaches 1/2 near t ≈ 8·10³... located by every stiff family alike
  const spec: ModelSpec = {
    name: 'robertson',
    states: ['y1', 'y2', 'y3'],
    params: { k1: 0.04, k2: 1e4, k3: 3e7 },
    rhs: { y1: '-k1*y1 + k2*y2*y3', y2: 'k1*y1 - k2*y2*y3 - k3*y2^2', y3: 'k3*y2^2' },
    events: { half: { expr: 'y3 - 0.5', direction: 1, terminal: true } },
  };
  const base = { t0: 0, t1: 1e6, y0: [1, 0, 0], rtol: 1e-10, atol: 1e-14 };

  it('Rodas5P, RadauIIA5, BDF and auto agree on τ and dτ/dk; Rodas5P’s dτ/dk1 against finite differences', () => {
    const results = ['Rodas5P', 'RadauIIA5', 'BDF', 'auto'].map((method) =>
      compile(spec, { method, sensitivities: ['params'] }).solve(base),
    );
    const [reference] = results;
    for (const r of results) {
      expect(Math.abs(r.y[2]! - 0.5)).toBeLessThan(1e-8);
      expect(Math.abs(r.t / reference!.t - 1)).toBeLessThan(1e-6);
      expect(maxRelativeError(r.events![0]!.dtdp!, reference!.events![0]!.dtdp!)).toBeLessThan(1e-4);
    }
    const solver = compile(spec, { method: 'Rodas5P', sensitivities: ['params'] });
    const k1 = 0.04;
    const fd = derivative((d) => solver.solve({ ...base, params: { k1: k1 + d } }).t, 1e-5);
    expect(Math.abs(reference!.events![0]!.dtdp![0]! / fd - 1)).toBeLessThan(1e-5);
  });
});

describe('timeSensitivities', () => {
  const forced: ModelSpec = { name: 'forced', states: ['x', 'v'], params: { w: 1.3 }, rhs: { x: 'v', v: '-w*x + t' } };
  const base = { t0: 0.2, t1: 1.7, y0: [1, 0.5], rtol: 1e-12, atol: 1e-12, timeSensitivities: true };

  it.each(['RK45CK', 'Rodas5P', 'BDF'])('%s: dydt1 and dydt0 against finite differences in t1 and t0', (method) => {
    const solver = compile(forced, { method, sensitivities: ['y0'] });
    const r = solver.solve(base);
    const tol = method === 'BDF' ? 1e-6 : 1e-8;
    for (let i = 0; i < 2; i++) {
      const byT1 = derivative((d) => solver.solve({ ...base, t1: base.t1 + d }).y[i]!, 1e-3);
      const byT0 = derivative((d) => solver.solve({ ...base, t0: base.t0 + d }).y[i]!, 1e-3);
      expect(Math.abs(r.dydt1![i]! - byT1)).toBeLessThan(tol);
      expect(Math.abs(r.dydt0![i]! - byT0)).toBeLessThan(tol);
    }
    // dydt1 is f(t1, y(t1)) itself
    expect(r.dydt1![0]).toBe(r.y[1]);
    expect(r.dydt1![1]).toBeCloseTo(-1.3 * r.y[0]! + base.t1, 14);
  });

  it('without y0 sensitivities dydt0 is absent; without the option both are', () => {
    const solver = compile(forced, { sensitivities: ['params'] });
    const r = solver.solve(base);
    expect(r.dydt1).toBeInstanceOf(Float64Array);
    expect(r.dydt0).toBeUndefined();
    const { timeSensitivities: _, ...without } = base;
    const q = solver.solve(without);
    expect(q.dydt1).toBeUndefined();
    expect(Array.from(q.y)).toEqual(Array.from(r.y));
    expect(() => solver.solve({ ...base, timeSensitivities: 1 as never })).toThrow(/timeSensitivities/);
  });

  it('after a terminal event: dydt1 is 0 (t1 does not move the end), dydt0 against finite differences in t0', () => {
    const spec: ModelSpec = {
      ...forced,
      events: { turn: { expr: 'v', direction: -1, terminal: true } },
    };
    const solver = compile(spec, { method: 'Dormand-Prince', sensitivities: ['y0'] });
    const opts = { ...base, t1: 5 };
    const r = solver.solve(opts);
    expect(r.t).toBeLessThan(5);
    expect(Array.from(r.dydt1!)).toEqual([0, 0]);
    for (let i = 0; i < 2; i++) {
      const byT0 = derivative((d) => solver.solve({ ...opts, t0: opts.t0 + d }).y[i]!, 1e-3);
      expect(Math.abs(r.dydt0![i]! - byT0)).toBeLessThan(1e-8);
    }
  });
});
