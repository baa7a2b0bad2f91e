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

  it('PNG for an --out ending in .png: the SVG rasterised at --scale pixels per unit; a bad scale is exit 2', () => {
    const svgPath = join(dir, 'p.svg');
    const pngPath = join(dir, 'p.png');
    expect(run('plot', LORENZ, '--y0', '1,1,1', '--t1', '2', '--out', svgPath).status).toBe(0);
    const r = run('plot', LORENZ, '--y0', '1,1,1', '--t1', '2', '--out', pngPath, '--scale', '1.5');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*p\.png \([\d,]+ bytes\)/);
    const png = readFileSync(pngPath);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, right after the chunk's length and type
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(readFileSync(svgPath, 'utf8'))!;
    expect(width).toBe(Math.ceil(Number(size[1]) * 1.5));
    expect(height).toBe(Math.ceil(Number(size[2]) * 1.5));
    expect(png.length).toBeGreaterThan(20_000); // three curves, axes and text, not a blank page
    for (const scale of ['0', '1000']) {
      const bad = run('plot', LORENZ, '--y0', '1,1,1', '--t1', '2', '--out', join(dir, 'q.png'), '--scale', scale);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--scale/);
    }
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
