/**
 * The bundler plugin through Vite (a production build, whose bundler is not esbuild's): a `*.ode.json` import
 * becomes the generated solver, the built file runs under plain node and gives compile()'s bits; a bad model
 * fails the build with its file, line and column.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { vite as odeforge } from '../../src/bundler/unplugin.ts';
import { compile } from '../../src/compile.ts';

const SEED = JSON.parse(readFileSync(fileURLToPath(new URL('../../examples/seed.json', import.meta.url)), 'utf8'));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'odeforge-vite-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A Vite library build of `entry` for node (ES module, one file, nothing external to resolve). */
async function viteBuild(dir: string, entry: string): Promise<string> {
  await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    plugins: [odeforge({ sensitivities: ['y0', 'params'] })],
    build: {
      outDir: join(dir, 'dist'),
      emptyOutDir: true,
      minify: false,
      lib: { entry: join(dir, entry), formats: ['es'], fileName: () => 'app.mjs' },
    },
  });
  return join(dir, 'dist', 'app.mjs');
}

describe('odeforge/unplugin (Vite)', () => {
  it('a Vite build compiles the model; the output runs under plain node and matches compile()', async () => {
    const dir = project({
      'seed.ode.json': JSON.stringify(SEED, null, 2),
      'app.ts': [
        "import { solve, info } from './seed.ode.json';",
        'const r = solve({ t0: 0, t1: 1, y0: [1, 0], rtol: 1e-10, atol: 1e-12 });',
        'console.log(JSON.stringify({ method: info.method, y: [...r.y], jacobian: [...r.jacobian], dp: [...r.paramJacobian] }));',
      ].join('\n'),
    });
    const out = await viteBuild(dir, 'app.ts');
    expect(readFileSync(out, 'utf8')).not.toMatch(/nerdamer|ts-morph/);
    const got = JSON.parse(
      execFileSync('node', [out], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }),
    ) as { method: string; y: number[]; jacobian: number[]; dp: number[] };
    const want = compile(SEED, { sensitivities: ['y0', 'params'] }).solve({
      t0: 0,
      t1: 1,
      y0: [1, 0],
      rtol: 1e-10,
      atol: 1e-12,
    });
    expect(got.method).toBe('RK45CK');
    expect(got.y).toEqual(Array.from(want.y));
    expect(got.jacobian).toEqual(Array.from(want.jacobian!));
    expect(got.dp).toEqual(Array.from(want.paramJacobian!));
    // and against the exact solution x = cos(wt), v = -w sin(wt) with w = sqrt(k)
    const w = Math.sqrt(20);
    expect(Math.abs(got.y[0]! - Math.cos(w))).toBeLessThan(1e-8);
  }, 60_000);

  it('a bad model fails the Vite build with its file, line and column', async () => {
    const bad = { ...SEED, rhs: { ...SEED.rhs, v: '-k*x + nope' } };
    const text = JSON.stringify(bad, null, 2);
    const dir = project({
      'bad.ode.json': text,
      'app.ts': "import { solve } from './bad.ode.json';\nconsole.log(solve);\n",
    });
    const line = text.split('\n').findIndex((l) => l.includes('"v": "-k*x + nope"')) + 1;
    await expect(viteBuild(dir, 'app.ts')).rejects.toThrow(
      new RegExp(`bad\\.ode\\.json:${line}:5: .*unknown symbol 'nope'`),
    );
  }, 60_000);
});
