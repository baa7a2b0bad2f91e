/** The CLI contract, run as a user runs it: bin/odeforge in a child process, from another directory. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seedExactJacobian } from '../../src/examples.ts';
import { maxRelativeError } from '../helpers/fd.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'odeforge-cli-'));

function run(...args: string[]) {
  const r = spawnSync(BIN, args, { cwd: work, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function modelFile(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

describe('odeforge solve --json', () => {
  it('prints exactly one JSON object with the seed Jacobian matching expm(2πM)', () => {
    const r = run(
      'solve',
      join(EXAMPLES, 'seed.json'),
      ...['--y0', '1,1', '--t0', '0', '--t1', String(2 * Math.PI), '--rtol', '1e-12', '--atol', '1e-12'],
      ...['--dt', '0.1', '--method', 'RK45CK', '--sens', 'y0,params', '--json'],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(Object.keys(out)).toEqual(['t', 'y', 'jacobian', 'paramJacobian', 'stats', 'method']);
    expect(out.t).toBe(2 * Math.PI);
    expect(out.y).toHaveLength(2);
    expect(maxRelativeError(out.jacobian.flat(), seedExactJacobian(2 * Math.PI))).toBeLessThan(1e-10);
    expect(out.paramJacobian).toHaveLength(2);
    expect(out.paramJacobian[0]).toHaveLength(1);
    expect(Number.isInteger(out.stats.steps)).toBe(true);
  });

  it('omits the Jacobians that were not asked for, and takes --param overrides', () => {
    const r = run(
      'solve',
      join(EXAMPLES, 'seed.json'),
      '--y0',
      '1,1',
      '--t1',
      '1',
      '--sens',
      'params',
      '--param',
      'k=5',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.jacobian).toBeUndefined();
    expect(out.paramJacobian).toHaveLength(2);
    // k = 5: x(1) = cos(√5) + sin(√5)/√5
    expect(out.y[0]).toBeCloseTo(Math.cos(Math.sqrt(5)) + Math.sin(Math.sqrt(5)) / Math.sqrt(5), 6);
  });

  it('prints a readable table without --json', () => {
    const r = run('solve', join(EXAMPLES, 'lorenz.json'), '--y0', '1,1,1', '--t1', '0.5', '--method', 'DOPRI45');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/method Dormand-Prince/);
    expect(r.stdout).toMatch(/jacobian/);
  });
});

describe('odeforge generate', () => {
  it('writes a module that type-checks as part of the repository and solves', () => {
    const out = join(work, 'gen', 'lv.ts');
    const r = run(
      'generate',
      join(EXAMPLES, 'lotka-volterra.json'),
      '--method',
      'RK87',
      '--sens',
      'y0,params',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/Method RK87/);
    expect(text).toMatch(/export function solve/);
  });
});

describe('bad input: exit 2, one line on stderr, no stack trace', () => {
  const seed = join(EXAMPLES, 'seed.json');
  const cases: [string, string[], RegExp][] = [
    [
      'unknown symbol',
      [modelFile('bad.json', '{"name":"bad","states":["x"],"rhs":{"x":"x + nosuchsymbol"}}'), '--y0', '1', '--t1', '1'],
      /nosuchsymbol/,
    ],
    [
      'unknown function',
      [modelFile('badf.json', '{"name":"badf","states":["x"],"rhs":{"x":"foo(x)"}}'), '--y0', '1', '--t1', '1'],
      /unknown function 'foo'/,
    ],
    [
      'invalid JSON',
      [modelFile('broken.json', '{\n  "name": "x",\n  "states": [x]\n}'), '--y0', '1', '--t1', '1'],
      /line 3, column/,
    ],
    ['missing file', [join(work, 'nope.json'), '--y0', '1', '--t1', '1'], /no such file/],
    ['a directory', [work, '--y0', '1', '--t1', '1'], /is a directory/],
    ['y0 of the wrong length', [seed, '--y0', '1,2,3', '--t1', '1'], /y0: expected 2 values/],
    ['a non-number', [seed, '--y0', '1,1', '--t1', 'abc'], /--t1: expected a finite number/],
    ['NaN', [seed, '--y0', 'NaN,1', '--t1', '1'], /--y0: expected a finite number/],
    ['Infinity', [seed, '--y0', '1,1', '--t1', 'Infinity'], /--t1/],
    ['unknown method', [seed, '--y0', '1,1', '--t1', '1', '--method', 'RK99'], /unknown method 'RK99'/],
    ['unknown parameter', [seed, '--y0', '1,1', '--t1', '1', '--param', 'q=1'], /unknown parameter 'q'/],
    ['bad --sens', [seed, '--y0', '1,1', '--t1', '1', '--sens', 'all'], /--sens/],
    ['unknown flag', [seed, '--y0', '1,1', '--t1', '1', '--frobnicate'], /unknown option '--frobnicate'/],
    ['negative tolerance', [seed, '--y0', '1,1', '--t1', '1', '--rtol', '-1'], /rtol: must be non-negative/],
  ];
  it.each(cases)('%s', (_, args, message) => {
    const r = run('solve', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a failed integration: one line saying where and why, exit 1', () => {
  it("blow-up of x' = x² near t = 1", () => {
    const blowup = modelFile('blowup.json', '{"name":"blowup","states":["x"],"rhs":{"x":"x^2"}}');
    const r = run('solve', blowup, '--y0', '1', '--t1', '2', '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/integration failed at t = (0\.99|1\.0)\d*/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

it('works from any directory (bin resolves its own dependencies)', () => {
  const out = execFileSync(BIN, ['solve', join(EXAMPLES, 'seed.json'), '--y0', '1,1', '--t1', '1', '--json'], {
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  expect(JSON.parse(out).y).toHaveLength(2);
});

it("a script inside the repository imports { compile } from 'odeforge' and runs with npx tsx", () => {
  const script = fileURLToPath(new URL('../../examples/api-example.ts', import.meta.url));
  const out = execFileSync('npx', ['tsx', script], {
    cwd: fileURLToPath(new URL('../../src/', import.meta.url)),
    encoding: 'utf8',
  });
  expect(out).toMatch(/stats .*steps: \d+/);
});
