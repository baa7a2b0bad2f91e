/**
 * The types of a generated solver's API. The template of the explicit Runge–Kutta family is their single
 * source: every generated module carries the same declarations, and the library re-exports them from here.
 */
export type {
  DenseOutput,
  SolveOptions,
  SolveResult,
  SolverInfo,
  SolveStats,
} from '../../templates/ts/explicit-rk.ts';
