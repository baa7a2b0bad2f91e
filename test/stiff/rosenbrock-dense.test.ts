/**
 * The Rosenbrock family's continuous extension (templates/ts/rosenbrock.ts, interpolate): Rodas5P and Rodas4
 * interpolate tEval samples from the step's stage increments, y(t0 + θh) ≈ (1 − θ) y0 + θ (y1 + (1 − θ)(k_1 +
 * θ (k_2 + …))) with k_j = Σ_i H_ji u_i, over the whole augmented vector [y | Φ | S]; ROS3P has none and keeps the
 * driver's cubic Hermite. Measured here against exact solutions: the interpolant's order (fixed steps, local
 * error at interior θ), the error of samples inside adaptive steps next to the error at the step ends, and how
 * it compares with the cubic Hermite the driver would have used on the same steps (computed here from the
 * accepted steps that onStep reports and the exact right-hand side), on a smooth problem and on a stiff one.
 */
import { describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';
import { RODAS4, RODAS5P, ROS3P } from '../../src/methods/rosenbrock/index.ts';

type Vec = readonly number[];

/** An accepted step's end: the time and the augmented vector [y | Φ | S]. */
interface Point {
  readonly t: number;
  readonly Y: Vec;
}

/** The driver's cubic Hermite (templates/ts/driver.ts, hermite) on [a, b] at fraction s. */
function hermite(s: number, a: Point, fa: Vec, b: Point, fb: Vec): number[] {
  const h = b.t - a.t;
  const s2 = s * s;
  const s3 = s2 * s;
  const a0 = 2 * s3 - 3 * s2 + 1;
  const a1 = -2 * s3 + 3 * s2;
  const b0 = h * (s3 - 2 * s2 + s);
  const b1 = h * (s3 - s2);
  return a.Y.map((_, i) => a0 * a.Y[i]! + a1 * b.Y[i]! + b0 * fa[i]! + b1 * fb[i]!);
}

/** A model with its augmented right-hand side and exact augmented solution written out by hand. */
interface Problem {
  readonly spec: { name: string; states: string[]; params: Record<string, number>; rhs: Record<string, string> };
  readonly y0: Vec;
  /** F(t, Y) for the augmented vector. */
  readonly F: (t: number, Y: Vec) => number[];
  /** The exact augmented solution from (0, [y0 | I | 0]). */
  readonly exact: (t: number) => number[];
}

/** y' = −2 a t y²: y = 1/(1/y0 + a t²), ∂y/∂y0 = y²/y0², ∂y/∂a = −t² y². Nonlinear and non-autonomous. */
const [A, Y0] = [0.8, 1.3];
const RATIONAL: Problem = {
  spec: { name: 'rational', states: ['y'], params: { a: A }, rhs: { y: '-2*a*t*y^2' } },
  y0: [Y0],
  F: (t, [y, phi, s]) => [-2 * A * t * y! * y!, -4 * A * t * y! * phi!, -4 * A * t * y! * s! - 2 * t * y! * y!],
  exact: (t) => {
    const y = 1 / (1 / Y0 + A * t * t);
    return [y, (y * y) / (Y0 * Y0), -t * t * y * y];
  },
};

/**
 * The rational problem's exact solution through an accepted step's start (tn, [yn | Φn | Sn]):
 * y = 1/(1/yn + a (t² − tn²)), Φ = (y/yn)² Φn, S = (y/yn)² Sn − (t² − tn²) y². Against it, what is left of a
 * sample's error is the interpolant's own, not the error carried from earlier steps.
 */
function localRational(n: Point, t: number): number[] {
  const [yn, phin, sn] = n.Y as [number, number, number];
  const dt2 = t * t - n.t * n.t;
  const y = 1 / (1 / yn + A * dt2);
  const g = (y * y) / (yn * yn);
  return [y, g * phin, g * sn - dt2 * y * y];
}

/** x' = v, v' = −ω² x (linear oscillator, autonomous); Φ the rotation, S = ∂(x, v)/∂ω. */
const [W, X0, V0] = [2.5, 1, 0.5];
const OSCILLATOR: Problem = {
  spec: { name: 'oscillator', states: ['x', 'v'], params: { w: W }, rhs: { x: 'v', v: '-w^2*x' } },
  y0: [X0, V0],
  F: (_t, [x, v, p00, p01, p10, p11, sx, sv]) => [
    v!,
    -W * W * x!,
    p10!,
    p11!,
    -W * W * p00!,
    -W * W * p01!,
    sv!,
    -W * W * sx! - 2 * W * x!,
  ],
  exact: (t) => {
    const [c, s] = [Math.cos(W * t), Math.sin(W * t)];
    const x = X0 * c + (V0 / W) * s;
    const v = -X0 * W * s + V0 * c;
    const dx = -X0 * t * s + V0 * ((t * c) / W - s / (W * W));
    const dv = -X0 * s - X0 * W * t * c - V0 * t * s;
    return [x, v, c, s / W, -W * s, c, dx, dv];
  },
};

/** y' = λ(y − sin t) + cos t, λ = −1e6, y(0) = 0: y = sin t. Stiff; no sensitivities. */
const LAMBDA = -1e6;
const PROTHERO_ROBINSON: Problem = {
  spec: {
    name: 'prothero_robinson',
    states: ['y'],
    params: { lambda: LAMBDA },
    rhs: { y: 'lambda*(y - sin(t)) + cos(t)' },
  },
  y0: [0],
  F: (t, [y]) => [LAMBDA * (y! - Math.sin(t)) + Math.cos(t)],
  exact: (t) => [Math.sin(t)],
};

interface Run {
  /** t0 and every accepted step's end, in order. */
  readonly points: readonly Point[];
  /** The augmented vector at every tEval sample. */
  readonly samples: readonly Vec[];
}

/** One solve with tEval: the accepted steps (onStep) and the samples, reassembled into augmented vectors. */
function run(
  problem: Problem,
  method: string,
  options: { t0: number; t1: number; tEval: Vec; dt?: number; rtol?: number; atol?: number },
  sensitivities: ('y0' | 'params')[] = ['y0', 'params'],
): Run {
  const solver = compile(problem.spec, { method, sensitivities });
  const n = problem.spec.states.length;
  const y0 = problem.y0;
  const start: number[] = [...y0];
  if (sensitivities.includes('y0')) for (let i = 0; i < n * n; i++) start.push(i % (n + 1) === 0 ? 1 : 0);
  if (sensitivities.includes('params')) for (let i = 0; i < n; i++) start.push(0);
  const points: Point[] = [{ t: options.t0, Y: start }];
  const r = solver.solve({
    ...options,
    y0: [...y0],
    adaptive: options.dt === undefined,
    onStep: (t, Y) => points.push({ t, Y: Array.from(Y) }),
  });
  const d = r.dense!;
  const samples = Array.from(options.tEval, (_, k) => [
    ...d.y.subarray(k * n, (k + 1) * n),
    ...(d.jacobian?.subarray(k * n * n, (k + 1) * n * n) ?? []),
    ...(d.paramJacobian?.subarray(k * n, (k + 1) * n) ?? []),
  ]);
  return { points, samples };
}

/** The accepted step [points[i], points[i + 1]] that the driver interpolates sample t in (t0 < t, either sign). */
function stepOf(points: readonly Point[], t: number, from: number): number {
  const dir = Math.sign(points[points.length - 1]!.t - points[0]!.t);
  let i = from;
  while (i + 2 < points.length && dir * (points[i + 1]!.t - t) < 0) i++;
  return i;
}

/** Per component of the augmented vector: the largest |sample − exact| and |Hermite − exact| over tEval. */
function sampleErrors(problem: Problem, r: Run, tEval: Vec): { dense: number[]; hermite: number[] } {
  const M = r.points[0]!.Y.length;
  const dense = new Array<number>(M).fill(0);
  const herm = new Array<number>(M).fill(0);
  let i = 0;
  tEval.forEach((t, k) => {
    i = stepOf(r.points, t, i);
    const [a, b] = [r.points[i]!, r.points[i + 1]!];
    const h = hermite((t - a.t) / (b.t - a.t), a, problem.F(a.t, a.Y), b, problem.F(b.t, b.Y));
    const exact = problem.exact(t);
    for (let c = 0; c < M; c++) {
      dense[c] = Math.max(dense[c]!, Math.abs(r.samples[k]![c]! - exact[c]!));
      herm[c] = Math.max(herm[c]!, Math.abs(h[c]! - exact[c]!));
    }
  });
  return { dense, hermite: herm };
}

/** The largest error at the accepted steps' ends, over all components. */
function endErrors(problem: Problem, r: Run): number {
  let worst = 0;
  for (const p of r.points) {
    const exact = problem.exact(p.t);
    for (let c = 0; c < p.Y.length; c++) worst = Math.max(worst, Math.abs(p.Y[c]! - exact[c]!));
  }
  return worst;
}

const max = (v: Vec) => Math.max(...v);
const fmt = (v: Vec) => v.map((e) => e.toExponential(2)).join(', ');
const uniform = (t0: number, t1: number, count: number) =>
  Array.from({ length: count }, (_, i) => t0 + ((t1 - t0) * (i + 1)) / count);

describe('the data and the generated constants', () => {
  it('Rodas5P and Rodas4 carry H (3 and 2 rows of s entries); ROS3P has none', () => {
    expect(RODAS5P.dense!.H.map((row) => row.length)).toEqual([8, 8, 8]);
    expect(RODAS5P.dense).toMatchObject({ degree: 4, order: 4 });
    expect(RODAS4.dense!.H.map((row) => row.length)).toEqual([6, 6]);
    expect(RODAS4.dense).toMatchObject({ degree: 3, order: 3 });
    expect(ROS3P.dense).toBeUndefined();
  });

  it.each([
    ['Rodas5P', 3],
    ['Rodas4', 2],
    ['ROS3P', 0],
  ] as const)('%s: DENSE_ROWS = %i in the generated module', (method, rows) => {
    const source = generate(RATIONAL.spec, { method });
    expect(source).toContain(`const DENSE_ROWS: number = ${rows};`);
    expect(source).toMatch(/const ROS_H: Float64Array = new Float64Array\(\[/);
  });
});

describe('samples at the ends of a step are the step values', () => {
  // Dyadic steps: every t_n = n·h and (t_n + h − t_n)/h = 1 exactly, so θ = 1 at each step end.
  it.each(['Rodas5P', 'Rodas4', 'ROS3P'])('%s: θ = 1 gives y1 exactly, θ → 0 tends to y0', (method) => {
    const h = 1 / 16;
    const ends = uniform(0, 2, 32);
    const r = run(RATIONAL, method, { t0: 0, t1: 2, dt: h, tEval: ends });
    expect(r.points).toHaveLength(33);
    ends.forEach((t, k) => {
      expect(r.points[k + 1]!.t).toBe(t);
      expect(r.samples[k]).toEqual(r.points[k + 1]!.Y);
    });
    // Just after each step's start (θ = 2^-30; a sample at the start itself belongs to the step before, at θ = 1):
    // within θ of y0 in every component, the interpolant's slope in θ being about h·F, below 0.1 here (a formula
    // that missed y0 at θ = 0 would be off by about as much as one step moves, h·|F|, not 1e-9).
    const theta = 2 ** -30;
    const near = ends.map((t) => t - h + theta * h);
    const s = run(RATIONAL, method, { t0: 0, t1: 2, dt: h, tEval: near });
    near.forEach((_t, k) => {
      const start = s.points[k]!;
      for (let c = 0; c < 3; c++) expect(Math.abs(s.samples[k]![c]! - start.Y[c]!)).toBeLessThan(theta);
    });
  });

  it('samples streamed to onSample are the ones kept in dense', () => {
    const solver = compile(RATIONAL.spec, { method: 'Rodas5P', sensitivities: ['y0', 'params'] });
    const tEval = uniform(0, 2, 50);
    const base = { t0: 0, t1: 2, y0: [Y0], rtol: 1e-8, atol: 1e-8, tEval };
    const kept = solver.solve(base).dense!;
    const streamed: number[][] = [];
    solver.solve({ ...base, onSample: (_t, Y) => streamed.push(Array.from(Y)) });
    streamed.forEach((Y, k) => {
      expect(Y).toEqual([kept.y[k]!, kept.jacobian![k]!, kept.paramJacobian![k]!]);
    });
  });
});

describe('order of the interpolant: fixed steps, local error at interior points (rational problem, y, Φ and S)', () => {
  /**
   * Steps where the local error is asymptotic. Rodas5P's falls faster than h^5 on coarse steps (log2 of the ratios
   * from 16 to 128 steps about 5.8, 6.0, 5.7, then 4.9, 4.9, 5.0 up to 1024 steps: its h^6 term dominates at first),
   * so its order shows from 128 steps on, with errors still far above rounding (1e-11 to 1e-14).
   */
  const CASES = [
    ['Rodas5P', RODAS5P.dense!.order, [128, 256, 512]],
    ['Rodas4', RODAS4.dense!.order, [32, 64, 128]],
    ['ROS3P', 3, [32, 64, 128]], // the driver's cubic Hermite
  ] as const;
  const THETAS = [0.25, 0.5, 0.75];

  it.each(CASES)('%s: order %i', (method, expected, counts) => {
    const errors: number[][] = [];
    for (const steps of counts) {
      const h = 2 / steps;
      const tEval = Array.from({ length: steps * THETAS.length }, (_, k) => {
        const n = Math.floor(k / THETAS.length);
        return (n + THETAS[k % THETAS.length]!) * h;
      });
      const r = run(RATIONAL, method, { t0: 0, t1: 2, dt: h, tEval });
      const worst = [0, 0, 0];
      tEval.forEach((t, k) => {
        const local = localRational(r.points[Math.floor(k / THETAS.length)]!, t);
        for (let c = 0; c < 3; c++) worst[c] = Math.max(worst[c]!, Math.abs(r.samples[k]![c]! - local[c]!));
      });
      errors.push(worst);
    }
    // Local error O(h^(order+1)): order = log2(ratio) − 1, for y, Φ and S.
    const orders = [0, 1, 2].map((c) => Math.log2(errors[errors.length - 2]![c]! / errors[errors.length - 1]![c]!) - 1);
    console.log(
      `interpolant order ${method}: local errors (y, Φ, S) ${errors.map(fmt).join(' | ')}; orders ${orders.map((o) => o.toFixed(2)).join(', ')}`,
    );
    for (const o of orders) {
      expect(o).toBeGreaterThan(expected - 0.2);
      expect(o).toBeLessThan(expected + 0.6);
    }
  });
});

describe('adaptive steps: samples inside steps against the exact solution, and against cubic Hermite on the same steps', () => {
  it('rational problem, Rodas5P at rtol = atol = 1e-10: samples as accurate as the step ends, ≥ 30× better than Hermite', () => {
    const tEval = uniform(0, 3, 3000);
    const r = run(RATIONAL, 'Rodas5P', { t0: 0, t1: 3, rtol: 1e-10, atol: 1e-10, tEval });
    const { dense, hermite: herm } = sampleErrors(RATIONAL, r, tEval);
    const ends = endErrors(RATIONAL, r);
    const ratios = herm.map((e, c) => e / dense[c]!);
    console.log(
      `Rodas5P rational rtol 1e-10: ${r.points.length - 1} steps; error at step ends ${ends.toExponential(2)}; samples (y, Φ, S) ${fmt(dense)}; Hermite ${fmt(herm)}; ratios ${ratios.map((x) => x.toFixed(0)).join(', ')}`,
    );
    expect(max(dense)).toBeLessThan(2 * ends + 1e-12);
    for (const ratio of ratios) expect(ratio).toBeGreaterThan(30);
  });

  it('linear oscillator, Rodas5P at rtol = atol = 1e-10, forward and backward: ≥ 100× better than Hermite', () => {
    for (const [t0, t1] of [
      [0, 4],
      [4, 0],
    ] as const) {
      // Backward from t = 4: the exact solution shifted, so the problem starts at the exact state there.
      const shifted: Problem =
        t0 === 0
          ? OSCILLATOR
          : { ...OSCILLATOR, y0: OSCILLATOR.exact(4).slice(0, 2), exact: (t) => OSCILLATOR.exact(t).slice(0, 2) };
      const tEval = uniform(t0, t1, 2000);
      const r = run(shifted, 'Rodas5P', { t0, t1, rtol: 1e-10, atol: 1e-10, tEval }, t0 === 0 ? ['y0', 'params'] : []);
      const { dense, hermite: herm } = sampleErrors(shifted, r, tEval);
      const ends = endErrors(shifted, r);
      console.log(
        `Rodas5P oscillator ${t0} → ${t1}: ${r.points.length - 1} steps; step ends ${ends.toExponential(2)}; samples ${max(dense).toExponential(2)}; Hermite ${max(herm).toExponential(2)}; ratio ${(max(herm) / max(dense)).toFixed(0)}`,
      );
      expect(max(dense)).toBeLessThan(20 * Math.max(ends, 1e-11));
      expect(max(dense)).toBeLessThan(1e-9);
      expect(max(herm) / max(dense)).toBeGreaterThan(100);
    }
  });

  it('Rodas4 (an interpolant of order 3, like Hermite): samples within a few tolerances on both problems', () => {
    for (const [problem, t1] of [
      [RATIONAL, 3],
      [OSCILLATOR, 4],
    ] as const) {
      const tEval = uniform(0, t1, 2000);
      const r = run(problem, 'Rodas4', { t0: 0, t1, rtol: 1e-10, atol: 1e-10, tEval });
      const { dense, hermite: herm } = sampleErrors(problem, r, tEval);
      const ends = endErrors(problem, r);
      console.log(
        `Rodas4 ${problem.spec.name} rtol 1e-10: ${r.points.length - 1} steps; step ends ${ends.toExponential(2)}; samples ${fmt(dense)}; Hermite ${fmt(herm)}`,
      );
      // Smooth and non-stiff, the two order-3 interpolants are within a small factor of each other (either way).
      expect(max(dense)).toBeLessThan(1e-8);
      expect(max(dense)).toBeLessThan(4 * max(herm));
    }
  });
});

describe('a stiff problem: Prothero–Robinson, λ = −1e6, fixed steps', () => {
  // Hermite uses F(t1, y1) = λ(y1 − sin t1) + cos t1, which multiplies the error of y1 by |λ|; the continuous
  // extension uses only the stage increments, and keeps its order.
  it.each([
    ['Rodas4', 10],
    ['Rodas5P', 5],
  ] as const)('%s: samples ≥ %i× better than Hermite on the same steps', (method, least) => {
    const THETAS = [0.25, 0.5, 0.75];
    const counts = [20, 40, 80, 160];
    const dense: number[] = [];
    const herm: number[] = [];
    for (const steps of counts) {
      const h = 1 / steps;
      const tEval = Array.from({ length: steps * 3 }, (_, k) => (Math.floor(k / 3) + THETAS[k % 3]!) * h);
      const r = run(PROTHERO_ROBINSON, method, { t0: 0, t1: 1, dt: h, tEval }, []);
      const e = sampleErrors(PROTHERO_ROBINSON, r, tEval);
      dense.push(e.dense[0]!);
      herm.push(e.hermite[0]!);
    }
    const order = (e: Vec) => Math.log2(e[e.length - 2]! / e[e.length - 1]!);
    console.log(
      `Prothero–Robinson ${method} (${counts.join(', ')} steps): samples ${fmt(dense)} (order ${order(dense).toFixed(2)}); Hermite ${fmt(herm)} (order ${order(herm).toFixed(2)})`,
    );
    expect(herm[herm.length - 1]! / dense[dense.length - 1]!).toBeGreaterThan(least);
    expect(order(dense)).toBeGreaterThan(2.8);
  });
});
