/*
 * The WebAssembly kernel's runtime in a TypeScript solver module (src/codegen/ts/module.ts merges it into
 * the solver template — templates/ts/driver.ts with templates/ts/explicit-rk.ts in its family region — when
 * the module carries a kernel). The first `declare`s below stand for what the solver template defines and are
 * dropped; the KERNEL_* constants are filled in; the functions named like the solver template's placeholders
 * (acquireVectors, releaseVectors, stiffnessRho, stepKernel, rkStep) replace them, and everything else goes in
 * before acquireVectors.
 */

// From the solver template (dropped when merged).
declare const M: number;
declare const P: number;
declare const STAGES: number;
declare const FNEXT_AT: number;
declare const ZSTIFF_AT: number;
declare const NON_FINITE_CUTS: number;
declare const STIFF_STEP_LIMIT: number;
declare const POWER_TABLE: Float64Array;
declare function heaviside(x: number): number;
declare function stiffnessRhoPortable(
  fNew: Float64Array,
  fz: Float64Array,
  yNew: Float64Array,
  z: Float64Array,
): number;
declare function rkStepPortable(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  k: Float64Array[],
  z: Float64Array,
  yNew: Float64Array,
  fNew: Float64Array,
  zStiff: Float64Array,
  record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
): number;

// ─── WebAssembly kernel ─────────────────────────────────────────────────────────────────────────────────
// rhs and rkStep compiled to WebAssembly with 128-bit SIMD (two f64 lanes): the same expressions as the
// TypeScript step, evaluated in the same order, so the results are the same bit for bit. Its text form:
// odeforge generate MODEL --method … --sens … --target wat --out kernel.wat.
/** The kernel's binary. */
declare const KERNEL_BASE64: string;
/**
 * The same kernel with relaxed-SIMD multiply-adds in its vector loops ('' when the module has none): tried first;
 * a runtime without relaxed SIMD refuses to compile it, and the plain kernel runs.
 */
declare const KERNEL_FMA_BASE64: string;
/**
 * Layout of the kernel's memory, in bytes: the stages' offsets (an i32 each) from 0, the parameters from
 * KERNEL_PARAMS_AT, then the work vectors from KERNEL_VECTORS_AT, M doubles each.
 */
declare const KERNEL_PARAMS_AT: number;
declare const KERNEL_VECTORS_AT: number;
/**
 * Where the kernel's loop (its export advance, when the method is adaptive) takes the driver's loop variables
 * from and leaves them: KERNEL_LOOP_SLOTS doubles, in the order of src/codegen/wasm/kernel.ts's LOOP_SLOTS.
 */
declare const KERNEL_LOOP_AT: number;
declare const KERNEL_LOOP_SLOTS: number;
/** Where the kernel's power (the step-size controller's) reads the driver's POWER_TABLE, copied there at load. */
declare const KERNEL_POWER_AT: number;

/** As much of the WebAssembly API as the kernel needs (declared here, so that no DOM typings are needed). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
};

interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface Kernel {
  readonly memory: KernelMemory;
  readonly step: (
    t: number,
    h: number,
    y: number,
    p: number,
    stages: number,
    z: number,
    yNew: number,
    fNew: number,
    zStiff: number,
    record: number,
    rtol: number,
    atol: number,
    controlled: number,
  ) => number;
  readonly stiffness: (fNew: number, fz: number, yNew: number, z: number) => number;
  /** The driver's loop for an adaptive solve (absent for a fixed-step method). */
  readonly advance:
    | ((
        state: number,
        t1: number,
        dir: number,
        rtol: number,
        atol: number,
        controlled: number,
        maxSteps: number,
        detect: number,
        exponent: number,
        nonFiniteCuts: number,
        stiffLimit: number,
        y: number,
        yNew: number,
        z: number,
        fNext: number,
        zStiff: number,
      ) => void)
    | undefined;
  /** Whether this is the relaxed-SIMD kernel (KERNEL_FMA_BASE64). */
  readonly fma: boolean;
  /** A solve is using the memory (solves started from its callbacks get plain arrays). */
  busy: boolean;
  stages: Int32Array;
  params: Float64Array;
  /**
   * The views of the last acquireVectors and of the loop's slots, kept while the memory's buffer stays the same
   * (growing it replaces the buffer): making a dozen typed-array views over WebAssembly memory cost about a
   * fifth of a one-step solve.
   */
  views: { buffer: ArrayBuffer; vectors: Float64Array[]; slots: Float64Array } | undefined;
}

