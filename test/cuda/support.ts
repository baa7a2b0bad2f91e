/**
 * Models, problems and helpers shared by the CUDA tests. Builds go through src/ensemble/cuda-build.ts, so
 * they land in the hash cache (~/.cache/odeforge/cuda, or $ODEFORGE_CACHE_DIR) and are reused across test
 * files and runs.
 */
import { readFileSync } from 'node:fs';
import { compilerAvailable } from '../../src/ensemble/cuda.ts';
import { findExplicitMethod as findMethod } from '../../src/methods/index.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../src/methods/types.ts';
import { buildModel, type ModelSpec } from '../../src/model/model.ts';
import { type AugmentedSystem, buildAugmentedSystem, type Sensitivity } from '../../src/variational/system.ts';

export function example(name: string): ModelSpec {
  return JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8')) as ModelSpec;
}

export const SEED: ModelSpec = example('seed');
export const LORENZ: ModelSpec = example('lorenz');
export const PENDULUM: ModelSpec = example('pendulum');

/**
 * Every function of the model language at least once (and a variable exponent). The arguments of abs, sign,
 * min and max keep one side over the trajectories tested (u ∈ [-1, 1.2], v ∈ [-1, 2.2]): across a kink the
 * result would depend on where the steps fall (a jump in f is invisible to the variational equations), so
 * two step sequences an ulp apart could differ far more than rounding. Ties are tested apart (TIES).
 */
export const FUNCTIONS: ModelSpec = {
  name: 'functions',
  states: ['u', 'v'],
  params: { a: 0.3, b: 0.25 },
  rhs: {
    u: '-0.5*u + atan2(v, 1 + u*u) + 0.1*sign(v + 3)*min(abs(u - 2), 5) + tanh(u)*cos(v)*0.2 - 1e-3*sinh(u) + 2e-3*cosh(v)',
    v: '-sqrt(1 + v^2)*0.3 + exp(-u*u) - 0.2*log(1 + v*v) + 0.05*max(u, v - 4) + a*pow(1 + u^2, b) + 0.01*asin(0.5*tanh(v)) - 0.01*acos(0.5*tanh(u)) + 0.02*atan(u)*tan(0.1*v)',
  },
};

/** min, max, sign and abs at ties and signed zeros (their derivatives use heaviside(0) = 1/2). */
export const TIES: ModelSpec = {
  name: 'ties',
  states: ['a', 'b', 'c', 'd'],
  rhs: { a: 'min(a, b)', b: 'max(a, b)', c: 'sign(c) + abs(d)', d: 'sign(d) - sign(c)' },
};

/** Explicit time, with the time variable named s: a forced, damped oscillator. */
export const FORCED: ModelSpec = {
  name: 'forced',
  states: ['x', 'w'],
  params: { q: 0.5, d: 0.05 },
  time: 's',
  rhs: { x: 'w', w: '-x - d*w + q*sin(2*s) + s/10' },
};

/** y' = -λ (y - cos t): stiff for large λ (explicit methods held at their stability boundary). */
export const STIFF: ModelSpec = {
  name: 'stiff',
  states: ['y'],
  params: { lambda: 1000 },
  rhs: { y: '-lambda*(y - cos(t))' },
};

/** Van der Pol: stiff for large μ, with a stiffness that varies along the limit cycle. */
export const VAN_DER_POL: ModelSpec = {
  name: 'vdp',
  states: ['x', 'v'],
  params: { mu: 10 },
  rhs: { x: 'v', v: 'mu*(1 - x^2)*v - x' },
};

/** x' = x², x(0) = x0: blows up at t = 1/x0. */
export const BLOWUP: ModelSpec = { name: 'blowup', states: ['x'], rhs: { x: 'x^2' } };

export function system(spec: ModelSpec, sensitivities: readonly Sensitivity[] = ['y0', 'params']): AugmentedSystem {
  return buildAugmentedSystem(buildModel(spec), sensitivities);
}

export function method(name: string): Method {
  return findMethod(name);
}

/** Whether a compiler is there; when not, prints why the tests that need it are skipped. */
export async function haveCompiler(target: 'cuda' | 'cpu', what: string): Promise<boolean> {
  const ok = await compilerAvailable(target);
  if (!ok) {
    const name = target === 'cuda' ? 'nvcc (CUDA toolkit)' : 'g++';
    console.warn(`skipping ${what}: ${name} not found`);
  }
  return ok;
}

/** max_j |a_j − b_j| / max_j |b_j| (normwise relative difference; 0 when both are all zero). */
export function normwiseRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let j = 0; j < b.length; j++) {
    diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
    scale = Math.max(scale, Math.abs(b[j]!));
  }
  if (diff === 0) return 0;
  return scale === 0 ? Number.POSITIVE_INFINITY : diff / scale;
}

/** Row i of a row-major array with rows of width w. */
export function row(a: Float64Array, i: number, w: number): Float64Array {
  return a.subarray(i * w, (i + 1) * w);
}

/** N rows of `width` values, row i given by f(i). */
export function rows(count: number, width: number, f: (i: number) => readonly number[]): Float64Array {
  const a = new Float64Array(count * width);
  for (let i = 0; i < count; i++) a.set(f(i), i * width);
  return a;
}
