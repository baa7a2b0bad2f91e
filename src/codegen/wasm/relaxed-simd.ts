/**
 * Whether this runtime compiles WebAssembly relaxed SIMD (Node 22 and later; Node 20 only with V8's
 * --experimental-wasm-relaxed-simd): asked anew each time — a process may turn the flag on after start, as the
 * bench does — by validating a module whose one function is f64x2.relaxed_madd of three zero vectors.
 */
const RELAXED_MODULE = (() => {
  const zero = [0xfd, 12, ...Array<number>(16).fill(0)]; // v128.const 0
  const body = [0, ...zero, ...zero, ...zero, 0xfd, 0x87, 0x02, 0x0b]; // f64x2.relaxed_madd, end
  const code = [1, body.length, ...body];
  // magic, version; type () → v128; one function of that type; its code
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, code.length, ...code]);
})();

export function relaxedSimdAvailable(): boolean {
  const api = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  try {
    return api?.validate(RELAXED_MODULE) ?? false;
  } catch {
    return false;
  }
}
