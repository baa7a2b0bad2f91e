/** The JSON of `solve --json` (and of each line of `--batch`): a contract other tools rely on. */
import type { IntegrationError } from '../errors.ts';
import type { SolveResult } from '../runtime/types.ts';
import { trajectoryToJson } from './trajectory.ts';

/** Row-major n×m as nested rows. */
function nested(flat: Float64Array, rows: number): number[][] {
  const cols = rows === 0 ? 0 : flat.length / rows;
  return Array.from({ length: rows }, (_, i) => Array.from(flat.subarray(i * cols, (i + 1) * cols)));
}

export function resultToJson(r: SolveResult, n: number, method: string): Record<string, unknown> {
  const out: Record<string, unknown> = { t: r.t, y: Array.from(r.y) };
  if (r.jacobian) out.jacobian = nested(r.jacobian, n);
  if (r.paramJacobian) out.paramJacobian = nested(r.paramJacobian, n);
  out.stats = r.stats;
  out.method = method;
  // --t-eval: the samples (an extension of the contract; absent without --t-eval)
  if (r.dense) out.trajectory = trajectoryToJson(r.dense, n, r.paramJacobian ? r.paramJacobian.length / n : 0);
  return out;
}

/**
 * The `solve --json` object of a failed integration: the result up to where it stopped, as far as the solver
 * computed it (IntegrationError.partial), and `failure` saying where and why.
 */
export function failureToJson(e: IntegrationError, n: number, method: string): Record<string, unknown> {
  const out = isSolveResult(e.partial) ? resultToJson(e.partial, n, method) : { t: e.t, method };
  out.failure = { reason: e.reason, t: e.t, message: e.message };
  return out;
}

/** IntegrationError.partial is `unknown` (generated modules are not typed against this one): check its shape. */
function isSolveResult(x: unknown): x is SolveResult {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.t === 'number' && r.y instanceof Float64Array && typeof r.stats === 'object' && r.stats !== null;
}
