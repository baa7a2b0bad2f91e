/**
 * Hash-consing in ExprBuilder: building the same node twice gives the same object, a different one a different
 * object — also when two nodes share a hash slot (30-bit hashes: among 150,000 nodes some two do, and the test
 * checks that it saw such a slot).
 */
import { describe, expect, it } from 'vitest';
import { type Expr, ExprBuilder, evaluate } from '../../src/expr/ir.ts';

describe('ExprBuilder hash-consing', () => {
  it('returns one node per structure, through hash collisions', () => {
    const b = new ExprBuilder();
    const x = b.sym('x', 'state', 0);
    const y = b.sym('y', 'state', 1);
    const leaves: Expr[] = [x, y, ...Array.from({ length: 50 }, (_, i) => b.num(i + 2))];
    // Structures named by a canonical string, each built twice by different routes of the public API.
    const made = new Map<string, Expr>();
    let seed = 12345;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const nodes: Expr[] = [...leaves];
    // A node merged with another structure would evaluate to the other's value.
    const memo = new Map<number, number>();
    const value = (e: Expr) => evaluate(e, (s) => (s.index === 0 ? 0.3 : 0.7), memo);
    const apply = (kind: number, u: number, v: number) =>
      kind === 0 ? u + v + 0.3 : kind === 1 ? u * v * 0.7 : kind === 2 ? u ** v : Math.atan2(u, v);
    for (let k = 0; k < 150_000; k++) {
      const a = nodes[random(nodes.length)]!;
      const c = nodes[random(nodes.length)]!;
      const kind = random(4);
      const build = () =>
        kind === 0 ? b.add(a, c, x) : kind === 1 ? b.mul(a, c, y) : kind === 2 ? b.pow(a, c) : b.call('atan2', [a, c]);
      const node = build();
      const key = `${kind}:${a.id}:${c.id}`;
      const before = made.get(key);
      if (before !== undefined) expect(node).toBe(before);
      else made.set(key, node);
      expect(build()).toBe(node);
      const want = apply(kind, value(a), value(c));
      const got = value(node);
      if (Number.isFinite(want)) expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.abs(want));
      if (node.kind !== 'const') nodes.push(node);
    }
    // Distinct structures are distinct nodes: ids are unique among the kept nodes.
    const ids = new Set(nodes.map((n) => n.id));
    expect(ids.size).toBe(new Set(nodes).size);
    // and the collision path was exercised
    const slots = (b as unknown as { composites: Map<number, Expr | Expr[]> }).composites;
    expect([...slots.values()].some((s) => Array.isArray(s))).toBe(true);
  });
});
