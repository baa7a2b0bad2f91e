/**
 * Every error odeforge raises on purpose is an OdeforgeError, so callers (and the CLI) can tell a user
 * mistake from a bug. The CLI prints `message` alone on one line and exits with 2 for these (1 for a failed
 * integration).
 *
 * Generated solver modules are standalone: they define their own OptionError and IntegrationError classes
 * and mark their instances with the same registered symbols (`Symbol.for('odeforge.<Class>')`). The classes
 * here recognise those marks, so `err instanceof IntegrationError` holds for an error thrown by any
 * generated module, whether it was compiled in-process or imported from a file.
 */
import type { FailureReason } from './runtime/types.ts';

export const ERROR_BRAND_PREFIX = 'odeforge.';

function brand(target: object, ...classNames: string[]): void {
  for (const c of classNames) Object.defineProperty(target, Symbol.for(ERROR_BRAND_PREFIX + c), { value: true });
}

function branded(x: unknown, className: string): boolean {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as Record<symbol, unknown>)[Symbol.for(ERROR_BRAND_PREFIX + className)] === true
  );
}

/**
 * The base class of the errors odeforge raises on purpose, so that they can be told from unexpected failures:
 * ModelError, OptionError, IntegrationError, and the ensembles' CudaUnavailableError, CudaBuildError,
 * CudaRuntimeError and WebGpuUnavailableError.
 */
export class OdeforgeError extends Error {
  /**
   * True for an instance of this class or a subclass, and for the errors of standalone generated modules,
   * recognised by their registered brand symbol rather than by prototype.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'OdeforgeError');
  }
  /** The class name, 'OdeforgeError' (each subclass sets its own). */
  override name = 'OdeforgeError';
  constructor(message: string) {
    super(message);
    brand(this, 'OdeforgeError');
  }
}

/** Where in a model a problem was found. */
export interface ModelLocation {
  /** The model's name ('?' when it has none). */
  readonly model: string;
  /** The state whose right-hand side is at fault, when there is one. */
  readonly state?: string;
  /** The offending text (a name, an expression or a token). */
  readonly text?: string;
}

/** A model that cannot be compiled: bad names, unknown symbols or functions, malformed expressions. */
export class ModelError extends OdeforgeError {
  /** True for a ModelError (recognised by its registered brand symbol, as for OdeforgeError). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'ModelError');
  }
  /** 'ModelError'. */
  override name = 'ModelError';
  /** Where the problem is: the model, and when it applies the state and the offending text. */
  readonly location: ModelLocation;
  constructor(location: ModelLocation, problem: string) {
    const where = [`model '${location.model}'`];
    if (location.state !== undefined) where.push(`rhs of '${location.state}'`);
    super(`${where.join(', ')}: ${problem}`);
    brand(this, 'ModelError');
    this.location = location;
  }
}

/** An option with a wrong value: an unknown method name, a y0 of the wrong length, a negative tolerance. */
export class OptionError extends OdeforgeError {
  /**
   * True for an OptionError, including one thrown by a standalone generated module (recognised by its registered
   * brand symbol).
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'OptionError');
  }
  /** 'OptionError'. */
  override name = 'OptionError';
  /** The option at fault, as the user spelled it (e.g. "method", "y0", "rtol"). */
  readonly option: string;
  constructor(option: string, problem: string) {
    super(`${option}: ${problem}`);
    brand(this, 'OptionError');
    this.option = option;
  }
}

/** Why an integration stopped before reaching t1: the generated modules' own type (templates/ts/driver.ts). */
export type { FailureReason } from './runtime/types.ts';

/**
 * An integration that could not reach t1. `t` is where it stopped, `partial` the result up to that point
 * (state and sensitivities at `t`, statistics, and in `dense` the tEval samples computed before the failure).
 * Thrown by generated solvers.
 */
export class IntegrationError extends OdeforgeError {
  /**
   * True for an IntegrationError, including one thrown by a standalone generated module (recognised by its
   * registered brand symbol).
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, 'IntegrationError');
  }
  /** 'IntegrationError'. */
  override name = 'IntegrationError';
  constructor(
    message: string,
    /** The time where the integration stopped: the last accepted point. */
    readonly t: number,
    /** Why it stopped (see FailureReason). */
    readonly reason: FailureReason,
    /**
     * The result up to `t` (a SolveResult: state and sensitivities at `t`, statistics, and `dense` with the tEval
     * samples computed before the failure, when tEval was given without onSample).
     */
    readonly partial: unknown,
  ) {
    super(message);
    brand(this, 'IntegrationError');
  }
}
