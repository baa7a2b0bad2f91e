/**
 * From a set of output expressions to straight-line code: the DAG is scheduled in dependency order and
 * every node that is used more than once becomes a temporary (common-subexpression elimination across all
 * outputs at once — state, Jacobian and variational products share their temporaries). Nodes used once are
 * inlined into their single user, which keeps the emitted code readable.
 *
 * This is target-independent; the printers (ts, and later cuda, wgsl) decide how each node is spelled.
 */
import type { Expr } from '../expr/ir.ts';

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

/** The k-th child of e (in evaluation order, as children(e)[k]), or undefined past the last; no array made. */
function childAt(e: Expr, k: number): Expr | undefined {
  switch (e.kind) {
    case 'add':
      return e.terms[k];
    case 'mul':
      return e.factors[k];
    case 'pow':
      return k === 0 ? e.base : k === 1 ? e.exponent : undefined;
    case 'call':
      return e.args[k];
    default:
      return undefined;
  }
}

export function scheduleStraightLine(outputs: readonly Expr[]): StraightLineProgram {
  // Use counts by node id (ids are small consecutive integers): a typed array rather than a map, since a large
  // model's program has millions of nodes. A node is met for the first time when its count is still 0 (every
  // use counts at least 1).
  let uses = new Int32Array(1024);
  const grow = (id: number): void => {
    const grown = new Int32Array(Math.max(2 * uses.length, id + 1));
    grown.set(uses);
    uses = grown;
  };
  const order: Expr[] = [];
  const inputs = new Map<number, Extract<Expr, { kind: 'sym' }>>();

  // Iterative post-order walk (models can be deep enough to overflow a recursive one).
  const stackNodes: Expr[] = [];
  const stackNext: number[] = [];
  for (const out of outputs) {
    if (out.id >= uses.length) grow(out.id);
    if (uses[out.id]!++ > 0) continue;
    stackNodes.push(out);
    stackNext.push(0);
    while (stackNodes.length > 0) {
      const top = stackNodes.length - 1;
      const node = stackNodes[top]!;
      const next = stackNext[top]!;
      const child = childAt(node, next);
      if (child !== undefined) {
        stackNext[top] = next + 1;
        const id = child.id;
        if (id >= uses.length) grow(id);
        const before = uses[id]!;
        uses[id] = before + childUses(node, next);
        if (before === 0) {
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

  const temps: Expr[] = [];
  for (const e of order) if (e.kind !== 'sym' && e.kind !== 'const' && uses[e.id]! > 1) temps.push(e);
  let isTemp: Set<number> | undefined;
  return {
    temps,
    outputs,
    inputs: [...inputs.values()].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.index - b.index),
    // Made when asked (the printers name temporaries through their own tables).
    get isTemp(): ReadonlySet<number> {
      isTemp ??= new Set(temps.map((e) => e.id));
      return isTemp;
    },
  };
}
