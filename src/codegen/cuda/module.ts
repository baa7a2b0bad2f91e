/**
 * Assembles one CUDA C++ source (`.cu`) for an augmented system and an explicit Runge–Kutta method: the
 * template templates/cuda/explicit-rk.cu with each block between `// @odeforge:begin NAME` and
 * `// @odeforge:end NAME` replaced by generated code — the precision, the constants, the augmented right-hand
 * side and the unrolled step. The driver (controller, error norm, first step, failure codes), the ensemble
 * kernel and the C entry points stay as written in the template.
 *
 * Second-order sensitivities (`order: 2`): the system is the unrolled second-order one
 * (src/variational/second-order.ts), its blocks Ψ, Mx and Π appended to [y | Φ | S] and integrated like every
 * other component; the kernel copies them out as they lie (pairs j ≤ k) into `second_order`, and the host
 * unpacks them (unpackSecondOrder in src/ensemble/cuda.ts). Double precision only.
 *
 * The same source builds with nvcc (GPU kernel, host launcher and CPU loop) and with g++ (`-x c++
 * -DODEFORGE_HD=`, CPU loop only), so its numerics can be tested on a machine without a GPU.
 */
import { readFileSync } from 'node:fs';
import { numericTableau } from '../../methods/numeric.ts';
import { realStabilityBoundary, stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod as Method } from '../../methods/types.ts';
import { ENSEMBLE_STATUS } from '../../runtime/status.ts';
import { pairCount } from '../../variational/second-order.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { safeCommand } from '../names.ts';
import { integerLiteral } from '../printer.ts';
import { type CudaPrecision, cudaDialect, cudaDoubleLiteral, cudaLiteral } from './dialect.ts';
import { printCudaStep } from './explicit-rk.ts';
import { printCudaRhs } from './rhs.ts';

export type { CudaPrecision } from './dialect.ts';

export interface CudaModuleOptions {
  readonly precision: CudaPrecision;
  /** Appears in the header: how the source was produced (only when it is plain, safe text). */
  readonly command?: string;
}

const TEMPLATE_URL = new URL('../../../templates/cuda/explicit-rk.cu', import.meta.url);
const HEADER_MARKER = /\/\* @odeforge:header[^*]*\*\//;
const TEMPLATE_NOTE = /^\/\/~.*\n/gm;
const BLOCK = /^\/\/ @odeforge:begin (\w+)[^\n]*\n[\s\S]*?^\/\/ @odeforge:end \1[^\n]*\n/gm;

/** Unrolling the per-component loops pays while the augmented vector is small enough to live in registers. */
const UNROLL_LIMIT = 64;

// The command line is user text (file names): it goes into the header only when it cannot end the comment.
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

let templateText: string | undefined;

function template(): string {
  templateText ??= readFileSync(TEMPLATE_URL, 'utf8');
  return templateText;
}

/**
 * Where the second-order blocks begin in the augmented vector: the first of Ψ, Mx, Π that is integrated (they
 * lie in that order up to its end); the vector's length at order 1 (no blocks).
 */
export function secondOrderOffset(system: AugmentedSystem): number {
  const second = system.secondOrder;
  if (second === undefined) return system.components.length;
  const offsets = [second.hessOffset, second.mixedOffset, second.paramHessOffset].filter((o) => o >= 0);
  return offsets.length > 0 ? Math.min(...offsets) : system.components.length;
}

/** The C status macro for a status name: 'step-size-underflow' → ODEFORGE_STATUS_STEP_SIZE_UNDERFLOW. */
export function statusMacro(status: string): string {
  return `ODEFORGE_STATUS_${status.toUpperCase().replaceAll('-', '_')}`;
}

function checkNames(system: AugmentedSystem): void {
  const m = system.model;
  // src/model validates these; the check here keeps anything else out of the C source and its comments.
  if (!SAFE_NAME.test(m.name)) throw new Error(`internal: model name '${m.name}' is not a safe name`);
  for (const s of [m.time, ...m.states, ...m.params]) {
    if (!C_IDENTIFIER.test(s.name)) throw new Error(`internal: '${s.name}' is not an identifier`);
  }
}

