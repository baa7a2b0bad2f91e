import type { BdfMethod } from './types.ts';

/**
 * Variable-order (1–5), variable-step BDF for large stiff systems, in the fixed-leading-coefficient form with
 * backward differences of Shampine and Reichelt's NDF: orders 1–4 carry the κ corrections that enlarge their
 * error constant's margin at almost no loss of stability, order 5 is plain BDF5.
 */
export const BDF: BdfMethod = {
  family: 'bdf',
  name: 'BDF',
  aliases: ['NDF'],
  description: 'BDF: variable order 1-5 (NDF form), variable step, for large stiff systems',
  source:
    'L. F. Shampine and M. W. Reichelt, "The MATLAB ODE Suite", SIAM J. Sci. Comput. 18 (1997) 1-22, Table 1: ' +
    "kappa = -0.1850, -1/9, -0.0823, -0.0415, 0 for orders 1-5 (the values SciPy's solve_ivp BDF also uses, " +
    'github.com/scipy/scipy, scipy/integrate/_ivp/bdf.py); the order and step selection follows the same paper.',
  order: 5,
  kappa: ['0', '-0.1850', '-1/9', '-0.0823', '-0.0415', '0'],
  errorEstimate: { order: 1 },
};
