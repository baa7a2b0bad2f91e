/**
 * The model-specific part of a TypeScript solver: the augmented right-hand side as straight-line code.
 */
import type { Expr } from '../../expr/ir.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { ExpressionPrinter } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { TS_DIALECT } from './dialect.ts';

/** The local variable that holds a symbol inside the generated rhs. */
function localName(s: Extract<Expr, { kind: 'sym' }>): string {
  switch (s.role) {
    case 'time':
      return 't';
    case 'state':
      return `y_${s.name}`;
    case 'param':
      return `p_${s.name}`;
    case 'aux':
      return s.name; // phi_i_j, s_i_k: built by odeforge, never from user text
  }
}

/** The body of `rhs(t, y, p, dy)`: reads the inputs it needs, computes temporaries, writes dy. */
export function printRhsBody(system: AugmentedSystem): string {
  const program = scheduleStraightLine(system.rhs);
  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: localName, temp: (e) => tempNames.get(e.id) }, TS_DIALECT);

  const lines: string[] = [];
  for (const s of program.inputs) {
    if (s.role === 'state' || s.role === 'aux')
      lines.push(`const ${localName(s)} = y[${s.index}];`); // states and aux: index = position in y
    else if (s.role === 'param') lines.push(`const ${localName(s)} = p[${s.index}];`);
  }
  for (const e of program.temps) lines.push(`const ${tempNames.get(e.id)} = ${printer.definition(e)};`);

  const n = system.model.states.length;
  const np = system.model.params.length;
  const states = system.model.states;
  system.rhs.forEach((e, i) => {
    let what: string;
    if (i < n) what = `d${states[i]!.name}/d${system.model.time.name}`;
    else if (system.phiOffset >= 0 && i < system.phiOffset + n * n) {
      const r = i - system.phiOffset;
      what = `d/dt ∂${states[Math.floor(r / n)]!.name}/∂${states[r % n]!.name}(t0)`;
    } else {
      const r = i - system.sensOffset;
      what = `d/dt ∂${states[Math.floor(r / np)]!.name}/∂${system.model.params[r % np]!.name}`;
    }
    lines.push(`dy[${i}] = ${printer.use(e)}; // ${what}`);
  });
  return lines.join('\n');
}
