/**
 * Reading a model file — JSON, or TypeScript (.ts, .mts: `export default defineModel({ … })`, read as data by
 * src/model/ts-model-file.ts and never run) — with errors that say which file and where in it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { type ParseError, parse as parseTolerant, printParseErrorCode } from 'jsonc-parser';
import { OdeforgeError } from '../errors.ts';
import { buildModel, type Model, type ModelSpec } from '../model/model.ts';
import { ModelSourceError, readTypeScriptModel } from '../model/ts-model-file.ts';

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

/** How many characters of a user-supplied value a message quotes (see quoted). */
export const EXCERPT_CHARACTERS = 60;

/**
 * A value as a message quotes it: in single quotes, and cut to its first EXCERPT_CHARACTERS characters with
 * its length when it is longer. Hardening: a 100 kB flag value or file name made a 100 kB error line.
 * Invisible characters are left as they are here; the CLI escapes the whole message when it prints it (visible).
 */
export function quoted(value: string): string {
  const characters = Array.from(value);
  if (characters.length <= EXCERPT_CHARACTERS) return `'${value}'`;
  return `'${characters.slice(0, EXCERPT_CHARACTERS).join('')}…' (${characters.length} characters)`;
}

/**
 * The largest model file read, in bytes. Far beyond any real model (a 50,000-term right-hand side is 100 kB),
 * small enough that reading and parsing it fits in memory. Hardening: `odeforge solve /dev/zero` grew to 12 GB.
 */
export const MAX_MODEL_FILE_BYTES = 64 * 1024 * 1024;
const MAX_MODEL_FILE_TEXT = '64 MiB';

/** What a file that is not a regular file is, for a message: "a FIFO", "a character device", … */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Why a file operation failed, without the path: Node's messages end with the path in full ("ENAMETOOLONG:
 * name too long, open '…'"), and the message around it already names the file, excerpted.
 */
export function systemErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a part of the path is not a directory',
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'too many levels of symbolic links',
    EROFS: 'read-only file system',
  };
  if (code !== undefined && known[code] !== undefined) return known[code];
  const message = String((e as Error)?.message ?? e);
  return /^[A-Z0-9]+: ([^,]*)/.exec(message)?.[1] ?? message;
}

/** Refuses anything but a regular file of at most MAX_MODEL_FILE_BYTES. */
function checkModelFile(path: string, stats: Stats): void {
  if (stats.isDirectory()) throw new ModelFileError(`model file ${quoted(path)} is a directory`);
  if (!stats.isFile()) {
    throw new ModelFileError(`model file ${quoted(path)} is not a regular file (it is ${fileKind(stats)})`);
  }
  if (stats.size > MAX_MODEL_FILE_BYTES) tooLarge(path);
}

function tooLarge(path: string): never {
  throw new ModelFileError(
    `model file ${quoted(path)} is larger than the limit of ${MAX_MODEL_FILE_TEXT} (${MAX_MODEL_FILE_BYTES} bytes)`,
  );
}

/**
 * The bytes of an open file, at most `limit` of them (one more tells the file is longer). Some regular files
 * say size 0 and have content (those under /proc), so this reads until the end, not fstat's size.
 */
function readAtMost(fd: number, limit: number, sizeHint: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(limit, Math.max(sizeHint + 1, 64 * 1024)));
  let used = 0;
  for (;;) {
    if (used === buffer.length) {
      if (buffer.length >= limit) break;
      const bigger = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
      buffer.copy(bigger, 0, 0, used);
      buffer = bigger;
    }
    const n = readSync(fd, buffer, used, buffer.length - used, null);
    if (n === 0) break;
    used += n;
  }
  return buffer.subarray(0, used);
}

/**
 * The text of a model file. A path that is not a regular file is refused before it is opened (a device can
 * act on being opened), and again on the opened descriptor, so that a file swapped in between is caught too.
 * O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
 */
function readModelText(path: string): string {
  const cannotRead = (e: unknown): never => {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : systemErrorText(e);
    throw new ModelFileError(`cannot read model file ${quoted(path)}: ${why}`);
  };
  let fd: number | undefined;
  try {
    checkModelFile(path, statSync(path));
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    checkModelFile(path, stats);
    const bytes = readAtMost(fd, MAX_MODEL_FILE_BYTES + 1, stats.size);
    if (bytes.length > MAX_MODEL_FILE_BYTES) tooLarge(path);
    return bytes.toString('utf8');
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    return cannotRead(e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Beyond this many characters, a broken file's error position comes from JSON.parse (see readModelFile). */
const LARGE_FILE = 4_000_000;

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** A model file in TypeScript, by its name. */
const TYPESCRIPT_MODEL = /\.m?ts$/i;

/** A TypeScript model file's Model; a file that is not one is refused with its line and column. */
function readTypeScriptFile(path: string, text: string): Model {
  try {
    return readTypeScriptModel(text, path);
  } catch (e) {
    if (!(e instanceof ModelSourceError)) throw e;
    throw new ModelFileError(`model file ${quoted(path)} at line ${e.line}, column ${e.column}: ${e.problem}`);
  }
}

export function readModelFile(path: string): ModelSpec | Model {
  let text = readModelText(path);
  // A byte-order mark, which some editors write at the start of UTF-8 files, is not part of the JSON (RFC 8259
  // allows a parser to ignore it). Hardening: such a file was "not valid JSON at line 1, column 1" with the
  // invisible character quoted.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (TYPESCRIPT_MODEL.test(path)) return readTypeScriptFile(path, text);
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
    if (where === undefined) throw new ModelFileError(`model file ${quoted(path)} is not valid JSON: ${message}`);
    const { line, column } = lineColumn(text, where.offset);
    const what = text.trim() === '' ? 'the file is empty' : where.what;
    throw new ModelFileError(`model file ${quoted(path)} is not valid JSON at line ${line}, column ${column}: ${what}`);
  }
  // A file that holds a JSON string, number, boolean or null is refused here, by buildModel's own check and
  // message (compile() and generate() would refuse it too, as a ModelError from the same check)
  // (hardening: `42` as a model file was an internal error, exit 70).
  if (typeof parsed !== 'object' || parsed === null) buildModel(parsed as ModelSpec);
  return parsed as ModelSpec;
}
