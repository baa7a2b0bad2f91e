/**
 * Relaxed SIMD for the bench: the WebAssembly kernels of large systems carry a relaxed-SIMD variant
 * (CompileOptions.fma) that runs where the runtime has relaxed SIMD — Node 22 and later by default. Node 20 has it
 * behind V8's --experimental-wasm-relaxed-simd, which Node does not accept in NODE_OPTIONS, so the bench turns it
 * on itself (v8.setFlagsFromString, before any kernel is compiled; worker threads inherit it) and says so in the
 * results, so that one run measures both kernels: the relaxed one by default, the plain one with fma: false.
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdAvailable } from '../../src/codegen/wasm/relaxed-simd.ts';

export type RelaxedSimd = 'native' | 'enabled by flag' | 'unavailable';

/** Whether this runtime has relaxed SIMD, turning it on where V8 has it behind a flag. */
export function enableRelaxedSimd(): RelaxedSimd {
  if (relaxedSimdAvailable()) return 'native';
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdAvailable() ? 'enabled by flag' : 'unavailable';
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
