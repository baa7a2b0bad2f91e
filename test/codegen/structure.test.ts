/** What the generated code contains: only structurally non-zero terms, shared subexpressions computed once. */
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/compile.ts';

function rhsBody(source: string): string {
  return /function rhs\([^)]*\): void \{\n([\s\S]*?)\n\}/.exec(source)![1]!;
}

describe('generated right-hand sides', () => {
  it('emit only the structurally non-zero variational terms', () => {
    // J = [[-1, 0], [1, -2]]: the products with J01 = 0 are left out of Φ0j' = J00 Φ0j + J01 Φ1j.
    const body = rhsBody(generate({ name: 'tri', states: ['x', 'y'], rhs: { x: '-x', y: 'x - 2*y' } }));
    expect(body).toMatch(/dy\[2\] = -phi_0_0;/);
    expect(body).toMatch(/dy\[3\] = -phi_0_1;/);
    expect(body).toMatch(/dy\[4\] = phi_0_0 - 2 \* phi_1_0;/);
    expect(body).toMatch(/dy\[5\] = phi_0_1 - 2 \* phi_1_1;/);
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
