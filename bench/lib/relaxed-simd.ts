/**
 * Relaxed SIMD for the bench: the WebAssembly kernels of large systems carry a relaxed-SIMD variant
 * (CompileOptions.fma) that runs where the runtime has relaxed SIMD — Node 22 and later by default. Node 20 has it
 * behind V8's --experimental-wasm-relaxed-simd, which Node does not accept in NODE_OPTIONS, so the bench turns it
 * on itself (v8.setFlagsFromString, before any kernel is compiled; worker threads inherit it) and says so in the
 * results, so that one run measures both kernels: the relaxed one by default, the plain one with fma: false.
 */
import { setFlagsFromString } from 'node:v8';

/** A module whose one function is f64x2.relaxed_madd of three zero vectors (type () → v128). */
const RELAXED_MODULE = (() => {
  const zero = [0xfd, 12, ...Array<number>(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 0xfd, 0x87, 0x02, 0x0b];
  const code = [1, body.length, ...body];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, code.length, ...code]);
})();

const validate = (bytes: Uint8Array) =>
  (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);

export type RelaxedSimd = 'native' | 'enabled by flag' | 'unavailable';

/** Whether this runtime has relaxed SIMD, turning it on where V8 has it behind a flag. */
export function enableRelaxedSimd(): RelaxedSimd {
  if (validate(RELAXED_MODULE)) return 'native';
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return validate(RELAXED_MODULE) ? 'enabled by flag' : 'unavailable';
}

/** For the results' header. */
export function describeRelaxedSimd(r: RelaxedSimd): string {
  switch (r) {
    case 'native':
      return 'relaxed SIMD: native';
    case 'enabled by flag':
      return "relaxed SIMD: enabled by the bench (V8's --experimental-wasm-relaxed-simd; Node 22 and later have it by default)";
    case 'unavailable':
      return 'relaxed SIMD: unavailable (the relaxed-SIMD kernels fall back to the plain ones)';
  }
}
