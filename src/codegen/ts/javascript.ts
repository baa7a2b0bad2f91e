/**
 * The JavaScript form of a generated TypeScript solver module (`generate --target js`): the same module with
 * its types erased by the TypeScript compiler (comments and layout kept, so it stays readable), ES2022 and ES
 * modules; and its declarations (a `.d.ts` beside it), from the module alone — every export of the templates
 * carries its type, as isolated declarations need.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

let tsMorph: typeof TsMorph | undefined;
/** The TypeScript compiler that ts-morph brings, loaded on first use (~0.8 s). */
function typescript(): typeof TsMorph.ts {
  tsMorph ??= createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return tsMorph.ts;
}

function compilerOptions(ts: typeof TsMorph.ts): TsMorph.ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    strict: true,
    removeComments: false,
    // what the module's own source declares (a class field without initializer stays a declared field)
    useDefineForClassFields: true,
  };
}

/** Problems the compiler reports, as one message; empty when there are none. */
function problems(ts: typeof TsMorph.ts, diagnostics: readonly TsMorph.ts.Diagnostic[] | undefined): string {
  return (diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ');
}

/** The module as ES2022 JavaScript. */
export function toJavaScript(tsSource: string): string {
  const ts = typescript();
  const out = ts.transpileModule(tsSource, {
    compilerOptions: compilerOptions(ts),
    fileName: 'solver.ts',
    reportDiagnostics: true,
  });
  const why = problems(ts, out.diagnostics);
  if (why !== '') throw new Error(`internal: the generated module does not transpile: ${why}`);
  return out.outputText;
}

/** The module's declarations, for a `.d.ts` beside its JavaScript. */
export function declarationsOf(tsSource: string): string {
  const ts = typescript();
  const out = ts.transpileDeclaration(tsSource, {
    compilerOptions: compilerOptions(ts),
    fileName: 'solver.ts',
    reportDiagnostics: true,
  });
  const why = problems(ts, out.diagnostics);
  if (why !== '') throw new Error(`internal: the generated module's declarations are incomplete: ${why}`);
  return out.outputText;
}
