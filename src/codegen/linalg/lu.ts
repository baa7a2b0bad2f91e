/**
 * Generated factorizations of a stiff solver's Newton matrix I − hγJ, as TypeScript function text.
 *
 * Dense (small n): LU with partial pivoting, fully unrolled, in place on a row-major Float64Array of n² plus an
 * Int32Array of row interchanges (LAPACK's getrf/getrs conventions, 0-based).
 *
 * Sparse (larger n): the ordering and the symbolic factorization are done here, at generation time
 * (linalg/ordering.ts); the emitted code is the numeric factorization alone, a left-looking (column by column) LU
 * with the static diagonal pivots of the ordering over the slots of L\U, and the matching solve. Two forms of the
 * same operations: straight-line (one statement per multiply-subtract, split into parts V8 can optimize) for
 * modest work, and loops over the structure printed as constant tables for larger work, where straight-line code
 * costs far more to compile than it saves (see STRAIGHT_LINE_MAX_UPDATES).
 * Left-looking, because when column j's pivot is reached the rest of column j is the active column of Gaussian
 * elimination: the pivot test |u_jj| ≥ τ·max_i≥j |a_ij| is then the classical threshold-pivoting test, which bounds
 * every multiplier of L by 1/τ.
 *
 * Every factorization returns 0, or 1 + the elimination step whose pivot failed (zero, non-finite, or, in the
 * sparse case, below the threshold), so the driver can raise IntegrationError 'singular-matrix' or retry with a
 * smaller h instead of carrying NaN. Numbers in the code go through integerLiteral / numberLiteral.
 */
import { checkPattern, type Pattern, type SymbolicLu, symbolicLu } from '../../linalg/ordering.ts';
import { indentBlock } from '../names.ts';
import { int32ArrayLiteral, integerLiteral, numberLiteral, PACKED_TABLE_FROM } from '../printer.ts';

/**
 * The largest n the dense LU is unrolled for. Measured in Node 20 (factor + solve of a random diagonally dominant
 * matrix, after warm-up) against the same LU written with loops: unrolled is 1.4–3× faster for n = 2…8, about
 * even at n = 10 and 12 (0.9×), and 20× slower at n = 16 (70 kB of code: too large for V8's optimizing compiler,
 * it stays interpreted). TurboFan already takes about 0.14 s to compile the n = 8 factorization, another reason
 * to stop there; larger Newton matrices go to the sparse path (or a looped dense LU).
 */
export const DENSE_UNROLL_MAX = 8;

/** The default threshold τ of the sparse pivot test: 2⁻²⁶ ≈ 1.5e-8, multipliers bounded by 2²⁶ (half the digits). */
export const DEFAULT_PIVOT_THRESHOLD = 2 ** -26;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function checkName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`internal: '${name}' is not an identifier`);
  return name;
}

function checkOrder(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > DENSE_UNROLL_MAX) {
    throw new RangeError(`dense LU: n must be an integer in 1…${DENSE_UNROLL_MAX}, got ${n}`);
  }
}

const int = integerLiteral;
/** The largest finite double: |x| <= MAX is false for ±∞ and NaN. */
const MAX = numberLiteral(Number.MAX_VALUE).text;

/** "1 update", "3 updates". */
function counted(k: number, noun: string): string {
  return `${int(k)} ${noun}${k === 1 ? '' : 's'}`;
}

/**
 * b[o + i], or b[o] for i = 0. Every element access the factorizations print carries `!` (erased, no cost): so
 * the module type-checks under noUncheckedIndexedAccess, as `tsc --init` sets it.
 */
function rhsAt(i: number): string {
  return i === 0 ? 'b[o]!' : `b[o + ${int(i)}]!`;
}

/** `function name(params): ret {` + indented body + `}`. */
function func(doc: string[], signature: string, body: string[]): string {
  return ['/**', ...doc.map((l) => ` * ${l}`.trimEnd()), ' */', `${signature} {`, indentBlock(body.join('\n'), 1), '}']
    .join('\n')
    .concat('\n');
}

