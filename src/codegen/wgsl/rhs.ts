/**
 * The model-specific part of a WGSL solver: the augmented right-hand side as straight-line f32 code, from the
 * same schedule (CSE, inlining of single-use nodes) as the TypeScript target.
 */
import type { Expr } from '../../expr/ir.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { ExpressionPrinter } from '../printer.ts';
import { scheduleStraightLine } from '../straight-line.ts';
import { WGSL_DIALECT } from './dialect.ts';

/**
 * The local holding a symbol inside the generated rhs. User names only ever appear behind a prefix (y_, p_),
 * so a state called `var` or `f32` cannot collide with WGSL's keywords, types or built-ins.
 */
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

/** What component i of the augmented vector is, for a comment (validated identifiers only). */
export function componentDescription(system: AugmentedSystem, i: number): string {
  const m = system.model;
  const n = m.states.length;
  const np = m.params.length;
  if (i < n) return `d${m.states[i]!.name}/d${m.time.name}`;
  if (system.phiOffset >= 0 && i >= system.phiOffset && i < system.phiOffset + n * n) {
    const r = i - system.phiOffset;
    return `d/d${m.time.name} of d${m.states[Math.floor(r / n)]!.name}/d${m.states[r % n]!.name}(t0)`;
  }
  const r = i - system.sensOffset;
  return `d/d${m.time.name} of d${m.states[Math.floor(r / np)]!.name}/d${m.params[r % np]!.name}`;
}

/**
 * The body of `fn rhs(t: f32, y: ptr<private, Vec>, dy: ptr<private, Vec>)`: reads the inputs it needs
 * (parameters from the private array rk_p), computes the temporaries, writes dy.
 */
export function printWgslRhsBody(system: AugmentedSystem): string {
  const program = scheduleStraightLine(system.rhs);
  const tempNames = new Map<number, string>(program.temps.map((e, i) => [e.id, `w${i}`]));
  const printer = new ExpressionPrinter({ symbol: localName, temp: (e) => tempNames.get(e.id) }, WGSL_DIALECT);

  const lines: string[] = [];
  for (const s of program.inputs) {
    if (s.role === 'state' || s.role === 'aux') lines.push(`let ${localName(s)} = (*y)[${s.index}];`);
    else if (s.role === 'param') lines.push(`let ${localName(s)} = rk_p[${s.index}];`);
  }
  for (const e of program.temps) lines.push(`let ${tempNames.get(e.id)} = ${printer.definition(e)};`);
  system.rhs.forEach((e, i) => {
    lines.push(`(*dy)[${i}] = ${printer.use(e)}; // ${componentDescription(system, i)}`);
  });
  return lines.join('\n');
}
