/**
 * WebAssembly text → binary, with wabt (the WebAssembly Binary Toolkit compiled to WebAssembly, from npm).
 * wabt starts asynchronously while `generate` and `compile` are synchronous, so it is loaded before they run:
 * src/compile.ts awaits loadAssembler() at import (top-level await), unless the process deferred it first — the
 * CLI does (bin/odeforge): loading wabt is ~70 ms of a cold call, and only models from COLUMNS_FROM_STATES states
 * on (or the wat target, or wasm: true) need it. A deferred process that reaches assembleWat gets an
 * AssemblerNotLoadedError, loads it and runs the command again (src/cli/main.ts). Only code generation needs
 * wabt: a generated solver carries the binary, not wabt.
 */
import type WabtStart from 'wabt';

type Wabt = Awaited<ReturnType<typeof WabtStart>>;

let wabt: Wabt | undefined;
let loading: Promise<void> | undefined;
let deferred = false;

/** Thrown by assembleWat before the assembler is loaded (only in a process that deferred it). */
export class AssemblerNotLoadedError extends Error {
  override name = 'AssemblerNotLoadedError';
  constructor() {
    super('internal: the WebAssembly assembler (wabt) is not loaded yet: await loadAssembler() first');
  }
}

/** Loads wabt (once; later calls return the same promise). */
export function loadAssembler(): Promise<void> {
  loading ??= import('wabt').then(async (m) => {
    wabt = await m.default();
  });
  return loading;
}

/** Leaves wabt unloaded when src/compile.ts is imported; call before importing it (the CLI's bin does). */
export function deferAssembler(): void {
  deferred = true;
}

/** Whether deferAssembler was called. */
export function assemblerDeferred(): boolean {
  return deferred;
}

/** Assembles and validates a module written in the text format (SIMD, relaxed SIMD and bulk memory enabled). */
export function assembleWat(text: string, name = 'kernel.wat'): Uint8Array {
  if (wabt === undefined) throw new AssemblerNotLoadedError();
  const features = { simd: true, relaxed_simd: true, bulk_memory: true };
  const module = wabt.parseWat(name, text, features);
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
