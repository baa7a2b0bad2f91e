/** The symplectic splitting methods, for separable Hamiltonian systems (see ./types.ts). */
import { ABAS5O6H } from './abas5o6h.ts';
import { BABS9O7H } from './babs9o7h.ts';
import { SYMPLECTIC_EULER } from './symplectic-euler.ts';
import type { SymplecticMethod } from './types.ts';

export type { SplittingMap, SplittingStep, SymplecticMethod } from './types.ts';
export { splittingSequence } from './types.ts';
export { ABAS5O6H, BABS9O7H, SYMPLECTIC_EULER };

/** Every symplectic method, in DESolver's order. */
export const SYMPLECTIC_METHODS: readonly SymplecticMethod[] = [SYMPLECTIC_EULER, BABS9O7H, ABAS5O6H];
