/** Reading a model JSON file, with errors that say which file and where in it. */
import { readFileSync, statSync } from 'node:fs';
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
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const where = pos ? lineColumn(text, Number(pos[1])) : text.trim() === '' ? { line: 1, column: 1 } : undefined;
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    const detail = text.trim() === '' ? 'the file is empty' : message.replace(/\s+in JSON at position \d+.*$/, '');
    throw new ModelFileError(`model file '${path}' is not valid JSON${at}: ${detail}`);
  }
}
