/**
 * Every number that enters generated code goes through one literal printer per target, and each accepts only a
 * number: a string, an object with a toString, a bigint, a boolean is an error, never text in the output.
 * And src/codegen never turns a value into code with String(…), which would accept anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cudaDoubleLiteral, cudaFloatLiteral } from '../../src/codegen/cuda/dialect.ts';
import { decimal, integerLiteral, numberLiteral } from '../../src/codegen/printer.ts';
import { f64Literal } from '../../src/codegen/wasm/expression.ts';
import { f32Literal } from '../../src/codegen/wgsl/dialect.ts';
import { compile } from '../../src/compile.ts';

const CODEGEN = fileURLToPath(new URL('../../src/codegen/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const NOT_NUMBERS: unknown[] = [
  '1',
  '0];evil();[0',
  { toString: () => '1' },
  { valueOf: () => 1 },
  1n,
  true,
  null,
  undefined,
  [1],
];

describe('literal printers accept numbers only', () => {
  const printers: [string, (v: never) => unknown][] = [
    ['decimal', decimal],
    ['numberLiteral (TypeScript)', numberLiteral],
    ['cudaDoubleLiteral', cudaDoubleLiteral],
    ['cudaFloatLiteral', cudaFloatLiteral],
    ['f32Literal (WGSL)', f32Literal],
    ['f64Literal (WAT)', f64Literal],
  ];
  it.each(printers)('%s', (_name, print) => {
    for (const v of NOT_NUMBERS) expect(() => print(v as never)).toThrow(/must be a number/);
    expect(() => print(0.1 as never)).not.toThrow();
  });

  it('integerLiteral takes safe integers only', () => {
    for (const v of [...NOT_NUMBERS, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => integerLiteral(v)).toThrow(/safe integer/);
    }
    expect(integerLiteral(-1)).toBe('-1');
  });

  it('no String(…) in src/codegen', () => {
    const offenders = sources(CODEGEN).flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bString\(/.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});

describe('signed zeros: a default of −0 stays −0 in every target', () => {
  it('TypeScript: the parameter vector and info', () => {
    const solver = compile({ name: 'z', states: ['x'], params: { c: -0 }, rhs: { x: 'atan2(0, c)' } });
    expect(Object.is(solver.info.paramDefaults[0], -0)).toBe(true);
    expect(solver.source).toMatch(/PARAM_DEFAULTS: readonly number\[\] = \[-0\]/);
    // atan2(0, −0) = π, atan2(0, +0) = 0
    const r = solver.solve({ t0: 0, t1: 1, y0: [0] });
    expect(r.y[0]).toBeCloseTo(Math.PI, 12);
  });

  it('a written zero factor is computed as written: atan2(0, 0*x) is π for a negative x', () => {
    const solver = compile(
      { name: 'z', states: ['x', 'u'], rhs: { x: '0', u: 'atan2(0, 0*x) + 1/(0*x + 1)' } },
      {
        sensitivities: [],
      },
    );
    const r = solver.solve({ t0: 0, t1: 1, y0: [-1, 0] });
    expect(r.y[1]).toBeCloseTo(Math.PI + 1, 12);
    // and an infinite value times a written 0 is NaN, as written (a non-finite failure, not a silent 0)
    const inf = compile({ name: 'z', states: ['x'], rhs: { x: 'exp(1000*x)*0' } }, { sensitivities: [] });
    expect(() => inf.solve({ t0: 0, t1: 1, y0: [1] })).toThrow(/non-finite/);
  });
});
