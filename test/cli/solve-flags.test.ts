/**
 * `odeforge solve` beyond the contract's flags: arithmetic in time flags, a trajectory (--t-eval) as JSON or CSV,
 * --sens none, the solve options as flags (--adaptive, --error-control, --stiffness), and --batch (JSON Lines on
 * stdin, one result per line). Checked against the seed problem's exact solution and against the API.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seedExactJacobian } from '../../src/examples.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const SEED = fileURLToPath(new URL('../../examples/seed.json', import.meta.url));
const ROBERTSON = fileURLToPath(new URL('../../examples/robertson.json', import.meta.url));

function run(args: string[], input?: string) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The seed problem's exact state from y0 = (1, 1), k = 20. */
function exactSeed(t: number): [number, number] {
  const w = Math.sqrt(20);
  return [Math.cos(w * t) + Math.sin(w * t) / w, -w * Math.sin(w * t) + Math.cos(w * t)];
}

const TIGHT = ['--rtol', '1e-11', '--atol', '1e-11'];

describe('odeforge solve: flags beyond the contract', () => {
  it('--t1 2*pi is 2π; --t-eval linspace gives the trajectory in the JSON, exact to the tolerance', () => {
    const r = run(['solve', SEED, '--y0', '1,1', '--t1', '2*pi', '--t-eval', 'linspace:0:2*pi:9', ...TIGHT, '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.t).toBe(2 * Math.PI);
    const tr = out.trajectory;
    expect(tr.t).toHaveLength(9);
    expect(tr.t[0]).toBe(0);
    expect(tr.t[8]).toBe(2 * Math.PI);
    // (samples inside steps come from cubic Hermite interpolation: 1e-8 here, measured)
    tr.t.forEach((t: number, k: number) => {
      const [x, v] = exactSeed(t);
      expect(Math.abs(tr.y[k][0] - x)).toBeLessThan(1e-7);
      expect(Math.abs(tr.y[k][1] - v)).toBeLessThan(1e-7);
      const phi = seedExactJacobian(t);
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) expect(Math.abs(tr.jacobian[k][i][j] - phi[i * 2 + j]!)).toBeLessThan(1e-7);
    });
    // the last sample is the final state
    expect(tr.y[8]).toEqual(out.y);
  });

  it('--format csv: a header naming every column, one row per sample, the same numbers as the JSON', () => {
    const args = ['solve', SEED, '--y0', '1,1', '--t1', '1', '--t-eval', '0,0.25,1/2,1', '--sens', 'y0,params'];
    const csv = run([...args, '--format', 'csv']);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('t,x,v,d(x)/d(x0),d(x)/d(v0),d(v)/d(x0),d(v)/d(v0),d(x)/d(k),d(v)/d(k)');
    expect(lines).toHaveLength(5);
    const json = JSON.parse(run([...args, '--json']).stdout).trajectory;
    lines.slice(1).forEach((line, k) => {
      const row = line.split(',').map(Number);
      expect(row).toEqual([json.t[k], ...json.y[k], ...json.jacobian[k].flat(), ...json.paramJacobian[k].flat()]);
    });
  });

  it('--sens none: the state alone; without --t-eval the CSV is one row at t1', () => {
    const r = run(['solve', SEED, '--y0', '1,1', '--t1', '1', '--sens', 'none', '--format', 'csv']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^t,x,v$/), expect.stringMatching(/^1,/)]);
  });

  it('--adaptive false --dt: fixed steps; --error-control all: more steps than state-only control', () => {
    const fixed = JSON.parse(
      run(['solve', SEED, '--y0', '1,1', '--t1', '1', '--adaptive', 'false', '--dt', '1/64', '--json']).stdout,
    );
    expect(fixed.stats.steps).toBe(64);
    const base = ['solve', SEED, '--y0', '1,1', '--t1', '2*pi', '--sens', 'y0,params', '--json'];
    const state = JSON.parse(run(base).stdout);
    const all = JSON.parse(run([...base, '--error-control', 'all']).stdout);
    expect(all.stats.steps).toBeGreaterThan(state.stats.steps);
    const bad = run([...base, '--adaptive', 'maybe']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--adaptive: expected true or false/);
  });

  it('--stiffness ignore carries an explicit method on through a stiff problem', () => {
    const args = ['solve', ROBERTSON, '--y0', '1,0,0', '--t1', '3', '--method', 'RK45CK', '--sens', 'none'];
    const stopped = run(args);
    expect(stopped.status).toBe(1);
    expect(stopped.stderr).toMatch(/stiff/);
    const on = run([...args, '--stiffness', 'ignore', '--json']);
    expect(on.status).toBe(0);
    expect(JSON.parse(on.stdout).t).toBe(3);
  });

  it('--batch -: one JSON line out per line in, in order; bad lines and failures reported in place', () => {
    const input = [
      '{"y0": [1, 1], "t1": 1}',
      '',
      '{"y0": [2, 0], "t1": 0.5, "params": {"k": 4}, "rtol": 1e-10, "atol": 1e-10}',
      'not json',
      '{"y0": [1, 1], "t1": 1, "maxSteps": 2}',
      '{"y0": [1, 1], "t1": 1, "rtoll": 1e-3}',
    ].join('\n');
    const r = run(['solve', SEED, '--batch', '-', '--sens', 'params'], input);
    // a bad line makes the exit code 2 (the other lines are still answered)
    expect(r.status).toBe(2);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(out).toHaveLength(5);
    expect(out[0].t).toBe(1);
    // y = (2 cos 2t, −4 sin 2t) for k = 4, y0 = (2, 0)
    expect(Math.abs(out[1].y[0] - 2 * Math.cos(1))).toBeLessThan(1e-8);
    expect(out[1].paramJacobian).toHaveLength(2);
    expect(out[2].error.type).toBe('OptionError');
    expect(out[3].failure.reason).toBe('max-steps');
    expect(out[4].error.message).toMatch(/rtoll: unknown option, did you mean 'rtol'/);
    // and each line is exactly what --json prints for the same problem
    const single = JSON.parse(run(['solve', SEED, '--y0', '1,1', '--t1', '1', '--sens', 'params', '--json']).stdout);
    expect({ ...out[0], stats: undefined }).toEqual({ ...single, stats: undefined });
  });

  it('--progress: a bar on stderr when asked (on), none when stderr is not a terminal (auto, the default)', () => {
    const args = ['solve', SEED, '--y0', '1,1', '--t1', '300', '--rtol', '1e-12', '--atol', '1e-12', '--json'];
    const on = run([...args, '--progress', 'on']);
    expect(on.status).toBe(0);
    expect(on.stderr).toMatch(/solve \|.*\| 100% \| t = 300\.000 \| ETA 0\.0 s/);
    const auto = run(args);
    expect(auto.stderr).toBe('');
    // the bar never touches stdout
    expect(JSON.parse(on.stdout).y).toEqual(JSON.parse(auto.stdout).y);
  });

  it('generate --sens none writes a state-only solver', () => {
    const dir = mkdtempSync(join(tmpdir(), 'odeforge-'));
    const out = join(dir, 'seed.ts');
    const r = run(['generate', SEED, '--sens', 'none', '--out', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/"sensitivities":\[\]/);
  });
});
