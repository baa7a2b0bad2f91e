/** The fully implicit Runge–Kutta methods (not yet in the registry of ../index.ts). */
import { BACKWARD_EULER } from './backward-euler.ts';
import { CRANK_NICOLSON } from './crank-nicolson.ts';
import { GAUSS_LEGENDRE4 } from './gauss-legendre4.ts';
import { GAUSS_LEGENDRE6 } from './gauss-legendre6.ts';
import { IMPLICIT_MIDPOINT } from './implicit-midpoint.ts';
import { LOBATTO_IIIA2 } from './lobatto-iiia2.ts';
import { LOBATTO_IIIA4 } from './lobatto-iiia4.ts';
import { LOBATTO_IIIB2 } from './lobatto-iiib2.ts';
import { LOBATTO_IIIB4 } from './lobatto-iiib4.ts';
import { LOBATTO_IIIC2 } from './lobatto-iiic2.ts';
import { LOBATTO_IIIC4 } from './lobatto-iiic4.ts';
import { RADAU_IA3 } from './radau-ia3.ts';
import { RADAU_IA5 } from './radau-ia5.ts';
import { RADAU_IIA3 } from './radau-iia3.ts';
import { RADAU_IIA5 } from './radau-iia5.ts';
import type { ImplicitRungeKuttaMethod } from './types.ts';

export type {
  ExactCoefficient,
  ImplicitErrorEstimate,
  ImplicitRungeKuttaMethod,
  RosenbrockMethod,
  StabilityFacts,
  StiffMethod,
  SurdCoefficient,
} from './types.ts';
export { surd } from './types.ts';
export {
  BACKWARD_EULER,
  CRANK_NICOLSON,
  GAUSS_LEGENDRE4,
  GAUSS_LEGENDRE6,
  IMPLICIT_MIDPOINT,
  LOBATTO_IIIA2,
  LOBATTO_IIIA4,
  LOBATTO_IIIB2,
  LOBATTO_IIIB4,
  LOBATTO_IIIC2,
  LOBATTO_IIIC4,
  RADAU_IA3,
  RADAU_IA5,
  RADAU_IIA3,
  RADAU_IIA5,
};

/** Every implicit RK method, adaptive ones first (DESolver's names). */
export const IMPLICIT_RK_METHODS: readonly ImplicitRungeKuttaMethod[] = [
  RADAU_IIA5,
  LOBATTO_IIIC4,
  BACKWARD_EULER,
  IMPLICIT_MIDPOINT,
  CRANK_NICOLSON,
  LOBATTO_IIIA2,
  LOBATTO_IIIA4,
  LOBATTO_IIIB2,
  LOBATTO_IIIB4,
  LOBATTO_IIIC2,
  RADAU_IA3,
  RADAU_IA5,
  RADAU_IIA3,
  GAUSS_LEGENDRE4,
  GAUSS_LEGENDRE6,
];