/**
 * `function name(a: Float64Array, piv: Int32Array): number`: the LU factorization with partial pivoting of the
 * n×n row-major matrix in a, unrolled. On return a holds L below the diagonal (unit diagonal implied) and U on
 * and above it, and piv[k] the row interchanged with row k at step k. Returns 0, or 1 + the step whose pivot
 * (the largest magnitude left in its column) is 0 or not finite: the matrix is singular or holds NaN/∞.
 */
export function emitDenseLu(n: number, functionName?: string): string {
  checkOrder(n);
  const name = checkName(functionName ?? `denseLu${int(n)}`);
  const at = (i: number, j: number) => `a[${int(i * n + j)}]!`;
  const body: string[] = n > 1 ? ['let p = 0;', 'let m = 0;', 'let t = 0;'] : ['let m = 0;'];
  for (let k = 0; k < n; k++) {
    if (k === n - 1) {
      // the last step has one candidate: no search, no interchange
      body.push('', `// Step ${int(k)} (last): the pivot is ${at(k, k)}`, `piv[${int(k)}] = ${int(k)};`);
      body.push(`m = Math.abs(${at(k, k)});`, `if (!(m > 0 && m <= ${MAX})) return ${int(k + 1)};`);
      break;
    }
    body.push('', `// Step ${int(k)}: pivot search in column ${int(k)}, rows ${int(k)}…${int(n - 1)}`);
    body.push(`p = ${int(k)};`, `m = Math.abs(${at(k, k)});`);
    for (let i = k + 1; i < n; i++) {
      body.push(`t = Math.abs(${at(i, k)});`, `if (t > m) {`, `p = ${int(i)};`, 'm = t;', '}');
    }
    body.push(`piv[${int(k)}] = p;`);
    // NaN fails both comparisons, so a NaN pivot is a failure too
    body.push(`if (!(m > 0 && m <= ${MAX})) return ${int(k + 1)};`);
    body.push(`if (p !== ${int(k)}) {`, `// interchange rows ${int(k)} and p (whole rows: L's multipliers too)`);
    body.push(`const r = p * ${int(n)};`);
    for (let j = 0; j < n; j++) {
      const other = j === 0 ? 'a[r]!' : `a[r + ${int(j)}]!`;
      body.push(`t = ${at(k, j)};`, `${at(k, j)} = ${other};`, `${other} = t;`);
    }
    body.push('}');
    body.push(`// column ${int(k)} of L, then the update of the trailing ${int(n - k - 1)}×${int(n - k - 1)} block`);
    for (let i = k + 1; i < n; i++) body.push(`${at(i, k)} /= ${at(k, k)};`);
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) body.push(`${at(i, j)} -= ${at(i, k)} * ${at(k, j)};`);
    }
  }
  body.push('return 0;');
  const size = `${int(n)}×${int(n)}`;
  return func(
    [
      `LU factorization with partial pivoting of a ${size} matrix, unrolled (PA = LU).`,
      'a: the matrix, row-major; overwritten by L (below the diagonal, unit diagonal implied) and U.',
      'piv[k]: the row interchanged with row k at step k.',
      'Returns 0, or 1 + the step whose pivot is 0 or not finite (singular matrix, or NaN/∞ in it).',
    ],
    `function ${name}(a: Float64Array, piv: Int32Array): number`,
    body,
  );
}

/**
 * `function name(a: Float64Array, piv: Int32Array, b: Float64Array, nrhs = 1): void`: solves A X = B with the
 * factors of emitDenseLu. B holds nrhs right-hand sides of length n one after the other (right-hand side r at
 * b[r·n … r·n + n − 1], "column-blocked": the sensitivities' many right-hand sides share one factorization) and is
 * overwritten by X.
 */
