/**
 * A cpu ensemble of an implicit method names each failed trajectory's reason as a single solve does: a singular
 * Newton matrix is 'singular-matrix' (it was reported as 'non-finite', the codes having no place for it).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';

describe('cpu ensemble statuses of an implicit method', () => {
  it("a trajectory whose Newton matrix is singular is 'singular-matrix', the others 'ok'", async () => {
    // y' = a y, backward Euler with step h: the Newton matrix 1 − h·a is exactly 0 for a = 1/h.
    const solver = compile(
      { name: 'lin', states: ['y'], params: { a: 1 }, rhs: { y: 'a*y' } },
      { method: 'BackwardEuler' },
    );
    const dt = 0.125;
    const single = (() => {
      try {
        solver.solve({ t0: 0, t1: 1, y0: [1], params: { a: 1 / dt }, dt });
        return 'ok';
      } catch (e) {
        return (e as { reason: string }).reason;
      }
    })();
    expect(single).toBe('singular-matrix');
    const r = await solver.solveEnsemble(
      { t0: 0, t1: 1, y0: [1, 1, 1], params: [-1, 1 / dt, 2], dt },
      { backend: 'cpu', workers: 1 },
    );
    expect(r.status).toEqual(['ok', 'singular-matrix', 'ok']);
    // the good rows are what a single solve gives
    const alone = solver.solve({ t0: 0, t1: 1, y0: [1], params: { a: -1 }, dt });
    expect(r.y[0]).toBe(alone.y[0]);
  });
});
