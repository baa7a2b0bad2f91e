/**
 * Compile time and size: model → module text (`generate`) and model → running solver in-process (`compile`,
 * which is generate + type erasure + evaluation), for the seed and Lorenz-96, with the emitted module's size.
 * The solvers carry the y0 Jacobian (sensitivities ['y0']), as in the other sections.
 */
import { compile, generate } from '../src/compile.ts';
import { SEED_MODEL } from '../src/examples.ts';
import type { ModelSpec } from '../src/model/model.ts';
import { duration, round, type Section, table } from './lib/format.ts';
import { median } from './lib/race.ts';
import { lorenz96 } from './models.ts';

export interface CompileOptions {
  readonly sizes: readonly number[];
  /** Repetitions per model; the median is reported. */
  readonly reps: (equations: number) => number;
  /** A model whose generate is predicted to take longer than this (s) is skipped, with the reason reported. */
  readonly maxGenerateS: number;
}

interface Row {
  model: string;
  equations: number;
  generateMs?: number;
  compileMs?: number;
  bytes?: number;
  lines?: number;
  reps?: number;
  skipped?: string;
}

function timeMs(f: () => unknown): number {
  const start = performance.now();
  f();
  return performance.now() - start;
}

export function runCompileTime(o: CompileOptions): Section {
  // The first compile of a process also loads the templates and the type eraser: not what is measured.
  compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0'] });

  const models: { spec: ModelSpec; n: number }[] = [
    { spec: SEED_MODEL, n: 2 },
    ...o.sizes.map((n) => ({ spec: lorenz96(n), n })),
  ];
  const rows: Row[] = [];
  let previous: { equations: number; generateMs: number } | undefined;
  for (const { spec, n } of models) {
    const equations = n + n * n;
    const row: Row = { model: spec.name, equations };
    rows.push(row);
    // Generated text grows with the number of non-zero terms, ~ equations; predict before paying for it.
    const predictedS = previous ? (previous.generateMs / 1e3) * (equations / previous.equations) : 0;
    if (predictedS > o.maxGenerateS) {
      row.skipped = `predicted ~${predictedS.toFixed(0)} s per generate (budget ${o.maxGenerateS} s)`;
      continue;
    }
    const options = { method: 'RK45CK', sensitivities: ['y0'] } as const;
    const reps = o.reps(equations);
    let source = '';
    const gen: number[] = [];
    const comp: number[] = [];
    // Alternate the two so that drift in machine load hits both alike.
    for (let r = 0; r < reps; r++) {
      gen.push(timeMs(() => (source = generate(spec, options))));
      comp.push(timeMs(() => compile(spec, options)));
    }
    row.generateMs = median(gen);
    row.compileMs = median(comp);
    row.bytes = Buffer.byteLength(source, 'utf8');
    row.lines = source.split('\n').length;
    row.reps = reps;
    previous = { equations, generateMs: row.generateMs };
    console.error(
      `  compile ${spec.name}: generate ${row.generateMs.toFixed(0)} ms, compile ${row.compileMs.toFixed(0)} ms`,
    );
  }

  const markdown = [
    '## Compile time and size (RK45CK, sensitivities y0)',
    '',
    '`generate`: model → TypeScript module text. `compile`: model → running solver in-process (generate, type',
    'erasure by oxc-transform, evaluation). Medians of the repetitions shown, after one untimed compile.',
    '',
    ...table(
      ['model', 'equations', 'generate', 'compile', 'module bytes', 'lines', 'reps'],
      rows.map((r) =>
        r.skipped
          ? [r.model, String(r.equations), `skipped (${r.skipped})`, '', '', '', '']
          : [
              r.model,
              String(r.equations),
              duration(r.generateMs! * 1e3),
              duration(r.compileMs! * 1e3),
              r.bytes!.toLocaleString('en-US'),
              r.lines!.toLocaleString('en-US'),
              String(r.reps),
            ],
      ),
    ),
    '',
  ];
  const json = {
    rows: rows.map((r) => ({
      ...r,
      generateMs: r.generateMs && round(r.generateMs),
      compileMs: r.compileMs && round(r.compileMs),
    })),
  };
  return { markdown, json };
}
