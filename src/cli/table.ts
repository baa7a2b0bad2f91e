/** The readable (non-JSON) output of `odeforge solve`. */
import type { SolveResult, SolverInfo } from '../runtime/types.ts';

const fmt = (v: number) => (v >= 0 ? ' ' : '') + v.toPrecision(16);

function matrix(title: string, flat: Float64Array, rowNames: readonly string[], colNames: readonly string[]): string[] {
  const width = 24;
  const lines = [title, `${''.padEnd(12)}${colNames.map((c) => c.padStart(width)).join('')}`];
  rowNames.forEach((r, i) => {
    const row = colNames.map((_, j) => fmt(flat[i * colNames.length + j]!).padStart(width)).join('');
    lines.push(`${r.padEnd(12)}${row}`);
  });
  return lines;
}

export function formatTable(info: SolverInfo, r: SolveResult, ms: number): string {
  const s = r.stats;
  // The stiff methods' counts, where the method has them; and, with 'auto', which method ran from when.
  const implicit = [
    s.jacobianEvals === undefined ? '' : `, jacobians ${s.jacobianEvals}`,
    s.factorizations === undefined ? '' : `, factorizations ${s.factorizations}`,
    s.linearSolves === undefined ? '' : `, linear solves ${s.linearSolves}`,
    s.newtonIterations === undefined ? '' : `, Newton iterations ${s.newtonIterations}`,
  ].join('');
  const switches =
    s.switches === undefined ? [] : [`methods: ${s.switches.map((w) => `${w.method} from t = ${w.t}`).join(', ')}`];
  const lines = [
    `model ${info.model}, method ${info.method}: t = ${r.t}`,
    `steps ${s.steps}, rejected ${s.rejected}, rhs evaluations ${s.rhsEvals}${implicit}, ${ms.toFixed(3)} ms`,
    ...switches,
    '',
    'state',
    ...info.states.map((s, i) => `${s.padEnd(12)}${fmt(r.y[i]!).padStart(24)}`),
  ];
  if (r.jacobian) {
    lines.push(
      '',
      ...matrix(
        'jacobian ∂y(t1)/∂y0',
        r.jacobian,
        info.states,
        info.states.map((s) => `${s}(t0)`),
      ),
    );
  }
  if (r.paramJacobian && info.params.length > 0) {
    lines.push('', ...matrix('paramJacobian ∂y(t1)/∂p', r.paramJacobian, info.states, info.params));
  }
  return `${lines.join('\n')}\n`;
}
