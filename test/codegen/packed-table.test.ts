/**
 * Packed integer tables (src/codegen/printer.ts, packInt32) read back exactly by the decoder the stiff templates
 * give the generated module (templates/ts/newton-matrix.ts, unpackInt32): property-based over arbitrary 32-bit
 * tables, plus the extremes; and int32ArrayLiteral packs only from PACKED_TABLE_FROM entries on.
 */
import { transformSync } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int32ArrayLiteral, PACKED_TABLE_FROM, packInt32 } from '../../src/codegen/printer.ts';
import { UNPACK_INT32_SOURCE } from '../helpers/unpack.ts';

const decoderSource = UNPACK_INT32_SOURCE;
const unpackInt32 = new Function(`${transformSync(decoderSource, { loader: 'ts' }).code}\nreturn unpackInt32;`)() as (
  text: string,
  length: number,
) => Int32Array;

/** Evaluates an int32ArrayLiteral text with the decoder in scope. */
function evaluate(literal: string): Int32Array {
  return new Function('unpackInt32', `return ${literal};`)(unpackInt32) as Int32Array;
}

describe('packed Int32 tables', () => {
  it('round-trips any 32-bit table', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 300 }), (values) => {
        expect(Array.from(unpackInt32(packInt32(values), values.length))).toEqual(values);
      }),
    );
  });

  it('round-trips the extremes and their largest jumps', () => {
    const values = [0, 2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 1, -1, 1, 0, 127, 128, -64, -65, 16384];
    expect(Array.from(unpackInt32(packInt32(values), values.length))).toEqual(values);
  });

  it('takes about 1–2 characters an entry for ascending slot tables', () => {
    const slots = Array.from({ length: 10_000 }, (_, k) => 3 * k + (k % 5));
    expect(packInt32(slots).length).toBeLessThan(2 * slots.length);
  });

  it('refuses what is not a 32-bit integer', () => {
    for (const bad of [0.5, Number.NaN, 2 ** 31, -(2 ** 31) - 1, Number.POSITIVE_INFINITY]) {
      expect(() => packInt32([1, bad])).toThrow(/entry 1 is not a 32-bit integer/);
    }
  });

  it('a corrupt or short text is an error, not a wrong table', () => {
    const text = packInt32([1, 200, 3]);
    expect(() => unpackInt32(text, 2)).toThrow(/corrupt/);
  });

  it('int32ArrayLiteral prints small tables as numbers and packs large ones', () => {
    const small = Array.from({ length: PACKED_TABLE_FROM - 1 }, (_, k) => k * 7 - 100);
    const large = Array.from({ length: PACKED_TABLE_FROM }, (_, k) => k * 7 - 100);
    expect(int32ArrayLiteral(small)).toMatch(/^new Int32Array\(\[/);
    expect(int32ArrayLiteral(large)).toMatch(/^unpackInt32\('[A-Za-z0-9+/]*={0,2}', 2048\)$/);
    expect(Array.from(evaluate(int32ArrayLiteral(small)))).toEqual(small);
    expect(Array.from(evaluate(int32ArrayLiteral(large)))).toEqual(large);
  });
});
