/**
 * odeforge plot: SVG pictures rendered in Node (vega-lite, vega): a trajectory, a phase portrait and the
 * Jacobian heatmap, whose cell labels are the solve's own values; bad choices are exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const LORENZ = fileURLToPath(new URL('../../examples/lorenz.json', import.meta.url));
const run = (...args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
const labels = (svg: string) => Array.from(svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g), (m) => m[1]!);

describe('odeforge plot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'odeforge-plot-'));

  it('trajectory: one line per state against t, axes titled, to an SVG file', () => {
    const out = join(dir, 't.svg');
    const r = run('plot', LORENZ, '--y0', '1,1,1', '--t1', '5', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*t\.svg/);
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(labels(svg)).toEqual(expect.arrayContaining(['t', 'x', 'y', 'z', 'lorenz, RK45CK']));
    // three line marks
    expect(svg.match(/role-mark[^"]*"/g)?.length).toBeGreaterThan(0);
    expect(svg.match(/<path [^>]*aria-roledescription="line mark"/g)?.length).toBe(3);
  });

  it('phase: the two chosen states as axes; an unknown state is exit 2', () => {
    const r = run('plot', LORENZ, '--y0', '1,1,1', '--t1', '5', '--kind', 'phase', '--states', 'x,z', '--out', '-');
    expect(r.status).toBe(0);
    expect(labels(r.stdout)).toEqual(expect.arrayContaining(['x', 'z']));
    const bad = run('plot', LORENZ, '--y0', '1,1,1', '--t1', '5', '--kind', 'phase', '--states', 'x,q', '--out', '-');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--states: unknown state 'q'/);
  });

  it('jacobian: a cell per entry of ∂y/∂y0 and ∂y/∂p, labelled with the solve’s values', () => {
    const r = run('plot', LORENZ, '--y0', '1,1,1', '--t1', '1', '--kind', 'jacobian', '--out', '-');
    expect(r.status).toBe(0);
    const text = labels(r.stdout);
    const spec = JSON.parse(readFileSync(LORENZ, 'utf8'));
    const want = compile(spec, { sensitivities: ['y0', 'params'] }).solve({
      t0: 0,
      t1: 1,
      y0: [1, 1, 1],
      rtol: 1e-8,
      atol: 1e-10,
    });
    // d3-format '.3~g', with vega's minus sign
    const shown = (v: number) => Number(v.toPrecision(3)).toString().replace('-', '−');
    for (const v of [...want.jacobian!, ...want.paramJacobian!]) expect(text).toContain(shown(v));
    expect(text).toEqual(expect.arrayContaining(['∂y/∂y0', '∂y/∂p', 'sigma', 'x(t0)']));
  });
});
