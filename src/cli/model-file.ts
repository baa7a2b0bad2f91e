/** Reading a model JSON file, with errors that say which file and where in it. */
import { readFileSync, statSync } from 'node:fs';
import { type ParseError, parse as parseTolerant, printParseErrorCode } from 'jsonc-parser';
import { OdeforgeError } from '../errors.ts';
import type { ModelSpec } from '../model/model.ts';

/** A model file that cannot be read or is not valid JSON. */
export class ModelFileError extends OdeforgeError {
  override name = 'ModelFileError';
}

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
  try {
    return JSON.parse(text) as ModelSpec;
  } catch (e) {
    // JSON.parse does not always say where; jsonc-parser does (strictly: no comments, no trailing commas).
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first === undefined)
      throw new ModelFileError(`model file '${path}' is not valid JSON: ${(e as Error).message}`);
    const { line, column } = lineColumn(text, first.offset);
    const found = text.slice(first.offset, first.offset + Math.max(first.length, 1)).replace(/\s+/g, ' ');
    const what = text.trim() === '' ? 'the file is empty' : `${printParseErrorCode(first.error)} at '${found}'`;
    throw new ModelFileError(`model file '${path}' is not valid JSON at line ${line}, column ${column}: ${what}`);
  }
}
