/**
 * Generated solvers used outside odeforge, as a user would: the TypeScript target type-checks under the settings
 * `tsc --init` writes (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, verbatimModuleSyntax, …) and
 * is erasable syntax only (what Node's type stripping runs: no enums, namespaces or parameter properties), for
 * every family and code shape; the JavaScript target (`generate --target js`, or an --out ending .js/.mjs) runs
 * under plain `node` and its `.d.ts` serves a strict TypeScript consumer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, generateJavaScript } from '../../src/compile.ts';
import type { ModelSpec } from '../../src/model/model.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const BIN = join(ROOT, 'bin', 'odeforge');

const LORENZ: ModelSpec = {
  name: 'lorenz',
  states: ['x', 'y', 'z'],
  params: { sigma: 10, rho: 28, beta: 8 / 3 },
  rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
};
const l96 = (n: number): ModelSpec => ({
  name: 'l96',
  states: Array.from({ length: n }, (_, i) => `x${i}`),
  params: { F: 8 },
  rhs: Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `x${i}`,
      `(x${(i + 1) % n} - x${(i + n - 2) % n})*x${(i + n - 1) % n} - x${i} + F`,
    ]),
  ),
});

/** Every family, and the code shapes: scalar and array steps, column loops, the WebAssembly kernel, sparse LU. */
const CASES: [string, ModelSpec, Record<string, unknown>][] = [
  ['lorenz-ck', LORENZ, { method: 'RK45CK', sensitivities: ['y0', 'params'] }],
  ['lorenz-rk87', LORENZ, { method: 'RK87', sensitivities: ['y0', 'params'], wasm: false }],
  ['l96-columns', l96(60), { method: 'Dormand-Prince', sensitivities: ['y0'], layout: 'columns' }],
  ['l96-wasm', l96(30), { method: 'RK45CK', sensitivities: ['y0'], wasm: true }],
  ['rodas', LORENZ, { method: 'Rodas5P', sensitivities: ['params'] }],
  ['radau', LORENZ, { method: 'RadauIIA5', sensitivities: ['y0', 'params'] }],
  ['bdf-sparse', l96(40), { method: 'BDF', sensitivities: ['params'] }],
  ['auto', LORENZ, { method: 'auto', sensitivities: ['y0'] }],
  ['gauss', LORENZ, { method: 'GaussLegendre4', sensitivities: ['y0'] }],
  ['rodas-order2', LORENZ, { method: 'Rodas5P', sensitivities: ['y0', 'params'], order: 2 }],
  ['radau-order2', LORENZ, { method: 'RadauIIA5', sensitivities: ['params'], order: 2 }],
];

function tsc(dir: string, ...flags: string[]): { status: number | null; out: string } {
  const r = spawnSync(TSC, ['--noEmit', '-p', dir, ...flags], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('generated TypeScript under `tsc --init` defaults', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odeforge-strict-'));
    // the defaults of the TypeScript this repository uses, as a new project gets them
    execFileSync(TSC, ['--init'], { cwd: dir, stdio: 'ignore' });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const [name, model, options] of CASES) writeFileSync(join(dir, `${name}.ts`), generate(model, options));
  }, 120_000);

  it('the tsconfig is strict, with noUncheckedIndexedAccess', () => {
    const config = readFileSync(join(dir, 'tsconfig.json'), 'utf8');
    expect(config).toMatch(/^\s*"strict": true/m);
    expect(config).toMatch(/^\s*"noUncheckedIndexedAccess": true/m);
  });

  it('every family and code shape type-checks, with no error', () => {
    const r = tsc(dir);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('and is erasable syntax only (Node type stripping)', () => {
    const r = tsc(dir, '--erasableSyntaxOnly');
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
});

describe('generate --target js', () => {
  it('an --out ending .mjs writes JavaScript and a .d.mts; plain node runs it; a strict consumer type-checks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'odeforge-js-'));
    const model = join(dir, 'lorenz.json');
    writeFileSync(model, JSON.stringify(LORENZ));
    const r = spawnSync(BIN, ['generate', model, '--sens', 'y0,params', '--out', join(dir, 'lorenz.mjs')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*lorenz\.mjs \([\d,]+ bytes\)\nwrote .*lorenz\.d\.mts \([\d,]+ bytes\)\n$/);
    const js = readFileSync(join(dir, 'lorenz.mjs'), 'utf8');
    expect(js).not.toMatch(/: Float64Array\b|^\s*(export )?interface /m);
    // plain node (no loader): the result equals the in-process solver's
    writeFileSync(
      join(dir, 'use.mjs'),
      "import { solve } from './lorenz.mjs';\n" +
        'const r = solve({ t0: 0, t1: 1, y0: [1, 1, 1], rtol: 1e-9, atol: 1e-9 });\n' +
        'console.log(JSON.stringify([...r.y, ...r.jacobian, ...r.paramJacobian]));\n',
    );
    const env = { ...process.env, NODE_OPTIONS: '' };
    const printed = JSON.parse(execFileSync('node', [join(dir, 'use.mjs')], { encoding: 'utf8', env }));
    expect(printed).toHaveLength(3 + 9 + 9);
    // a consumer of the declarations, under tsc --init's defaults
    execFileSync(TSC, ['--init'], { cwd: dir, stdio: 'ignore' });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, 'consumer.ts'),
      "import { solve, info, type SolveResult } from './lorenz.mjs';\n" +
        "const r: SolveResult = solve({ t0: 0, t1: 1, y0: [1, 1, 1], errorControl: 'all' });\n" +
        'const first: number = r.y[0] ?? Number.NaN;\n' +
        'export const out: [string, number] = [info.method, first];\n',
    );
    const check = tsc(dir);
    expect(check.out).toBe('');
    // and a wrong use is caught by the declarations
    writeFileSync(join(dir, 'wrong.ts'), "import { solve } from './lorenz.mjs';\nsolve({ t0: 0, t1: 1 });\n");
    expect(tsc(dir).out).toMatch(/wrong\.ts.*y0/);
  }, 120_000);

  it('generateJavaScript gives the code and its declarations; the code is generate(…, { target: js })', () => {
    const { code, declarations } = generateJavaScript(LORENZ, { sensitivities: ['y0'] });
    expect(declarations).toMatch(/export declare function solve\(options: SolveOptions\): SolveResult;/);
    expect(code).toMatch(/^export function solve\(options\)/m);
    expect(code).toBe(generate(LORENZ, { sensitivities: ['y0'], target: 'js' }));
  });
});

describe('generate --out -', () => {
  it('writes the module to stdout and nothing else', () => {
    const model = fileURLToPath(new URL('../../examples/seed.json', import.meta.url));
    const r = spawnSync(BIN, ['generate', model, '--out', '-'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      generate(JSON.parse(readFileSync(model, 'utf8')), {
        command: `odeforge generate ${model} --method RK45CK --sens y0 --target ts --out -`,
      }),
    );
  });
});
