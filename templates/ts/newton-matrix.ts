/*
 * What the families for stiff problems share (templates/ts/rosenbrock.ts, implicit-rk.ts, bdf.ts): the Jacobian
 * J = ∂f/∂y, a factorized matrix d·I − J for a diagonal shift d (1/(hγ) for Rosenbrock, 1/c for BDF, 1/(hγ0)
 * for RADAU5's error estimate), and the solve of the augmented system with it. src/codegen/ts/module.ts puts this
 * file ahead of the family's template in the driver's family region; its `declare`s are generated
 * (src/codegen/ts/rosenbrock.ts: J, the coupling, the factorization).
 *
 * The augmented system's Jacobian 𝕁 = ∂F/∂[y, Φ, S] is block lower triangular — J on the diagonal, below it the
 * coupling K of the Φ and S blocks (K u = J'[u] Φ, J'[u] S + (∂f/∂p)'[u], with J'[u] = Σ_l ∂J/∂y_l u_l) — so
 * (d·I − 𝕁) x = r is solved block by block with the one n×n factorization: the state's x_y first, then every
 * column of Φ and S together, with K x_y added to their right-hand sides. With second-order sensitivities, every
 * column of their blocks last, with L·(x_y, x_Φ, x_S) added (src/codegen/ts/second-order-newton.ts).
 */

// @odeforge:driver-begin — stubs of the driver's definitions (dropped when assembled).
export {};

declare const N: number;
declare const P: number;
declare const PHI_OFFSET: number;
declare const SENS_OFFSET: number;
declare const info: { readonly states: readonly string[] };
declare class IntegrationError {
  readonly reason: 'non-finite' | 'singular-matrix' | 'newton-failure';
}
// @odeforge:driver-end

// ─── Shared by the stiff families: placeholders ─────────────────────────────────────────────────────────

/** J's structural non-zeros, row by row; where each row starts among them, and their columns. */
declare const JAC_NONZEROS: number;
declare const JAC_ROW_START: Int32Array;
declare const JAC_COLUMNS: Int32Array;
declare function jacobian(t: number, y: Float64Array, p: Float64Array, jac: Float64Array): void;
/** dy[N..M) = K u for a state-sized direction u, the Φ and S blocks read from y. */
declare function coupling(t: number, y: Float64Array, p: Float64Array, u: Float64Array, dy: Float64Array): void;
/**
 * The second-order columns (0 without them): SECOND_COMPONENTS[c·N + i] is the component of row i of column c;
 * secondCoupling writes L u at those components, for u given in the state and first-order components.
 */
declare const SECOND_COLUMNS: number;
declare const SECOND_COMPONENTS: Int32Array;
declare function secondCoupling(t: number, y: Float64Array, p: Float64Array, u: Float64Array, dy: Float64Array): void;
/**
 * d·I − J in its factorization's array of LU_SIZE entries: the LU_INPUTS slots are assembled from J's non-zeros
 * (at JAC_SLOTS) and the diagonal (DIAG_SLOTS); luFactor factorizes in place and returns 0, or 1 + the
 * elimination step whose pivot failed; luSolve solves for nrhs right-hand sides of length N stored one after the
 * other, in place.
 */
declare const LU_SIZE: number;
declare const LU_INPUTS: Int32Array;
declare const JAC_SLOTS: Int32Array;
declare const DIAG_SLOTS: Int32Array;
declare function luFactor(a: Float64Array, piv: Int32Array): number;
declare function luSolve(a: Float64Array, piv: Int32Array, b: Float64Array, nrhs: number): void;

// ─── Shared by the stiff families ───────────────────────────────────────────────────────────────────────

/**
 * A structure table the generator printed packed, as large ones are (src/codegen/printer.ts, packInt32): base64 of
 * LEB128 varints (7 bits a byte, low first) of the zigzag-mapped differences of consecutive entries. Decoded once,
 * when the module loads.
 */
function unpackInt32(text: string, length: number): Int32Array {
  const bytes = atob(text);
  const out = new Int32Array(length);
  let at = 0;
  let previous = 0;
  for (let k = 0; k < length; k++) {
    let z = 0;
    let scale = 1;
    let b = 128;
    while (b >= 128) {
      b = bytes.charCodeAt(at++);
      z += (b & 127) * scale;
      scale *= 128;
    }
    previous += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    out[k] = previous;
  }
  if (at !== bytes.length) throw new Error('odeforge: a packed table of the generated module is corrupt');
  return out;
}

/** Columns of the sensitivities, each a right-hand side of length N in the block solves (Φ's, then S's). */
const PHI_COLUMNS: number = PHI_OFFSET >= 0 ? N : 0;
const SENS_COLUMNS: number = SENS_OFFSET >= 0 ? P : 0;
const COLUMNS: number = PHI_COLUMNS + SENS_COLUMNS;

/** Why a step failed, besides a non-finite value (stepFailure turns them into reasons). */
const SINGULAR = 1;
const BAD_JACOBIAN = 2;
const NEWTON_FAILED = 3;

