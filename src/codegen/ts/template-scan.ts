/**
 * A scanner for the top level of odeforge's own template files, in place of a TypeScript parser on the path of
 * every compile: loading ts-morph took half a second of each CLI call (0.5 of 1.0 s for a seed solve). It relies
 * on how the templates are written (Biome-formatted): a top-level statement starts at column 0, and nothing
 * inside a comment, string or block does. test/codegen/template-scan.test.ts checks it against ts-morph on
 * every family's composed template.
 */

export interface Placeholder {
  readonly name: string;
  /** The statement's text is [start, end): from `declare` (or `export`) to its closing `;`. */
  readonly start: number;
  readonly end: number;
}

const DECLARE = /^(?:export )?declare (?:const|let|function) ([A-Za-z_$][\w$]*)/gm;
const VARIABLE = /^(?:export )?(?:declare )?(?:const|let|var) ([A-Za-z_$][\w$]*)/gm;
const FUNCTION = /^(?:export )?(?:declare )?(?:async )?function\*? ?([A-Za-z_$][\w$]*)/gm;

/**
 * The offset just past the `;` that ends the statement starting at `from`: the first `;` outside brackets,
 * strings and comments.
 */
function statementEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) - 1;
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) + 1;
    else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ';' && depth === 0) return i + 1;
    if (i < 0) break;
  }
  throw new Error(`internal: a template statement at offset ${from} has no end`);
}

/** The `declare` statements at the top level: the placeholders that generated code replaces. */
export function declaredPlaceholders(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of text.matchAll(DECLARE)) found.push({ name: m[1]!, start: m.index, end: statementEnd(text, m.index) });
  return found;
}

/** The names of the top-level variables and functions (declared or defined). */
export function topLevelNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) names.add(m[1]!);
  for (const m of text.matchAll(FUNCTION)) names.add(m[1]!);
  return names;
}
