import { type AugmentedSystem, rhsSegments } from '../../variational/system.ts';
import { componentDescription, symbolLocal } from '../names.ts';
import { ExpressionPrinter } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { WGSL_DIALECT } from './dialect.ts';

/** Runs of at least this many constant-0 components are written by one loop (see CUDA_ZERO_LOOP_FROM). */
export const WGSL_ZERO_LOOP_FROM = 8;

/**
 * The body of `fn rhs(t: f32, y: ptr<private, Vec>, dy: ptr<private, Vec>)`: reads the inputs it needs
 * (parameters from the private array rk_p), computes the temporaries, writes every component of dy — zeros
 * too, since dy is a reused private vector (see templates/wgsl/explicit-rk.wgsl).
 */
export function printWgslRhsBody(system: AugmentedSystem): string {
  const program = scheduleStraightLine(system.rhs);
  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: symbolLocal, temp: (e) => tempNames.get(e.id) }, WGSL_DIALECT);

  const lines: string[] = [];
  for (const s of program.inputs) {
    if (s.role === 'state' || s.role === 'aux') lines.push(`let ${symbolLocal(s)} = (*y)[${s.index}];`);
    else if (s.role === 'param') lines.push(`let ${symbolLocal(s)} = rk_p[${s.index}];`);
  }
  for (const e of program.temps) lines.push(`let ${tempNames.get(e.id)} = ${printer.definition(e)};`);
  for (const segment of rhsSegments(system.rhs, WGSL_ZERO_LOOP_FROM)) {
    if (segment.kind === 'one') {
      const i = segment.index;
      lines.push(`(*dy)[${i}] = ${printer.use(system.rhs[i]!)}; // ${componentDescription(system, i, true)}`);
    } else {
      const { start, end } = segment;
      const range = `${componentDescription(system, start, true)} ... ${componentDescription(system, end - 1, true)}`;
      const zero = printer.use(system.rhs[start]!);
      lines.push(`for (var i = ${start}u; i < ${end}u; i++) { (*dy)[i] = ${zero}; } // ${range}: 0`);
    }
  }
  return lines.join('\n');
}
