/**
 * The public entry points: from a model to solver source (generate) and to a ready solver (compile).
 *
 * Both run the same pipeline — validate and parse the model, build the augmented system, emit the module —
 * so the solver compiled in-process is exactly the module `odeforge generate` writes, its types erased
 * (stripped, not checked) and evaluated without touching the disk.
 */
import { emitCudaModule } from './codegen/cuda/module.ts';
import { evaluableModule } from './codegen/ts/evaluable.ts';
import { declarationsOf, toJavaScript } from './codegen/ts/javascript.ts';
import { emitSolverModule } from './codegen/ts/module.ts';
import { AssemblerNotLoadedError, assemblerDeferred, loadAssembler } from './codegen/wasm/assemble.ts';
import { buildWasmKernel, emitWasmKernelText, type KernelBinaries } from './codegen/wasm/index.ts';
import { relaxedSimdAvailable } from './codegen/wasm/relaxed-simd.ts';
import { emitWgslModule } from './codegen/wgsl/module.ts';
import { solveEnsembleCpu } from './ensemble/cpu.ts';
import { checkEnsembleOptions } from './ensemble/options.ts';
import { abortReason } from './ensemble/pool.ts';
import type { EnsembleBackendOptions, EnsembleInput, EnsembleResult } from './ensemble/types.ts';
import { OptionError } from './errors.ts';
import { ALL_METHODS, explicitMethod, findMethod } from './methods/index.ts';
import type { Method } from './methods/types.ts';
import { validateMethod } from './methods/validate.ts';
import type { ParamValue } from './model/array-params.ts';
import { buildModel, DEFAULT_LIMITS, isModel, type Model, type ModelLimits, type ModelSpec } from './model/model.ts';
import { checkOptionKeys, quoteValue } from './options.ts';
import type { SolveOptions, SolveResult, SolverInfo } from './runtime/types.ts';
import { columnSlices, type SliceModule, splitSolve } from './threads/columns.ts';
import { checkSystemSize, DEFAULT_SYSTEM_LIMITS, type SystemLimits } from './variational/limits.ts';
import { buildSecondOrderSystem, checkSecondDerivativeCount } from './variational/second-order.ts';
import {
  type AugmentedSystem,
  blockColumns,
  buildAugmentedSystem,
  type Sensitivity,
  sliceColumns,
  type VariationalLayout,
} from './variational/system.ts';

// wabt, for the WebAssembly kernels, ready before the synchronous compile and generate run (see assemble.ts;
// the CLI defers it until a model needs it).
if (!assemblerDeferred()) await loadAssembler();

/**
 * Options of `compile` (and of `generate`, through GenerateOptions). Every key is checked: an unknown one (a typo)
 * or a wrong value is an OptionError naming it.
 */
