/**
 * Reading TypeScript text (a model file, or the source of an rhs function) as data: ts-morph parses it in
 * memory; nothing is type-checked, emitted, imported or run. ts-morph brings the TypeScript compiler (~0.5–0.8 s
 * to load), so it is loaded on first use, as in src/codegen/ts/module.ts: a JSON model never pays for it.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

let tsMorph: typeof TsMorph | undefined;

export function morph(): typeof TsMorph {
  tsMorph ??= createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return tsMorph;
}

/** A parsed text, and its first syntax error if it has one (the parser recovers, so the tree exists anyway). */
export interface Parsed {
  readonly file: TsMorph.SourceFile;
  readonly syntaxError?: { readonly pos: number; readonly message: string };
}

/** Parses `text` as one TypeScript file of an in-memory project (no library, no module resolution). */
export function parseTypeScript(text: string, fileName = 'model.ts'): Parsed {
  const { Project } = morph();
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { noLib: true, noResolve: true, types: [] },
  });
  const file = project.createSourceFile(fileName, text);
  const first = project.getProgram().getSyntacticDiagnostics(file)[0];
  if (first === undefined) return { file };
  const m = first.getMessageText();
  return {
    file,
    syntaxError: { pos: first.getStart() ?? 0, message: typeof m === 'string' ? m : m.getMessageText() },
  };
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Where a node is, as messages say it: `line 3, column 14` (a Placer adds what the numbers count in). */
export type Placer = (node: TsMorph.Node) => string;

/**
 * Source text as a message quotes it: whitespace runs as one space, cut to 60 characters, in double quotes with
 * the characters that break or disguise a line escaped (a ModelError is printed as one line).
 */
export function quoteSource(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = Array.from(flat);
  const short = cut.length > 60 ? `${cut.slice(0, 60).join('')}…` : flat;
  return JSON.stringify(short).replace(
    /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
