/**
 * A generated TypeScript module as a function body that `new Function('module', 'exports', body)` evaluates:
 * how `compile` and the ensemble workers run a solver in-process, with no file and no loader.
 *
 * Types are erased by oxc-transform (a native addon: ~15 ms to load and ~10 ms for a seed module, where
 * esbuild's synchronous API spent ~100 ms starting its service on every cold CLI call). The module's exports
 * then become assignments to `module.exports`. That rewrite relies on how every generated module is laid out
 * (see template-scan.ts): a top-level statement starts at column 0 and nothing else does, and the module
 * exports only declarations (`export function|const|class NAME`), never lists or defaults; anything else is
 * an internal error, not a silently missing export.
 */
import { createRequire } from 'node:module';

type OxcTransform = typeof import('oxc-transform');
let oxc: OxcTransform | undefined;

const EXPORTED_DECLARATION = /^export (?:async )?(?:function\*? ?|const |let |class )([A-Za-z_$][\w$]*)/gm;

/** The module, types erased, its exports assigned to `module.exports`. */
export function evaluableModule(tsSource: string): string {
  oxc ??= createRequire(import.meta.url)('oxc-transform') as OxcTransform;
  const out = oxc.transformSync('solver.ts', tsSource, { lang: 'ts', sourceType: 'module', target: 'es2022' });
  if (out.errors.length > 0) {
    const why = out.errors.map((e) => e.message).join('; ');
    throw new Error(`internal: the generated module does not transpile: ${why}`);
  }
  const names: string[] = [];
  const body = out.code.replace(EXPORTED_DECLARATION, (declaration, name: string) => {
    names.push(name);
    return declaration.slice('export '.length);
  });
  const leftover = /^export\b.*$/m.exec(body);
  if (leftover !== null) throw new Error(`internal: a generated export the evaluator cannot rewrite: ${leftover[0]}`);
  return `'use strict';\n${body}\nmodule.exports = { ${names.join(', ')} };\n`;
}
