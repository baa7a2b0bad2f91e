/**
 * Per-trajectory outcome codes of the ensemble kernels. The generated CUDA and WGSL write a trajectory's status
 * as its index here, and the backends read it back the same way: a layer below both code generation and the
 * ensembles, so that neither imports from the other. ('stiff': an adaptive explicit method held at its
 * stability limit.)
 */
export const ENSEMBLE_STATUS = ['ok', 'non-finite', 'step-size-underflow', 'max-steps', 'stiff'] as const;
/**
 * How one trajectory of an ensemble ended: 'ok' (it reached t1), or why it stopped early, as IntegrationError's
 * reasons: 'non-finite', 'step-size-underflow', 'max-steps', 'stiff'. (On the 'cpu' backend, an implicit method's
 * 'singular-matrix' or 'newton-failure' is reported as 'non-finite'.)
 */
export type EnsembleStatus = (typeof ENSEMBLE_STATUS)[number];
