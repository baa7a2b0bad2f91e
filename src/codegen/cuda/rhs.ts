import { type AugmentedSystem, rhsSegments } from '../../variational/system.ts';
import { componentDescription, symbolLocal } from '../names.ts';
import { ExpressionPrinter } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { type CudaPrecision, cudaDialect } from './dialect.ts';

/**
 * Runs of at least this many constant-0 components (the structurally zero Φ and S entries of a sparse
 * system) are written by one loop instead of a line each; shorter ones stay lines, which keeps small
 * kernels straight-line code whose every store nvcc sees.
 */
export const CUDA_ZERO_LOOP_FROM = 8;

/**
 * The function `odeforge_rhs(t, y, p, dy)`: reads the inputs it needs into named locals, computes the shared
 * temporaries w0, w1, … once, and writes every component of dy — zeros too: dy is a stage vector of the
 * step, not zero-initialised (see templates/cuda/explicit-rk.cu).
 */
export function printCudaRhs(system: AugmentedSystem, precision: CudaPrecision): string {
  const program = scheduleStraightLine(system.rhs);
  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter(
    { symbol: symbolLocal, temp: (e) => tempNames.get(e.id) },
    cudaDialect(precision),
  );

  const body: string[] = [];
  const usesTime = program.inputs.some((s) => s.role === 'time');
  const usesParams = program.inputs.some((s) => s.role === 'param');
  if (!usesTime) body.push('(void)t;');
  if (!usesParams) body.push('(void)p;');
  const reads = program.inputs.filter((s) => s.role !== 'time');
  if (reads.length > 0) body.push('// Inputs: states, sensitivities and parameters.');
  for (const s of reads) {
    // States and aux: index = position in y; parameters: position in p.
    body.push(`const real ${symbolLocal(s)} = ${s.role === 'param' ? 'p' : 'y'}[${s.index}];`);
  }
  if (program.temps.length > 0) body.push('// Common subexpressions.');
  for (const e of program.temps) body.push(`const real ${tempNames.get(e.id)} = ${printer.definition(e)};`);
  body.push('// Outputs, one per component of the augmented vector.');
  for (const segment of rhsSegments(system.rhs, CUDA_ZERO_LOOP_FROM)) {
    if (segment.kind === 'one') {
      const i = segment.index;
      body.push(`dy[${i}] = ${printer.use(system.rhs[i]!)};  // ${componentDescription(system, i)}`);
    } else {
      const { start, end } = segment;
      const first = componentDescription(system, start);
      const last = componentDescription(system, end - 1);
      body.push(
        `for (int i = ${start}; i < ${end}; i++) dy[i] = ${printer.use(system.rhs[start]!)};  // ${first} … ${last}: 0`,
      );
    }
  }

  return [
    'ODEFORGE_HD static ODEFORGE_INLINE void odeforge_rhs(real t, const real* __restrict__ y, const real* __restrict__ p,',
    '                                                     real* __restrict__ dy) {',
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n');
}
