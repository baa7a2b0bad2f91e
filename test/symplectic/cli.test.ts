/** The symplectic methods from the CLI, as a user runs it: bin/odeforge in a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KEPLER_Y0, squaredNorm, symplecticDefect } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'odeforge-symplectic-'));

function run(...args: string[]) {
  const r = spawnSync(BIN, args, { cwd: work, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('odeforge with a symplectic method', () => {
  it('solve examples/kepler.json --method ABAs5o6H --dt 0.01: one period, back where it started, Φ symplectic', () => {
    const r = run(
      'solve',
      join(EXAMPLES, 'kepler.json'),
      ...['--method', 'ABAs5o6H', '--dt', '0.01', '--y0', KEPLER_Y0.join(','), '--t1', String(2 * Math.PI)],
      ...['--sens', 'y0,params', '--json'],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.method).toBe('ABAs5o6H');
    expect(out.stats.steps).toBe(629);
    for (const [i, v] of (out.y as number[]).entries()) expect(Math.abs(v - KEPLER_Y0[i]!)).toBeLessThan(1e-5);
    const phi = (out.jacobian as number[][]).flat();
    expect(symplecticDefect(phi, [0, 1], [2, 3])).toBeLessThan(1e-12 * squaredNorm(phi));
    expect(out.paramJacobian).toHaveLength(4);
  });

  it('refuses what does not fit, with exit code 2 and one line', () => {
    const noDt = run('solve', join(EXAMPLES, 'kepler.json'), '--method', 'BABs9o7H', '--y0', '0.4,0,0,2', '--t1', '1');
    expect(noDt.code).toBe(2);
    expect(noDt.stderr).toBe('odeforge: dt: a fixed-step integration with BABs9o7H needs dt\n');
    const notHamiltonian = run(
      'solve',
      join(EXAMPLES, 'pendulum.json'),
      ...['--method', 'SymplecticEuler', '--dt', '0.01', '--y0', '1,0', '--t1', '1'],
    );
    expect(notHamiltonian.code).toBe(2);
    expect(notHamiltonian.stderr).toMatch(
      /^odeforge: model 'pendulum': SymplecticEuler is a symplectic splitting method: it needs the model's "hamiltonian"/,
    );
    const cuda = run(
      'generate',
      join(EXAMPLES, 'kepler.json'),
      '--method',
      'ABAs5o6H',
      '--target',
      'cuda',
      '--out',
      'k.cu',
    );
    expect(cuda.code).toBe(2);
    expect(cuda.stderr).toBe(
      "odeforge: method: ABAs5o6H is a symplectic splitting method; target 'cuda' has explicit Runge–Kutta methods only (the TypeScript target has every method)\n",
    );
  });
});
