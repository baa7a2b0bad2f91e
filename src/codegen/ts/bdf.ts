/**
 * The generated parts of a BDF solver (templates/ts/bdf.ts): the κ corrections, J and the coupling K of the
 * sensitivities, and the factorization of the Newton matrix I/c − J (all as the Rosenbrock family has them).
 */
import type { BdfMethod } from '../../methods/bdf/types.ts';
import { coefficientToNumber } from '../../methods/exact.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { integerLiteral, numberLiteral } from '../printer.ts';
import { newtonMatrixCode, printCoupling, printJacobian, printJacobianStructure } from './rosenbrock.ts';

export function bdfDefinitions(system: AugmentedSystem, method: BdfMethod): Map<string, string> {
  const nnz = system.jacobian.reduce((sum, row) => sum + row.columns.length, 0);
  const kappa = method.kappa.map(coefficientToNumber);
  const defs = new Map<string, string>([
    // The first step is of order 1: the driver's first-step estimate uses ORDER.
    ['ORDER', 'const ORDER: number = 1;'],
    ['MAX_ORDER', `const MAX_ORDER: number = ${integerLiteral(method.order)};`],
    ['KAPPA', `const KAPPA: Float64Array = new Float64Array([${kappa.map((k) => numberLiteral(k).text).join(', ')}]);`],
    ['JAC_NONZEROS', `const JAC_NONZEROS: number = ${integerLiteral(nnz)};`],
    ['jacobian', printJacobian(system)],
    ['coupling', printCoupling(system)],
    ...printJacobianStructure(system),
  ]);
  for (const [name, text] of newtonMatrixCode(system).definitions) defs.set(name, text);
  return defs;
}
