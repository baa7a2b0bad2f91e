/**
 * The bundler plugin (src/bundler/unplugin.ts), through esbuild: a `*.ode.json` import becomes the generated
 * solver at build time (per-import options in the query), the bundle runs under plain node; a bad model fails
 * the build with the file, line and column of the faulty right-hand side.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuild as odeforge } from '../../src/bundler/unplugin.ts';
import { compile } from '../../src/compile.ts';

const LORENZ = JSON.parse(readFileSync(fileURLToPath(new URL('../../examples/lorenz.json', import.meta.url)), 'utf8'));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'odeforge-unplugin-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function bundle(dir: string, entry: string) {
  return build({
    entryPoints: [join(dir, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: join(dir, 'out.mjs'),
    plugins: [odeforge({ method: 'RK45CK', sensitivities: ['y0'] })],
    logLevel: 'silent',
  });
}

describe('odeforge/unplugin (esbuild)', () => {
  it('compiles *.ode.json imports at build time; the bundle runs under plain node and matches compile()', async () => {
    const dir = project({
      'lorenz.ode.json': JSON.stringify(LORENZ, null, 2),
      'app.ts': [
        "import { solve, info } from './lorenz.ode.json';",
        "import { solve as stiff } from './lorenz.ode.json?method=Rodas5P&sens=params';",
        'const o = { t0: 0, t1: 1, y0: [1, 1, 1], rtol: 1e-10, atol: 1e-10 };',
        'const a = solve(o);',
        'const b = stiff(o);',
        'console.log(JSON.stringify({ method: info.method, y: [...a.y], jacobian: [...a.jacobian], s: b.paramJacobian.length }));',
      ].join('\n'),
    });
    await bundle(dir, 'app.ts');
    const out = JSON.parse(
      execFileSync('node', [join(dir, 'out.mjs')], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }),
    );
    const want = compile(LORENZ, { method: 'RK45CK', sensitivities: ['y0'] }).solve({
      t0: 0,
      t1: 1,
      y0: [1, 1, 1],
      rtol: 1e-10,
      atol: 1e-10,
    });
    expect(out.method).toBe('RK45CK');
    expect(out.y).toEqual(Array.from(want.y));
    expect(out.jacobian).toEqual(Array.from(want.jacobian!));
    expect(out.s).toBe(9);
  }, 60_000);

  it('a bad model fails the build with its file, line and column', async () => {
    const bad = { ...LORENZ, rhs: { ...LORENZ.rhs, y: 'x*(rho - z) - qq' } };
    const dir = project({
      'bad.ode.json': JSON.stringify(bad, null, 2),
      'app.ts': "import { solve } from './bad.ode.json';\nconsole.log(solve);\n",
    });
    const line =
      JSON.stringify(bad, null, 2)
        .split('\n')
        .findIndex((l) => l.includes('"y": "x*(rho - z) - qq"')) + 1;
    await expect(bundle(dir, 'app.ts')).rejects.toThrow(
      new RegExp(`bad\\.ode\\.json:${line}:5: .*unknown symbol 'qq'`),
    );
  });

  it('a TypeScript model (*.ode.ts) is read as data and compiled like the JSON one; its errors name line and column', async () => {
    const tsModel = (rhs: string) =>
      [
        "import { defineModel } from 'odeforge';",
        'export default defineModel({',
        "  name: 'lorenz',",
        "  states: ['x', 'y', 'z'],",
        '  params: { sigma: 10, rho: 28, beta: 2.6666666666666665 },',
        `  rhs: (t, { x, y, z }, { sigma, rho, beta }) => (${rhs}),`,
        '});',
      ].join('\n');
    const dir = project({
      'lorenz.ode.ts': tsModel('{ x: sigma * (y - x), y: x * (rho - z) - y, z: x * y - beta * z }'),
      'bad.ode.ts': tsModel('{ x: sigma * (y - x), y: x * (rho - z) - y, z: x * y - Math.random() }'),
      'app.ts': [
        "import { solve } from './lorenz.ode.ts';",
        'const r = solve({ t0: 0, t1: 1, y0: [1, 1, 1], rtol: 1e-10, atol: 1e-10 });',
        'console.log(JSON.stringify({ y: [...r.y], jacobian: [...r.jacobian] }));',
      ].join('\n'),
      'bad.ts': "import { solve } from './bad.ode.ts';\nconsole.log(solve);\n",
    });
    await bundle(dir, 'app.ts');
    const out = JSON.parse(
      execFileSync('node', [join(dir, 'out.mjs')], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }),
    );
    const want = compile(LORENZ, { method: 'RK45CK', sensitivities: ['y0'] }).solve({
      t0: 0,
      t1: 1,
      y0: [1, 1, 1],
      rtol: 1e-10,
      atol: 1e-10,
    });
    expect(out.y).toEqual(Array.from(want.y));
    expect(out.jacobian).toEqual(Array.from(want.jacobian!));
    await expect(bundle(dir, 'bad.ts')).rejects.toThrow(/bad\.ode\.ts: .*Math\.random.*line 6, column/);
  }, 60_000);

  it('an unknown import option fails the build', async () => {
    const dir = project({
      'm.ode.json': JSON.stringify(LORENZ),
      'app.ts': "import { solve } from './m.ode.json?methd=RK87';\nconsole.log(solve);\n",
    });
    await expect(bundle(dir, 'app.ts')).rejects.toThrow(/unknown import option 'methd'/);
  });
});
