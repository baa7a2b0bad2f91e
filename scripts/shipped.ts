/**
 * The solvers shipped in generated/: one per example model, with the method and sensitivities a user of that
 * model would most likely want. `npm run generate` writes them; a test fails when a file is stale.
 */
import type { Sensitivity } from '../src/variational/system.ts';

export interface ShippedSolver {
  readonly model: string;
  readonly method: string;
  readonly sensitivities: readonly Sensitivity[];
  readonly out: string;
}

export const SHIPPED: readonly ShippedSolver[] = [
  { model: 'examples/seed.json', method: 'RK45CK', sensitivities: ['y0', 'params'], out: 'generated/seed.ts' },
  {
    model: 'examples/pendulum.json',
    method: 'Dormand-Prince',
    sensitivities: ['y0', 'params'],
    out: 'generated/pendulum.ts',
  },
  { model: 'examples/lorenz.json', method: 'Dormand-Prince', sensitivities: ['y0'], out: 'generated/lorenz.ts' },
  {
    model: 'examples/lotka-volterra.json',
    method: 'RK45CK',
    sensitivities: ['y0', 'params'],
    out: 'generated/lotka-volterra.ts',
  },
  // stiff chemical kinetics: a Rosenbrock method with the rate constants' sensitivities
  {
    model: 'examples/robertson.json',
    method: 'Rodas5P',
    sensitivities: ['params'],
    out: 'generated/robertson.ts',
  },
];

/** The command recorded in each module's header. */
export function commandFor(s: ShippedSolver): string {
  return `odeforge generate ${s.model} --method ${s.method} --sens ${s.sensitivities.join(',')} --out ${s.out}`;
}
