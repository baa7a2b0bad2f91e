/**
 * generate --watch: writes once, then again when the model file changes — only when the output would change
 * ('unchanged' otherwise); a bad model is one error line and the watch goes on.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const SEED = fileURLToPath(new URL('../../examples/seed.json', import.meta.url));

describe('generate --watch', () => {
  it('regenerates on change, skips identical output, survives a bad model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odeforge-watch-'));
    const model = join(dir, 'm.json');
    const out = join(dir, 'm.ts');
    copyFileSync(SEED, model);
    const child = spawn(BIN, ['generate', model, '--out', out, '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const waitFor = async (pattern: RegExp, count = 1) => {
      for (let i = 0; i < 400; i++) {
        if ((stderr.match(new RegExp(pattern, 'g')) ?? []).length >= count) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${pattern}; stderr so far: ${stderr}`);
    };
    try {
      await waitFor(/watching /);
      expect(stderr).toMatch(/^wrote .*m\.ts \([\d,]+ bytes\)\n/);
      const first = readFileSync(out, 'utf8');
      // the same content saved again: nothing written
      const now = new Date();
      utimesSync(model, now, new Date(now.getTime() + 5000));
      writeFileSync(model, readFileSync(model));
      await waitFor(/unchanged /);
      expect(readFileSync(out, 'utf8')).toBe(first);
      // a bad model: one error line, the output kept
      const spec = JSON.parse(readFileSync(SEED, 'utf8'));
      writeFileSync(model, JSON.stringify({ ...spec, rhs: { ...spec.rhs, v: '-k*x - zz' } }));
      await waitFor(/unknown symbol 'zz'/);
      expect(readFileSync(out, 'utf8')).toBe(first);
      // a real change: written again, with the new right-hand side
      writeFileSync(model, JSON.stringify({ ...spec, rhs: { ...spec.rhs, v: '-k*x - 0.5*v' } }));
      await waitFor(/wrote /, 2);
      expect(readFileSync(out, 'utf8')).not.toBe(first);
      expect(child.exitCode).toBe(null);
    } finally {
      child.kill();
    }
  }, 60_000);
});