function header(system: AugmentedSystem, method: Method, options: CudaModuleOptions): string {
  const m = system.model;
  const n = m.states.length;
  const p = m.params.length;
  const M = system.components.length;
  const command = safeCommand(options.command);
  const sens = system.sensitivities.length > 0 ? system.sensitivities.join(', ') : 'none';
  const real = options.precision === 'f64' ? 'double' : 'float';
  const adaptive = method.errorEstimate !== undefined;
  const layout = [`y (${n})`];
  if (system.phiOffset >= 0) layout.push(`Φ = ∂y/∂y0 (${n}×${n}) at ${system.phiOffset}`);
  if (system.sensOffset >= 0) layout.push(`S = ∂y/∂p (${n}×${p}) at ${system.sensOffset}`);
  const second = system.secondOrder;
  if (second !== undefined && second.hessOffset >= 0)
    layout.push(`Ψ = ∂²y/∂y0∂y0 (${n}×${pairCount(n)}, pairs j ≤ k) at ${second.hessOffset}`);
  if (second !== undefined && second.mixedOffset >= 0)
    layout.push(`Mx = ∂²y/∂y0∂p (${n}×${n * p}) at ${second.mixedOffset}`);
  if (second !== undefined && second.paramHessOffset >= 0)
    layout.push(`Π = ∂²y/∂p∂p (${n}×${pairCount(p)}, pairs j ≤ k) at ${second.paramHessOffset}`);
  const secondSize = second === undefined ? 0 : M - secondOrderOffset(system);
  const statuses = ENSEMBLE_STATUS.map((s, i) => `${i} ${s}`).join(', ');
  return [
    '/*',
    ` * Generated by odeforge — do not edit: regenerate instead${command ? ` (${command})` : ''}.`,
    ` * Model '${m.name}': states ${m.states.map((s) => s.name).join(', ')}; params ${m.params.map((q) => q.name).join(', ') || 'none'}; time ${m.time.name}.`,
    ` * Method ${method.name} (order ${integerLiteral(method.order)}${adaptive ? `, adaptive with an order-${integerLiteral(method.errorEstimate!.order)} error estimate` : ', fixed step'}); sensitivities: ${sens}${second === undefined ? '' : ', to order 2'}.`,
    ` * Precision ${options.precision}: real = ${real} (time and step size are double). Augmented vector [${layout.join(' | ')}], M = ${M}.`,
    ' *',
    ' * Build:',
    ' *   nvcc -shared -Xcompiler -fPIC -O3 -arch=sm_90 this.cu -o this.so    GPU kernel, launcher and CPU loop',
    ' *   g++ -O2 -x c++ -DODEFORGE_HD= -shared -fPIC this.cu -o this.so      CPU loop only',
    ' *',
    ` * Call (C linkage; real arrays row-major, one trajectory per row; N = ${n}, P = ${p}):`,
    ' *   int odeforge_solve_cpu(int count, double t0, double t1, const real* y0 (count×N),',
    ' *       const real* params (count×P, or NULL for the defaults), double rtol, double atol,',
    ` *       double dt (${adaptive ? 'first step; 0 estimates it' : 'the step, required'}), double max_steps,`,
    ' *       real* y (count×N), real* jacobian (count×N×N or NULL), real* param_jacobian (count×N×P or NULL),',
    ` *       real* second_order (${secondSize > 0 ? `count×${secondSize}: Ψ, Mx, Π as integrated, from component ${M - secondSize}; or NULL` : 'NULL: no second-order blocks'}),`,
    ' *       double* t, int* status, int* steps, int* rejected (count each, or NULL)): every trajectory on the CPU.',
    ' *   void* odeforge_cuda_context_create(void); odeforge_cuda_context_destroy(ctx): device and pinned buffers',
    ' *       kept between calls (grown when a call needs more).',
    ' *   int odeforge_cuda_run(ctx, the arguments of odeforge_solve_cpu with double* for every real*, double* totals',
    ' *       (accepted, rejected), int block_size (0: 128), int chunks (0: auto), int flags (1 keep the final',
    ' *       augmented vectors on the device, 2 start from them), float* timing_ms (4 or NULL)): the GPU; returns a',
    ' *       cudaError_t (0: success).',
    ` * status per trajectory: ${statuses}. From TypeScript: solveEnsembleCuda in src/ensemble/cuda.ts.`,
    ' */',
  ].join('\n');
}

function precisionBlock(precision: CudaPrecision): string {
  const d = cudaDialect(precision);
  return [
    `typedef ${precision === 'f64' ? 'double' : 'float'} real;`,
    `#define ODEFORGE_REAL_EPSILON ${precision === 'f64' ? 'DBL_EPSILON' : 'FLT_EPSILON'}`,
    `ODEFORGE_HD static ODEFORGE_INLINE real odeforge_pow(real a, real b) { return ${d.pow('a', 'b')}; }`,
    `ODEFORGE_HD static ODEFORGE_INLINE real odeforge_fabs(real a) { return ${d.call('abs', ['a'])}; }`,
  ].join('\n');
}

