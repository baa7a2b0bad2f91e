/** What the generated code contains: only structurally non-zero terms, shared subexpressions computed once. */
import { describe, expect, it } from 'vitest';
import { compile, generate } from '../../src/compile.ts';

function rhsBody(source: string): string {
  return /function rhs\([^)]*\): void \{\n([\s\S]*?)\n\}/.exec(source)![1]!;
}

describe('generated right-hand sides', () => {
  it('emit only the structurally non-zero variational terms', () => {
    // J = [[-1, 0], [1, -2]]: the products with J01 = 0 are left out of Φ0j' = J00 Φ0j + J01 Φ1j, and Φ01 is
    // structurally zero (x does not depend on y), so it is 0 throughout and left out of Φ11' too.
    const body = rhsBody(generate({ name: 'tri', states: ['x', 'y'], rhs: { x: '-x', y: 'x - 2*y' } }));
    expect(body).toMatch(/dy\[2\] = -phi_0_0;/);
    expect(body).toMatch(/dy\[3\] = 0;/);
    expect(body).toMatch(/dy\[4\] = phi_0_0 - 2 \* phi_1_0;/);
    expect(body).toMatch(/dy\[5\] = -2 \* phi_1_1;/);
  });

  it('compute a subexpression shared by f and J once', () => {
    const body = rhsBody(
      generate({ name: 'pend', states: ['a', 'w'], params: { g: 9.81 }, rhs: { a: 'w', w: '-g*sin(a) + cos(a)^2' } }),
    );
    expect(body.match(/Math\.sin\(y_a\)/g)).toHaveLength(1);
    expect(body.match(/Math\.cos\(y_a\)/g)).toHaveLength(1);
  });

  it('never write the user expression text into the code, only IR-printed identifiers and literals', () => {
    const body = rhsBody(generate({ name: 'lits', states: ['x'], rhs: { x: '0x10 * x + 1_000.5e-3' } }));
    expect(body).toContain('16 * y_x + 1.0005');
    expect(body).not.toContain('0x10');
  });
});

describe('variational layouts', () => {
  function lorenz96(n: number) {
    const states = Array.from({ length: n }, (_, i) => `x${i}`);
    const rhs = Object.fromEntries(
      states.map((s, i) => [
        s,
        `(x${(i + 1) % n} - x${(i + n - 2) % n})*x${(i + n - 1) % n} - x${i} + F*(1 + 0.1*sin(x${i}))`,
      ]),
    );
    return { name: `lorenz96-${n}`, states, params: { F: 8, unused: 1 }, rhs };
  }

  it.each([3, 9])('unrolled and column loops give bit-identical state and Jacobians (Lorenz-96, n = %i)', (n) => {
    const model = lorenz96(n);
    const problem = {
      t0: 0,
      t1: 0.4,
      y0: Array.from({ length: n }, (_, i) => 8 + Math.sin(i + 1)),
      rtol: 1e-9,
      atol: 1e-9,
    };
    const a = compile(model, { sensitivities: ['y0', 'params'], layout: 'unrolled' }).solve(problem);
    const b = compile(model, { sensitivities: ['y0', 'params'], layout: 'columns', fma: false }).solve(problem);
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    expect(Array.from(b.jacobian!)).toEqual(Array.from(a.jacobian!));
    expect(Array.from(b.paramJacobian!)).toEqual(Array.from(a.paramJacobian!));
  });

  it('column loops keep the code size linear in the non-zeros of J (unrolled grows with n·nnz)', () => {
    const size = (n: number, layout: 'columns' | 'unrolled') => generate(lorenz96(n), { layout }).length;
    // Linear growth: the increase from 20 to 80 states is about 4 times the increase from 5 to 20 (16 if quadratic).
    const growth = (layout: 'columns' | 'unrolled') =>
      (size(80, layout) - size(20, layout)) / (size(20, layout) - size(5, layout));
    expect(growth('columns')).toBeLessThan(6);
    expect(growth('unrolled')).toBeGreaterThan(10);
  });
});

describe('module assembly (templates/ts/driver.ts with the family template in its family region)', () => {
  const lorenz = {
    name: 'lorenz',
    states: ['x', 'y', 'z'],
    params: { s: 10, r: 28, b: 8 / 3 },
    rhs: { x: 's*(y - x)', y: 'x*(r - z) - y', z: 'x*y - b*z' },
  };
  const big = {
    name: 'chain',
    states: Array.from({ length: 12 }, (_, i) => `x${i}`),
    rhs: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`x${i}`, `-x${i} + x${(i + 1) % 12}`])),
  };

  it('leaves no placeholder, stub, marker or template-only comment in the module', () => {
    for (const [model, wasm] of [
      [lorenz, false],
      [big, false],
      [big, true],
    ] as const) {
      const source = generate(model, { wasm });
      expect(source).not.toMatch(/^\s*(export )?declare (const|function) (?!WebAssembly)/m);
      expect(source).not.toContain('@odeforge:');
      expect(source).not.toContain('What a family provides');
      // the family's part is in, once
      expect(source.match(/^function stiffnessEstimate\(/gm)).toHaveLength(1);
      expect(source.match(/^const WORK_VECTORS: number = /gm)).toHaveLength(1);
    }
  });

  it('calls the family step, or writes it into the loop for a small system', () => {
    // (without the kernel, which 'auto' gives an adaptive solve with sensitivities: its loop takes the solve)
    const small = generate(lorenz, { wasm: false });
    expect(small).toContain('// ── the step, inlined');
    expect(small).not.toMatch(/^function step\(/m);
    expect(small).not.toMatch(/^function rkStep\(/m);
    const large = generate(big, { wasm: false });
    expect(large).toMatch(/^function step\(/m);
    expect(large).toMatch(/^function rkStep\(/m);
    expect(large).toContain(
      'const err = step(t, hSigned, y, p, work, z, yNew, estimate, rtol, atol, controlled, state);',
    );
  });

  it('does not write a step into the loop that would make solve too large for V8 to optimise', () => {
    // Lorenz with ∂y/∂(y0, p) under RK87: 21 components, 13 stages — few, but a 70,000-character step, which
    // inlined ran 8× slower (V8's baseline tier); state only it stays inlined.
    const withSens = generate(lorenz, { method: 'RK87', sensitivities: ['y0', 'params'], wasm: false });
    expect(withSens).toMatch(/^function rkStep\(/m);
    expect(withSens).not.toContain('// ── the step, inlined');
    expect(generate(lorenz, { method: 'RK87', sensitivities: [], wasm: false })).toContain('// ── the step, inlined');
  });
});
