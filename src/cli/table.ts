/** The readable (non-JSON) output of `odeforge solve`. */
import type { SolveEvent, SolveResult, SolverInfo } from '../runtime/types.ts';

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
  if (r.dydt1) {
    lines.push('', `${'time sensitivities'.padEnd(12)}${'∂y/∂t1'.padStart(24)}${r.dydt0 ? '∂y/∂t0'.padStart(24) : ''}`);
    info.states.forEach((s, i) => {
      const t0 = r.dydt0 ? fmt(r.dydt0[i]!).padStart(24) : '';
      lines.push(`${s.padEnd(12)}${fmt(r.dydt1![i]!).padStart(24)}${t0}`);
    });
  }
  if (r.events) lines.push('', ...eventLines(info, r.events));
  return `${lines.join('\n')}\n`;
}

/** The events in time order: name, time, state, and dτ/dy0, dτ/dp where they were computed. */
function eventLines(info: SolverInfo, events: readonly SolveEvent[]): string[] {
  if (events.length === 0) return ['events: none'];
  const lines = [`events (${events.length})`];
  for (const e of events) {
    const flags = [e.terminal ? 'terminal' : '', e.tangential ? 'tangential' : ''].filter((f) => f !== '').join(', ');
    const state = info.states.map((s, i) => `${s} = ${e.y[i]!.toPrecision(16)}`).join(', ');
    lines.push(`${e.name.padEnd(12)} t = ${e.t.toPrecision(16)}${flags ? ` (${flags})` : ''}: ${state}`);
    if (e.dtdy0) {
      const d = info.states.map((s, i) => `∂t/∂${s}(t0) = ${e.dtdy0![i]!.toPrecision(16)}`).join(', ');
      lines.push(`${''.padEnd(12)} ${d}`);
    }
    if (e.dtdp && e.dtdp.length > 0) {
      const d = info.params.map((q, i) => `∂t/∂${q} = ${e.dtdp![i]!.toPrecision(16)}`).join(', ');
      lines.push(`${''.padEnd(12)} ${d}`);
    }
  }
  return lines;
}