export interface CompileOptions {
  /**
   * Method name or alias (case-insensitive; see methodNames and ALL_METHODS), default "RK45CK"; or a tableau of
   * one's own (a Method object, validated). An unknown name is an OptionError that suggests the nearest one.
   */
  readonly method?: string | Method;
  /**
   * Which sensitivities to integrate with the state (default ['y0']): 'y0' gives ∂y(t)/∂y0 (`jacobian`), 'params'
   * gives ∂y(t)/∂p (`paramJacobian`); [] integrates the state alone.
   */
  readonly sensitivities?: readonly Sensitivity[];
  /** Recorded in the generated module's header. */
  readonly command?: string;
  /**
   * How the variational products are emitted: fully unrolled straight-line code, or loops over the columns
   * of Φ and S; 'auto' (default) unrolls small systems and loops from COLUMNS_FROM_STATES states on.
   */
  readonly layout?: 'auto' | VariationalLayout;
  /**
   * Sizes past which a model is refused up front with a ModelError, before any code is built; each a positive
   * integer, or Infinity for no limit. Of the model: maxStates (default 100,000), maxParams (10,000),
   * maxExpressionLength (characters in one right-hand side, 1,000,000). Of the augmented system: maxAugmentedSize
   * (components of [y | Φ | S], 20,000,000), maxJacobianNonzeros (structural non-zeros of ∂f/∂y when
   * sensitivities are asked, 500,000), maxUnrolledTerms (expressions of the unrolled layout, 2,000,000).
   */
  readonly limits?: Partial<ModelLimits & SystemLimits>;
  /**
   * Whether the TypeScript solver carries a WebAssembly SIMD kernel for its step and, for an adaptive method,
   * its whole solve (same results, bit for bit): 'auto' (default) where it pays — systems in the column-loop
   * layout (from COLUMNS_FROM_STATES states on; see the bench's layout section), and smaller ones solved with
   * an adaptive explicit method and sensitivities, for a model without events; true: always; false: never.
   */
  readonly wasm?: 'auto' | boolean;
  /**
   * Whether the WebAssembly kernel may use relaxed-SIMD multiply-adds in its vector loops (default true): the module
   * then carries a second kernel whose column products and stage combinations use f64x2.relaxed_madd, tried first
   * and used where the runtime has relaxed SIMD (Node 22 and later; Node 20 with --experimental-wasm-relaxed-simd),
   * with the plain kernel as the fallback. Where the CPU fuses them, results differ from the TypeScript step's in
   * the last bits (a rounding less per multiply-add; the tests bound the difference); false: the plain kernel
   * only, the TypeScript step's bits on every runtime. Small systems' scalar kernels are the same either way.
   * `compile` leaves the second kernel out where this runtime has no relaxed SIMD (it could not run it);
   * `generate`'s modules, which may run anywhere, always carry it.
   */
  readonly fma?: boolean;
  /**
   * Order of the sensitivities (default 1): 2 integrates the second-order variational equations too, giving the
   * result's `hessian` (with 'y0'), `paramHessian` (with 'params') and `mixedHessian` (with both); see
   * src/variational/second-order.ts. Available for the explicit Runge–Kutta methods on the TypeScript target in
   * both layouts ('auto' loops over columns from COLUMNS_FROM_STATES states on, as at order 1) and on the CUDA
   * target in f64, and for the stiff families (Rosenbrock, implicit Runge–Kutta, BDF, auto) on the TypeScript
   * target, unrolled; ensembles on the 'cpu' and 'cuda' backends. Without events or WebAssembly kernel; anything
   * else is an OptionError.
   */
  readonly order?: 1 | 2;
  /**
   * Threads one solve may use (default 1): from 2 on, the columns of Φ and S are split across worker threads,
   * each integrating the state with its share of the columns (the steps depend on the state alone, so every
   * thread takes the same ones) — for large systems, where the columns are nearly all the work. For an explicit
   * Runge–Kutta method in the columns layout, first order, a model without events; the solves it cannot split
   * (callbacks, errorControl 'all') run on one thread, with the same results (see src/threads/columns.ts).
   */
  readonly threads?: number;
}

/** From this many states on, 'auto' emits the variational products as column loops (see bench: crossover). */
export const COLUMNS_FROM_STATES = 6;

/** What `compile` returns: a ready solver for one model, method and set of sensitivities. */
export interface Solver {
  /** The model, method and sensitivities it was compiled for (names of the states and parameters, in order). */
  readonly info: SolverInfo;
  /** The TypeScript module this solver was compiled from. */
  readonly source: string;
  /**
   * Integrates from t0 to t1 and returns the state at t1 with the compiled sensitivities (and tEval samples when
   * asked). Synchronous. Throws OptionError for a bad option (checked before any work) and IntegrationError when
   * the integration cannot reach t1.
   */
  solve(options: SolveOptions): SolveResult;
  /**
   * Integrates many trajectories at once (row i of y0 and params is trajectory i): on all CPU cores with the
   * generated TypeScript (default), on an NVIDIA GPU with generated CUDA (f64 or f32), or with WebGPU (f32).
   * Rejects with OptionError for a bad option (every one checked before any work), with the signal's reason when
   * aborted, and with the GPU backends' errors when the device cannot be used; a trajectory that cannot reach t1
   * is not an error but a status in the result. A solver compiled with `order: 2` runs on 'cpu' and 'cuda' (f64)
   * and adds each trajectory's Hessians to the result.
   */
  solveEnsemble(options: EnsembleInput, backend?: EnsembleBackendOptions): Promise<EnsembleResult>;
  /** Which step the next solve runs: the module's WebAssembly kernel (see CompileOptions.wasm) or TypeScript. */
  stepKernel(): 'webassembly' | 'typescript';
  /**
   * Whether that step is the WebAssembly kernel with relaxed-SIMD multiply-adds (see CompileOptions.fma); false for
   * the plain kernel and for the TypeScript step.
   */
  stepKernelFma(): boolean;
}

