/**
 * `odeforge plot`: pictures of a solve as SVG, rendered in Node (vega-lite compiled to vega, vega's headless
 * SVG renderer; no browser, no canvas). Three kinds:
 *  - trajectory: every state (or the chosen ones) against t, from samples of the dense output;
 *  - phase: one state against another along the trajectory;
 *  - jacobian: a heatmap of ∂y_i(t1)/∂y0_j (and ∂y_i/∂p_j with --sens params) with the values written in.
 */
import type { TopLevelSpec } from 'vega-lite';
import { isMissingPackage, optionalPackagesMessage } from '../ensemble/optional-package.ts';
import { OdeforgeError, OptionError } from '../errors.ts';
import type { SolveResult, SolverInfo } from '../runtime/types.ts';

export type PlotKind = 'trajectory' | 'phase' | 'jacobian';

interface Row {
  readonly [key: string]: number | string;
}

/** The samples of a solve as rows {t, state, value} (long form, for a line per state). */
function trajectoryRows(info: SolverInfo, r: SolveResult, states: readonly number[]): Row[] {
  const dense = r.dense!;
  const n = info.states.length;
  const rows: Row[] = [];
  for (let k = 0; k < dense.t.length; k++)
    for (const i of states) rows.push({ t: dense.t[k]!, state: info.states[i]!, value: dense.y[k * n + i]! });
  return rows;
}

function matrixRows(matrix: Float64Array, rowNames: readonly string[], colNames: readonly string[], block: string) {
  return rowNames.flatMap((yi, i) =>
    colNames.map((c, j) => ({ row: `d${yi}(t1)`, column: c, value: matrix[i * colNames.length + j]!, block })),
  );
}

/** The vega-lite spec of a plot. `states` picks the states shown (trajectory) or the two axes (phase). */
export function plotSpec(kind: PlotKind, info: SolverInfo, r: SolveResult, states: readonly number[]): TopLevelSpec {
  const title = `${info.model}, ${info.method}`;
  const common = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white' } as const;
  if (kind === 'trajectory') {
    return {
      ...common,
      title,
      width: 560,
      height: 300,
      data: { values: trajectoryRows(info, r, states) },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: info.time },
        y: { field: 'value', type: 'quantitative', title: 'state' },
        color: { field: 'state', type: 'nominal', title: null, sort: states.map((i) => info.states[i]!) },
      },
    };
  }
  if (kind === 'phase') {
    const [a, b] = [states[0]!, states[1]!];
    const dense = r.dense!;
    const n = info.states.length;
    const values = Array.from(dense.t, (t, k) => ({ t, a: dense.y[k * n + a]!, b: dense.y[k * n + b]! }));
    return {
      ...common,
      title,
      width: 400,
      height: 400,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'a', type: 'quantitative', title: info.states[a], scale: { zero: false } },
        y: { field: 'b', type: 'quantitative', title: info.states[b], scale: { zero: false } },
        order: { field: 't', type: 'quantitative' },
      },
    };
  }
  const blocks = [];
  if (r.jacobian)
    blocks.push(
      ...matrixRows(
        r.jacobian,
        info.states,
        info.states.map((s) => `${s}(t0)`),
        '∂y/∂y0',
      ),
    );
  if (r.paramJacobian && info.params.length > 0)
    blocks.push(...matrixRows(r.paramJacobian, info.states, info.params, '∂y/∂p'));
  const cell = Math.max(18, Math.min(48, Math.floor(480 / Math.max(1, info.states.length))));
  const text = info.states.length <= 12;
  return {
    ...common,
    title: `${title}: Jacobians at t1 = ${r.t}`,
    data: { values: blocks },
    facet: { column: { field: 'block', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: { step: cell },
      height: { step: cell },
      layer: [
        {
          mark: 'rect',
          encoding: {
            x: { field: 'column', type: 'nominal', title: null, sort: null },
            y: { field: 'row', type: 'nominal', title: null, sort: null },
            color: { field: 'value', type: 'quantitative', scale: { scheme: 'redblue', domainMid: 0 }, title: 'value' },
          },
        },
        ...(text
          ? [
              {
                mark: { type: 'text' as const, fontSize: 9 },
                encoding: {
                  x: { field: 'column', type: 'nominal' as const, sort: null },
                  y: { field: 'row', type: 'nominal' as const, sort: null },
                  text: { field: 'value', type: 'quantitative' as const, format: '.3~g' },
                },
              },
            ]
          : []),
      ],
    },
  };
}

/**
 * vega and vega-lite are optional (peer) dependencies (24 MB with their d3 packages, for one command): loaded
 * here only, and when one is missing the error says what to install.
 */
async function plotPackage<Name extends 'vega' | 'vega-lite'>(
  name: Name,
): Promise<Name extends 'vega' ? typeof import('vega') : typeof import('vega-lite')> {
  try {
    return await import(name);
  } catch (e) {
    if (isMissingPackage(e, name)) {
      throw new OdeforgeError(optionalPackagesMessage('odeforge plot', ['vega', 'vega-lite']));
    }
    throw e;
  }
}

/** Renders a vega-lite spec to SVG text (vega's headless renderer). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vegaLite, vega] = await Promise.all([plotPackage('vega-lite'), plotPackage('vega')]);
  // vega-lite's notes about scale resolution go to a silent logger: a plot's output is its file, nothing else
  const compiled = vegaLite.compile(spec, { logger: vega.logger(vega.None) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The largest PNG side odeforge draws, in pixels (a typo in --scale is not a gigabyte image). */
export const MAX_PNG_SIDE = 16384;

/**
 * A PNG of the SVG, `scale` pixels per SVG unit, on white, with resvg (the optional peer '@resvg/resvg-js', a
 * native SVG renderer; text in the system's fonts).
 */
export async function renderPng(svg: string, scale: number): Promise<Uint8Array> {
  let resvg: typeof import('@resvg/resvg-js');
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (e) {
    if (isMissingPackage(e, '@resvg/resvg-js')) {
      throw new OdeforgeError(`${optionalPackagesMessage('a PNG', ['@resvg/resvg-js'])} (or write an .svg)`);
    }
    throw e;
  }
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  const side = size === null ? 0 : Math.max(Number(size[1]), Number(size[2])) * scale;
  if (side > MAX_PNG_SIDE) {
    throw new OptionError('--scale', `${scale} makes a ${Math.round(side)}-pixel side; at most ${MAX_PNG_SIDE}`);
  }
  const image = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true },
  });
  return image.render().asPng();
}