export function emitDenseSolve(n: number, functionName?: string): string {
  checkOrder(n);
  const name = checkName(functionName ?? `denseSolve${int(n)}`);
  const lu = (i: number, j: number) => `a[${int(i * n + j)}]!`;
  const loop: string[] = [];
  if (n > 1) {
    loop.push('// the row interchanges of the factorization, in order');
    for (let k = 0; k < n - 1; k++) {
      loop.push(`p = piv[${int(k)}]!;`);
      loop.push(`if (p !== ${int(k)}) {`, `t = ${rhsAt(k)};`, `${rhsAt(k)} = b[o + p]!;`, 'b[o + p] = t;', '}');
    }
  }
  loop.push('// L y = P b (forward substitution, unit diagonal)');
  for (let i = 0; i < n; i++) {
    const terms = Array.from({ length: i }, (_, k) => ` - ${lu(i, k)} * y${int(k)}`).join('');
    loop.push(`const y${int(i)} = ${rhsAt(i)}${terms};`);
  }
  loop.push('// U x = y (back substitution)');
  for (let i = n - 1; i >= 0; i--) {
    const terms = Array.from({ length: n - 1 - i }, (_, t) => ` - ${lu(i, i + 1 + t)} * x${int(i + 1 + t)}`).join('');
    const numerator = terms === '' ? `y${int(i)}` : `(y${int(i)}${terms})`;
    loop.push(`const x${int(i)} = ${numerator} / ${lu(i, i)};`);
  }
  for (let i = 0; i < n; i++) loop.push(`${rhsAt(i)} = x${int(i)};`);
  const body = n > 1 ? ['let p = 0;', 'let t = 0;'] : [];
  body.push(`for (let o = 0; o < nrhs * ${int(n)}; o += ${int(n)}) {`, ...loop, '}');
  return func(
    [
      `Solves A X = B for a ${int(n)}×${int(n)} matrix factored by the matching dense LU (a, piv as it left them).`,
      `b: nrhs right-hand sides of length ${int(n)}, one after the other; overwritten by the solutions.`,
    ],
    `function ${name}(a: Float64Array, piv: Int32Array, b: Float64Array, nrhs = 1): void`,
    body,
  );
}

/**
 * Where the entries of L\U live in the Float64Array of the sparse factorization: column by column in the permuted
 * numbering, each column as its U rows (ascending), its diagonal, its L rows (ascending).
 */
export interface SparseLuLayout {
  readonly symbolic: SymbolicLu;
  /** The length of the Float64Array: the non-zeros of L and U (U's diagonal included). */
  readonly slots: number;
  /** Slot of the matrix entry (i, j) in the original numbering; -1 where L\U has no slot (a structural zero). */
  slot(i: number, j: number): number;
  /**
   * The slots the caller assembles: the entries of I − hγJ (J's pattern and the diagonal). Every one must be
   * written before each factorization; the other slots (fill) are outputs only and need no zeroing.
   */
  readonly inputSlots: Int32Array;
}

/** The slot layout of the sparse LU of `pattern` under `order` (its symbolic factorization included). */
export function sparseLuLayout(pattern: Pattern, order: ArrayLike<number>): SparseLuLayout {
  const s = symbolicLu(pattern, order);
  const { n, uStart, uRows, lStart, lRows, position } = s;
  // Column j's slots start at uStart[j] + lStart[j] + j: U's rows of the columns before it, their diagonals and
  // L's rows. Within the column a row is found by bisection of its (ascending) U or L rows.
  const find = (rows: Int32Array, from: number, to: number, row: number): number => {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]! < row) lo = mid + 1;
      else hi = mid;
    }
    return lo < to && rows[lo] === row ? lo - from : -1;
  };
  const permutedSlot = (i: number, j: number): number => {
    const first = uStart[j]! + lStart[j]! + j;
    const uCount = uStart[j + 1]! - uStart[j]!;
    if (i === j) return first + uCount;
    if (i < j) {
      const at = find(uRows, uStart[j]!, uStart[j + 1]!, i);
      return at < 0 ? -1 : first + at;
    }
    const at = find(lRows, lStart[j]!, lStart[j + 1]!, i);
    return at < 0 ? -1 : first + uCount + 1 + at;
  };
  const inputs = new Set<number>();
  pattern.forEach((row, i) => {
    inputs.add(permutedSlot(position[i]!, position[i]!));
    for (const j of row) inputs.add(permutedSlot(position[i]!, position[j]!));
  });
  return {
    symbolic: s,
    slots: uRows.length + lRows.length + n,
    slot(i, j) {
      if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= n || j >= n) {
        throw new RangeError(`slot: (${i}, ${j}) outside the ${n}×${n} matrix`);
      }
      return permutedSlot(position[i]!, position[j]!);
    },
    inputSlots: Int32Array.from(inputs).sort(),
  };
}