const SENSITIVITIES: readonly Sensitivity[] = ['y0', 'params'];

function checkSensitivities(sens: unknown): Sensitivity[] {
  if (!Array.isArray(sens)) throw new OptionError('sensitivities', `expected an array of 'y0' and/or 'params'`);
  const out: Sensitivity[] = [];
  for (const s of sens) {
    if (!SENSITIVITIES.includes(s)) {
      throw new OptionError('sensitivities', `unknown sensitivity '${String(s)}' (expected 'y0' and/or 'params')`);
    }
    if (out.includes(s)) throw new OptionError('sensitivities', `'${s}' is listed twice`);
    out.push(s);
  }
  // Canonical order, so the same request always yields the same module.
  return SENSITIVITIES.filter((s) => out.includes(s));
}

/** The option keys each entry accepts: anything else is an OptionError with a suggestion (see src/options.ts). */
const MODULE_KEYS = ['method', 'sensitivities', 'command', 'layout', 'limits', 'wasm', 'fma', 'order'] as const;
const COMPILE_KEYS = [...MODULE_KEYS, 'threads'] as const;
const GENERATE_KEYS = [...MODULE_KEYS, 'target', 'precision'] as const;

/** limits: an object of positive integers (Infinity allowed: no limit), each a known key. */
function checkLimits(limits: unknown): Partial<ModelLimits & SystemLimits> {
  const keys = [...Object.keys(DEFAULT_LIMITS), ...Object.keys(DEFAULT_SYSTEM_LIMITS)];
  const record = checkOptionKeys(limits, keys, 'limits', 'limits.');
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(Number.isInteger(value) || value === Number.POSITIVE_INFINITY) || value < 1) {
      throw new OptionError(`limits.${key}`, `expected a positive integer, got ${quoteValue(value)}`);
    }
  }
  return record as Partial<ModelLimits & SystemLimits>;
}

/**
 * The model, method and sensitivities of a compile or generate call, every option checked. A model is trusted
 * only when buildModel made it (isModel: a private brand, never a duck-typed key); anything else — a parsed
 * JSON file, a plain object, one with a forged `builder` — goes through buildModel's validation.
 */
function resolve(
  model: ModelSpec<ParamValue> | Model,
  options: CompileOptions,
  keys: readonly string[],
): {
  model: Model;
  method: Method;
  sens: Sensitivity[];
  limits: Partial<ModelLimits & SystemLimits>;
  order: 1 | 2;
} {
  checkOptionKeys(options, keys, 'options');
  if (options.command !== undefined && typeof options.command !== 'string') {
    throw new OptionError('command', `expected a string, got ${quoteValue(options.command)}`);
  }
  const limits = checkLimits(options.limits);
  const built = isModel(model) ? model : buildModel(model as ModelSpec, undefined, limits);
  const method =
    typeof options.method === 'string' || options.method === undefined
      ? findMethod(options.method ?? 'RK45CK')
      : validateMethod(options.method, ALL_METHODS);
  const sens = checkSensitivities(options.sensitivities ?? ['y0']);
  const order = options.order ?? 1;
  if (order !== 1 && order !== 2) throw new OptionError('order', `expected 1 or 2, got ${quoteValue(order)}`);
  return { model: built, method, sens, limits, order };
}

/** What `order: 2` covers so far: the message of every refusal names it. */
export const ORDER_2_SCOPE =
  'order 2 is available for every method on the TypeScript target and, for the explicit Runge–Kutta ones in f64, on the CUDA target';

/** The families whose TypeScript solvers integrate the second-order blocks. */
const ORDER_2_FAMILIES: ReadonlySet<Method['family']> = new Set([
  'explicit-rk',
  'rosenbrock',
  'implicit-rk',
  'bdf',
  'auto',
  'symplectic',
]);

/**
 * Refuses, with an OptionError on `order`, a second-order request outside what is implemented: `what` names the
 * part that is not available yet. Checks the model and method (events, family, sensitivities) and the options.
 */
