/** The WebAssembly kernel of a TypeScript solver: text (kernel.ts), assembled to a binary (assemble.ts). */
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { assembleWat } from './assemble.ts';
import { emitWasmKernelText } from './kernel.ts';

export { emitWasmKernelText };

export function buildWasmKernel(system: AugmentedSystem, method: ExplicitRungeKuttaMethod): Uint8Array {
  return assembleWat(emitWasmKernelText(system, method), `${system.model.name}.wat`);
}