function constantsBlock(system: AugmentedSystem, method: Method, precision: CudaPrecision): string {
  const m = system.model;
  const tab = numericTableau(method);
  const M = system.components.length;
  const second = system.secondOrder;
  const secondOffset = secondOrderOffset(system);
  const literal = cudaLiteral(precision);
  // Integers only (sizes, offsets, -1 for absent); a negative one in brackets, as a macro's value must be.
  const int = (v: number) => (v < 0 ? `(${integerLiteral(v)})` : integerLiteral(v));
  // C has no empty arrays: a model without parameters gets one unused 0.
  const defaults = (m.paramDefaults.length > 0 ? m.paramDefaults : [0]).map((v) => literal(v).text);
  return [
    `#define ODEFORGE_N ${int(m.states.length)}`,
    `#define ODEFORGE_P ${int(m.params.length)}`,
    `#define ODEFORGE_M ${int(M)}`,
    `#define ODEFORGE_PHI_OFFSET ${int(system.phiOffset)}`,
    `#define ODEFORGE_SENS_OFFSET ${int(system.sensOffset)}`,
    `#define ODEFORGE_HESS_OFFSET ${int(second?.hessOffset ?? -1)}`,
    `#define ODEFORGE_MIXED_OFFSET ${int(second?.mixedOffset ?? -1)}`,
    `#define ODEFORGE_PARAM_HESS_OFFSET ${int(second?.paramHessOffset ?? -1)}`,
    `#define ODEFORGE_SECOND_OFFSET ${int(secondOffset)}`,
    `#define ODEFORGE_SECOND_SIZE ${int(M - secondOffset)}`,
    `#define ODEFORGE_STAGES ${int(tab.c.length)}`,
    `#define ODEFORGE_FSAL ${method.fsal ? 1 : 0}`,
    `#define ODEFORGE_ORDER ${int(method.order)}`,
    `#define ODEFORGE_ERROR_ORDER ${int(tab.errorOrder)}`,
    `#define ODEFORGE_STIFF_STAGE ${int(stiffnessStage(method))}`,
    `#define ODEFORGE_STABILITY_BOUNDARY ${cudaDoubleLiteral(realStabilityBoundary(method)).text}`,
    ...ENSEMBLE_STATUS.map((s, i) => `#define ${statusMacro(s)} ${int(i)}`),
    M <= UNROLL_LIMIT
      ? '// Per-component loops are unrolled on the device (the augmented vector is small).'
      : '// Per-component loops are not unrolled (the augmented vector is large).',
    M <= UNROLL_LIMIT && '#ifdef __CUDA_ARCH__',
    M <= UNROLL_LIMIT && '#define ODEFORGE_UNROLL _Pragma("unroll")',
    M <= UNROLL_LIMIT && '#else',
    '#define ODEFORGE_UNROLL',
    M <= UNROLL_LIMIT && '#endif',
    '// Parameter defaults, in declared order (used when no parameters are passed).',
    `#define ODEFORGE_PARAM_DEFAULTS {${defaults.join(', ')}}`,
  ]
    .filter((line): line is string => typeof line === 'string')
    .join('\n');
}

/**
 * The CUDA C++ source of an ensemble solver for an augmented system and an explicit Runge–Kutta method, in
 * double ('f64') or single ('f32') precision.
 */
export function emitCudaModule(system: AugmentedSystem, method: Method, options: CudaModuleOptions): string {
  const precision = options.precision;
  if (precision !== 'f64' && precision !== 'f32') {
    throw new Error(`internal: precision must be 'f64' or 'f32', got a ${typeof precision}`);
  }
  checkNames(system);
  // The GPU code is straight-line over the whole augmented vector: every component needs its own rhs.
  if (system.layout !== 'unrolled' || system.rhs.length !== system.size) {
    throw new Error(`internal: the CUDA target needs the 'unrolled' layout, got '${system.layout}'`);
  }
  // f32 holds about 7 digits; second derivatives through the variational products lose more than that.
  if (system.secondOrder !== undefined && precision !== 'f64') {
    throw new Error(`internal: second-order sensitivities on the CUDA target are 'f64' only, got '${precision}'`);
  }
  const blocks = new Map<string, string>([
    ['precision', precisionBlock(precision)],
    ['constants', constantsBlock(system, method, precision)],
    ['rhs', printCudaRhs(system, precision)],
    ['step', printCudaStep(method, precision)],
  ]);
  const used = new Set<string>();
  const text = template().replace(BLOCK, (_match, name: string) => {
    const code = blocks.get(name);
    if (code === undefined) throw new Error(`internal: template block '${name}' has no definition`);
    used.add(name);
    return `${code}\n`;
  });
  const missing = [...blocks.keys()].filter((name) => !used.has(name));
  if (missing.length > 0) throw new Error(`internal: template blocks missing: ${missing.join(', ')}`);
  return text.replace(TEMPLATE_NOTE, '').replace(HEADER_MARKER, () => header(system, method, options));
}