function checkOrder2(m: Model, method: Method, sens: Sensitivity[], options: CompileOptions): void {
  const refuse = (what: string) => new OptionError('order', `${ORDER_2_SCOPE}; ${what} is not available yet`);
  if (!ORDER_2_FAMILIES.has(method.family)) throw refuse(`method ${method.name} (family '${method.family}')`);
  if (sens.length === 0) throw new OptionError('order', 'order 2 needs sensitivities (y0 and/or params)');
  // (the stiff families' block solves and the symplectic drifts and kicks take the second-order rows unrolled)
  if (method.family !== 'explicit-rk' && options.layout === 'columns')
    throw refuse(`layout 'columns' with method ${method.name} (order 2 unrolls for the ${method.family} family)`);
  if (options.wasm === true) throw refuse('the WebAssembly kernel (wasm: true)');
  if (m.events.length > 0)
    throw refuse(`a model with events ('${m.name}' has ${m.events.map((e) => e.name).join(', ')})`);
}

function chooseLayout(m: Model, options: CompileOptions): VariationalLayout {
  const requested = options.layout ?? 'auto';
  if (!['auto', 'unrolled', 'columns'].includes(requested)) {
    throw new OptionError('layout', `expected 'auto', 'unrolled' or 'columns', got '${String(requested)}'`);
  }
  return requested === 'auto' ? (m.states.length >= COLUMNS_FROM_STATES ? 'columns' : 'unrolled') : requested;
}

/**
 * Where a module will run: a file (generate: anywhere, so it carries the relaxed-SIMD kernel too) or this process
 * (compile: the relaxed-SIMD kernel only where this runtime could run it).
 */
type ModuleHome = 'file' | 'this process';

/** The WebAssembly kernel a TypeScript solver carries, if any (see CompileOptions.wasm and fma). */
function chooseKernel(
  system: AugmentedSystem,
  method: Method,
  options: CompileOptions,
  home: ModuleHome,
): KernelBinaries | undefined {
  const requested = options.wasm ?? 'auto';
  if (requested !== 'auto' && requested !== true && requested !== false) {
    throw new OptionError('wasm', `expected 'auto', true or false, got '${String(requested)}'`);
  }
  const fma = options.fma === undefined ? true : options.fma;
  if (typeof fma !== 'boolean') throw new OptionError('fma', `expected true or false, got ${quoteValue(fma)}`);
  if (requested === false) return undefined;
  // (assembling the second kernel costs about as much as the first: not for a process that could not run it)
  const carry = { fma: fma && (home === 'file' || relaxedSimdAvailable()) };
  if (requested === true)
    return buildWasmKernel(system, explicitMethod(method, 'the WebAssembly kernel (wasm: true)'), carry);
  if (method.family !== 'explicit-rk') return undefined;
  // Small systems too, where the kernel runs the whole solve (an adaptive method, no events) and sensitivities
  // make the step more than a handful of operations: measured, kernel / TypeScript 0.3–0.97 with them, 1.1
  // for the state alone (README, "The WebAssembly kernel").
  const wholeSolve =
    method.errorEstimate !== undefined && system.model.events.length === 0 && system.size > system.model.states.length;
  if (system.layout !== 'columns' && !wholeSolve) return undefined;
  try {
    return buildWasmKernel(system, method, carry);
  } catch (e) {
    // not a limit of the kernel generator: the assembler of a process that deferred it (the CLI loads it, reruns)
    if (e instanceof AssemblerNotLoadedError) throw e;
    // Past what the kernel generator handles (e.g. a function too large for WebAssembly's limits): the
    // TypeScript step alone is still a complete solver.
    return undefined;
  }
}

