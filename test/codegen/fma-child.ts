/**
 * Run by test/codegen/wasm-fma.test.ts in a Node process with relaxed SIMD (Node 20 needs
 * --experimental-wasm-relaxed-simd): solves with the relaxed-SIMD kernel and with the plain one, and with the
 * relaxed-SIMD kernel split over threads, and prints what the test checks as JSON.
 */
import { lorenz96, lorenz96Y0 } from '../../bench/models.ts';
import { compile } from '../../src/compile.ts';
import type { SolveResult } from '../../src/runtime/types.ts';

/** The largest |a − b| / (1 + |b|) over the state, its Jacobians and the samples. */
function largestDifference(a: SolveResult, b: SolveResult): number {
  let largest = 0;
  const parts = (r: SolveResult) => [r.y, r.jacobian, r.paramJacobian, r.dense?.y, r.dense?.jacobian];
  const pa = parts(a);
  const pb = parts(b);
  pa.forEach((x, i) => {
    const y = pb[i];
    if (x === undefined || y === undefined) return;
    for (let k = 0; k < x.length; k++) largest = Math.max(largest, Math.abs(x[k]! - y[k]!) / (1 + Math.abs(y[k]!)));
  });
  return largest;
}

function hex(r: SolveResult): string {
  const parts = [r.y, r.jacobian, r.paramJacobian];
  return parts.map((p) => (p ? Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('hex') : '-')).join('|');
}

const rows = [];
for (const n of [9, 24]) {
  for (const method of ['RK45CK', 'Dormand-Prince', 'RK87', 'RK4']) {
    const options = { method, sensitivities: ['y0', 'params'] as ('y0' | 'params')[] };
    const fused = compile(lorenz96(n), options);
    const plain = compile(lorenz96(n), { ...options, fma: false });
    const split = compile(lorenz96(n), { ...options, threads: 2 });
    // a horizon short of Lorenz-96's chaos (it would amplify any rounding difference exponentially)
    const problem = {
      t0: 0,
      t1: 0.5,
      y0: lorenz96Y0(n),
      rtol: 1e-10,
      atol: 1e-10,
      dt: 0.005,
      tEval: [0.1, 0.25, 0.5],
    };
    const a = fused.solve(problem);
    const b = plain.solve(problem);
    const c = split.solve(problem);
    rows.push({
      n,
      method,
      fusedKernel: fused.stepKernelFma(),
      plainKernel: plain.stepKernelFma(),
      kernel: fused.stepKernel(),
      difference: largestDifference(a, b),
      steps: [a.stats.steps, b.stats.steps],
      splitSameBits: hex(a) === hex(c) && JSON.stringify(a.stats) === JSON.stringify(c.stats),
    });
  }
}
console.log(JSON.stringify(rows));