/** A factorization of shift·I − J, with the work arrays of its solves and the counters of both. */
interface ShiftedMatrix {
  /** J's non-zeros: the solve's one Jacobian, shared by every matrix built from it. */
  readonly jac: Float64Array;
  readonly lu: Float64Array;
  readonly piv: Int32Array;
  /** The right-hand sides of one block solve: the state's, or every column of Φ and S, each of length N. */
  readonly block: Float64Array;
  /** The shift the factorization holds (NaN: none, or J changed since). */
  shift: number;
  factorizations: number;
  linearSolves: number;
}

function newShiftedMatrix(jac: Float64Array): ShiftedMatrix {
  return {
    jac,
    lu: new Float64Array(LU_SIZE),
    piv: new Int32Array(N),
    block: new Float64Array(N * Math.max(1, COLUMNS, SECOND_COLUMNS)),
    shift: Number.NaN,
    factorizations: 0,
    linearSolves: 0,
  };
}

/** shift·I − J from J's non-zeros, factorized; false when a pivot fails (a singular or non-finite matrix). */
function factorShifted(m: ShiftedMatrix, shift: number): boolean {
  const lu = m.lu;
  const jac = m.jac;
  for (let k = 0; k < LU_INPUTS.length; k++) lu[LU_INPUTS[k]!] = 0;
  for (let k = 0; k < JAC_NONZEROS; k++) lu[JAC_SLOTS[k]!]! -= jac[k]!;
  for (let i = 0; i < N; i++) lu[DIAG_SLOTS[i]!]! += shift;
  m.factorizations++;
  m.shift = Number.NaN;
  if (luFactor(lu, m.piv) !== 0) return false;
  m.shift = shift;
  return true;
}

/**
 * COLUMN_COMPONENTS[c·N + i]: the component of the augmented vector at row i of sensitivity column c (Φ's columns,
 * then S's), as SECOND_COMPONENTS holds those of the second-order columns.
 */
const COLUMN_COMPONENTS: Int32Array = (() => {
  const out = new Int32Array(COLUMNS * N);
  for (let c = 0; c < COLUMNS; c++) {
    for (let i = 0; i < N; i++) {
      out[c * N + i] = c < PHI_COLUMNS ? PHI_OFFSET + i * N + c : SENS_OFFSET + i * P + (c - PHI_COLUMNS);
    }
  }
  return out;
})();

/** Solves `count` columns of r (their components in `components`, N each) in place, `coupled` added to them. */
function solveColumns(
  m: ShiftedMatrix,
  r: Float64Array,
  coupled: Float64Array,
  count: number,
  components: Int32Array,
): void {
  const block = m.block;
  for (let k = 0; k < count * N; k++) {
    const at = components[k]!;
    block[k] = r[at]! + coupled[at]!;
  }
  luSolve(m.lu, m.piv, block, count);
  for (let k = 0; k < count * N; k++) r[components[k]!] = block[k]!;
  m.linearSolves += count;
}

/**
 * Solves (shift·I − 𝕁) x = r in place in r, an augmented vector (only its first N components when `width` is
 * N): the state with the LU, then every column of Φ and S with K x_y added, K from `coupling` at (t, y), then
 * every second-order column with L·(x_y, x_Φ, x_S) added. `coupled` is a scratch augmented vector.
 */
function solveShifted(
  m: ShiftedMatrix,
  t: number,
  y: Float64Array,
  p: Float64Array,
  r: Float64Array,
  coupled: Float64Array,
  withColumns: boolean,
): void {
  const block = m.block;
  for (let i = 0; i < N; i++) block[i] = r[i]!;
  luSolve(m.lu, m.piv, block, 1);
  for (let i = 0; i < N; i++) r[i] = block[i]!;
  m.linearSolves++;
  if (COLUMNS === 0 || !withColumns) return;
  coupling(t, y, p, r, coupled);
  solveColumns(m, r, coupled, COLUMNS, COLUMN_COMPONENTS);
  if (SECOND_COLUMNS === 0) return;
  secondCoupling(t, y, p, r, coupled);
  solveColumns(m, r, coupled, SECOND_COLUMNS, SECOND_COMPONENTS);
}

/** Whether J's values are all finite (x·0 is 0 for finite x, NaN otherwise). */
function jacobianIsFinite(jac: Float64Array): boolean {
  let sum = 0;
  for (let k = 0; k < JAC_NONZEROS; k++) sum += jac[k]! * 0;
  return sum === 0;
}

/** "∂f_x/∂y" for the k-th non-zero of J. */
function jacobianEntryName(k: number): string {
  let i = 0;
  while (i < N && JAC_ROW_START[i + 1]! <= k) i++;
  return `∂f_${info.states[i]}/∂${info.states[JAC_COLUMNS[k]!]}`;
}

/** The reason and words for a failure code of the shared ones; `matrix` names the family's Newton matrix. */
function sharedFailure(
  code: number,
  jac: Float64Array,
  matrix: string,
): { reason: IntegrationError['reason']; why: string } | undefined {
  if (code === SINGULAR) return { reason: 'singular-matrix', why: `singular Newton matrix ${matrix}` };
  if (code === NEWTON_FAILED) return { reason: 'newton-failure', why: "Newton's iteration did not converge" };
  if (code === BAD_JACOBIAN) {
    const k = jac.findIndex((v) => !Number.isFinite(v));
    return { reason: 'non-finite', why: `non-finite Jacobian entry ${jacobianEntryName(k)} = ${jac[k]}` };
  }
  return undefined;
}
