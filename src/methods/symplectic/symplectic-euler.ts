import type { SymplecticMethod } from './types.ts';

/**
 * The symplectic Euler method: a kick with the momenta's right-hand side at the old positions, then a drift with the
 * new momenta — p1 = p0 + h f_p(q0, t0), q1 = q0 + h f_q(p1). Order 1.
 */
export const SYMPLECTIC_EULER: SymplecticMethod = {
  family: 'symplectic',
  name: 'SymplecticEuler',
  aliases: [],
  description: 'Symplectic Euler: one kick, then one drift; fixed step, 1st order, separable systems',
  source:
    'E. Hairer, C. Lubich and G. Wanner, "Geometric Numerical Integration", 2nd ed., Springer (2006), Section VI.3, ' +
    'Theorem 3.3 (the symplectic Euler method p1 = p0 − h H_q(p1, q0), q1 = q0 + h H_p(p1, q0), which for a ' +
    'separable H is the kick, then the drift). DESolver names SymplecticEulerSolver a tableau of a half kick, a ' +
    'drift and a half kick (github.com/Microno95/desolver, desolver/integrators/explicit_integration_schemes.py), ' +
    'which is Störmer–Verlet, of order 2, while declaring order 1; this is the method the name stands for.',
  order: 1,
  first: 'kick',
  kick: ['1'],
  drift: ['1'],
  symmetric: false,
};