/** The TypeScript solver module for a model: augmented system, layout, kernel. */
function tsModule(
  m: Model,
  sens: Sensitivity[],
  method: Method,
  options: CompileOptions,
  limits: Partial<SystemLimits>,
  order: 1 | 2,
  home: ModuleHome,
): { source: string; system: AugmentedSystem } {
  if (order === 2) {
    const chosen = chooseLayout(m, options);
    checkOrder2(m, method, sens, options);
    const layout = method.family === 'explicit-rk' ? chosen : 'unrolled';
    checkSystemSize(m, sens, layout, 'ts', limits, 2);
    if (layout === 'columns') {
      const limit = limits.maxUnrolledTerms ?? DEFAULT_SYSTEM_LIMITS.maxUnrolledTerms;
      checkSecondDerivativeCount(m, sens.includes('params'), limit);
    }
    const system = buildSecondOrderSystem(buildAugmentedSystem(m, sens, layout));
    return { source: emitSolverModule(system, method, { command: options.command }), system };
  }
  const layout = chooseLayout(m, options);
  checkSystemSize(m, sens, layout, 'ts', limits);
  // The implicit families read J at every step, sensitivities or not.
  const system = buildAugmentedSystem(m, sens, layout, method.family !== 'explicit-rk');
  const kernel = chooseKernel(system, method, options, home);
  return { source: emitSolverModule(system, method, { command: options.command, kernel }), system };
}

/** The threads option: a positive integer (1: no worker threads). */
function checkThreads(threads: unknown): number {
  if (threads === undefined) return 1;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new OptionError('threads', `expected an integer from 1 to 256, got ${quoteValue(threads)}`);
  }
  return threads;
}

/**
 * Refuses, with an OptionError on `threads`, a solver whose columns cannot be integrated apart (before anything is
 * built): only the explicit Runge–Kutta family's column loops are sliced.
 */
function checkSplittable(m: Model, sens: Sensitivity[], method: Method, options: CompileOptions, order: 1 | 2): void {
  const refuse = (why: string) => new OptionError('threads', `threads > 1 splits the columns of Φ and S; ${why}`);
  if (method.family !== 'explicit-rk')
    throw refuse(`method ${method.name} (family '${method.family}') is not explicit Runge–Kutta`);
  if (order !== 1) throw refuse('order 2 is not split');
  if (sens.length === 0) throw refuse('this solver integrates no sensitivities');
  if (m.events.length > 0) throw refuse(`model '${m.name}' has events`);
  const layout = chooseLayout(m, options);
  if (layout !== 'columns') {
    throw refuse(
      `the layout is '${layout}' (a small system: 'auto' loops over columns from ${COLUMNS_FROM_STATES} states on, or ask layout: 'columns')`,
    );
  }
}

/**
 * The modules of a solve split across `threads` threads (src/threads/columns.ts), from the whole module's system
 * (checkSplittable's): one per slice of the columns of Φ and S, as evaluable JavaScript.
 */
function sliceModules(
  system: AugmentedSystem,
  method: Method,
  options: CompileOptions,
  threads: number,
): SliceModule[] {
  const { phi, sens: s } = blockColumns(system);
  // no more threads than columns
  const parts = Math.min(threads, Math.max(phi.count, s.count));
  return columnSlices(phi.count, s.count, parts).map((slice) => {
    const sliced = sliceColumns(system, slice);
    const source = emitSolverModule(sliced, method, {
      command: options.command,
      kernel: chooseKernel(sliced, method, options, 'this process'),
    });
    return { slice, js: evaluableModule(source) };
  });
}

/** Evaluates a module's JavaScript: it reads nothing from this scope but `module` and `exports`. */
function evaluate<T>(js: string): T {
  const exports: Record<string, unknown> = {};
  const module = { exports };
  new Function('module', 'exports', js)(module, exports);
  return module.exports as T;
}

/** The GPU kernels integrate to t1 and know nothing of events: a kernel that ignored them would compute wrong results. */
function refuseEvents(m: Model, target: 'cuda' | 'wgsl'): void {
  if (m.events.length === 0) return;
  const names = m.events.map((e) => `'${e.name}'`).join(', ');
  throw new OptionError('target', `the ${target} target does not locate events, and model '${m.name}' has ${names}`);
}

/**
 * What `generate` emits: 'ts' a standalone TypeScript module, 'js' the same as JavaScript, 'cuda' CUDA C source
 * for GPU ensembles, 'wgsl' a WebGPU compute shader, 'wat' the text of the TypeScript module's WebAssembly kernel.
 */
export type Target = 'ts' | 'js' | 'cuda' | 'wgsl' | 'wat';

