/**
 * odeforge as an npm package, as a user gets it: `npm run build`, `npm pack`, the tarball installed in a new
 * app, then plain `node` (no tsx) importing it, the packed CLI, and a TypeScript consumer of its declarations.
 *
 * The install is `npm ci --offline` from a lock file made from this repository's (its production entries, and
 * esbuild as the app's own tool for the plugin test), so every dependency comes from npm's cache, which
 * `npm ci` here filled: no network. The default install (odeforge and its dependencies, not the app's esbuild)
 * must stay under 40 MB: the optional backends and plot libraries are optional peer dependencies. Where that cache is missing
 * (a copied node_modules), the tarball is extracted into the app's node_modules instead and the dependencies
 * are linked from this repository's node_modules.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional: boolean }>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const DECAY = { name: 'decay', states: ['x'], params: { k: 1 }, rhs: { x: '-k*x' } };
/** The app's own tools, installed beside odeforge (not counted in its install size). */
const APP_TOOLS = /^node_modules\/(?:esbuild|@esbuild\/[^/]+)$/;
const MAX_INSTALL_BYTES = 40 * 1024 * 1024;

/** The environment of the child processes: no loader (tsx, vitest) carried over through NODE_OPTIONS. */
const ENV = { ...process.env };
delete ENV.NODE_OPTIONS;

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let work: string;
let app: string;
let packed: Packed;
let installedBy: 'npm ci --offline' | 'links';

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env: ENV, encoding: 'utf8', timeout: 120_000, stdio: 'pipe' });
}