export interface SparseLuOptions {
  readonly factorName?: string;
  readonly solveName?: string;
  /** τ of the pivot test |u_jj| ≥ τ·max_i≥j |a_ij| (active column); DEFAULT_PIVOT_THRESHOLD if absent. */
  readonly pivotThreshold?: number;
  /**
   * 'straight-line': one statement per multiply-subtract; 'tables': loops over the generation-time structure,
   * printed as constant index tables. Default: straight-line up to STRAIGHT_LINE_MAX_UPDATES updates.
   */
  readonly form?: 'straight-line' | 'tables';
  /** Straight-line form: the most statements one emitted function holds (SPARSE_PART_SIZE if absent). */
  readonly partSize?: number;
}

/**
 * Statements per emitted function of the straight-line form. V8 never optimizes a function whose bytecode passes
 * 60 kB and waits longer before optimizing a large one: measured in Node 20 on the 5-point Laplacian of an 8×8
 * grid (1,629 updates), one straight-line function ran at about 100 ns per multiply-subtract (interpreted), parts
 * of 200 statements at 3.2 ns once optimized. Smaller parts also compile faster per statement.
 */
export const SPARSE_PART_SIZE = 200;

/**
 * Above this many multiply-subtracts the default form is 'tables'. Measured in Node 20 on 5-point Laplacians:
 * 8×8 grid (1,629 updates), straight-line 5.2 µs per factorization, tables 6.7 µs; 16×16 grid (21,193 updates),
 * tables 71 µs (3.3 ns per update, from the first seconds), straight-line still 7.2 ms after 5 s of warm-up and
 * 168 µs after 30 s, TurboFan compiling its ~110 parts meanwhile, from 0.96 MB of text against 0.05 MB.
 */
export const STRAIGHT_LINE_MAX_UPDATES = 2000;

export interface SparseLuCode {
  /**
   * `function factorName(a: Float64Array): number`, with the parts or tables it uses (module-level constants and,
   * for 'tables', one work column: emit factor and solve together, once per module and name).
   */
  readonly factor: string;
  /** `function solveName(a: Float64Array, b: Float64Array, nrhs = 1): void`, with the parts or tables it uses. */
  readonly solve: string;
  readonly layout: SparseLuLayout;
  readonly form: 'straight-line' | 'tables';
  /** Multiply-subtracts of the factorization (its floating-point work, besides one division per L entry). */
  readonly updates: number;
}

/** Terms per statement of the straight-line solve: longer sums are split, so no statement grows with the fill. */
const TERMS_PER_STATEMENT = 8;

interface SparseNames {
  readonly factorName: string;
  readonly solveName: string;
  readonly tau: string;
  readonly partSize: number;
}

/**
 * The sparse LU of a matrix with the given pattern, eliminated in `order` (for instance
 * minimumDegreeOrder(pattern)), and its solve. The factorization works in place on the layout's slots; the
 * solve takes right-hand sides in the original numbering, nrhs of them one after the other, and works in place.
 * Both forms do the same operations in the same order, so their factors agree (up to the sign of zeros).
 */
export function emitSparseLu(pattern: Pattern, order: ArrayLike<number>, options: SparseLuOptions = {}): SparseLuCode {
  checkPattern(pattern);
  const factorName = checkName(options.factorName ?? 'sparseLu');
  const solveName = checkName(options.solveName ?? 'sparseSolve');
  const tau = options.pivotThreshold ?? DEFAULT_PIVOT_THRESHOLD;
  if (!(tau >= 0 && tau < 1)) throw new RangeError(`pivotThreshold: must be in [0, 1), got ${tau}`);
  const partSize = options.partSize ?? SPARSE_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < 1) throw new RangeError(`partSize: must be a positive integer`);
  const layout = sparseLuLayout(pattern, order);
  const { n, uStart, uRows, lStart } = layout.symbolic;
  let updates = 0;
  for (let j = 0; j < n; j++) {
    for (let p = uStart[j]!; p < uStart[j + 1]!; p++) updates += lStart[uRows[p]! + 1]! - lStart[uRows[p]!]!;
  }
  const form = options.form ?? (updates <= STRAIGHT_LINE_MAX_UPDATES ? 'straight-line' : 'tables');
  const names: SparseNames = { factorName, solveName, tau: numberLiteral(tau).text, partSize };
  const code = form === 'tables' ? tableForm(layout, names) : straightLineForm(layout, names);
  return { ...code, layout, form, updates };
}

