/**
 * Per-trajectory outcome codes of the ensemble kernels. The generated CUDA and WGSL write a trajectory's status
 * as its index here, and the backends read it back the same way: a layer below both code generation and the
 * ensembles, so that neither imports from the other. ('stiff': an adaptive explicit method held at its
 * stability limit.)
 */
export const ENSEMBLE_STATUS = [
  'ok',
  'non-finite',
  'step-size-underflow',
  'max-steps',
  'stiff',
  // the implicit families' failures (the 'cpu' backend only: the GPU kernels run explicit methods); appended,
  // so that the codes the CUDA and WGSL kernels write keep their values
  'singular-matrix',
  'newton-failure',
] as const;
/**
 * How one trajectory of an ensemble ended: 'ok' (it reached t1), or why it stopped early, as IntegrationError's
 * reasons: 'non-finite', 'step-size-underflow', 'max-steps', 'stiff', and for an implicit method on the 'cpu'
 * backend 'singular-matrix' or 'newton-failure'.
 */
export type EnsembleStatus = (typeof ENSEMBLE_STATUS)[number];
