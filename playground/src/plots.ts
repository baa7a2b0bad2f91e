/**
 * The page's two pictures, as vega-lite specs rendered by vega into SVG elements: the trajectory (every state
 * against t, from the solve's dense output) and a heatmap of the Jacobians at t1 with their values written in.
 */
import { logger, None, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SolveResult, SolverInfo } from '../../src/index.ts';

/** The views on the page, by container, so that a new picture replaces (and frees) the old one. */
const views = new Map<HTMLElement, View>();

/** Renders a spec as SVG into `container`, replacing what was there. */
export async function draw(container: HTMLElement, spec: TopLevelSpec): Promise<void> {
  views.get(container)?.finalize();
  container.replaceChildren();
  // vega-lite's notes about how it resolved facetted scales are not the user's concern: a silent logger.
  const compiled = compile(spec, { logger: logger(None) }).spec;
  const view = new View(parse(compiled), { renderer: 'svg', container, hover: false, logLevel: None });
  views.set(container, view);
  await view.runAsync();
}

/** Every state against t: one line per state, from `dense` (the tEval samples). */
export function trajectorySpec(info: SolverInfo, r: SolveResult): TopLevelSpec {
  const dense = r.dense!;
  const n = info.states.length;
  const values = Array.from(dense.t, (t, k) =>
    info.states.map((state, i) => ({ t, state, value: dense.y[k * n + i]! })),
  );
  return {
    title: `${info.model}: trajectory (${info.method})`,
    width: 460,
    height: 240,
    data: { values: values.flat() },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: info.time },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'state', type: 'nominal', title: null, sort: [...info.states] },
    },
  };
}

function matrixCells(m: ArrayLike<number>, rows: readonly string[], columns: readonly string[], block: string) {
  return rows.flatMap((row, i) =>
    columns.map((column, j) => ({ row, column, block, value: m[i * columns.length + j]! })),
  );
}

/** ∂y(t1)/∂y0 and ∂y(t1)/∂p side by side, cells coloured by value (diverging at 0). */
export function jacobianSpec(info: SolverInfo, r: SolveResult): TopLevelSpec {
  const rows = info.states.map((s) => `${s}(t1)`);
  const cells = [
    ...(r.jacobian
      ? matrixCells(
          r.jacobian,
          rows,
          info.states.map((s) => `${s}(t0)`),
          '∂y/∂y0',
        )
      : []),
    ...(r.paramJacobian ? matrixCells(r.paramJacobian, rows, info.params, '∂y/∂p') : []),
  ];
  const encode = {
    x: { field: 'column', type: 'nominal', title: null, sort: null },
    y: { field: 'row', type: 'nominal', title: null, sort: null },
  } as const;
  return {
    title: `${info.model}: Jacobians at t1`,
    data: { values: cells },
    facet: { column: { field: 'block', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: { step: 56 },
      height: { step: 36 },
      layer: [
        {
          mark: 'rect',
          encoding: {
            ...encode,
            color: { field: 'value', type: 'quantitative', scale: { scheme: 'redblue', domainMid: 0 } },
          },
        },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: { ...encode, text: { field: 'value', type: 'quantitative', format: '.3~g' } },
        },
      ],
    },
  };
}