/** Options of `generate`: those of compile (but threads, a matter of the solve), and the target and its precision. */
export interface GenerateOptions extends Omit<CompileOptions, 'threads'> {
  /**
   * What to emit: a TypeScript module (default), the same module as JavaScript ('js'; with its declarations
   * from generateJavaScript), CUDA C source, a WGSL compute shader, or the text of the TypeScript module's
   * WebAssembly kernel.
   */
  readonly target?: Target;
  /** Arithmetic of the CUDA source: 'f64' (default) or 'f32'. WGSL is always f32, TypeScript f64. */
  readonly precision?: 'f64' | 'f32';
}

/**
 * The source of a standalone solver: a TypeScript (or JavaScript) module that imports nothing, or a CUDA / WGSL
 * ensemble kernel. Throws ModelError for a bad or too large model, OptionError for a bad option (the 'cuda',
 * 'wgsl' and 'wat' targets take explicit Runge–Kutta methods only).
 */
export function generate(model: ModelSpec<ParamValue> | Model, options: GenerateOptions = {}): string {
  const { model: m, method, sens, limits, order } = resolve(model, options, GENERATE_KEYS);
  const target = options.target ?? 'ts';
  if (order === 2 && target !== 'ts' && target !== 'js' && target !== 'cuda') {
    throw new OptionError('order', `${ORDER_2_SCOPE}; target '${String(target)}' is not available yet`);
  }
  const precision = options.precision;
  if (precision !== undefined && precision !== 'f64' && precision !== 'f32') {
    throw new OptionError('precision', `expected 'f64' or 'f32', got '${String(precision)}'`);
  }
  switch (target) {
    case 'ts':
    case 'js': {
      if (precision === 'f32') throw new OptionError('precision', `the ${target} target computes in 'f64' only`);
      const { source } = tsModule(m, sens, method, options, limits, order, 'file');
      return target === 'ts' ? source : toJavaScript(source);
    }
    case 'wat': {
      // The text of the TypeScript solver's WebAssembly kernel, for reading (the module carries the binary).
      if (precision === 'f32') throw new OptionError('precision', "the WebAssembly kernel computes in 'f64' only");
      const layout = chooseLayout(m, options);
      checkSystemSize(m, sens, layout, 'wat', limits);
      // (the plain kernel; the relaxed-SIMD one a module also carries with fma: true, explicitly)
      return emitWasmKernelText(buildAugmentedSystem(m, sens, layout), explicitMethod(method, "target 'wat'"), {
        fma: options.fma === true,
      });
    }
    case 'cuda': {
      refuseEvents(m, 'cuda');
      if (order === 2) checkOrder2(m, method, sens, options);
      if (order === 2 && precision === 'f32')
        throw new OptionError('precision', `${ORDER_2_SCOPE}; the CUDA target in 'f32' is not available yet`);
      checkSystemSize(m, sens, 'unrolled', 'cuda', limits, order);
      const first = buildAugmentedSystem(m, sens, 'unrolled');
      const system = order === 2 ? buildSecondOrderSystem(first) : first;
      return emitCudaModule(system, explicitMethod(method, "target 'cuda'"), {
        precision: precision ?? 'f64',
        command: options.command,
      });
    }
    case 'wgsl':
      if (precision === 'f64') throw new OptionError('precision', "WGSL computes in 'f32' only");
      refuseEvents(m, 'wgsl');
      checkSystemSize(m, sens, 'unrolled', 'wgsl', limits);
      return emitWgslModule(buildAugmentedSystem(m, sens, 'unrolled'), explicitMethod(method, "target 'wgsl'"));
    default:
      throw new OptionError('target', `expected 'ts', 'js', 'cuda', 'wgsl' or 'wat', got '${String(target)}'`);
  }
}

/**
 * The solver as JavaScript and its declarations (the `.d.ts` beside it), from one generation of the TypeScript
 * module: what `generate --target js` writes. `target` and `precision` in the options are ignored.
 */
export function generateJavaScript(
  model: ModelSpec<ParamValue> | Model,
  options: GenerateOptions = {},
): {
  /** The solver module as JavaScript (ES module). */
  readonly code: string;
  /** Its TypeScript declarations, for a `.d.ts` beside it. */
  readonly declarations: string;
} {
  const source = generate(model, { ...options, target: 'ts', precision: undefined });
  return { code: toJavaScript(source), declarations: declarationsOf(source) };
}

