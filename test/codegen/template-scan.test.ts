/**
 * The template scanner (src/codegen/ts/template-scan.ts) finds exactly what a TypeScript parser (ts-morph) finds
 * in every family's composed template: the same placeholders at the same offsets, the same top-level names.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { composeTemplate } from '../../src/codegen/ts/module.ts';
import { declaredPlaceholders, topLevelNames } from '../../src/codegen/ts/template-scan.ts';

const morph = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;

describe('template scanner against ts-morph', () => {
  it.each(['explicit-rk', 'rosenbrock', 'implicit-rk', 'bdf', 'auto'] as const)('%s', (family) => {
    const text = composeTemplate(family);
    const project = new morph.Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
    const sf = project.createSourceFile('template.ts', text);
    const want: { name: string; start: number; end: number }[] = [];
    for (const v of sf.getVariableStatements())
      if (v.hasDeclareKeyword())
        want.push({ name: v.getDeclarations()[0]!.getName(), start: v.getStart(), end: v.getEnd() });
    for (const f of sf.getFunctions())
      if (f.hasDeclareKeyword() || !f.hasBody())
        want.push({ name: f.getName()!, start: f.getStart(), end: f.getEnd() });
    want.sort((a, b) => a.start - b.start);
    expect(want.length).toBeGreaterThan(10);
    expect(declaredPlaceholders(text)).toEqual(want);
    const names = new Set<string>();
    for (const v of sf.getVariableStatements()) for (const d of v.getDeclarations()) names.add(d.getName());
    for (const f of sf.getFunctions()) if (f.getName()) names.add(f.getName()!);
    expect(topLevelNames(text)).toEqual(names);
  });
});
