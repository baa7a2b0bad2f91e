/**
 * Events beyond solve(): `odeforge solve` of a model file with events (`--json` gains "events", the table lists
 * them, `--time-sens` adds "dydt1" and "dydt0"), and the CPU ensemble's per-trajectory event times (the GPU
 * backends refuse a model with events).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { OptionError } from '../../src/errors.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const BALL = fileURLToPath(new URL('../../examples/bouncing-ball.json', import.meta.url));
const SEED = fileURLToPath(new URL('../../examples/seed.json', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'odeforge-events-cli-'));

function run(...args: string[]) {
  const r = spawnSync(BIN, args, { cwd: work, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const [h0, v0, g] = [10, 2, 9.81];
const root = Math.sqrt(v0 * v0 + 2 * g * h0);

describe('odeforge solve of a model with events', () => {
  it('--json gains "events" after the contract’s fields; a terminal event’s t, y and Jacobians are the result’s', () => {
    const r = run(
      'solve',
      BALL,
      '--y0',
      '10,2',
      '--t1',
      '10',
      '--rtol',
      '1e-11',
      '--atol',
      '1e-11',
      '--sens',
      'y0,params',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['t', 'y', 'jacobian', 'paramJacobian', 'stats', 'method', 'events']);
    expect(out.events.map((e: { name: string }) => e.name)).toEqual(['apex', 'ground']);
    const [apex, ground] = out.events;
    expect(Object.keys(ground)).toEqual([
      'name',
      't',
      'y',
      'terminal',
      'direction',
      'tangential',
      'jacobian',
      'paramJacobian',
      'dtdy0',
      'dtdp',
    ]);
    expect(apex).toMatchObject({ terminal: false, direction: -1, tangential: false });
    expect(Math.abs(apex.t - v0 / g)).toBeLessThan(1e-12);
    expect(ground.terminal).toBe(true);
    expect(Math.abs(ground.t - (v0 + root) / g)).toBeLessThan(1e-12);
    expect(out.t).toBe(ground.t);
    expect(out.y).toEqual(ground.y);
    expect(out.jacobian).toEqual(ground.jacobian);
    expect(out.paramJacobian).toEqual(ground.paramJacobian);
    expect(ground.jacobian[1][0]).toBeCloseTo(-g / root, 10);
    expect(ground.dtdy0[0]).toBeCloseTo(1 / root, 12);
  });

  it('--time-sens adds "dydt1" and "dydt0"; the table lists the events and the time sensitivities', () => {
    const json = JSON.parse(run('solve', SEED, '--y0', '1,1', '--t1', '1', '--time-sens', '--json').stdout);
    expect(Object.keys(json)).toEqual(['t', 'y', 'jacobian', 'stats', 'method', 'dydt1', 'dydt0']);
    // dydt1 = f(t1, y(t1)) = (v, −20 x)
    expect(json.dydt1[0]).toBe(json.y[1]);
    expect(json.dydt1[1]).toBeCloseTo(-20 * json.y[0], 12);
    const table = run('solve', BALL, '--y0', '10,2', '--t1', '10', '--time-sens');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^events \(2\)$/m);
    expect(table.stdout).toMatch(/^apex +t = 0\.2038735983690\d*: h = 10\.20387/m);
    expect(table.stdout).toMatch(/^ground +t = 1\.64619825939\d* \(terminal\): h = /m);
    expect(table.stdout).toMatch(/^time sensitivities +∂y\/∂t1 +∂y\/∂t0$/m);
  });

  it('a model without events has no "events"; an event with an unknown symbol is bad input naming it', () => {
    const plain = JSON.parse(run('solve', SEED, '--y0', '1,1', '--t1', '1', '--json').stdout);
    expect('events' in plain).toBe(false);
    const bad = join(work, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ name: 'bad', states: ['x'], rhs: { x: '-x' }, events: { hit: { expr: 'x - qq' } } }),
    );
    const r = run('solve', bad, '--y0', '1', '--t1', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^odeforge: model 'bad': event 'hit': unknown symbol 'qq'/);
  });
});

describe('ensembles of a model with events', () => {
  const spec = {
    name: 'ball',
    states: ['h', 'v'],
    params: { g: 9.81 },
    rhs: { h: 'v', v: '-g' },
    events: {
      apex: { expr: 'v', direction: -1 as const },
      ground: { expr: 'h', direction: -1 as const, terminal: true },
    },
  };
  const solver = compile(spec, { sensitivities: ['y0'] });

  it.each([10, 80])(
    'cpu, %i trajectories: eventTimes (N × events) and the event states, as single solves give',
    async (count) => {
      // row i: thrown from h = 1 + i/10 with v = 2 − i/8 (from some rows the ball falls at once: no apex)
      const y0 = new Float64Array(count * 2).map((_, k) => (k % 2 === 0 ? 1 + (k >> 1) / 10 : 2 - (k >> 1) / 8));
      const options = { t0: 0, t1: 20, y0, rtol: 1e-10, atol: 1e-10 };
      const r = await solver.solveEnsemble(options, { workers: 2 });
      expect(r.eventTimes).toHaveLength(count * 2);
      for (let i = 0; i < count; i++) {
        const single = solver.solve({ ...options, y0: y0.subarray(2 * i, 2 * i + 2) });
        const apex = single.events!.find((e) => e.name === 'apex');
        expect(r.eventTimes![2 * i]).toBe(apex === undefined ? Number.NaN : apex.t);
        expect(r.eventTimes![2 * i + 1]).toBe(single.t);
        expect(Array.from(r.y.subarray(2 * i, 2 * i + 2))).toEqual(Array.from(single.y));
        expect(Array.from(r.jacobian!.subarray(4 * i, 4 * i + 4))).toEqual(Array.from(single.jacobian!));
      }
      expect(Number.isNaN(r.eventTimes![2 * (count - 1)]!)).toBe(count > 16);
    },
  );

  it('a model without events has no eventTimes; the GPU backends refuse a model with events', async () => {
    const plain = compile({ name: 'decay', states: ['x'], rhs: { x: '-x' } });
    expect((await plain.solveEnsemble({ t0: 0, t1: 1, y0: [1, 2] })).eventTimes).toBeUndefined();
    for (const backend of ['cuda', 'webgpu'] as const) {
      const refused = solver.solveEnsemble({ t0: 0, t1: 1, y0: [1, 0] }, { backend });
      await expect(refused).rejects.toBeInstanceOf(OptionError);
      await expect(refused).rejects.toThrow(/does not locate events.*'cpu' backend/);
    }
  });
});
