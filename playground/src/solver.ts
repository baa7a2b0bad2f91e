/**
 * The generated solver, in the page: the JavaScript module the server generated, imported from a Blob URL. It
 * is a standalone ES module (no odeforge at run time), exactly what `odeforge generate --target js` writes.
 */
import type { SolveOptions, SolveResult, SolverInfo } from '../../src/index.ts';

/** What a generated module exports that the page uses. */
export interface GeneratedSolver {
  readonly info: SolverInfo;
  solve(options: SolveOptions): SolveResult;
  stepKernel(): 'webassembly' | 'typescript';
}

/** Imports a generated module's source. The Blob URL is revoked once the module is loaded. */
export async function loadSolver(js: string): Promise<GeneratedSolver> {
  const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
  try {
    // A run-time URL, not a module of the app: Vite must leave this import alone.
    return (await import(/* @vite-ignore */ url)) as GeneratedSolver;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** n evenly spaced times from a to b, both included. */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? b : a + ((b - a) * k) / (n - 1)));
}
