/**
 * 'auto': an explicit method while the problem is not stiff, a stiff method while it is (the idea of LSODA,
 * and of Julia's AutoTsit5(Rosenbrock23)). The explicit method's stiffness estimate decides when to switch to
 * the stiff one; the bound h·‖J‖∞ of the stiff method's own Jacobian decides when to switch back. Both methods
 * are chosen by the tolerance at the start of each solve: RK45CK, or RK87 from rtol = tightRtol down; Rodas5P,
 * or RadauIIA5 from rtol = tightStiffRtol down.
 */
import { RADAU_IIA5 } from './implicit/radau-iia5.ts';
import type { ImplicitRungeKuttaMethod, RosenbrockMethod } from './implicit/types.ts';
import { RK45CK } from './rk45ck.ts';
import { RK87 } from './rk87.ts';
import { RODAS5P } from './rosenbrock/rodas5p.ts';
import type { ExplicitRungeKuttaMethod } from './types.ts';

export interface AutoMethod {
  readonly family: 'auto';
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly source: string;
  readonly order: number;
  readonly explicit: ExplicitRungeKuttaMethod;
  /** The explicit method for tight tolerances (rtol ≤ tightRtol), in place of `explicit`. */
  readonly tight: ExplicitRungeKuttaMethod;
  readonly tightRtol: number;
  /**
   * Where the tight method's estimate h·ρ stands, as a fraction of its stability boundary, when its steps are
   * held by stability: its ρ is divided by this before the driver compares h·ρ with the boundary.
   */
  readonly tightDetection: number;
  readonly stiff: RosenbrockMethod;
  /** The stiff method for tight tolerances (rtol ≤ tightStiffRtol), in place of `stiff`. */
  readonly tightStiff: ImplicitRungeKuttaMethod;
  readonly tightStiffRtol: number;
  readonly errorEstimate: { readonly order: number };
}

export const AUTO: AutoMethod = {
  family: 'auto',
  name: 'auto',
  aliases: [],
  description:
    'RK45CK (RK87 for rtol ≤ 1e-7) while the problem is not stiff, Rodas5P (RadauIIA5 for rtol ≤ 1e-8) while it is, switching both ways',
  source: 'the methods of RK45CK, RK87, Rodas5P and RadauIIA5 (see there)',
  order: 5,
  explicit: RK45CK,
  // At equal accuracy of the Jacobians RK87 took 0.2–1.2× RK45CK's time from rtol 1e-7 down on the seed, Lorenz,
  // a pendulum, Lotka–Volterra and Arenstorf's orbit (above 1 only for Lotka–Volterra near 1e-7), and up to 1.7×
  // above it; measured 2026-12-05.
  tight: RK87,
  tightRtol: 1e-7,
  // RK87's ρ (its 13th stage against F(t + h, yNew)) reads low where its steps are held back by the stiff
  // mode: on Robertson its error control holds h·ρ at 0.69–0.8 of the boundary at rtol 1e-8 and at 0.5–0.65 at
  // 1e-10, below the driver's threshold of 0.8 (RK45CK's reaches 0.87–0.98), and the switch to Rodas5P came after
  // thousands of steps (t = 3.8 at 1e-8) instead of ~100 (t = 0.15). Measured 2026-12-05.
  tightDetection: 0.6,
  stiff: RODAS5P,
  // From rtol 1e-8 down RadauIIA5 reached a given accuracy of the sensitivities in less time than Rodas5P on
  // HIRES, OREGO and Van der Pol (μ = 1000), and Rodas5P on Robertson (same-run medians, ∂y/∂y0 or ∂y/∂p against
  // test/stiff/references.json, 2026-12-06). On Van der Pol Rodas5P's sensitivities lose accuracy in the fast
  // transitions (3e-4 at rtol 1e-8, where RadauIIA5's are within 1e-7). SciML's documentation draws the same
  // line: Rodas5P for tolerances above 1e-8, its Radau IIA methods below.
  tightStiff: RADAU_IIA5,
  tightStiffRtol: 1e-8,
  errorEstimate: { order: 4 },
};
