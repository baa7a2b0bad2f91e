/**
 * Determinism: the same model and options give byte-identical generated files in separate processes — two
 * runs of test/hardening/emit-all.ts (every example and a few more models × 4 methods × 3 sensitivity sets ×
 * TS, CUDA f64, CUDA f32, WGSL), the second from another directory with another time zone and locale; and the
 * CLI's `generate` run twice.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./emit-all.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
// tsx's loader by absolute URL: `--import tsx` would be resolved from the child's working directory.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

function emitAll(cwd: string, env: Record<string, string>): Record<string, string> {
  const r = spawnSync(process.execPath, ['--import', TSX, SCRIPT], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('generated files are byte-identical across processes', () => {
  it('every model × method × sensitivities × target, twice (another cwd, time zone and locale the second time)', () => {
    const first = emitAll(ROOT, {});
    const second = emitAll(tmpdir(), { TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' });
    const keys = Object.keys(first);
    expect(keys.length).toBeGreaterThanOrEqual(7 * 4 * 3 * 4);
    expect(Object.keys(second)).toEqual(keys);
    for (const key of keys) {
      if (first[key] !== second[key]) throw new Error(`'${key}' differs between two processes`);
    }
  });

  it('the CLI writes the same bytes twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'odeforge-determinism-'));
    const model = join(ROOT, 'examples', 'lorenz.json');
    for (const target of ['ts', 'cuda', 'wgsl']) {
      const files = ['a', 'b'].map((k) => join(dir, `${k}.${target}`));
      for (const out of files) {
        const r = spawnSync(BIN, ['generate', model, '--target', target, '--sens', 'y0,params', '--out', out], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.stderr).toMatch(/^wrote .* \([\d,]+ bytes\)\n$/);
        expect(r.status).toBe(0);
      }
      // The same path in the header: generate into the same name twice, in two directories, would differ only
      // there, so compare a and b with their names masked.
      const [a, b] = files.map((f) => readFileSync(f, 'utf8').replaceAll(/[ab]\.(ts|cuda|wgsl)\b/g, 'X'));
      expect(a).toBe(b);
    }
  });
});
