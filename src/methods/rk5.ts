import { RK45CK } from './rk45ck.ts';
import type { ExplicitRungeKuttaMethod } from './types.ts';

/** The 5th-order member of the Cash–Karp pair used on its own with a fixed step (DESolver's RK5Solver). */
export const RK5: ExplicitRungeKuttaMethod = {
  family: 'explicit-rk',
  name: 'RK5',
  aliases: [],
  description: 'Fixed-step 5th-order Runge–Kutta: the 5th-order weights of Cash–Karp, 6 stages',
  source:
    'J. R. Cash and A. H. Karp, ACM Trans. Math. Softw. 16(3) (1990) 201-222: the 5th-order formula of the 5(4) ' +
    'pair (same c, a and b as RK45CK). DESolver (github.com/Microno95/desolver, ' +
    'desolver/integrators/explicit_integration_schemes.py, RK5Solver) defines RK5 the same way.',
  order: 5,
  fsal: false,
  c: RK45CK.c,
  a: RK45CK.a,
  b: RK45CK.b,
};
