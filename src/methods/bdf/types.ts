/**
 * The variable-order backward differentiation formulas as data: the highest order and the κ corrections of
 * the numerical differentiation formulas (NDF). κ = 0 for every order is plain BDF.
 */
import type { Coefficient } from '../types.ts';

export interface BdfMethod {
  readonly family: 'bdf';
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly source: string;
  /** The highest order used (orders 1 … order; the solve starts at 1). */
  readonly order: number;
  /** κ_k for k = 0 … order (κ_0 unused, 0). */
  readonly kappa: readonly Coefficient[];
  /** Variable order: the estimate's order follows the order in use (it starts at 1). */
  readonly errorEstimate: { readonly order: number };
}
