/**
 * 'auto': an explicit method while the problem is not stiff, a Rosenbrock method while it is (the idea of LSODA,
 * and of Julia's AutoTsit5(Rosenbrock23)). The explicit method's stiffness estimate decides when to switch to
 * the stiff one; the bound h·‖J‖∞ of the stiff method's own Jacobian decides when to switch back.
 */
import type { RosenbrockMethod } from './implicit/types.ts';
import { RK45CK } from './rk45ck.ts';
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
  readonly stiff: RosenbrockMethod;
  readonly errorEstimate: { readonly order: number };
}

export const AUTO: AutoMethod = {
  family: 'auto',
  name: 'auto',
  aliases: [],
  description: 'RK45CK while the problem is not stiff, Rodas5P while it is, switching both ways',
  source: 'the methods of RK45CK and Rodas5P (see there)',
  order: 5,
  explicit: RK45CK,
  stiff: RODAS5P,
  errorEstimate: { order: 4 },
};
