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
  // Use counts and visit marks by node id (ids are small consecutive integers): typed arrays rather than maps,
  // since a large model's program has millions of nodes.
  let uses = new Int32Array(1024);
  let visited = new Uint8Array(1024);
  const ensure = (id: number): void => {
    if (id < uses.length) return;
    const size = Math.max(2 * uses.length, id + 1);
    const grownUses = new Int32Array(size);
    grownUses.set(uses);
    uses = grownUses;
    const grownVisited = new Uint8Array(size);
    grownVisited.set(visited);
    visited = grownVisited;
  };
  const order: Expr[] = [];
  const inputs = new Map<number, Extract<Expr, { kind: 'sym' }>>();

  // Iterative post-order walk (models can be deep enough to overflow a recursive one).
  const stackNodes: Expr[] = [];
  const stackNext: number[] = [];
  for (const out of outputs) {
    ensure(out.id);
    uses[out.id]!++;
    if (visited[out.id] === 1) continue;
    visited[out.id] = 1;
    stackNodes.push(out);
    stackNext.push(0);
    while (stackNodes.length > 0) {
      const top = stackNodes.length - 1;
      const node = stackNodes[top]!;
      const kids = children(node);
      const next = stackNext[top]!;
      if (next < kids.length) {
        const child = kids[next]!;
        ensure(child.id);
        uses[child.id]! += childUses(node, next);
        stackNext[top] = next + 1;
        if (visited[child.id] !== 1) {
          visited[child.id] = 1;
          stackNodes.push(child);
          stackNext.push(0);
        }
      } else {
        stackNodes.pop();
        stackNext.pop();
        order.push(node);
        if (node.kind === 'sym') inputs.set(node.id, node);
      }
    }
  }

  const temps = order.filter((e) => e.kind !== 'sym' && !isConst(e) && uses[e.id]! > 1);
  return {
    temps,
    outputs,
    inputs: [...inputs.values()].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.index - b.index),
    isTemp: new Set(temps.map((e) => e.id)),
  };
}
