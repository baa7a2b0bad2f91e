import type { SymplecticMethod } from './types.ts';

/**
 * Nielsen's BAB′s9o7H: 10 kicks and 9 drifts, symmetric. Its last kick is at the new positions, so it is the next
 * step's first: 9 evaluations of the momenta's right-hand side per step. Order 4 for every separable problem, 6
 * on the harmonic oscillator (measured in test/symplectic).
 */
export const BABS9O7H: SymplecticMethod = {
  family: 'symplectic',
  name: 'BABs9o7H',
  aliases: [],
  description:
    'BABs9o7H: symmetric splitting, 10 kicks and 9 drifts (9 kicks a step), order 4 (6 on harmonic oscillators), fixed step',
  source:
    'K. M. E. Nielsen, "Efficient fourth order symplectic integrators for near-harmonic separable Hamiltonian ' +
    'systems", arXiv:1501.04345v2 (2015), method BAB′s9o7H. Coefficients as DESolver prints them ' +
    '(github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py, BABs9o7HSolver: kicks ' +
    'first, as here; 16–17 significant digits, so the sums are 1 to within 1e-16).',
  order: 4,
  harmonicOrder: 6,
  first: 'kick',
  kick: [
    '0.04649290043965892',
    '0.154901012702888',
    '0.31970548287359174',
    '-0.19292000881571322',
    '0.17182061279957458',
    '0.17182061279957458',
    '-0.19292000881571322',
    '0.31970548287359174',
    '0.154901012702888',
    '0.04649290043965892',
  ],
  drift: [
    '0.1289555065927298',
    '0.10907642985488271',
    '-0.013886035680471514',
    '0.18375497456418036',
    '0.18419824933735726',
    '0.18375497456418036',
    '-0.013886035680471514',
    '0.10907642985488271',
    '0.1289555065927298',
  ],
  symmetric: true,
};
