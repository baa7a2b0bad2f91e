import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandFor, SHIPPED } from '../../scripts/shipped.ts';
import { compile, generate } from '../../src/compile.ts';
import { SEED_MODEL, SEED_PROBLEM, seedExactJacobian } from '../../src/examples.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import { maxRelativeError } from '../helpers/fd.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('generated/ holds the current output for the shipped examples', () => {
  it.each(SHIPPED.map((s) => [s.out, s] as const))('%s is up to date (npm run generate rebuilds it)', (_, s) => {
    const spec = JSON.parse(read(s.model)) as ModelSpec;
    const fresh = generate(spec, { method: s.method, sensitivities: s.sensitivities, command: commandFor(s) });
    expect(read(s.out) === fresh, `${s.out} is stale: run npm run generate`).toBe(true);
  });

  it('the embedded seed model is the same as examples/seed.json', () => {
    expect(JSON.parse(read('examples/seed.json'))).toEqual(SEED_MODEL);
  });

  it('generated modules import nothing (no nerdamer, no ts-morph, no odeforge at run time)', () => {
    for (const s of SHIPPED) {
      const text = read(s.out);
      expect(text).not.toMatch(/^\s*import\s/m);
      expect(text).not.toMatch(/\brequire\(/);
      expect(text).not.toMatch(/from ['"](nerdamer|ts-morph|odeforge)/);
    }
  });

  it('the shipped seed module, imported as a file, solves the seed problem', async () => {
    const mod = (await import('../../generated/seed.ts')) as typeof import('../../generated/seed.ts');
    const r = mod.solve(SEED_PROBLEM);
    expect(maxRelativeError(r.jacobian!, seedExactJacobian(SEED_PROBLEM.t1))).toBeLessThan(1e-10);
    // The file and the in-process compile are the same solver: bit-identical results.
    const inProcess = compile(SEED_MODEL, { method: 'RK45CK', sensitivities: ['y0', 'params'] }).solve(SEED_PROBLEM);
    expect(Array.from(r.y)).toEqual(Array.from(inProcess.y));
    expect(Array.from(r.jacobian!)).toEqual(Array.from(inProcess.jacobian!));
  });

  it('generation is deterministic', () => {
    const a = generate(SEED_MODEL, { method: 'RK87', sensitivities: ['params', 'y0'] });
    const b = generate(SEED_MODEL, { method: 'rk8713m', sensitivities: ['y0', 'params'] });
    expect(a).toBe(b);
  });
});
