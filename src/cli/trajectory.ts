/**
 * `solve --t-eval` output: the samples of the dense output as a `trajectory` object in the JSON, or as CSV
 * (`--format csv`): one row per sample — or one row, at t1, without --t-eval — with a header naming every column.
 */
import type { DenseOutput, SolveResult, SolverInfo } from '../runtime/types.ts';

export interface TrajectoryJson {
  t: number[];
  /** y[k] = the state at t[k]. */
  y: number[][];
  /** jacobian[k][i][j] = ∂y_i(t[k])/∂y0_j. */
  jacobian?: number[][][];
  /** paramJacobian[k][i][j] = ∂y_i(t[k])/∂p_j. */
  paramJacobian?: number[][][];
}

/** Rows of `width` from a flat row-major block. */
function rows(flat: Float64Array, from: number, count: number, width: number): number[][] {
  return Array.from({ length: count }, (_, i) => Array.from(flat.subarray(from + i * width, from + (i + 1) * width)));
}

export function trajectoryToJson(dense: DenseOutput, n: number, np: number): TrajectoryJson {
  const k = dense.t.length;
  const out: TrajectoryJson = { t: Array.from(dense.t), y: rows(dense.y, 0, k, n) };
  if (dense.jacobian) out.jacobian = Array.from({ length: k }, (_, s) => rows(dense.jacobian!, s * n * n, n, n));
  if (dense.paramJacobian && np > 0)
    out.paramJacobian = Array.from({ length: k }, (_, s) => rows(dense.paramJacobian!, s * n * np, n, np));
  return out;
}

/**
 * CSV: t, the states, then ∂y_i/∂y0_j as `d(y_i)/d(y_j0)` (row-major i, j) and ∂y_i/∂p_j as `d(y_i)/d(p_j)`. Names
 * are identifiers (the model checks them), so no quoting is needed. Numbers in JavaScript's shortest round-trip
 * form.
 */
export function trajectoryToCsv(info: SolverInfo, r: SolveResult): string {
  const n = info.states.length;
  const np = info.params.length;
  const dense: DenseOutput = r.dense ?? {
    t: Float64Array.of(r.t),
    y: r.y,
    jacobian: r.jacobian,
    paramJacobian: r.paramJacobian,
  };
  const header = ['t', ...info.states];
  if (dense.jacobian) for (const yi of info.states) for (const yj of info.states) header.push(`d(${yi})/d(${yj}0)`);
  if (dense.paramJacobian && np > 0)
    for (const yi of info.states) for (const pj of info.params) header.push(`d(${yi})/d(${pj})`);
  const lines = [header.join(',')];
  for (let s = 0; s < dense.t.length; s++) {
    const row: number[] = [dense.t[s]!, ...dense.y.subarray(s * n, (s + 1) * n)];
    if (dense.jacobian) row.push(...dense.jacobian.subarray(s * n * n, (s + 1) * n * n));
    if (dense.paramJacobian && np > 0) row.push(...dense.paramJacobian.subarray(s * n * np, (s + 1) * n * np));
    lines.push(row.map(String).join(','));
  }
  return `${lines.join('\n')}\n`;
}
