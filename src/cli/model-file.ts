/** Reading a model JSON file, with errors that say which file and where in it. */
import { readFileSync, statSync } from 'node:fs';
import { type ParseError, parse as parseTolerant, printParseErrorCode } from 'jsonc-parser';
import { OdeforgeError } from '../errors.ts';
import { buildModel, type ModelSpec } from '../model/model.ts';

/** A model file that cannot be read or is not valid JSON. */
export class ModelFileError extends OdeforgeError {
  override name = 'ModelFileError';
}

/**
 * Text with the characters that could break a line of output or change how a terminal shows it written as
 * \uXXXX: C0 and C1 controls (escape sequences start with U+001B), U+2028/U+2029, zero-width characters,
 * bidirectional marks and overrides, the BOM.
 */
export function visible(text: string): string {
  let out = '';
  for (const c of text) {
    const u = c.codePointAt(0)!;
    const hidden =
      u < 0x20 ||
      (u >= 0x7f && u <= 0x9f) ||
      (u >= 0x200b && u <= 0x200f) ||
      (u >= 0x2028 && u <= 0x202e) ||
      (u >= 0x2060 && u <= 0x2069) ||
      u === 0xfeff;
    out += hidden ? `\\u${u.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

/** Beyond this many characters, a broken file's error position comes from JSON.parse (see readModelFile). */
const LARGE_FILE = 4_000_000;

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export function readModelFile(path: string): ModelSpec {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new ModelFileError(`model file '${path}' is a directory`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ModelFileError(`cannot read model file '${path}': ${why}`);
  }
  // A byte-order mark, which some editors write at the start of UTF-8 files, is not part of the JSON (RFC 8259
  // allows a parser to ignore it). Hardening: such a file was "not valid JSON at line 1, column 1" with the
  // invisible character quoted.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    // The offending text as a message shows it: whitespace as one space, other invisible characters escaped
    // (hardening: a NUL or an escape sequence in a broken file went to the terminal as is).
    const at = (offset: number, length: number) =>
      text
        .slice(offset, offset + Math.max(length, 1))
        .replace(/\s+/g, ' ')
        .replace(/./gsu, (c) => visible(c));
    // Where JSON.parse says the problem is: "… in JSON at position N", or the end of the text.
    const fromMessage = (): { offset: number; what: string } | undefined => {
      const m = /^(.*) in JSON at position (\d+)/.exec(message);
      if (m) return { offset: Number(m[2]), what: `${m[1]} at '${at(Number(m[2]), 1)}'` };
      if (/end of JSON input/.test(message)) return { offset: text.length, what: 'the text ends too early' };
      return undefined;
    };
    let where: { offset: number; what: string } | undefined;
    if (text.length > LARGE_FILE) {
      // jsonc-parser needs ~35 bytes of memory per byte of text (a broken 50 MB file: 1.8 GB, 4.6 s).
      where = fromMessage();
    } else {
      try {
        // JSON.parse does not always say where; jsonc-parser does (strictly: no comments, no trailing commas).
        const errors: ParseError[] = [];
        parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
        const first = errors[0];
        if (first !== undefined) {
          where = {
            offset: first.offset,
            what: `${printParseErrorCode(first.error)} at '${at(first.offset, first.length)}'`,
          };
        }
      } catch {
        // jsonc-parser recurses once per level of nesting: a broken file nested 100,000 levels deep overflowed
        // the stack here (an internal error, exit 70).
        where = fromMessage();
      }
    }
    if (where === undefined) throw new ModelFileError(`model file '${path}' is not valid JSON: ${message}`);
    const { line, column } = lineColumn(text, where.offset);
    const what = text.trim() === '' ? 'the file is empty' : where.what;
    throw new ModelFileError(`model file '${path}' is not valid JSON at line ${line}, column ${column}: ${what}`);
  }
  // A file that holds a JSON string, number, boolean or null is refused here, by buildModel's own check and
  // message: compile() and generate() test `'builder' in model` first, which throws a TypeError for those
  // (hardening: `42` as a model file was an internal error, exit 70).
  if (typeof parsed !== 'object' || parsed === null) buildModel(parsed as ModelSpec);
  return parsed as ModelSpec;
}
