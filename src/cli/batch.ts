/**
 * `odeforge solve MODEL --batch FILE` (or `-` for stdin): a solver compiled once, then one solve per line of JSON
 * Lines input, one line of JSON output per input line, in order — for scripts in other languages that keep the
 * process open and write a line, read a line.
 *
 * An input line is an object of the API's solve options — y0 and t1 required; t0, params, rtol, atol, dt, maxSteps,
 * tEval, adaptive, errorControl, stiffness — over the defaults the flags set, checked by the solver itself (an
 * unknown key is its OptionError, with its "did you mean"; the callbacks cannot come from JSON). Its output line is what `solve --json` prints: the result, or the result up to a failure with `failure`;
 * a line that is not such an object gives `{"error": {"type", "message"}}` and the batch goes on. Blank lines are
 * skipped (no output). Exit code: 0 when every line was solved, 1 when an integration failed, 2 when a line was
 * bad input.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { Solver } from '../compile.ts';
import { IntegrationError, OdeforgeError, OptionError } from '../errors.ts';
import type { SolveResult } from '../runtime/types.ts';
import { quoted } from './model-file.ts';
import { failureToJson, resultToJson } from './result-json.ts';

/** The longest line read (a line longer than this is reported as an error and skipped). */
export const MAX_BATCH_LINE = 64 * 1024 * 1024;

/** Lines of a file descriptor as they arrive (blocking reads: the batch answers each line before reading on). */
function* lines(fd: number): Generator<string> {
  const chunk = Buffer.alloc(1 << 16);
  let pending = '';
  const decoder = new TextDecoder();
  for (;;) {
    let count: number;
    try {
      count = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // A non-blocking stdin (a pipe some parents open that way) has nothing yet: wait a little, read again.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (count === 0) break;
    pending += decoder.decode(chunk.subarray(0, count), { stream: true });
    let from = 0;
    for (let at = pending.indexOf('\n'); at >= 0; at = pending.indexOf('\n', from)) {
      yield pending.slice(from, at);
      from = at + 1;
    }
    pending = pending.slice(from);
    if (pending.length > MAX_BATCH_LINE) {
      yield pending;
      pending = '';
    }
  }
  pending += decoder.decode();
  if (pending.length > 0) yield pending;
}

/** One line's solve options over the flags' defaults; OptionError for anything else. */
function lineOptions(text: string, defaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (text.length > MAX_BATCH_LINE) throw new OptionError('--batch', `a line longer than ${MAX_BATCH_LINE} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new OptionError('--batch', `a line is not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OptionError('--batch', 'each line must be a JSON object such as {"y0": [1, 0], "t1": 10}');
  const options: Record<string, unknown> = { ...defaults, ...value };
  for (const key of ['y0', 't1'])
    if (options[key] === undefined) throw new OptionError('--batch', `every line needs ${key}`);
  return options;
}

/** Runs the batch; returns the exit code. `source` is a file path or '-' (stdin). */
export function runBatch(solver: Solver, source: string, defaults: Readonly<Record<string, unknown>>): number {
  const fd = source === '-' ? 0 : openInput(source);
  try {
    return answerLines(solver, fd, defaults);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/** One output line per input line of `fd`; the exit code. */
function answerLines(solver: Solver, fd: number, defaults: Readonly<Record<string, unknown>>): number {
  const n = solver.info.states.length;
  const method = solver.info.method;
  let code = 0;
  const write = (object: unknown) => writeSync(1, `${JSON.stringify(object)}\n`);
  for (const line of lines(fd)) {
    if (line.trim() === '') continue;
    try {
      const r: SolveResult = solver.solve(lineOptions(line, defaults) as never);
      write(resultToJson(r, n, method));
    } catch (e) {
      if (e instanceof IntegrationError) {
        write(failureToJson(e, n, method));
        code = Math.max(code, 1);
      } else if (e instanceof OdeforgeError) {
        write({ error: { type: e.name, message: e.message } });
        code = 2;
      } else throw e;
    }
  }
  return code;
}

/** Opens --batch FILE for reading (bad input, exit 2, when it cannot be). */
function openInput(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new OptionError('--batch', `cannot read ${quoted(path)}: ${(e as Error).message}`);
  }
}
