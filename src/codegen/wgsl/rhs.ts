import type { AugmentedSystem } from '../../variational/system.ts';
import { componentDescription, symbolLocal } from '../names.ts';
import { ExpressionPrinter } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { WGSL_DIALECT } from './dialect.ts';

/**
 * The body of `fn rhs(t: f32, y: ptr<private, Vec>, dy: ptr<private, Vec>)`: reads the inputs it needs
 * (parameters from the private array rk_p), computes the temporaries, writes dy.
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
  system.rhs.forEach((e, i) => {
    lines.push(`(*dy)[${i}] = ${printer.use(e)}; // ${componentDescription(system, i, true)}`);
  });
  return lines.join('\n');
}