/** The pivot test of column j, given d (the pivot) and m (the largest magnitude of the active column). */
function pivotTest(tau: string, finiteU: string | undefined, step: string): string {
  // NaN or ∞ anywhere in the active column fails `m <= MAX` (Math.max of a NaN is NaN); `d !== 0` holds the line
  // when τ is 0. U's part of the column feeds no later pivot test, so it is checked here: 0·x is NaN exactly when
  // x is not finite.
  const tests = ['d !== 0', `Math.abs(d) >= ${tau} * m`, `m <= ${MAX}`];
  if (finiteU !== undefined) tests.push(`${finiteU} === 0`);
  return `if (!(${tests.join(' && ')})) return ${step};`;
}

function factorDoc(layout: SparseLuLayout, names: SparseNames, form: string): string[] {
  const n = int(layout.symbolic.n);
  return [
    `Sparse LU of a ${n}×${n} matrix (${int(layout.slots)} slots for L\\U): PAPᵀ = LU with the diagonal pivots`,
    `of a fill-reducing order fixed at generation time; left-looking, ${form}.`,
    "a: the matrix's entries in their slots (the fill slots need no zeroing); overwritten by L\\U.",
    `Returns 0, or 1 + the step whose pivot failed |u_jj| ≥ ${names.tau}·max |active column| (or met NaN/∞).`,
  ];
}

function solveDoc(layout: SparseLuLayout, names: SparseNames): string[] {
  const n = int(layout.symbolic.n);
  return [
    `Solves A X = B for the ${n}×${n} matrix factored by ${names.factorName} (a as it left it).`,
    `b: nrhs right-hand sides of length ${n}, one after the other; overwritten by the solutions.`,
  ];
}

