/**
 * Values of the command line's flags that are more than a number: times written as arithmetic (`--t1 2*pi`),
 * lists of times (`--t-eval 0,0.5,1` or `--t-eval linspace:0:2*pi:50`). A time is read by the model language's
 * own parser (src/expr/parse.ts) with no symbols but its constants (pi) and functions, then evaluated: nothing
 * the user types is ever run as code.
 */
import { OptionError } from '../errors.ts';
import { ExprBuilder, evaluate } from '../expr/ir.ts';
import { parseExpression } from '../expr/parse.ts';
import { MAX_RANK, type ParamValue } from '../model/array-params.ts';
import { quoted } from './model-file.ts';

/** Most samples a --t-eval may ask for (the CLI prints every one of them). */
export const MAX_CLI_SAMPLES = 1_000_000;

/**
 * A finite number, written as a number or as an arithmetic expression of numbers, pi and the model language's
 * functions (2*pi, 1e3/7, sqrt(2)).
 */
export function timeValue(flag: string) {
  return (text: string): number => {
    const plain = text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isFinite(plain)) return plain;
    let value = Number.NaN;
    let problem = 'expected a finite number or an arithmetic expression of numbers and pi';
    try {
      const e = parseExpression(text, () => undefined, new ExprBuilder());
      value = evaluate(e, () => Number.NaN);
    } catch (err) {
      problem = `${problem} (${(err as Error).message})`;
    }
    if (!Number.isFinite(value)) throw new OptionError(flag, `${problem}, got ${quoted(text)}`);
    return value;
  };
}

/** Splits at the commas outside parentheses (atan2(1, 2) is one item). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * --t-eval: `t1,t2,…` (each a time as timeValue reads it) or `linspace:A:B:N` (N ≥ 2 equally spaced times from A
 * to B, both included). The solver checks that they lie in [t0, t1] and are ordered.
 */
export function timeList(flag: string) {
  return (text: string): number[] => {
    const m = /^\s*linspace:(.*)$/s.exec(text);
    if (m) {
      const parts = m[1]!.split(':');
      if (parts.length !== 3) throw new OptionError(flag, `expected linspace:START:STOP:COUNT, got ${quoted(text)}`);
      const [a, b] = [timeValue(flag)(parts[0]!), timeValue(flag)(parts[1]!)];
      const n = Number(parts[2]!.trim());
      if (!Number.isInteger(n) || n < 2 || n > MAX_CLI_SAMPLES)
        throw new OptionError(
          flag,
          `the count of linspace must be an integer from 2 to ${MAX_CLI_SAMPLES}, got ${quoted(parts[2]!)}`,
        );
      // The ends exactly, the rest a + (b − a)·i/(n − 1).
      return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + ((b - a) * i) / (n - 1)));
    }
    const parts = splitTopLevel(text);
    if (parts.length > MAX_CLI_SAMPLES) throw new OptionError(flag, `at most ${MAX_CLI_SAMPLES} times`);
    return parts.map((part) => timeValue(flag)(part));
  };
}

/** Splits `k=1,M=[[0,1],[-20,0]]` at the commas outside square brackets. */
export function splitAssignments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The text of one number in an array value: up to the next comma or bracket (sticky: read from lastIndex). */
const ENTRY = /[^,\][]*/y;

/**
 * A --param value: a finite number (the whole text, as Number reads it), or for an array parameter an array of
 * them, nested like the model's (`[[0,1],[-20,0]]`, at most MAX_RANK levels). The model checks the shape.
 */
export function paramValue(flag: string) {
  const number = (text: string): number => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v)) throw new OptionError(flag, `expected a finite number, got ${quoted(text)}`);
    return v;
  };
  return (text: string): ParamValue => {
    if (!text.trimStart().startsWith('[')) return number(text);
    let i = 0;
    const bad = (what: string): never => {
      throw new OptionError(
        flag,
        `expected a number or an array of numbers like [[0,1],[-20,0]], ${what} in ${quoted(text)}`,
      );
    };
    // Recursive descent, at most MAX_RANK + 1 levels deep (deeper is refused before it recurses further).
    const array = (depth: number): ParamValue[] => {
      if (depth > MAX_RANK) bad(`more than ${MAX_RANK} levels of brackets`);
      i++; // '['
      const items: ParamValue[] = [];
      for (;;) {
        while (text[i] === ' ') i++;
        if (text[i] === '[') items.push(array(depth + 1));
        else {
          ENTRY.lastIndex = i;
          const m = ENTRY.exec(text)![0];
          if (m.trim() === '' && text[i] === ']' && items.length === 0) break;
          items.push(number(m));
          i += m.length;
        }
        while (text[i] === ' ') i++;
        if (text[i] === ',') i++;
        else if (text[i] === ']') break;
        else bad(text[i] === undefined ? 'a missing ]' : `'${text[i]}' at character ${i + 1}`);
      }
      i++; // ']'
      return items;
    };
    while (text[i] === ' ') i++;
    const value = array(1);
    if (text.slice(i).trim() !== '') bad(`text after the array at character ${i + 1}`);
    return value;
  };
}
