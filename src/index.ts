/**
 * odeforge: from a symbolic model to a solver that returns the state and its exact Jacobians in one pass.
 *
 * ```ts
 * import { compile } from 'odeforge';
 * const solver = compile(model, { method: 'RK45CK', sensitivities: ['y0', 'params'] });
 * const { y, jacobian, paramJacobian } = solver.solve({ t0: 0, t1: 1, y0: [1, 1], rtol: 1e-10, atol: 1e-10 });
 * ```
 *
 * @module odeforge
 */
export {
  COLUMNS_FROM_STATES,
  type CompileOptions,
  compile,
  type GenerateOptions,
  generate,
  generateJavaScript,
  type Solver,
  type Target,
} from './compile.ts';
export { CudaBuildError, CudaRuntimeError, CudaUnavailableError } from './ensemble/cuda-build.ts';
export { type EnsemblePoolStats, ensemblePool } from './ensemble/pool.ts';
export type {
  EnsembleBackend,
  EnsembleBackendOptions,
  EnsembleInput,
  EnsembleOptions,
  EnsembleProgress,
  EnsembleResult,
  EnsembleStatus,
  WebGpuBackendOptions,
  WebGpuDeviceState,
  WebGpuOutput,
} from './ensemble/types.ts';
export { WebGpuUnavailableError } from './ensemble/webgpu-error.ts';
export {
  type FailureReason,
  IntegrationError,
  ModelError,
  type ModelLocation,
  OdeforgeError,
  OptionError,
} from './errors.ts';
export { ALL_METHODS, findMethod, methodNames } from './methods/index.ts';
export type { ExplicitRungeKuttaMethod, Method } from './methods/types.ts';
export {
  defineModel,
  type FlatParams,
  type ModelDefinition,
  type ParamArray,
  type ParamValue,
  paramValues,
} from './model/api.ts';
export {
  buildModel,
  type EventSpec,
  isModel,
  type Model,
  type ModelEvent,
  type ModelSpec,
} from './model/model.ts';
export type {
  DenseOutput,
  SolveEvent,
  SolveOptions,
  SolveProgress,
  SolveResult,
  SolverInfo,
  SolveStats,
} from './runtime/types.ts';
export type { Sensitivity, VariationalLayout } from './variational/system.ts';
