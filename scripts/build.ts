/**
 * The package build (npm run build; npm pack runs it as prepack): src/ compiled to dist/ — ESM JavaScript with
 * the imports' .ts extensions rewritten to .js, declarations, source maps — laid out as src/ is, so that
 * dist/codegen/ts/module.js finds ../../../templates/ and dist/cli/main.js ../../package.json, as from src/.
 *
 * tsc (tsconfig.build.json) writes to dist/.tsc/ with rootDir "." because src/runtime/types.ts re-exports the
 * solver API's types from the driver template (templates/ts/driver.ts), which is then part of the program. This
 * script moves dist/.tsc/src/ to dist/ and the template's declarations to dist/runtime/driver.d.ts, which
 * dist/runtime/types.d.ts then names: a consumer's compiler never reads the template itself (shipped as text
 * for the code generator, it is not written for every consumer's compiler options).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAGE = join(DIST, '.tsc');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

/** Moves a file, and rewrites the `sources` of a source map so that they still name the same files. */
function move(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  if (from.endsWith('.map')) {
    const map = JSON.parse(readFileSync(from, 'utf8')) as { sources: string[]; file?: string };
    map.sources = map.sources.map((s) =>
      relative(dirname(to), resolve(dirname(from), s))
        .split('\\')
        .join('/'),
    );
    writeFileSync(to, JSON.stringify(map));
    rmSync(from);
  } else {
    renameSync(from, to);
  }
}

function moveTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) moveTree(source, join(to, entry.name));
    else move(source, join(to, entry.name));
  }
}

rmSync(DIST, { recursive: true, force: true });
const tsc = spawnSync(TSC, ['-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error(`build: tsc -p tsconfig.build.json failed (${tsc.error?.message ?? `exit code ${tsc.status}`})`);
  process.exit(1);
}

moveTree(join(STAGE, 'src'), DIST);
const driver = join(STAGE, 'templates', 'ts', 'driver.d.ts');
move(driver, join(DIST, 'runtime', 'driver.d.ts'));
move(`${driver}.map`, join(DIST, 'runtime', 'driver.d.ts.map'));
const typesFile = join(DIST, 'runtime', 'types.d.ts');
const types = readFileSync(typesFile, 'utf8');
const fromTemplate = `from '../../templates/ts/driver.ts'`;
if (!types.includes(fromTemplate)) {
  console.error(`build: ${relative(ROOT, typesFile)} no longer has ${fromTemplate}: update scripts/build.ts`);
  process.exit(1);
}
writeFileSync(typesFile, types.replace(fromTemplate, `from './driver.ts'`));
rmSync(STAGE, { recursive: true, force: true });

for (const required of ['index.js', 'index.d.ts', 'cli/main.js']) {
  if (!existsSync(join(DIST, required))) {
    console.error(`build: dist/${required} was not written`);
    process.exit(1);
  }
}
console.log(`build: ${relative(process.cwd(), DIST) || '.'}/ written`);
