/**
 * The generated parts of a BDF solver (templates/ts/bdf.ts): the κ corrections; J, the coupling K of the
 * sensitivities and the factorization of the Newton matrix I/c − J come from ./newton-matrix.ts.
 */
import type { BdfMethod } from '../../methods/bdf/types.ts';
import { coefficientToNumber } from '../../methods/exact.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { integerLiteral, numberLiteral } from '../printer.ts';
import { newtonMatrixDefinitions } from './newton-matrix.ts';

export function bdfDefinitions(system: AugmentedSystem, method: BdfMethod): Map<string, string> {
  const kappa = method.kappa.map(coefficientToNumber);
  const defs = new Map<string, string>([
    // The first step is of order 1: the driver's first-step estimate uses ORDER.
    ['ORDER', 'const ORDER: number = 1;'],
    ['MAX_ORDER', `const MAX_ORDER: number = ${integerLiteral(method.order)};`],
    ['KAPPA', `const KAPPA: Float64Array = new Float64Array([${kappa.map((k) => numberLiteral(k).text).join(', ')}]);`],
    ...newtonMatrixDefinitions(system),
  ]);
  return defs;
}