/** undefined: not loaded yet; null: WebAssembly (with SIMD) is unavailable here. */
let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  for (const base64 of [KERNEL_FMA_BASE64, KERNEL_BASE64]) {
    if (base64 === '') continue;
    kernel = instantiateKernel(base64, base64 === KERNEL_FMA_BASE64);
    if (kernel !== null) break;
  }
  return kernel;
}

/** The kernel from its base64 binary; null where the runtime cannot compile it (no WebAssembly, SIMD or relaxed SIMD). */
function instantiateKernel(base64: string, fma: boolean): Kernel | null {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    // What the kernel may import: JavaScript's own Math functions (so that results match the TypeScript step
    // exactly) and the solver's heaviside.
    const imports = {
      math: {
        sin: Math.sin,
        cos: Math.cos,
        tan: Math.tan,
        asin: Math.asin,
        acos: Math.acos,
        atan: Math.atan,
        atan2: Math.atan2,
        sinh: Math.sinh,
        cosh: Math.cosh,
        tanh: Math.tanh,
        exp: Math.exp,
        log: Math.log,
        sign: Math.sign,
        pow: Math.pow,
      },
      solver: { heaviside },
    };
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
    const memory = instance.exports.memory as KernelMemory;
    new Float64Array(memory.buffer, KERNEL_POWER_AT, POWER_TABLE.length).set(POWER_TABLE);
    return {
      fma,
      memory,
      step: instance.exports.step as Kernel['step'],
      stiffness: instance.exports.stiffness as Kernel['stiffness'],
      advance: instance.exports.advance as Kernel['advance'],
      busy: false,
      stages: new Int32Array(0),
      params: new Float64Array(0),
      views: undefined,
    };
  } catch {
    // no WebAssembly, or no SIMD (or no relaxed SIMD, for KERNEL_FMA_BASE64)
    return null;
  }
}

/** Whether the module's kernel is the one with relaxed-SIMD multiply-adds (false: plain, or no kernel here). */
export function stepKernelFma(): boolean {
  return loadKernel()?.fma ?? false;
}

function acquireVectors(count: number): Float64Array[] {
  const kr = loadKernel();
  if (kr !== null && !kr.busy) {
    const missing = KERNEL_VECTORS_AT + count * M * 8 - kr.memory.buffer.byteLength;
    let room = true;
    try {
      if (missing > 0) kr.memory.grow(Math.ceil(missing / 65536));
    } catch {
      room = false; // past what WebAssembly memory can hold: plain arrays
    }
    if (room) {
      const buffer = kr.memory.buffer;
      kr.busy = true;
      let views = kr.views;
      if (views === undefined || views.buffer !== buffer || views.vectors.length !== count) {
        kr.stages = new Int32Array(buffer, 0, STAGES);
        kr.params = new Float64Array(buffer, KERNEL_PARAMS_AT, P);
        const vectors = Array.from(
          { length: count },
          (_, i) => new Float64Array(buffer, KERNEL_VECTORS_AT + i * M * 8, M),
        );
        views = { buffer, vectors, slots: new Float64Array(buffer, KERNEL_LOOP_AT, KERNEL_LOOP_SLOTS) };
        kr.views = views;
      }
      // (a new array of the same views: the solve may reorder its own)
      return views.vectors.map((v) => v.fill(0));
    }
  }
  return Array.from({ length: count }, () => new Float64Array(M));
}

