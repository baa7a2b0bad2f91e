/**
 * The CLI with the methods for stiff problems: `--method` takes them by name, `--json` carries their statistics
 * (and auto's switches) in `stats` next to the contract's fields, the table prints them, and a target without
 * the family is a clear refusal.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const ROBERTSON = fileURLToPath(new URL('../../examples/robertson.json', import.meta.url));

function run(...args: string[]) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SOLVE = [
  'solve',
  ROBERTSON,
  '--y0',
  '1,0,0',
  '--t1',
  '4e10',
  '--rtol',
  '1e-8',
  '--atol',
  '1e-14',
  '--sens',
  'params',
];

describe('odeforge solve with stiff methods', () => {
  it('--method auto --json: the contract fields, the implicit statistics and the switches', () => {
    const r = run(...SOLVE, '--method', 'auto', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.method).toBe('auto');
    expect(out.y).toHaveLength(3);
    expect(out.paramJacobian).toHaveLength(3);
    expect(Object.keys(out.stats)).toEqual([
      'steps',
      'rejected',
      'rhsEvals',
      'jacobianEvals',
      'factorizations',
      'linearSolves',
      'newtonIterations',
      'switches',
    ]);
    // RK87 and RadauIIA5: rtol 1e-8 is below auto's 1e-7 (explicit) and at its 1e-8 (stiff)
    expect(out.stats.switches.map((s: { method: string }) => s.method)).toEqual(['RK87', 'RadauIIA5']);
    expect(Math.abs(out.y[0] - 5.2083e-8) / 5.2083e-8).toBeLessThan(1e-4);
  });

  it('--method BDF: the table names the counts', () => {
    const r = run(...SOLVE, '--method', 'BDF');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/jacobians \d+, factorizations \d+, linear solves \d+, Newton iterations \d+/);
  });

  it('generate --target cuda with a stiff method is refused, exit 2, naming the target', () => {
    const r = run(
      'generate',
      ROBERTSON,
      '--method',
      'RadauIIA5',
      '--target',
      'cuda',
      '--out',
      '/tmp/odeforge-never.cu',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /RadauIIA5 is an implicit Runge–Kutta method; target 'cuda' has explicit Runge–Kutta methods only/,
    );
  });
});
