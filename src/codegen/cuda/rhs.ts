/**
 * The model-specific part of a CUDA module: the augmented right-hand side as one straight-line
 * `__host__ __device__` function, from the same IR, the same scheduling (common subexpressions become
 * temporaries) and the same printer as the TypeScript target; only the dialect differs.
 */
import type { Expr } from '../../expr/ir.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { ExpressionPrinter } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { type CudaPrecision, cudaDialect } from './dialect.ts';

/** A C identifier made only by odeforge or from a validated model identifier. */
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The local variable that holds a symbol inside the generated rhs (the same names as the TypeScript rhs). */
function localName(s: Extract<Expr, { kind: 'sym' }>): string {
  let name: string;
  switch (s.role) {
    case 'time':
      return 't';
    case 'state':
      name = `y_${s.name}`;
      break;
    case 'param':
      name = `p_${s.name}`;
      break;
    case 'aux':
      name = s.name; // phi_i_j, s_i_k: built by odeforge, never from user text
      break;
  }
  // Model names are validated identifiers (src/model); refuse anything else rather than print it into C.
  if (!C_IDENTIFIER.test(name)) throw new Error(`internal: '${name}' is not a C identifier`);
  return name;
}

/** What dy[i] is, for the comment after it: `dx/dt`, `d/dt ∂x/∂y(t0)`, `d/dt ∂x/∂k`. */
export function componentDescription(system: AugmentedSystem, i: number): string {
  const { model, phiOffset, sensOffset } = system;
  const n = model.states.length;
  const np = model.params.length;
  const states = model.states;
  if (i < n) return `d${states[i]!.name}/d${model.time.name}`;
  if (phiOffset >= 0 && i >= phiOffset && i < phiOffset + n * n) {
    const r = i - phiOffset;
    return `d/d${model.time.name} ∂${states[Math.floor(r / n)]!.name}/∂${states[r % n]!.name}(t0)`;
  }
  const r = i - sensOffset;
  return `d/d${model.time.name} ∂${states[Math.floor(r / np)]!.name}/∂${model.params[r % np]!.name}`;
}

/**
 * The function `odeforge_rhs(t, y, p, dy)`: reads the inputs it needs into named locals, computes the shared
 * temporaries w0, w1, … once, and writes every component of dy.
 */
export function printCudaRhs(system: AugmentedSystem, precision: CudaPrecision): string {
  const program = scheduleStraightLine(system.rhs);
  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter(
    { symbol: localName, temp: (e) => tempNames.get(e.id) },
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
    body.push(`const real ${localName(s)} = ${s.role === 'param' ? 'p' : 'y'}[${s.index}];`);
  }
  if (program.temps.length > 0) body.push('// Common subexpressions.');
  for (const e of program.temps) body.push(`const real ${tempNames.get(e.id)} = ${printer.definition(e)};`);
  body.push('// Outputs, one per component of the augmented vector.');
  system.rhs.forEach((e, i) => {
    body.push(`dy[${i}] = ${printer.use(e)};  // ${componentDescription(system, i)}`);
  });

  return [
    'ODEFORGE_HD static ODEFORGE_INLINE void odeforge_rhs(real t, const real* __restrict__ y, const real* __restrict__ p,',
    '                                                     real* __restrict__ dy) {',
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n');
}
