/**
 * WebAssembly text → binary, with wabt (the WebAssembly Binary Toolkit compiled to WebAssembly, from npm).
 * wabt starts asynchronously; this module waits for it once, at import (top-level await), so that
 * `generate` and `compile` stay synchronous. Only code generation needs it: a generated solver carries the
 * binary, not wabt.
 */
import wabtStart from 'wabt';

const wabt = await wabtStart();

/** Assembles and validates a module written in the text format (SIMD and bulk memory enabled). */
export function assembleWat(text: string, name = 'kernel.wat'): Uint8Array {
  const features = { simd: true, bulk_memory: true };
  const module = wabt.parseWat(name, text, features);
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