function releaseVectors(vectors: readonly Float64Array[]): void {
  if (kernel && vectors[0]!.buffer === kernel.memory.buffer) kernel.busy = false;
}

function stiffnessRho(fNew: Float64Array, fz: Float64Array, yNew: Float64Array, z: Float64Array): number {
  const kr = kernel;
  if (!kr || yNew.buffer !== kr.memory.buffer) return stiffnessRhoPortable(fNew, fz, yNew, z);
  return kr.stiffness(fNew.byteOffset, fz.byteOffset, yNew.byteOffset, z.byteOffset);
}

export function stepKernel(): 'webassembly' | 'typescript' {
  const kr = loadKernel();
  return kr !== null && !kr.busy ? 'webassembly' : 'typescript';
}

/** rkStep with a kernel: the kernel on vectors in its memory, the TypeScript step on any others. */
function rkStep(
  t: number,
  h: number,
  y: Float64Array,
  p: Float64Array,
  k: Float64Array[],
  z: Float64Array,
  yNew: Float64Array,
  fNew: Float64Array,
  zStiff: Float64Array,
  record: boolean,
  rtol: number,
  atol: number,
  controlled: number,
): number {
  const kr = kernel;
  if (!kr || y.buffer !== kr.memory.buffer) {
    return rkStepPortable(t, h, y, p, k, z, yNew, fNew, zStiff, record, rtol, atol, controlled);
  }
  // The driver swaps stage arrays between steps: tell the kernel where they are now.
  const stages = kr.stages;
  for (let s = 0; s < STAGES; s++) stages[s] = k[s]!.byteOffset;
  kr.params.set(p);
  return kr.step(
    t,
    h,
    y.byteOffset,
    KERNEL_PARAMS_AT,
    0,
    z.byteOffset,
    yNew.byteOffset,
    fNew.byteOffset,
    zStiff.byteOffset,
    record ? 1 : 0,
    rtol,
    atol,
    controlled,
  );
}

/**
 * The driver's loop in the kernel (see its placeholder in templates/ts/driver.ts): `loop` holds the loop's
 * variables (t, h, steps, rejected, evals, rho, stiffSteps, nonStiffSteps, freshEstimate, rejectedBefore,
 * nonFiniteRun) and gets them back, with loop[11] the steps accepted. false: not run (vectors outside the
 * kernel's memory, or no loop in the kernel), and the driver's loop takes every step.
 */
function kernelLoop(
  loop: Float64Array,
  t1: number,
  dir: number,
  rtol: number,
  atol: number,
  controlled: number,
  maxSteps: number,
  detect: boolean,
  exponent: number,
  y: Float64Array,
  yNew: Float64Array,
  z: Float64Array,
  work: Float64Array[],
  p: Float64Array,
): boolean {
  const kr = kernel;
  if (!kr || kr.advance === undefined || y.buffer !== kr.memory.buffer) return false;
  const stages = kr.stages;
  for (let s = 0; s < STAGES; s++) stages[s] = work[s]!.byteOffset;
  kr.params.set(p);
  const slots = kr.views?.slots ?? new Float64Array(kr.memory.buffer, KERNEL_LOOP_AT, KERNEL_LOOP_SLOTS);
  slots.set(loop);
  kr.advance(
    KERNEL_LOOP_AT,
    t1,
    dir,
    rtol,
    atol,
    controlled,
    maxSteps,
    detect ? 1 : 0,
    exponent,
    NON_FINITE_CUTS,
    STIFF_STEP_LIMIT,
    y.byteOffset,
    yNew.byteOffset,
    z.byteOffset,
    work[FNEXT_AT]!.byteOffset,
    work[ZSTIFF_AT]!.byteOffset,
  );
  loop.set(slots);
  return true;
}