/** One statement per operation, split into parts of at most partSize statements. */
function straightLineForm(layout: SparseLuLayout, names: SparseNames): { factor: string; solve: string } {
  const { n, uStart, uRows, lStart, lRows, order: ord } = layout.symbolic;
  const { factorName, solveName, partSize } = names;
  const a = (i: number, j: number) => `a[${int(layout.slot(ord[i]!, ord[j]!))}]!`;
  // Factorization, as blocks of statements that a part may not split (a column's pivot test and multipliers share
  // d and m). Column j gets the updates from the columns k of L with U[k][j] ≠ 0, k ascending so that U[k][j] is
  // final when used; then its pivot test; then its multipliers.
  const written = new Uint8Array(layout.slots);
  for (const slot of layout.inputSlots) written[slot] = 1;
  const blocks: Block[] = [];
  for (let j = 0; j < n; j++) {
    const us = uRows.subarray(uStart[j]!, uStart[j + 1]!);
    const ls = lRows.subarray(lStart[j]!, lStart[j + 1]!);
    let count = 0;
    for (const k of us) count += lStart[k + 1]! - lStart[k]!;
    const section = `Column ${int(j)} (original ${int(ord[j]!)})`;
    const heading = `// ${section}: ${counted(count, 'update')}, the pivot, ${counted(ls.length, 'multiplier')}`;
    blocks.push({ lines: ['', heading], section });
    for (const k of us) {
      for (let p = lStart[k]!; p < lStart[k + 1]!; p++) {
        const i = lRows[p]!;
        const target = layout.slot(ord[i]!, ord[j]!);
        if (written[target] === 1) {
          blocks.push({ lines: [`${a(i, j)} -= ${a(i, k)} * ${a(k, j)};`], section });
        } else {
          // first contribution to a fill slot: an assignment, so fill slots need no zeroing
          blocks.push({ lines: [`${a(i, j)} = -(${a(i, k)} * ${a(k, j)});`], section });
          written[target] = 1;
        }
      }
    }
    const pivot = [`d = ${a(j, j)};`];
    const column = ['Math.abs(d)', ...[...ls].map((i) => `Math.abs(${a(i, j)})`)];
    pivot.push(column.length === 1 ? `m = ${column[0]};` : `m = Math.max(${column.join(', ')});`);
    const finiteU = us.length > 0 ? [...us].map((k) => `0 * ${a(k, j)}`).join(' + ') : undefined;
    pivot.push(pivotTest(names.tau, finiteU, int(j + 1)));
    for (const i of ls) pivot.push(`${a(i, j)} /= d;`);
    blocks.push({ lines: pivot, section });
  }
  for (let slot = 0; slot < layout.slots; slot++) {
    if (written[slot] !== 1) throw new Error(`internal: fill slot ${slot} is never computed`);
  }
  // d and m are declared where a part holds a pivot test
  const locals = (body: readonly string[]) =>
    body.some((l) => l.startsWith('d = ')) ? ['let d = 0;', 'let m = 0;'] : [];
  const factorParts = pack(blocks, partSize);
  const fDoc = factorDoc(layout, names, 'straight-line');
  const factorSignature = (name: string) => `function ${name}(a: Float64Array): number`;
  let factor: string;
  if (factorParts.length === 1) {
    const body = factorParts[0]!;
    factor = func(fDoc, factorSignature(factorName), [...locals(body), ...body, 'return 0;']);
  } else {
    const partName = (p: number) => `${factorName}Part${int(p)}`;
    const calls = ['let status = 0;'];
    factorParts.forEach((_, p) => {
      calls.push(`status = ${partName(p)}(a);`, 'if (status !== 0) return status;');
    });
    factor = [
      func(
        [...fDoc, `The work is split into ${int(factorParts.length)} parts, small enough for V8 to optimize.`],
        factorSignature(factorName),
        [...calls, 'return 0;'],
      ),
      ...factorParts.map((body, p) =>
        func(
          [`Part ${int(p)} of ${factorName}: returns 0, or 1 + the step whose pivot failed.`],
          factorSignature(partName(p)),
          [...locals(body), ...body, 'return 0;'],
        ),
      ),
    ].join('\n');
  }

  // Solve, in place on b: y_i = (L⁻¹Pb)_i overwrites b[order[i]], then x_i = (U⁻¹y)_i does, so b ends as x in the
  // original numbering with no permutation pass and no locals, and a part can stop after any statement.
  const lRowsOf: number[][] = Array.from({ length: n }, () => []);
  const uRowsOf: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < n; k++) {
    for (let p = lStart[k]!; p < lStart[k + 1]!; p++) lRowsOf[lRows[p]!]!.push(k);
  }
  for (let j = 0; j < n; j++) {
    for (let p = uStart[j]!; p < uStart[j + 1]!; p++) uRowsOf[uRows[p]!]!.push(j);
  }
  const x = (i: number) => rhsAt(ord[i]!);
  const forward = 'L y = P b (forward substitution, unit diagonal)';
  const back = 'U x = y (back substitution)';
  const subtract = (i: number, columns: readonly number[], section: string): Block[] => {
    const statements: Block[] = [];
    for (let t = 0; t < columns.length; t += TERMS_PER_STATEMENT) {
      const terms = columns.slice(t, t + TERMS_PER_STATEMENT).map((k) => `${a(i, k)} * ${x(k)}`);
      statements.push({ lines: [`${x(i)} -= ${terms.join(' + ')};`], section });
    }
    return statements;
  };
  const steps: Block[] = [{ lines: [`// ${forward}: y_i overwrites b[order[i]]`], section: forward }];
  for (let i = 0; i < n; i++) steps.push(...subtract(i, lRowsOf[i]!, forward));
  steps.push({
    lines: [`// ${back}: x_i overwrites b[order[i]], the solution in the original numbering`],
    section: back,
  });
  for (let i = n - 1; i >= 0; i--) {
    steps.push(...subtract(i, uRowsOf[i]!, back));
    steps.push({ lines: [`${x(i)} /= ${a(i, i)};`], section: back });
  }
  const solveParts = pack(steps, partSize);
  const sDoc = solveDoc(layout, names);
  const loop = (body: string[]) => [`for (let o = 0; o < nrhs * ${int(n)}; o += ${int(n)}) {`, ...body, '}'];
  const solveSignature = `function ${solveName}(a: Float64Array, b: Float64Array, nrhs = 1): void`;
  let solve: string;
  if (solveParts.length === 1) {
    solve = func(sDoc, solveSignature, loop(solveParts[0]!));
  } else {
    const partName = (p: number) => `${solveName}Part${int(p)}`;
    solve = [
      func(
        [...sDoc, `The work is split into ${int(solveParts.length)} parts, small enough for V8 to optimize.`],
        solveSignature,
        loop(solveParts.map((_, p) => `${partName(p)}(a, b, o);`)),
      ),
      ...solveParts.map((body, p) =>
        func(
          [`Part ${int(p)} of ${solveName}, for the right-hand side at b[o …].`],
          `function ${partName(p)}(a: Float64Array, b: Float64Array, o: number): void`,
          body,
        ),
      ),
    ].join('\n');
  }
  return { factor, solve };
}

