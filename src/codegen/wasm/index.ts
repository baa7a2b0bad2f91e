/** The WebAssembly kernel of a TypeScript solver: text (kernel.ts), assembled to a binary (assemble.ts). */
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { assembleWat } from './assemble.ts';
import { emitWasmKernelText } from './kernel.ts';

export { emitWasmKernelText };

/**
 * The binaries a TypeScript solver carries: the plain kernel (the TypeScript step's bits), and, where its vector
 * loops have multiply-adds to fuse, a relaxed-SIMD variant that the module instantiates first — a runtime without
 * relaxed SIMD refuses it, and the plain one runs.
 */
export interface KernelBinaries {
  readonly plain: Uint8Array;
  readonly fma: Uint8Array | undefined;
}

export function buildWasmKernel(
  system: AugmentedSystem,
  method: ExplicitRungeKuttaMethod,
  options: { readonly fma: boolean },
): KernelBinaries {
  const name = `${system.model.name}.wat`;
  const plainText = emitWasmKernelText(system, method);
  const plain = assembleWat(plainText, name);
  if (!options.fma) return { plain, fma: undefined };
  const fusedText = emitWasmKernelText(system, method, { fma: true });
  return { plain, fma: fusedText === plainText ? undefined : assembleWat(fusedText, name) };
}
