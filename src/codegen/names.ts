/**
 * What every target's generated code shares: how symbols are named inside a right-hand side, and how a block
 * of generated statements is indented.
 */
import type { Expr } from '../expr/ir.ts';
import type { Model } from '../model/model.ts';
import type { SecondOrderBlocks } from '../variational/second-order.ts';
import type { ColumnSlice } from '../variational/system.ts';

/** A C-family identifier; anything else must never be printed as a name. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The local variable holding a symbol inside a generated right-hand side. User names only ever appear behind a
 * prefix (state x → y_x, parameter k → p_k), so no model name can collide with a keyword, type or built-in of
 * TypeScript, CUDA C or WGSL, nor with the generator's own locals; the time is always `t`.
 */
export function symbolLocal(s: Extract<Expr, { kind: 'sym' }>): string {
  const name =
    s.role === 'time' ? 't' : s.role === 'state' ? `y_${s.name}` : s.role === 'param' ? `p_${s.name}` : s.name;
  // Model names are validated identifiers (src/model); refuse anything else rather than print it into code.
  if (!IDENTIFIER.test(name)) throw new Error(`internal: '${name}' is not an identifier`);
  return name;
}

/** Indents every non-empty line of a block by `level` steps of two spaces, following its braces. */
export function indentBlock(code: string, level: number): string {
  // Each line is trimmed; a line starting with '}' closes a level before it, one ending with '{' opens one after
  // it. A run of lines that need neither (nothing to trim, no brace at either end: nearly every line of a large
  // model's rhs, hundreds of thousands of them) is indented as one slice, by one replaceAll: no string per line.
  const parts: string[] = [];
  const indents: string[] = [];
  const indent = (depth: number): string => {
    const d = Math.max(depth, 0);
    indents[d] ??= '  '.repeat(d);
    return indents[d];
  };
  let depth = level;
  let runStart = -1; // where the current run of plain lines starts, or -1
  let runEnd = 0;
  const flush = (): void => {
    if (runStart < 0) return;
    const pad = indent(depth);
    const run = code.slice(runStart, runEnd);
    parts.push(pad === '' ? run : pad + run.replaceAll('\n', `\n${pad}`));
    runStart = -1;
  };
  for (let pos = 0; ; ) {
    let end = code.indexOf('\n', pos);
    const last = end < 0;
    if (last) end = code.length;
    if (end > pos && plainEnd(code.charCodeAt(pos), CLOSE_BRACE) && plainEnd(code.charCodeAt(end - 1), OPEN_BRACE)) {
      if (runStart < 0) runStart = pos;
      runEnd = end;
    } else {
      flush();
      const line = code.slice(pos, end).trim();
      if (line.startsWith('}')) depth--;
      parts.push(line === '' ? '' : indent(depth) + line);
      if (line.endsWith('{')) depth++;
    }
    if (last) break;
    pos = end + 1;
  }
  flush();
  return parts.join('\n');
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const WHITESPACE = /\s/;

/** Whether a line may start (or end) with the character `c` as it is: not `brace`, nor what trim() removes. */
function plainEnd(c: number, brace: number): boolean {
  if (c === brace) return false;
  if (c > 32 && c < 127) return true;
  return !WHITESPACE.test(String.fromCharCode(c));
}

/**
 * What component i of the augmented vector [y | Φ | S] is, for the comment after its assignment: `dx/dt`,
 * `d/dt ∂x/∂y(t0)`, `d/dt ∂x/∂k` (with `ascii`, d instead of ∂ and "of" for the outer derivative).
 */
export function componentDescription(
  system: {
    model: Model;
    phiOffset: number;
    sensOffset: number;
    secondOrder?: SecondOrderBlocks;
    columnSlice?: ColumnSlice;
  },
  i: number,
  ascii = false,
): string {
  const { model, phiOffset, sensOffset, secondOrder, columnSlice } = system;
  const { states, params, time } = model;
  const n = states.length;
  const partial = ascii ? 'd' : '∂';
  const of = ascii ? ' of ' : ' ';
  if (i < n) return `d${states[i]!.name}/d${time.name}`;
  if (secondOrder !== undefined) {
    // ∂²x/∂v(t0)∂x(t0), ∂²x/∂v(t0)∂k, ∂²x/∂k∂c (pairs j ≤ k as src/variational/second-order.ts stores them)
    const np = params.length;
    const y0Name = (j: number) => `${partial}${states[j]!.name}(t0)`;
    const pName = (j: number) => `${partial}${params[j]!.name}`;
    const pair = (c: number, m: number): [number, number] => {
      let j = 0;
      while (c >= m - j) c -= m - j++;
      return [j, j + c];
    };
    const second = (x: number, first: string, other: string) =>
      `d/d${time.name}${of}${ascii ? 'd2' : '∂²'}${states[x]!.name}/${first}${other}`;
    const { hessOffset, mixedOffset, paramHessOffset } = secondOrder;
    if (paramHessOffset >= 0 && i >= paramHessOffset) {
      const r = i - paramHessOffset;
      const width = (np * (np + 1)) / 2;
      const [j, k] = pair(r % width, np);
      return second(Math.floor(r / width), pName(j), pName(k));
    }
    if (mixedOffset >= 0 && i >= mixedOffset) {
      const r = i - mixedOffset;
      const c = r % (n * np);
      return second(Math.floor(r / (n * np)), y0Name(Math.floor(c / np)), pName(c % np));
    }
    if (hessOffset >= 0 && i >= hessOffset) {
      const r = i - hessOffset;
      const width = (n * (n + 1)) / 2;
      const [j, k] = pair(r % width, n);
      return second(Math.floor(r / width), y0Name(j), y0Name(k));
    }
  }
  // (a column slice holds columns phi.from … of Φ and sens.from … of S: see sliceColumns)
  const phi = columnSlice?.phi ?? { from: 0, count: n };
  if (phiOffset >= 0 && i >= phiOffset && i < phiOffset + n * phi.count) {
    const r = i - phiOffset;
    const [row, column] = [Math.floor(r / phi.count), phi.from + (r % phi.count)];
    return `d/d${time.name}${of}${partial}${states[row]!.name}/${partial}${states[column]!.name}(t0)`;
  }
  const r = i - sensOffset;
  const sens = columnSlice?.sens ?? { from: 0, count: params.length };
  const [row, column] = [Math.floor(r / sens.count), sens.from + (r % sens.count)];
  return `d/d${time.name}${of}${partial}${states[row]!.name}/${partial}${params[column]!.name}`;
}

// A command line is user text (file names): it goes into a header comment only when it cannot end the comment
// or smuggle anything else in.
const SAFE_COMMAND = /^[A-Za-z0-9_.,=/ -]{1,200}$/;

/** The command that produced a module, if it is safe to quote in its header; otherwise undefined. */
export function safeCommand(command: string | undefined): string | undefined {
  return command !== undefined && SAFE_COMMAND.test(command) ? command : undefined;
}
