/**
 * Two stiff problems of the Bari test set for IVP solvers (F. Mazzia, C. Magherini et al., "Test Set for IVP
 * Solvers", University of Bari, https://archimede.uniba.it/~testset/), against the reference solutions published
 * there (computed by the test set's authors with RADAU5 at very tight tolerances): HIRES (8 states, plant
 * physiology) and OREGO (3 states, the Oregonator), with every family for stiff problems.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';

const HIRES = {
  name: 'hires',
  states: ['y1', 'y2', 'y3', 'y4', 'y5', 'y6', 'y7', 'y8'],
  rhs: {
    y1: '-1.71*y1 + 0.43*y2 + 8.32*y3 + 0.0007',
    y2: '1.71*y1 - 8.75*y2',
    y3: '-10.03*y3 + 0.43*y4 + 0.035*y5',
    y4: '8.32*y2 + 1.71*y3 - 1.12*y4',
    y5: '-1.745*y5 + 0.43*y6 + 0.43*y7',
    y6: '-280*y6*y8 + 0.69*y4 + 1.71*y5 - 0.43*y6 + 0.69*y7',
    y7: '280*y6*y8 - 1.81*y7',
    y8: '-280*y6*y8 + 1.81*y7',
  },
};
const HIRES_Y0 = [1, 0, 0, 0, 0, 0, 0, 0.0057];
const HIRES_T1 = 321.8122;
/** The test set's reference solution at t = 321.8122. */
const HIRES_REFERENCE = [
  0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2, 0.2386356198831331e-2,
  0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
];

const OREGO = {
  name: 'orego',
  states: ['y1', 'y2', 'y3'],
  rhs: {
    y1: '77.27*(y2 + y1*(1 - 8.375e-6*y1 - y2))',
    y2: '(y3 - (1 + y1)*y2)/77.27',
    y3: '0.161*(y1 - y3)',
  },
};
/** The test set's reference solution at t = 360, from y0 = (1, 2, 3). */
const OREGO_REFERENCE = [0.1000814870318523e1, 0.1228178521549917e4, 0.1320554942846706e3];

function worstRelative(got: ArrayLike<number>, want: readonly number[]): number {
  return Math.max(...want.map((w, i) => Math.abs(got[i]! - w) / Math.abs(w)));
}

const METHODS = ['Rodas5P', 'RadauIIA5', 'BDF', 'auto'];

describe('HIRES (Bari test set) at t = 321.8122', () => {
  it.each(METHODS)('%s at rtol 1e-10 agrees with the published reference', (method) => {
    const r = compile(HIRES, { method, sensitivities: [] }).solve({
      t0: 0,
      t1: HIRES_T1,
      y0: HIRES_Y0,
      rtol: 1e-10,
      atol: 1e-14,
    });
    // measured (max relative): Rodas5P 4.6e-12, RadauIIA5 1.6e-12, BDF 7.7e-10, auto 4.6e-12
    expect(worstRelative(r.y, HIRES_REFERENCE)).toBeLessThan(method === 'BDF' ? 1e-8 : 1e-10);
  });
});

describe('OREGO (Bari test set) at t = 360', () => {
  it.each(METHODS)('%s at rtol 1e-10 agrees with the published reference', (method) => {
    const r = compile(OREGO, { method, sensitivities: [] }).solve({
      t0: 0,
      t1: 360,
      y0: [1, 2, 3],
      rtol: 1e-10,
      atol: 1e-10,
    });
    // measured: Rodas5P 1.4e-11, RadauIIA5 2.8e-13, BDF 2.5e-8, auto 4.7e-11
    expect(worstRelative(r.y, OREGO_REFERENCE)).toBeLessThan(method === 'BDF' ? 1e-6 : 1e-9);
  });
});
