/**
 * The API from a script: run with `npx tsx examples/api-example.ts` from anywhere in the repository.
 * Lotka–Volterra with the sensitivities of the final state to the initial state and the four parameters.
 */
import { readFileSync } from 'node:fs';
import { compile, type ModelSpec } from 'odeforge';

const model = JSON.parse(readFileSync(new URL('./lotka-volterra.json', import.meta.url), 'utf8')) as ModelSpec;
const solver = compile(model, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] });
const r = solver.solve({ t0: 0, t1: 5, y0: [2, 1], rtol: 1e-10, atol: 1e-10 });

console.log('y(5)         ', Array.from(r.y));
console.log('∂y/∂y0       ', Array.from(r.jacobian!));
console.log('∂y/∂(α,β,δ,γ)', Array.from(r.paramJacobian!));
console.log('stats        ', r.stats);