/**
 * `const name = new Int32Array([…]);`, sixteen numbers a line; from PACKED_TABLE_FROM entries on, packed
 * (`unpackInt32('…', length)`: the module must define the decoder, as templates/ts/newton-matrix.ts does).
 */
function int32Table(name: string, comment: string, values: ArrayLike<number>): string {
  if (values.length >= PACKED_TABLE_FROM) {
    return `/** ${comment} (packed) */\nconst ${name}: Int32Array = ${int32ArrayLiteral(values)};\n`;
  }
  const all = Array.from(values, (v) => int(v));
  const lines: string[] = [];
  for (let i = 0; i < all.length; i += 16) lines.push(`  ${all.slice(i, i + 16).join(', ')},`);
  const array = values.length === 0 ? '[]' : ['[', ...lines, ']'].join('\n');
  return `/** ${comment} */\nconst ${name} = new Int32Array(${array});\n`;
}

/**
 * Loops over the structure of L\U, printed as constant tables (a few bytes per non-zero, nothing for the JIT to
 * chew on): left-looking with a dense work column, as in Gilbert and Peierls' LU, the pattern known in advance.
 */
function tableForm(layout: SparseLuLayout, names: SparseNames): { factor: string; solve: string } {
  const { n, uStart, uRows, lStart, lRows, order } = layout.symbolic;
  const { factorName: f, solveName } = names;
  const start = new Int32Array(n + 1);
  const diag = new Int32Array(n);
  const rows = new Int32Array(layout.slots);
  for (let j = 0; j < n; j++) {
    start[j] = uStart[j]! + lStart[j]! + j;
    diag[j] = start[j]! + uStart[j + 1]! - uStart[j]!;
    rows.set(uRows.subarray(uStart[j]!, uStart[j + 1]!), start[j]!);
    rows[diag[j]!] = j;
    rows.set(lRows.subarray(lStart[j]!, lStart[j + 1]!), diag[j]! + 1);
  }
  start[n] = layout.slots;
  const N = int(n);
  const tables = [
    int32Table(`${f}Start`, `First slot of each column of L\\U (column j: U's rows, the diagonal, L's rows).`, start),
    int32Table(`${f}Diag`, 'Slot of the diagonal (the pivot) of each column.', diag),
    int32Table(`${f}Row`, 'Row of each slot (its position in the elimination order).', rows),
    // The inputs rather than the fill: far fewer of them (a 128×128 grid's fill would be 5 MB of table).
    int32Table(
      `${f}Input`,
      'Slots that are inputs (ascending); the others, fill, are zeroed by the factorization.',
      layout.inputSlots,
    ),
    int32Table(`${f}Order`, 'order[k]: the original row and column eliminated k-th.', order),
    `/** A work column of the factorization. */\nconst ${f}Work = new Float64Array(${N});\n`,
  ].join('\n');
  const factorBody = [
    `const start = ${f}Start;`,
    `const diag = ${f}Diag;`,
    `const row = ${f}Row;`,
    `const input = ${f}Input;`,
    `const x = ${f}Work;`,
    '// zero the fill (every slot not an input), so the caller need not',
    `for (let s = 0, t = 0; s < ${int(layout.slots)}; s++) {`,
    'if (t < input.length && input[t] === s) t++;',
    'else a[s] = 0;',
    '}',
    `for (let j = 0; j < ${N}; j++) {`,
    'const first = start[j]!;',
    'const pivot = diag[j]!;',
    'const last = start[j + 1]!;',
    '// scatter column j into the work column',
    'for (let s = first; s < last; s++) x[row[s]!] = a[s]!;',
    "// x ← L⁻¹x over the column's U rows k, ascending: x[k] is final (U[k][j]) when column k of L is applied",
    'let finite = 0;',
    'for (let s = first; s < pivot; s++) {',
    'const k = row[s]!;',
    'const u = x[k]!;',
    'a[s] = u;',
    'finite += 0 * u;',
    'for (let q = diag[k]! + 1; q < start[k + 1]!; q++) x[row[q]!]! -= a[q]! * u;',
    '}',
    '// the pivot test on the active column, then the multipliers',
    'const d = x[j]!;',
    'let m = Math.abs(d);',
    'for (let s = pivot + 1; s < last; s++) m = Math.max(m, Math.abs(x[row[s]!]!));',
    pivotTest(names.tau, 'finite', 'j + 1'),
    'a[pivot] = d;',
    'for (let s = pivot + 1; s < last; s++) a[s] = x[row[s]!]! / d;',
    '}',
    'return 0;',
  ];
  const factor = [
    tables,
    func(factorDoc(layout, names, 'loops over tables'), `function ${f}(a: Float64Array): number`, factorBody),
  ].join('\n');
  const solveBody = [
    `const start = ${f}Start;`,
    `const diag = ${f}Diag;`,
    `const row = ${f}Row;`,
    `const order = ${f}Order;`,
    `for (let o = 0; o < nrhs * ${N}; o += ${N}) {`,
    '// L y = P b, column by column: y_j overwrites b[order[j]]',
    `for (let j = 0; j < ${N}; j++) {`,
    'const y = b[o + order[j]!]!;',
    'for (let s = diag[j]! + 1; s < start[j + 1]!; s++) b[o + order[row[s]!]!]! -= a[s]! * y;',
    '}',
    '// U x = y, column by column from the last: x_j overwrites b[order[j]], the solution in the original numbering',
    `for (let j = ${int(n - 1)}; j >= 0; j--) {`,
    'const x = b[o + order[j]!]! / a[diag[j]!]!;',
    'b[o + order[j]!] = x;',
    'for (let s = start[j]!; s < diag[j]!; s++) b[o + order[row[s]!]!]! -= a[s]! * x;',
    '}',
    '}',
  ];
  const solve = func(
    [...solveDoc(layout, names), `Uses the tables declared with ${f}.`],
    `function ${solveName}(a: Float64Array, b: Float64Array, nrhs = 1): void`,
    solveBody,
  );
  return { factor, solve };
}

/** Statements that a part of the straight-line form may not split, and the section they belong to. */
interface Block {
  readonly lines: readonly string[];
  /** What the block is part of ("Column 3 (original 7)"), repeated when a part begins inside it. */
  readonly section: string;
}

/**
 * Packs blocks of statements into parts of at most `size` statements (comments and blank lines not counted), a
 * block never split; a block larger than `size` gets a part of its own.
 */
function pack(blocks: readonly Block[], size: number): string[][] {
  const parts: string[][] = [];
  let count = 0;
  for (const block of blocks) {
    const statements = block.lines.filter((line) => line !== '' && !line.startsWith('//')).length;
    if (parts.length === 0 || (count > 0 && count + statements > size)) {
      const first = block.lines.find((line) => line !== '');
      parts.push(first?.startsWith('//') ? [] : [`// ${block.section}, continued`]);
      count = 0;
    }
    parts[parts.length - 1]!.push(...block.lines);
    count += statements;
  }
  // a part that starts with a blank line (before a column's heading) reads better without it
  for (const part of parts) if (part[0] === '') part.shift();
  return parts;
}
