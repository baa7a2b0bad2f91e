/**
 * Symplectic splitting methods as data. For a separable system — positions q whose derivatives depend on the
 * momenta alone, q' = f_q(p), and momenta whose derivatives depend on the positions and the time alone,
 * p' = f_p(q, t) — both halves can be integrated exactly on their own: a drift moves q by c·h·f_q(p) with p held,
 * a kick moves p by c·h·f_p(q, t) with q (and t) held. A splitting method is a fixed composition of drifts and
 * kicks that alternate; its coefficients c are the whole method. The time advances with the drifts (it is a
 * position of the extended phase space), so a kick is evaluated at t + (the sum of the drifts before it)·h.
 *
 * When f_q = ∂H/∂p and f_p = −∂H/∂q for H = T(p) + V(q, t), every drift and kick is the exact flow of a
 * Hamiltonian, so the composition is a symplectic map.
 */
import type { Coefficient } from '../types.ts';

/** What a map of the composition moves: the positions (drift) or the momenta (kick). */
export type SplittingMap = 'drift' | 'kick';

/**
 * A splitting method: maps alternating between drift and kick, starting with `first`, the drifts taking the
 * coefficients of `drift` in order and the kicks those of `kick`. So `first: 'drift'` with drift [a1, a2] and
 * kick [b1] is drift(a1 h), kick(b1 h), drift(a2 h).
 */
export interface SymplecticMethod {
  /** The method family: 'symplectic'. */
  readonly family: 'symplectic';
  /** Canonical name, as DESolver spells it (e.g. "ABAs5o6H"). */
  readonly name: string;
  /** Other accepted names. Matching is case-insensitive. */
  readonly aliases: readonly string[];
  /** One line on the method, for listings. */
  readonly description: string;
  /** Where the coefficients come from (paper, table, the public source they were read from). */
  readonly source: string;
  /** Order for every separable problem (the order conditions of general splitting methods). */
  readonly order: number;
  /**
   * Order on linear problems with quadratic T and V (harmonic oscillators), where more of the error terms vanish;
   * absent where it is no higher than `order`.
   */
  readonly harmonicOrder?: number;
  /** The first map of the composition; the maps alternate from there. */
  readonly first: SplittingMap;
  /** Coefficients of the drifts, in the order they are applied (fractions of the step). */
  readonly drift: readonly Coefficient[];
  /** Coefficients of the kicks, in the order they are applied. */
  readonly kick: readonly Coefficient[];
  /** Whether the composition reads the same backwards (then the method is time-reversible and of even order). */
  readonly symmetric: boolean;
  /** Fixed step only: no splitting method here has an error estimate. */
  readonly errorEstimate?: undefined;
}

/** One map of a method's composition: which, and its coefficient. */
export interface SplittingStep {
  /** Drift or kick. */
  readonly map: SplittingMap;
  /** Its coefficient, a fraction of the step. */
  readonly coefficient: Coefficient;
}

/**
 * The method's maps in the order applied. Throws when the lists cannot alternate starting with `first` (the first
 * map's list must be as long as the other, or one longer).
 */
export function splittingSequence(method: SymplecticMethod): SplittingStep[] {
  const lead = method.first === 'drift' ? method.drift : method.kick;
  const other = method.first === 'drift' ? method.kick : method.drift;
  const second: SplittingMap = method.first === 'drift' ? 'kick' : 'drift';
  if (lead.length < 1 || (lead.length !== other.length && lead.length !== other.length + 1)) {
    throw new Error(
      `internal: ${method.name} has ${method.drift.length} drifts and ${method.kick.length} kicks, which cannot alternate starting with a ${method.first}`,
    );
  }
  const out: SplittingStep[] = [];
  lead.forEach((c, i) => {
    out.push({ map: method.first, coefficient: c });
    const next = other[i];
    if (next !== undefined) out.push({ map: second, coefficient: next });
  });
  return out;
}
