/**
 * Where unrolled variational code stops paying, and what the WebAssembly kernel adds: Lorenz-96 with its full Jacobian, the same generated solver
 * emitted both ways — every component of [y | Φ] as straight-line code ('unrolled') or Φ' = JΦ as loops over
 * Φ's columns ('columns') — raced against each other at each size. `compile`'s 'auto' switches to columns from
 * COLUMNS_FROM_STATES states on; this table is the evidence for that threshold.
 */
import { COLUMNS_FROM_STATES, compile } from '../src/compile.ts';
import { duration, type Section } from './lib/format.ts';
import { jsBatch, race } from './lib/race.ts';
import { lorenz96, lorenz96Y0 } from './models.ts';

export interface LayoutOptions {
  readonly sizes: readonly number[];
  readonly rounds: number;
  readonly batchMs: number;
}

export function runLayout(o: LayoutOptions): Section {
  const rows = o.sizes.map((n) => {
    const problem = { t0: 0, t1: 0.5, y0: lorenz96Y0(n), rtol: 1e-8, atol: 1e-8, dt: 0.01 };
    const solver = (layout: 'unrolled' | 'columns', wasm: boolean) =>
      compile(lorenz96(n), { method: 'RK45CK', sensitivities: ['y0'], layout, wasm });
    const unrolled = solver('unrolled', false);
    const columns = solver('columns', false);
    const kernel = solver('columns', true);
    const r = race(
      [
        { name: 'unrolled', batch: jsBatch(() => unrolled.solve(problem)) },
        { name: 'columns', batch: jsBatch(() => columns.solve(problem)) },
        { name: 'columns + kernel', batch: jsBatch(() => kernel.solve(problem)) },
      ],
      o.rounds,
      o.batchMs,
    );
    return {
      n,
      unrolledUs: r.medians[0]!,
      columnsUs: r.medians[1]!,
      kernelUs: r.medians[2]!,
      columnsOverUnrolled: r.ratios[1]!,
      kernelOverUnrolled: r.ratios[2]!,
    };
  });
  const markdown = [
    '## Variational layout: unrolled, column loops, column loops in the WebAssembly kernel',
    '',
    `Lorenz-96, state + N×N Jacobian, RK45CK, t ∈ [0, 0.5], rtol = atol = 1e-8; all three give bit-identical`,
    `results. 'auto' uses column loops, with the kernel, from ${COLUMNS_FROM_STATES} states on. Alternating rounds: ${o.rounds}.`,
    '',
    '| N | unrolled | columns | columns + kernel | columns / unrolled | kernel / unrolled |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.n} | ${duration(r.unrolledUs)} | ${duration(r.columnsUs)} | ${duration(r.kernelUs)} | ` +
        `${r.columnsOverUnrolled.toFixed(2)}× | ${r.kernelOverUnrolled.toFixed(2)}× |`,
    ),
    '',
  ];
  return { markdown, json: { threshold: COLUMNS_FROM_STATES, rows } };
}