/** node FILE in the app: stdout, stderr and the exit status. */
function node(file: string) {
  const r = spawnSync(process.execPath, [file], { cwd: app, env: ENV, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The app's lock file: the tarball, and this repository's production dependencies, exactly as locked here. */
function appLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const packages: Record<string, object> = {
    '': { name: 'app', dependencies: { odeforge: tarball }, devDependencies: { esbuild: PKG.devDependencies.esbuild } },
    'node_modules/odeforge': {
      version: PKG.version,
      resolved: tarball,
      license: PKG.license,
      dependencies: PKG.dependencies,
      peerDependencies: PKG.peerDependencies,
      peerDependenciesMeta: PKG.peerDependenciesMeta,
      bin: PKG.bin,
      engines: PKG.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && (!entry.dev || APP_TOOLS.test(path))) packages[path] = entry;
  }
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

/** Without npm's cache: the tarball extracted, each dependency a link into this repository's node_modules. */
function installByLinks(tgz: string): void {
  const modules = join(app, 'node_modules');
  const target = join(modules, 'odeforge');
  mkdirSync(target, { recursive: true });
  run('tar', ['-xzf', tgz, '-C', target, '--strip-components=1'], app);
  for (const name of [...Object.keys(PKG.dependencies), 'esbuild']) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
  mkdirSync(join(modules, '.bin'));
  symlinkSync('../odeforge/bin/odeforge', join(modules, '.bin', 'odeforge'));
  chmodSync(join(target, 'bin', 'odeforge'), 0o755);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'odeforge-pack-'));
  app = join(work, 'app');
  mkdirSync(app);
  // The build first (unless the suite's setup made it: test/helpers/build-dist.ts), then the pack without its
  // prepack (the same build): its --json output stays clean.
  if (process.env.ODEFORGE_CLI !== 'dist') run('npm', ['run', '-s', 'build'], ROOT);
  const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  packed = (JSON.parse(out) as Packed[])[0]!;
  const tgz = join(work, packed.filename);
  console.log(
    `${packed.filename}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed, ` +
      `${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`,
  );

  const tarball = `file:../${packed.filename}`;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'app',
      private: true,
      type: 'module',
      dependencies: { odeforge: tarball },
      devDependencies: { esbuild: PKG.devDependencies.esbuild },
    }),
  );
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(tarball), null, 2));
  const npm = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: app,
    env: ENV,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (npm.status === 0) {
    installedBy = 'npm ci --offline';
  } else {
    console.warn(`npm ci --offline failed (a dependency not in npm's cache?), linking instead:\n${npm.stderr}`);
    rmSync(join(app, 'node_modules'), { recursive: true, force: true });
    installByLinks(tgz);
    installedBy = 'links';
  }
  console.log(`installed with ${installedBy}`);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds dist/, templates/, bin/, the WebGPU driver script and the documents, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    const top = new Set(paths.map((p) => p.split('/')[0]));
    expect([...top].sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'SECURITY.md',
      'bin',
      'dist',
      'package.json',
      'scripts',
      'templates',
    ]);
    for (const path of [
      'bin/odeforge',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/runtime/driver.d.ts',
      'templates/ts/driver.ts',
      'templates/cuda/explicit-rk.cu',
      'templates/wgsl/explicit-rk.wgsl',
      'scripts/webgpu-env.sh',
    ]) {
      expect(paths).toContain(path);
    }
    expect(paths.filter((p) => p.includes('/.') || p.includes('.test.'))).toEqual([]);
  });

  it('installs in under 40 MB by default (the optional peers koffi, webgpu, vega, vega-lite left out)', (ctx) => {
    if (installedBy === 'links') ctx.skip(); // linked from this repository: nothing was installed to measure
    const modules = join(app, 'node_modules');
    let bytes = 0;
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (APP_TOOLS.test(relative(app, path))) continue;
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile()) bytes += statSync(path).size;
      }
    };
    walk(modules);
    console.log(`default install: ${(bytes / 1024 / 1024).toFixed(1)} MB in node_modules (without the app's esbuild)`);
    for (const peer of Object.keys(PKG.peerDependencies)) expect(existsSync(join(modules, peer))).toBe(false);
    expect(bytes).toBeLessThan(MAX_INSTALL_BYTES);
  });

  it("plain node imports { compile } from 'odeforge' and solves with its Jacobians", () => {
    writeFileSync(
      join(app, 'decay.mjs'),
      [
        "import { compile } from 'odeforge';",
        `const solver = compile(${JSON.stringify(DECAY)}, { sensitivities: ['y0', 'params'] });`,
        'const r = solver.solve({ t0: 0, t1: 1, y0: [1], rtol: 1e-12, atol: 1e-12 });',
        "const from = import.meta.resolve('odeforge');",
        // the bundler plugin, from its own export
        "const plugin = await import('odeforge/unplugin');",
        "if (typeof plugin.default.esbuild !== 'function' || typeof plugin.vite !== 'function') throw new Error('no plugin');",
        'console.log(JSON.stringify({ from, y: r.y[0], dy0: r.jacobian[0], dk: r.paramJacobian[0] }));',
      ].join('\n'),
    );
    const r = node('decay.mjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { from: string; y: number; dy0: number; dk: number };
    expect(fileURLToPath(out.from)).toBe(join(app, 'node_modules', 'odeforge', 'dist', 'index.js'));
    expect(Math.abs(out.y - Math.exp(-1))).toBeLessThan(1e-8);
    expect(Math.abs(out.dy0 - Math.exp(-1))).toBeLessThan(1e-8); // ∂x(1)/∂x0 = e^{-k}
    expect(Math.abs(out.dk + Math.exp(-1))).toBeLessThan(1e-8); // ∂x(1)/∂k = -t e^{-kt}
  }, 60_000);

  it('installs the odeforge command, which runs the build', () => {
    const bin = join(app, 'node_modules', '.bin', 'odeforge');
    expect(run(bin, ['--version'], app)).toBe(`${PKG.version}\n`);
    writeFileSync(join(app, 'decay.json'), JSON.stringify(DECAY));
    const out = run(bin, ['solve', 'decay.json', '--y0', '1', '--t1', '1', '--rtol', '1e-12', '--json'], app);
    expect(Math.abs((JSON.parse(out) as { y: number[] }).y[0]! - Math.exp(-1))).toBeLessThan(1e-8);
  }, 60_000);

  it('gives a TypeScript consumer its declarations: tsc --noEmit (strict, no DOM library) reports nothing', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      [
        "import { compile, type ModelSpec, OdeforgeError, type SolveResult } from 'odeforge';",
        `const spec: ModelSpec = ${JSON.stringify(DECAY)};`,
        "const result: SolveResult = compile(spec, { sensitivities: ['params'] }).solve({ t0: 0, t1: 1, y0: [1] });",
        'export const x: number = result.y[0] ?? Number.NaN;',
        'export const failed = (e: unknown): boolean => e instanceof OdeforgeError;',
        '// @ts-expect-error: not a sensitivity (the declarations are typed, not any)',
        "compile(spec, { sensitivities: ['time'] });",
      ].join('\n'),
    );
    const compilerOptions = {
      strict: true,
      module: 'nodenext',
      target: 'es2022',
      lib: ['es2022'],
      types: [],
      skipLibCheck: false,
      noEmit: true,
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    const r = spawnSync(TSC, ['-p', app], { cwd: app, env: ENV, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('the installed plugin builds an esbuild app whose bundle solves the seed under plain node', () => {
    const seed = JSON.parse(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8'));
    writeFileSync(join(app, 'seed.ode.json'), JSON.stringify(seed));
    writeFileSync(
      join(app, 'entry.mjs'),
      [
        "import { solve } from './seed.ode.json';",
        'const r = solve({ t0: 0, t1: 2 * Math.PI, y0: [1, 1], rtol: 1e-12, atol: 1e-12 });',
        'console.log(JSON.stringify([...r.jacobian]));',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'build.mjs'),
      [
        "import { build } from 'esbuild';",
        "import odeforge from 'odeforge/unplugin';",
        "await build({ entryPoints: ['entry.mjs'], bundle: true, format: 'esm', platform: 'node', outfile: 'bundle.mjs', plugins: [odeforge.esbuild()], logLevel: 'error' });",
      ].join('\n'),
    );
    const built = node('build.mjs');
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    // the bundle carries the solver, not odeforge: it runs with the package out of reach
    expect(readFileSync(join(app, 'bundle.mjs'), 'utf8')).not.toMatch(/nerdamer|ts-morph/);
    const r = node('bundle.mjs');
    expect(r.code).toBe(0);
    const jacobian = JSON.parse(r.stdout) as number[];
    const w = Math.sqrt(20);
    const c = Math.cos(w * 2 * Math.PI);
    const s = Math.sin(w * 2 * Math.PI);
    for (const [i, want] of [c, s / w, -w * s, c].entries()) expect(Math.abs(jacobian[i]! - want)).toBeLessThan(1e-9);
  }, 60_000);

  it('names the optional packages to install when odeforge plot runs without vega', (ctx) => {
    if (installedBy === 'links') ctx.skip(); // the links reach this repository's vega
    const bin = join(app, 'node_modules', '.bin', 'odeforge');
    writeFileSync(join(app, 'decay.json'), JSON.stringify(DECAY));
    const r = spawnSync(bin, ['plot', 'decay.json', '--y0', '1', '--t1', '1', '--out', 'fig.svg'], {
      cwd: app,
      env: ENV,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toContain(
      "odeforge plot needs the optional packages 'vega' and 'vega-lite', which are not installed: npm install vega vega-lite",
    );
    expect(r.status).not.toBe(0);
    expect(existsSync(join(app, 'fig.svg'))).toBe(false);
  }, 60_000);

  it('names the optional package to install when koffi or webgpu is missing', () => {
    for (const name of ['koffi', 'webgpu']) {
      const path = join(app, 'node_modules', name);
      // An installed copy is removed; a link (installByLinks) is never followed, it was not made.
      if (existsSync(path) && !lstatSync(path).isSymbolicLink()) rmSync(path, { recursive: true });
    }
    writeFileSync(
      join(app, 'optional.mjs'),
      [
        "import { compile } from 'odeforge';",
        `const solver = compile(${JSON.stringify(DECAY)});`,
        'const input = { t0: 0, t1: 1, y0: new Float64Array([1, 2]), params: new Float64Array([1, 2]) };',
        "const webgpu = await solver.solveEnsemble(input, { backend: 'webgpu' }).catch((e) => e);",
        "const ffi = await import('./node_modules/odeforge/dist/ensemble/cuda-ffi.js');",
        "const koffi = await ffi.openEnsembleLibrary({ path: 'none.so' }, 'f64').catch((e) => e);",
        'const seen = (e) => ({ name: e.name, reason: e.reason, message: e.message });',
        'console.log(JSON.stringify({ webgpu: seen(webgpu), koffi: seen(koffi) }));',
      ].join('\n'),
    );
    const r = node('optional.mjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { name: string; reason?: string; message: string }>;
    expect(out.webgpu!.name).toBe('WebGpuUnavailableError');
    expect(out.webgpu!.message).toContain(
      "the WebGPU backend needs the optional package 'webgpu', which is not installed: npm install webgpu",
    );
    expect(out.koffi).toEqual({
      name: 'CudaUnavailableError',
      reason: 'koffi-missing',
      message: "the CUDA backend needs the optional package 'koffi', which is not installed: npm install koffi",
    });
  }, 60_000);
});
