/**
 * A method is data. Each file in this folder exports one tableau with exact coefficients and the
 * source they were taken from; the code generator turns any tableau of a family into unrolled stage code.
 *
 * Coefficients are strings so that nothing is rounded before the generator sees it:
 *   - exact rationals "p/q" or integers "-3" (arbitrary size, converted with correct rounding), or
 *   - decimal strings with more digits than a double holds (e.g. Feagin's published 60-digit values).
 */
import type { AutoMethod } from './auto.ts';
import type { BdfMethod } from './bdf/types.ts';
import type { ImplicitRungeKuttaMethod, RosenbrockMethod } from './implicit/types.ts';
import type { SymplecticMethod } from './symplectic/types.ts';

export type Coefficient = string;

/** How an adaptive method estimates its local error. */
export type ErrorEstimate =
  /** Embedded weights b̂: the error is h Σ (b_j - b̂_j) k_j. */
  | { readonly order: number; readonly bHat: readonly Coefficient[] }
  /** Error weights given directly as e_j = b_j - b̂_j (Feagin publishes his estimates this way). */
  | { readonly order: number; readonly errorWeights: readonly Coefficient[] };

/**
 * An explicit Runge–Kutta method as its Butcher tableau, with exact coefficients: the family every target
 * (TypeScript, CUDA, WGSL, the WebAssembly kernel) integrates. Pass one as CompileOptions.method to compile a
 * tableau of one's own: every field is checked for type, shape and range (not for order conditions), and an
 * OptionError names the field at fault (e.g. `method.a[3]`).
 */
export interface ExplicitRungeKuttaMethod {
  /** The method family: 'explicit-rk'. */
  readonly family: 'explicit-rk';
  /** Canonical name, as DESolver spells it (e.g. "RK45CK"). */
  readonly name: string;
  /** Other accepted names (e.g. "RK45"). Matching is case-insensitive. */
  readonly aliases: readonly string[];
  /** One line on the method, for listings. */
  readonly description: string;
  /** Where the coefficients come from (paper, table, URL of the public source). */
  readonly source: string;
  /** Order of the propagated solution (the weights b). */
  readonly order: number;
  /** Nodes c_i, one per stage. */
  readonly c: readonly Coefficient[];
  /** Strictly lower-triangular matrix: a[i] has exactly i entries (a[0] is empty). */
  readonly a: readonly (readonly Coefficient[])[];
  /** Weights of the propagated solution. */
  readonly b: readonly Coefficient[];
  /** Present for adaptive methods. */
  readonly errorEstimate?: ErrorEstimate;
  /**
   * First Same As Last: the last stage is evaluated at (t + h, y_{n+1}), so it is the next step's first
   * stage. Requires c[s-1] = 1 and a[s-1] = b.
   */
  readonly fsal: boolean;
}

/**
 * Every family the code generators handle: explicit Runge–Kutta, Rosenbrock (linearly implicit), implicit RK, BDF,
 * 'auto' (an explicit and a Rosenbrock method, switching) and symplectic splitting methods (separable Hamiltonian
 * systems).
 */
export type Method =
  | ExplicitRungeKuttaMethod
  | RosenbrockMethod
  | ImplicitRungeKuttaMethod
  | BdfMethod
  | AutoMethod
  | SymplecticMethod;
