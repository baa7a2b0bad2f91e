/**
 * What a Hessian costs: the second-order solve (order 2, ∂²y(t1)/∂y0²) against the first-order solve of the same
 * problem (∂y(t1)/∂y0), and against finite differences of the Jacobian — 2n first-order solves at y0 ± h·e_k,
 * central differences — at the same tolerance. Both Hessians are compared with a reference: the order-2 solve at
 * rtol = atol = 1e-13. Seed, Lorenz, Lorenz-96 with N = 10 and 20; RK45CK, rtol = atol = 1e-10. The layout is
 * compile's 'auto' for both orders (column loops from COLUMNS_FROM_STATES states on); where that is 'columns', the
 * order-2 solve in the 'unrolled' layout is timed too (and its Hessian's difference from the columns one shown).
 *
 * The finite-difference step h = 1e-4·max(1, |y0_k|) balances its truncation error (~h²) against the tolerance's
 * noise divided by h; the table shows the error it reaches.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { COLUMNS_FROM_STATES, compile } from '../src/compile.ts';
import { SEED_MODEL } from '../src/examples.ts';
import type { ModelSpec } from '../src/model/model.ts';
import { duration, ratio, round, type Section, sci, table } from './lib/format.ts';
import { jsBatch, race } from './lib/race.ts';
import { lorenz96, lorenz96Y0 } from './models.ts';

export interface HessianOptions {
  readonly rounds: number;
  readonly batchMs: number;
}

const RTOL = 1e-10;
const LORENZ = JSON.parse(readFileSync(new URL('../examples/lorenz.json', import.meta.url), 'utf8')) as ModelSpec;

interface Problem {
  readonly spec: ModelSpec;
  readonly y0: number[];
  readonly t1: number;
}

const PROBLEMS: Problem[] = [
  { spec: SEED_MODEL, y0: [1, 1], t1: 2 * Math.PI },
  { spec: LORENZ, y0: [1, 1, 1], t1: 1 },
  { spec: lorenz96(10), y0: lorenz96Y0(10), t1: 0.5 },
  { spec: lorenz96(20), y0: lorenz96Y0(20), t1: 0.5 },
];

/**
 * max |a − b| / max |b| over the entries; where the reference is exactly zero (the seed is linear: its Hessian
 * vanishes), max |a| relative to the Jacobian's largest entry `fallbackScale`.
 */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, fallbackScale: number): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / (scale > 0 ? scale : fallbackScale);
}

