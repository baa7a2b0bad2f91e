/**
 * The types of a generated solver's API. The driver template (templates/ts/driver.ts) is their single
 * source: every generated module carries the same declarations, and the library re-exports them from here.
 */
export type {
  DenseOutput,
  FailureReason,
  SolveEvent,
  SolveOptions,
  SolveProgress,
  SolveResult,
  SolverInfo,
  SolveStats,
} from '../../templates/ts/driver.ts';
