/** The JSON of `solve --json` (and of each line of `--batch`): a contract other tools rely on. */
import type { IntegrationError } from '../errors.ts';
import type { SolveEvent, SolveResult } from '../runtime/types.ts';
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
  // --time-sens, and a model with events (extensions too: absent otherwise)
  if (r.dydt1) out.dydt1 = Array.from(r.dydt1);
  if (r.dydt0) out.dydt0 = Array.from(r.dydt0);
  if (r.events) out.events = r.events.map((e) => eventToJson(e, n));
  // --order 2 (an extension: absent otherwise): n×a×b arrays nested as [i][j][k]
  if (r.hessian) out.hessian = nested3(r.hessian, n, n);
  if (r.paramHessian) out.paramHessian = nested3(r.paramHessian, n, Math.round(Math.sqrt(r.paramHessian.length / n)));
  if (r.mixedHessian) out.mixedHessian = nested3(r.mixedHessian, n, n);
  return out;
}

/** Row-major rows×middle×(rest) as nested arrays [i][j][k]. */
function nested3(flat: Float64Array, rows: number, middle: number): number[][][] {
  const width = rows === 0 ? 0 : flat.length / rows;
  return Array.from({ length: rows }, (_, i) => nested(flat.subarray(i * width, (i + 1) * width), middle));
}

/**
 * One event: `{"name", "t", "y", "terminal", "direction", "tangential"}`, and with the sensitivities `"jacobian"`
 * and `"paramJacobian"` (the total derivatives of y at the event, nested like the result's), `"dtdy0"`, `"dtdp"`.
 */
function eventToJson(e: SolveEvent, n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: e.name,
    t: e.t,
    y: Array.from(e.y),
    terminal: e.terminal,
    direction: e.direction,
    tangential: e.tangential,
  };
  if (e.jacobian) out.jacobian = nested(e.jacobian, n);
  if (e.paramJacobian) out.paramJacobian = nested(e.paramJacobian, n);
  if (e.dtdy0) out.dtdy0 = Array.from(e.dtdy0);
  if (e.dtdp) out.dtdp = Array.from(e.dtdp);
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