export function runHessian(o: HessianOptions): Section {
  const rows: string[][] = [];
  const json: unknown[] = [];
  for (const { spec, y0, t1 } of PROBLEMS) {
    const n = y0.length;
    const first = compile(spec, { sensitivities: ['y0'] });
    const second = compile(spec, { sensitivities: ['y0'], order: 2 });
    const options = { t0: 0, t1, rtol: RTOL, atol: RTOL };
    const reference = second.solve({ ...options, y0, rtol: 1e-13, atol: 1e-13 }).hessian!;
    const jacobianSolve = () => first.solve({ ...options, y0 });
    const hessianSolve = () => second.solve({ ...options, y0 }).hessian!;
    // Where 'auto' loops over columns: the unrolled layout too (order 2 had only that one before #13).
    const unrolled =
      n >= COLUMNS_FROM_STATES ? compile(spec, { sensitivities: ['y0'], order: 2, layout: 'unrolled' }) : undefined;
    const unrolledSolve = unrolled && (() => unrolled.solve({ ...options, y0 }).hessian!);
    // H[i][j][k] = ∂J_ij/∂y0_k by central differences of the Jacobian along e_k
    const finiteDifferences = () => {
      const h = new Float64Array(n * n * n);
      for (let k = 0; k < n; k++) {
        const step = 1e-4 * Math.max(1, Math.abs(y0[k]!));
        const plus = y0.slice();
        const minus = y0.slice();
        plus[k]! += step;
        minus[k]! -= step;
        const jp = first.solve({ ...options, y0: plus }).jacobian!;
        const jm = first.solve({ ...options, y0: minus }).jacobian!;
        for (let ij = 0; ij < n * n; ij++) h[ij * n + k] = (jp[ij]! - jm[ij]!) / (2 * step);
      }
      return h;
    };
    const jacobianScale = Math.max(...Array.from(jacobianSolve().jacobian!, Math.abs));
    const errorOrder2 = relativeError(hessianSolve(), reference, jacobianScale);
    const errorFd = relativeError(finiteDifferences(), reference, jacobianScale);
    const layoutDifference = unrolledSolve && relativeError(unrolledSolve(), hessianSolve(), jacobianScale);
    const result = race(
      [
        { name: 'jacobian', batch: jsBatch(jacobianSolve) },
        { name: 'hessian', batch: jsBatch(hessianSolve) },
        { name: 'finite differences', batch: jsBatch(finiteDifferences) },
        ...(unrolledSolve ? [{ name: 'hessian, unrolled', batch: jsBatch(unrolledSolve) }] : []),
      ],
      o.rounds,
      o.batchMs,
    );
    const [tJ, tH, tFd, tU] = result.medians as [number, number, number, number | undefined];
    const [, rH, rFd, rU] = result.ratios as [number, number, number, number | undefined];
    console.error(
      `  hessian ${spec.name}: J ${tJ.toFixed(0)} µs, H ${tH.toFixed(0)} µs, FD ${tFd.toFixed(0)} µs` +
        (tU === undefined ? '' : `, H unrolled ${tU.toFixed(0)} µs`),
    );
    rows.push([
      spec.name,
      String(n),
      duration(tJ),
      `${duration(tH)} (${ratio(rH)})`,
      sci(errorOrder2),
      tU === undefined ? '(the same)' : `${duration(tU)} (${ratio(rU!)}); differs by ${sci(layoutDifference)}`,
      `${duration(tFd)} (${ratio(rFd)})`,
      sci(errorFd),
    ]);
    json.push({
      model: spec.name,
      n,
      jacobianUs: round(tJ),
      hessianUs: round(tH),
      finiteDifferencesUs: round(tFd),
      hessianRatio: round(rH),
      finiteDifferencesRatio: round(rFd),
      hessianError: round(errorOrder2, 2),
      finiteDifferencesError: round(errorFd, 2),
      ...(tU === undefined
        ? {}
        : {
            unrolledHessianUs: round(tU),
            unrolledHessianRatio: round(rU!),
            layoutDifference: round(layoutDifference!, 2),
          }),
    });
  }
  return {
    markdown: [
      '## Hessians (order 2) against the Jacobian solve and finite differences of the Jacobian',
      '',
      `RK45CK, rtol = atol = ${RTOL}; ratios to the Jacobian solve in the same round (medians of ${o.rounds} rounds);`,
      'errors: max relative to the largest entry, against the order-2 solve at rtol = atol = 1e-13 (the seed is',
      "linear, its Hessian 0: there the error is relative to the Jacobian's largest entry).",
      'Finite differences: 2n Jacobian solves at y0 ± h·e_k, h = 1e-4·max(1, |y0_k|).',
      `Layout 'auto' for both orders: column loops from ${COLUMNS_FROM_STATES} states on, where the unrolled Hessian solve`,
      'is timed too (its difference: from the columns Hessian, relative to its largest entry).',
      '',
      ...table(
        [
          'model',
          'n',
          'Jacobian solve',
          'Hessian solve',
          'its error',
          'Hessian solve, unrolled',
          'finite differences',
          'their error',
        ],
        rows,
      ),
      '',
    ],
    json,
  };
}

// `npx tsx bench/hessian.ts [--quick]`: this section alone, its table on stdout.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const section = runHessian(quick ? { rounds: 3, batchMs: 20 } : { rounds: 11, batchMs: 60 });
  console.log(section.markdown.join('\n'));
}
