/**
 * Prints, as one JSON object, every generated file for a fixed set of models × methods × sensitivities ×
 * targets (the determinism test runs this in two separate processes and compares the bytes).
 *   npx tsx test/hardening/emit-all.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { generate } from '../../src/compile.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { Sensitivity } from '../../src/variational/system.ts';

const examples = new URL('../../examples/', import.meta.url);
const models: ModelSpec[] = readdirSync(examples)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, examples), 'utf8')) as ModelSpec);
models.push(
  {
    name: 'functions',
    states: ['u', 'v'],
    params: { a: 0.3, b: 0.25 },
    time: 's',
    rhs: {
      u: '-0.5*u + atan2(v, 1 + u*u) + 0.1*sign(v + 3)*min(abs(u - 2), 5, v) + tanh(u)*cos(v)*0.2 - 1e-3*sinh(u) + 2e-3*cosh(s)',
      v: '-sqrt(1 + v^2)*0.3 + exp(-u*u) - 0.2*log(1 + v*v) + 0.05*max(u, v - 4) + a*pow(1 + u^2, b) + 0.01*asin(0.5*tanh(v)) - 0.01*acos(0.5*tanh(u)) + 0.02*atan(u)*tan(0.1*v)',
    },
  },
  {
    name: 'hostile-names',
    states: ['int', 'fn', '__global__', 'toString'],
    params: { double: 1.5, struct: 0.5 },
    time: 'f32',
    rhs: { int: '-int*double', fn: 'int - fn*struct', __global__: 'sin(f32)*fn', toString: 'max(int, fn) - toString' },
  },
  {
    name: 'lorenz96-12',
    states: Array.from({ length: 12 }, (_, i) => `x${i}`),
    params: { F: 8 },
    rhs: Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [
        `x${i}`,
        `(x${(i + 1) % 12} - x${(i + 10) % 12})*x${(i + 11) % 12} - x${i} + F`,
      ]),
    ),
  },
);
const methods = ['RK45CK', 'DOPRI45', 'RK87', 'RK4'];
const sensitivities: Sensitivity[][] = [[], ['y0'], ['y0', 'params']];
const targets = [
  { target: 'ts' as const },
  { target: 'cuda' as const, precision: 'f64' as const },
  { target: 'cuda' as const, precision: 'f32' as const },
  { target: 'wgsl' as const },
];
const out: Record<string, string> = {};
for (const m of models) {
  for (const method of methods) {
    for (const sens of sensitivities) {
      for (const t of targets) {
        // the GPU targets refuse a model with events (their kernels would ignore them)
        if (t.target !== 'ts' && m.events !== undefined) continue;
        const key = `${m.name} ${method} [${sens.join(',')}] ${t.target}${'precision' in t ? ` ${t.precision}` : ''}`;
        out[key] = generate(m, { method, sensitivities: sens, ...t, command: 'odeforge generate m.json --out m' });
      }
    }
  }
}
process.stdout.write(JSON.stringify(out));
