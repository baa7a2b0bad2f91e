/**
 * Per-trajectory outcome codes of the ensemble kernels. The generated CUDA and WGSL write a trajectory's status
 * as its index here, and the backends read it back the same way: a layer below both code generation and the
 * ensembles, so that neither imports from the other. ('stiff': an adaptive explicit method held at its
 * stability limit.)
 */
export const ENSEMBLE_STATUS = ['ok', 'non-finite', 'step-size-underflow', 'max-steps', 'stiff'] as const;
export type EnsembleStatus = (typeof ENSEMBLE_STATUS)[number];