/**
 * A solver compiled in-process: the generated module, its types erased (evaluable.ts), evaluated (no file is
 * written). Throws ModelError for a bad or too large model (naming the model and, where it applies, the state),
 * OptionError for a bad option.
 */
export function compile(model: ModelSpec<ParamValue> | Model, options: CompileOptions = {}): Solver {
  const { model: m, method, sens, limits, order } = resolve(model, options, COMPILE_KEYS);
  const threads = checkThreads(options.threads);
  if (threads > 1) checkSplittable(m, sens, method, options, order);
  const { source, system } = tsModule(m, sens, method, options, limits, order, 'this process');
  const js = evaluableModule(source);
  type Loaded = {
    info: SolverInfo;
    solve(o: SolveOptions): SolveResult;
    stepKernel(): 'webassembly' | 'typescript';
    /** (only in a module with a kernel) */
    stepKernelFma?: () => boolean;
  };
  const loaded = evaluate<Loaded>(js);
  const info = loaded.info;
  // The 'cuda' backend's built library and device buffers, made by the first call and reused by the next ones.
  let cudaState: import('./ensemble/cuda.ts').CudaSolverState | undefined;
  // The 'webgpu' backend's runner (shader, pipeline, buffers), made on this solver's first WebGPU ensemble.
  let webgpuRunner: import('./ensemble/webgpu.ts').WebGpuRunner | undefined;
  let solve = loaded.solve;
  if (threads > 1) {
    const [first, ...others] = sliceModules(system, method, options, threads);
    const own = { slice: first!.slice, solve: evaluate<Loaded>(first!.js).solve };
    if (others.length > 0) solve = splitSolve(loaded.solve, own, others, m.states.length, m.params.length);
  }
  return {
    info,
    source,
    solve,
    stepKernel: loaded.stepKernel,
    stepKernelFma: () => loaded.stepKernel() === 'webassembly' && (loaded.stepKernelFma?.() ?? false),
    // async: a refused option is a rejected promise, like every other failure of an ensemble.
    solveEnsemble: async (input, backendOptions) => {
      const { count, options, backend, precision, workers, onProgress, signal } = checkEnsembleOptions(
        info,
        input,
        backendOptions,
      );
      // The GPU backends run in one call: the signal is looked at before it, progress reported after it.
      const gpu = async (run: () => Promise<EnsembleResult>) => {
        if (signal?.aborted) throw abortReason(signal);
        const began = performance.now();
        const result = await run();
        onProgress?.({ done: count, total: count, fraction: 1, elapsedMs: performance.now() - began, etaMs: 0 });
        return result;
      };
      // The GPU targets emit straight-line code for the whole augmented vector: sized before it is built.
      const unrolled = (target: 'cuda' | 'wgsl') => {
        checkSystemSize(m, sens, 'unrolled', target, limits, order);
        const first = buildAugmentedSystem(m, sens, 'unrolled');
        // order 2: the 'cuda' backend only (checkEnsembleOptions refuses the others)
        return order === 2 ? buildSecondOrderSystem(first) : first;
      };
      switch (backend) {
        case 'cpu':
          return solveEnsembleCpu(js, info, options, { count, workers, onProgress, signal });
        case 'cuda':
          return gpu(() =>
            import('./ensemble/cuda.ts').then((cuda) => {
              cudaState ??= cuda.cudaSolverState();
              const rk = explicitMethod(method, "the 'cuda' ensemble");
              return cudaState.solve(() => unrolled('cuda'), rk, options, precision, backendOptions);
            }),
          );
        case 'webgpu':
          return gpu(() =>
            import('./ensemble/webgpu.ts').then((webgpu) => {
              // System and shader built once, on the first call; device objects and buffers kept by the runner.
              webgpuRunner ??= new webgpu.WebGpuRunner(
                unrolled('wgsl'),
                explicitMethod(method, "the 'webgpu' ensemble"),
              );
              // `webgpu` (read-back selection, kept states) is checked by the runner, against the solver's outputs.
              return webgpuRunner.solve(options, backendOptions?.webgpu);
            }),
          );
      }
    },
  };
}
