/**
 * Whether a model can be integrated by a splitting into drifts and kicks, decided from its IR: the positions'
 * right-hand sides may read only momenta and parameters, the momenta's only positions, parameters and the time.
 * Each drift and kick is then the exact flow of its half (the half it moves does not change what it reads), and the
 * variational equations split the same way (∂f_q/∂p and ∂f_p/∂q are functions of the other half), which is what
 * makes the generated tangent map the exact derivative of the discrete map.
 */
import { freeSymbols } from '../../diff/derivative.ts';
import { ModelError } from '../../errors.ts';
import type { Model } from '../../model/model.ts';

/** The model's states split for a splitting method: indices of the positions and of the momenta. */
export interface SeparableSplit {
  /** States moved by the drifts, in the order of `hamiltonian.positions`. */
  readonly positions: readonly number[];
  /** States moved by the kicks, in the order of `hamiltonian.momenta`. */
  readonly momenta: readonly number[];
}

/**
 * The model's positions and momenta for `methodName`, a splitting method; a ModelError when the model has no
 * `hamiltonian` or its right-hand side is not separable, naming the state and the symbol it should not read.
 */
export function separableSplit(model: Model, methodName: string): SeparableSplit {
  const h = model.hamiltonian;
  if (h === undefined) {
    throw new ModelError(
      { model: model.name },
      `${methodName} is a symplectic splitting method: it needs the model's "hamiltonian": { "positions": [...], ` +
        `"momenta": [...] } (which states are positions and which momenta), and the model has none`,
    );
  }
  // symbol id → the state's index and what it is
  const role = new Map<number, { index: number; kind: 'position' | 'momentum' }>();
  for (const i of h.positions) role.set(model.states[i]!.id, { index: i, kind: 'position' });
  for (const i of h.momenta) role.set(model.states[i]!.id, { index: i, kind: 'momentum' });
  const check = (indices: readonly number[], kind: 'position' | 'momentum') => {
    for (const i of indices) {
      const read = freeSymbols(model.rhs[i]!);
      // The first offending state in the order of the state vector, so that the message does not depend on the IR.
      let first = -1;
      for (const id of read) {
        const r = role.get(id);
        if (r !== undefined && r.kind === kind && (first < 0 || r.index < first)) first = r.index;
      }
      const name = model.states[i]!.name;
      if (first >= 0) refuse(model, name, kind, kind, model.states[first]!.name);
      if (kind === 'position' && read.has(model.time.id)) refuse(model, name, kind, 'the time', model.time.name);
    }
  };
  check(h.positions, 'position');
  check(h.momenta, 'momentum');
  return { positions: h.positions, momenta: h.momenta };
}

/** The ModelError for state `state` (a `kind`) reading `symbol`, a `what` it must not read. */
function refuse(model: Model, state: string, kind: 'position' | 'momentum', what: string, symbol: string): never {
  const why =
    kind === 'position'
      ? `a symplectic method needs positions' derivatives in the momenta alone (and the parameters)`
      : `a symplectic method needs momenta's derivatives in the positions alone (and the parameters and the time)`;
  throw new ModelError({ model: model.name, state, text: symbol }, `reads ${what} '${symbol}': ${why}`);
}
