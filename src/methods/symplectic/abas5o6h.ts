import type { SymplecticMethod } from './types.ts';

/**
 * Nielsen's ABA′s5o6H: 6 drifts and 5 kicks, symmetric (5 evaluations of the momenta's right-hand side per step).
 * Order 4 for every separable problem, 6 on the harmonic oscillator (measured in test/symplectic).
 */
export const ABAS5O6H: SymplecticMethod = {
  family: 'symplectic',
  name: 'ABAs5o6H',
  aliases: [],
  description: 'ABAs5o6H: symmetric splitting, 6 drifts and 5 kicks, order 4 (6 on harmonic oscillators), fixed step',
  source:
    'K. M. E. Nielsen, "Efficient fourth order symplectic integrators for near-harmonic separable Hamiltonian ' +
    'systems", arXiv:1501.04345v2 (2015), method ABA′s5o6H. Coefficients as DESolver prints them ' +
    '(github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, ABAs5o6HSolver; 16–17 ' +
    'significant digits, so the sums are 1 to within 1e-16). In the notation of the paper and of Blanes et al. ' +
    '(A the kinetic part, B the potential) A is the drift and the method starts with one; DESolver tabulates the ' +
    'six coefficients as kicks, a method of the same order (the conditions of general splitting methods are ' +
    'symmetric in A and B) but with an error 15–20 times larger on the pendulum and Kepler problems (measured).',
  order: 4,
  harmonicOrder: 6,
  first: 'drift',
  drift: [
    '0.15585935917621682',
    '-0.007025499091957318',
    '0.35116613991574047',
    '0.35116613991574047',
    '-0.007025499091957318',
    '0.15585935917621682',
  ],
  kick: [
    '-0.6859195549562167',
    '0.9966295909529364',
    '0.3785799280065607',
    '0.9966295909529364',
    '-0.6859195549562167',
  ],
  symmetric: true,
};
