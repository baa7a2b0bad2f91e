/**
 * From a set of output expressions to straight-line code: the DAG is scheduled in dependency order and
 * every node that is used more than once becomes a temporary (common-subexpression elimination across all
 * outputs at once — state, Jacobian and variational products share their temporaries). Nodes used once are
 * inlined into their single user, which keeps the emitted code readable.
 *
 * This is target-independent; the printers (ts, and later cuda, wgsl) decide how each node is spelled.
 */
import { children, type Expr, isConst } from '../expr/ir.ts';

export interface StraightLineProgram {
  /** Nodes that get a temporary, in an order where each comes after everything it uses. */
  readonly temps: readonly Expr[];
  /** The outputs, each an expression whose multi-use subexpressions are temporaries. */
  readonly outputs: readonly Expr[];
  /** Symbols read by the program. */
  readonly inputs: readonly Extract<Expr, { kind: 'sym' }>[];
  /** ids of the nodes in `temps`. */
  readonly isTemp: ReadonlySet<number>;
}

/**
 * How many times a printer spells out a child: an integer power u^2 is printed u * u, so u counts twice
 * and gets a temporary when it is not a leaf.
 */
export function childUses(parent: Expr, position: number): number {
  if (parent.kind === 'pow' && position === 0 && parent.exponent.kind === 'const') {
    const e = Math.abs(parent.exponent.value);
    if (Number.isInteger(e) && e >= 2 && e <= 4) return e;
  }
  return 1;
}

const ROLE_ORDER = { time: 0, state: 1, param: 2, aux: 3 } as const;

export function scheduleStraightLine(outputs: readonly Expr[]): StraightLineProgram {
  const uses = new Map<number, number>();
  const order: Expr[] = [];
  const visited = new Set<number>();
  const inputs = new Map<number, Extract<Expr, { kind: 'sym' }>>();

  // Iterative post-order walk (models can be deep enough to overflow a recursive one).
  for (const out of outputs) {
    uses.set(out.id, (uses.get(out.id) ?? 0) + 1);
    const stack: { node: Expr; next: number }[] = [{ node: out, next: 0 }];
    if (visited.has(out.id)) continue;
    visited.add(out.id);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const kids = children(top.node);
      if (top.next < kids.length) {
        const child = kids[top.next]!;
        uses.set(child.id, (uses.get(child.id) ?? 0) + childUses(top.node, top.next));
        top.next++;
        if (!visited.has(child.id)) {
          visited.add(child.id);
          stack.push({ node: child, next: 0 });
        }
      } else {
        stack.pop();
        order.push(top.node);
        if (top.node.kind === 'sym') inputs.set(top.node.id, top.node);
      }
    }
  }

  const temps = order.filter((e) => e.kind !== 'sym' && !isConst(e) && (uses.get(e.id) ?? 0) > 1);
  return {
    temps,
    outputs,
    inputs: [...inputs.values()].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.index - b.index),
    isTemp: new Set(temps.map((e) => e.id)),
  };
}
