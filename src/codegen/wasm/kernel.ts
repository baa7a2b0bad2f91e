/**
 * The WebAssembly kernel of a TypeScript solver: rhs and one explicit Runge–Kutta step (the work of the
 * TypeScript rkStep, same arguments, same result) as WebAssembly text with 128-bit SIMD, two lanes of f64.
 *
 * Where the time goes in a large variational system is in loops over many columns or components: the column
 * loops of Φ' = JΦ and S' = JS (two columns per instruction) and the stage combinations over the augmented
 * vector (two components per instruction). The straight-line part (f, J's non-zeros) is scalar, and so is
 * the whole step of a small system (./scalar-step.ts: every component a local, as the TypeScript step). Every
 * expression is the TypeScript solver's own printed expression, read back (see expression.ts), so the
 * kernel's results equal the TypeScript step's bit for bit.
 *
 * Memory: the kernel exports its memory; the solver module lays out in it a table of the stage vectors'
 * byte offsets (the driver swaps stage arrays between steps), the parameters, and the work vectors (see
 * module.ts). Offsets are bytes.
 */
import { numericTableau } from '../../methods/numeric.ts';
import { realStabilityBoundary, stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { combination, scaledError, stepFrom, timeAt, useScalarStep } from '../ts/explicit-rk.ts';
import { type ColumnLoop, planRhs } from '../ts/rhs.ts';
import { f64Literal, IMPORTED_FUNCTIONS, importedName, type Operand, watOf } from './expression.ts';
import { scalarStepFunction } from './scalar-step.ts';

const F64 = 8;

/**
 * Byte offsets of the kernel's memory: the stages' offsets (an i32 each) from 0, the parameters, the state of
 * the driver's loop that the kernel's own loop takes and gives back (LOOP_SLOTS doubles), the driver's
 * POWER_TABLE (copied there by the module, read by $power), then the work vectors.
 */
export function kernelLayout(
  stages: number,
  params: number,
): { paramsAt: number; loopAt: number; powerAt: number; vectorsAt: number } {
  const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const paramsAt = align(stages * 4);
  const loopAt = align(paramsAt + params * F64);
  const powerAt = align(loopAt + LOOP_SLOTS.length * F64);
  return { paramsAt, loopAt, powerAt, vectorsAt: align(powerAt + POWER_TABLE_LENGTH * F64) };
}

/** Doubles in the driver's POWER_TABLE (templates/ts/driver.ts), which the module copies to powerAt. */
export const POWER_TABLE_LENGTH = 384;

/**
 * The driver's loop variables that the kernel's loop reads and writes, in this order at loopAt (doubles; the
 * flag as 0 or 1), and `accepted`: the steps it accepted, whose parity says whether y and yNew (and work[0]
 * and work[F_NEW]) changed places. templates/ts/wasm-kernel.ts lists the same slots.
 */
export const LOOP_SLOTS = [
  't',
  'h',
  'steps',
  'rejected',
  'evals',
  'rho',
  'stiffSteps',
  'nonStiffSteps',
  'freshEstimate',
  'rejectedBefore',
  'nonFiniteRun',
  'accepted',
] as const;

/** Locals of one WebAssembly function, named $l0, $l1, … whatever the printed names were. */
class Locals {
  private readonly byName = new Map<string, { id: string; type: string }>();
  private readonly declared: string[] = [];

  /** The local for `name` (created with `type` on first use). */
  get(name: string, type: 'f64' | 'i32' | 'v128'): string {
    let l = this.byName.get(name);
    if (l === undefined) {
      l = { id: `$l${this.byName.size}`, type };
      this.byName.set(name, l);
      this.declared.push(`(local ${l.id} ${type})`);
    }
    if (l.type !== type) throw new Error(`internal: local ${name} used as ${type} and ${l.type}`);
    return l.id;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  declarations(): string {
    return this.declared.join(' ');
  }
}

/**
 * Pairs of f64 slots per iteration of the kernel's vector loops. Four pairs a turn took 0.75–0.92× the time of one
 * (Lorenz-96, state + Φ, N = 10 to 200, plain and relaxed-SIMD kernels; two pairs 0.78–0.97×): fewer counter
 * updates and branches per load, and independent work for the CPU to overlap (measured 2026-12-06 on the
 * development machine: the same solves, alternating rounds in one process).
 */
const PAIRS_PER_TURN = 4;

/**
 * A loop over `count` f64 slots, two per f64x2 and `unroll` pairs per iteration (`vectorBody(d)`: the pair at
 * the counter plus d bytes), the pairs left over straight after it, and a scalar epilogue for an odd count.
 */
function pairedLoop(
  label: string,
  counter: string,
  count: number,
  vectorBody: (d: number) => string[],
  scalarTail: (() => string[]) | undefined,
  unroll = PAIRS_PER_TURN,
): string[] {
  const out: string[] = [];
  const pairs = Math.floor(count / 2);
  const stride = 2 * F64 * unroll;
  if (pairs >= 1) out.push(`(local.set ${counter} (i32.const 0))`);
  if (pairs >= unroll) {
    out.push(
      `(block $${label}_end (loop $${label}_next`,
      `  (br_if $${label}_end (i32.gt_u (i32.add (local.get ${counter}) (i32.const ${stride})) (i32.const ${2 * pairs * F64})))`,
      ...Array.from({ length: unroll }, (_, u) => vectorBody(2 * F64 * u).map((l) => `  ${l}`)).flat(),
      `  (local.set ${counter} (i32.add (local.get ${counter}) (i32.const ${stride})))`,
      `  (br $${label}_next)))`,
    );
  }
  for (let u = 0; u < pairs % unroll; u++) out.push(...vectorBody(2 * F64 * u));
  if (count % 2 === 1 && scalarTail) out.push(...scalarTail());
  return out;
}

/**
 * The value of a paired loop's last, odd component: the scalar expression; with `fuse`, the vector expression on
 * lane 0 (vector operands loaded into lane 0), so that the last component takes the same multiply-adds as the
 * components in pairs and every component's bits are the same wherever a loop's pairs start (as between the
 * column slices of src/threads).
 */
function lastComponent(
  text: string,
  scalarOperand: (name: string) => Operand,
  laneOperand: (name: string) => Operand,
  imports: Set<string>,
  fuse: boolean,
): string {
  if (!fuse) return watOf(text, scalarOperand, imports).wat;
  const v = watOf(text, laneOperand, imports, true);
  return v.vector ? `(f64x2.extract_lane 0 ${v.wat})` : v.wat;
}

/** The rhs function: (t, y, p, dy) with byte offsets. */
function rhsFunction(system: AugmentedSystem, imports: Set<string>, fuse: boolean): string {
  const plan = planRhs(system);
  const L = new Locals();
  const t = '$t';
  const scalar = (name: string): Operand => {
    if (name === 't') return { wat: `(local.get ${t})`, vector: false };
    if (!L.has(name)) throw new Error(`internal: rhs reads ${name} before it is defined`);
    return { wat: `(local.get ${L.get(name, 'f64')})`, vector: false };
  };
  const body: string[] = [];
  for (const i of plan.inputs) {
    const base = i.from === 'y' ? '$y' : '$p';
    body.push(`(local.set ${L.get(i.name, 'f64')} (f64.load offset=${i.index * F64} (local.get ${base})))`);
  }
  for (const tmp of plan.temps) {
    const value = watOf(tmp.text, scalar, imports).wat;
    body.push(`(local.set ${L.get(tmp.name, 'f64')} ${value})`);
  }
  for (const o of plan.outputs) {
    body.push(
      `(f64.store offset=${o.index * F64} (local.get $dy) ${watOf(o.text, scalar, imports).wat}) ;; ${o.index}`,
    );
  }
  plan.loops.forEach((loop, n) => {
    body.push(...columnLoop(loop, n, L, scalar, imports, fuse));
  });
  for (const inc of plan.increments) {
    const at = inc.index * F64;
    const value = watOf(inc.text, scalar, imports).wat;
    body.push(`(f64.store offset=${at} (local.get $dy) (f64.add (f64.load offset=${at} (local.get $dy)) ${value}))`);
  }
  return [
    `(func $rhs (param $t f64) (param $y i32) (param $p i32) (param $dy i32) ${L.declarations()}`,
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/**
 * One column loop of the rhs (the TypeScript step's loop over the columns of Φ or S), row by row: for each row i
 * of the block, a loop over its columns, two at a time, dX[i][c] = Σ_k J_ik X[k][c] with row i's few coefficients
 * splatted before it; the last column alone when the width is odd. Each element is the TypeScript loop's
 * expression (the same bits); the loads and stores walk rows of X contiguously and only a handful of values are
 * live. (Column pair by column pair instead, every coefficient of the block is live across the loop body —
 * hundreds for Lorenz-96 N = 100, which spill: that took 1.17–1.23× the time at N = 100 and 200, and 0.98–1.06×
 * from 6 to 16 states; measured 2026-12-06 on the development machine.)
 */
function columnLoop(
  loop: ColumnLoop,
  n: number,
  L: Locals,
  scalar: (name: string) => Operand,
  imports: Set<string>,
  fuse: boolean,
): string[] {
  const counter = L.get(' column', 'i32');
  const src = L.get(' src', 'i32');
  const rowAt = (row: number) => (loop.offset + row * loop.stride) * F64;
  const out: string[] = [`;; ${loop.comment}, row by row`];
  loop.rows.forEach((text, i) => {
    // this row's coefficients, splatted into a few locals shared by all rows
    const splats: string[] = [];
    const names = new Map<string, string>();
    const vector =
      (d: number) =>
      (name: string): Operand => {
        if (/^x\d+$/.test(name)) {
          return {
            wat: `(v128.load offset=${rowAt(Number(name.slice(1))) + d} align=8 (local.get ${src}))`,
            vector: true,
          };
        }
        let local = names.get(name);
        if (local === undefined) {
          local = L.get(` row splat ${names.size}`, 'v128');
          names.set(name, local);
          splats.push(`(local.set ${local} (f64x2.splat ${scalar(name).wat}))`);
        }
        return { wat: `(local.get ${local})`, vector: true };
      };
    const body = (d: number) => {
      const v = watOf(text, vector(d), imports, fuse);
      return [
        ...(d === 0 ? [`(local.set ${src} (i32.add (local.get $y) (local.get ${counter})))`] : []),
        `(v128.store offset=${rowAt(i) + d} align=8 (i32.add (local.get $dy) (local.get ${counter})) ${v.vector ? v.wat : `(f64x2.splat ${v.wat})`})`,
      ];
    };
    const last = (loop.width - 1) * F64;
    const tail = () => {
      const lastColumn =
        (load: 'f64.load' | 'v128.load64_zero') =>
        (name: string): Operand =>
          /^x\d+$/.test(name)
            ? {
                wat: `(${load} offset=${rowAt(Number(name.slice(1))) + last} (local.get $y))`,
                vector: load !== 'f64.load',
              }
            : scalar(name);
      const value = lastComponent(text, lastColumn('f64.load'), lastColumn('v128.load64_zero'), imports, fuse);
      return [`(f64.store offset=${rowAt(i) + last} (local.get $dy) ${value})`];
    };
    // (the loop first: emitting its body is what collects the splats that go before it)
    const rowLoop = pairedLoop(`row${n}_${i}`, counter, loop.width, body, tail);
    out.push(...(loop.width >= 2 ? splats : []), ...rowLoop);
  });
  return out;
}

/** The step function: the TypeScript rkStep's arithmetic over the augmented vector, two components at a time. */
function stepFunction(
  system: AugmentedSystem,
  method: ExplicitRungeKuttaMethod,
  imports: Set<string>,
  fuse: boolean,
): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const m = system.size;
  const L = new Locals();
  const kLocal = (j: number) => L.get(` k${j + 1}`, 'i32');
  const o = L.get(' offset', 'i32');
  const scalarParams: Record<string, string> = { t: '$t', h: '$h', rtol: '$rtol', atol: '$atol' };
  const param = (name: string): Operand | undefined =>
    scalarParams[name] ? { wat: `(local.get ${scalarParams[name]})`, vector: false } : undefined;
  const vectors: Record<string, string> = { y: '$y', z: '$z', yNew: '$yNew' };
  for (let j = 0; j < s; j++) vectors[`k${j + 1}`] = kLocal(j);
  /** Names of vectors at the loop's offset: f64x2 loads (or f64 loads at a constant offset, for the tail). */
  const hVector = L.get(' h2', 'v128');
  /**
   * Vectors at the loop's offset plus `pair` bytes, or the component at a constant offset: as f64, or in lane 0.
   */
  const at =
    (mode: { pair: number } | { constant: number; lane?: true }) =>
    (name: string): Operand => {
      const vector = 'pair' in mode || mode.lane === true;
      if (vector && name === 'h') return { wat: `(local.get ${hVector})`, vector: true };
      const p = param(name);
      if (p) return p;
      const base = vectors[name];
      if (!base) throw new Error(`internal: the step reads unknown ${name}`);
      if ('pair' in mode) {
        const address = `(i32.add (local.get ${base}) (local.get ${o}))`;
        return { wat: `(v128.load offset=${mode.pair} align=8 ${address})`, vector: true };
      }
      if (mode.lane) return { wat: `(v128.load64_zero offset=${mode.constant} (local.get ${base}))`, vector: true };
      return { wat: `(f64.load offset=${mode.constant} (local.get ${base}))`, vector: false };
    };
  const lastAt = { constant: (m - 1) * F64 };
  const last = (text: string) => lastComponent(text, at(lastAt), at({ ...lastAt, lane: true }), imports, fuse);
  const time = (c: number) => watOf(timeAt(c), (name) => param(name)!, imports).wat;
  const k = (j: number) => `k${j + 1}`;

  const body: string[] = [`(local.set ${hVector} (f64x2.splat (local.get $h)))`];
  for (let j = 0; j < s; j++) body.push(`(local.set ${kLocal(j)} (i32.load offset=${j * 4} (local.get $stages)))`);
  const explicitStages = method.fsal ? s - 1 : s;
  for (let i = 1; i < explicitStages; i++) {
    const text = stepFrom('y', combination(tab.a[i]!, k));
    body.push(
      `;; stage ${i + 1}: z = y + h Σ a_${i + 1}j k_j`,
      ...pairedLoop(
        `stage${i + 1}`,
        o,
        m,
        (d) => [
          `(v128.store offset=${d} align=8 (i32.add (local.get $z) (local.get ${o})) ${watOf(text, at({ pair: d }), imports, fuse).wat})`,
        ],
        () => [`(f64.store offset=${lastAt.constant} (local.get $z) ${last(text)})`],
      ),
    );
    if (i === stiff) {
      body.push(
        `(if (local.get $record) (then (memory.copy (local.get $zStiff) (local.get $z) (i32.const ${m * F64}))))`,
      );
    }
    body.push(`(call $rhs ${time(tab.c[i]!)} (local.get $z) (local.get $p) (local.get ${kLocal(i)}))`);
  }
  // The new value, and whether all of it is finite: v * 0 is 0 for finite v and NaN otherwise. (The
  // TypeScript step sums v * 0; here NaN-lane masks are or-ed, which answers the same question without a
  // chain of dependent additions through the loop.)
  const newValue = stepFrom('y', combination(tab.b, k));
  const v = L.get(' v', 'v128');
  const nonFinite = L.get(' nonFinite', 'v128');
  const zeroed = L.get(' zeroed', 'v128');
  const finite = L.get(' finite', 'i32');
  body.push(
    ';; yNew = y + h Σ b_j k_j',
    `(local.set ${nonFinite} (v128.const i64x2 0 0))`,
    ...pairedLoop(
      'new',
      o,
      m,
      (d) => [
        `(local.set ${v} ${watOf(newValue, at({ pair: d }), imports, fuse).wat})`,
        `(v128.store offset=${d} align=8 (i32.add (local.get $yNew) (local.get ${o})) (local.get ${v}))`,
        `(local.set ${zeroed} (f64x2.mul (local.get ${v}) (v128.const i64x2 0 0)))`,
        `(local.set ${nonFinite} (v128.or (local.get ${nonFinite}) (f64x2.ne (local.get ${zeroed}) (local.get ${zeroed}))))`,
      ],
      undefined,
    ),
    `(local.set ${finite} (i32.eqz (v128.any_true (local.get ${nonFinite}))))`,
  );
  if (m % 2 === 1) {
    const lastNew = L.get(' last', 'f64');
    body.push(
      `(local.set ${lastNew} ${last(newValue)})`,
      `(f64.store offset=${lastAt.constant} (local.get $yNew) (local.get ${lastNew}))`,
      `(local.set ${finite} (i32.and (local.get ${finite}) (f64.eq (f64.mul (local.get ${lastNew}) (f64.const 0)) (f64.const 0))))`,
    );
  }
  body.push(
    `;; F(t + h, yNew)${method.fsal ? `: stage ${s}` : ', the next step’s first stage'}`,
    `(call $rhs ${time(1)} (local.get $yNew) (local.get $p) (local.get ${method.fsal ? kLocal(s - 1) : '$fNew'}))`,
  );
  if (!tab.errorWeights) {
    body.push(`(select (f64.const 0) (f64.const inf) (local.get ${finite}))`);
  } else {
    const err = L.get(' err', 'f64');
    const e = L.get(' e', 'f64');
    const limit = L.get(' limit', 'i32');
    const scalarAt = (name: string): Operand => {
      const p = param(name);
      if (p) return p;
      const base = vectors[name];
      if (!base) throw new Error(`internal: the error norm reads unknown ${name}`);
      return { wat: `(f64.load (i32.add (local.get ${base}) (local.get ${o})))`, vector: false };
    };
    const scaled = watOf(scaledError(combination(tab.errorWeights, k), 'y', 'yNew'), scalarAt, imports).wat;
    body.push(
      ';; the max norm of the scaled error over the first `controlled` components; NaN wins',
      `(local.set ${err} (f64.const 0))`,
      `(local.set ${o} (i32.const 0))`,
      `(local.set ${limit} (i32.shl (local.get $controlled) (i32.const 3)))`,
      '(block $error_end (loop $error_next',
      `  (br_if $error_end (i32.ge_u (local.get ${o}) (local.get ${limit})))`,
      `  (local.set ${e} ${scaled})`,
      `  (if (i32.or (f64.gt (local.get ${e}) (local.get ${err})) (f64.ne (local.get ${e}) (local.get ${e}))) (then (local.set ${err} (local.get ${e}))))`,
      `  (local.set ${o} (i32.add (local.get ${o}) (i32.const ${F64})))`,
      '  (br $error_next)))',
      `(select (local.get ${err}) (f64.const inf) (local.get ${finite}))`,
    );
  }
  return [
    '(func $step (export "step") (param $t f64) (param $h f64) (param $y i32) (param $p i32) (param $stages i32)',
    '  (param $z i32) (param $yNew i32) (param $fNew i32) (param $zStiff i32) (param $record i32)',
    `  (param $rtol f64) (param $atol f64) (param $controlled i32) (result f64) ${L.declarations()}`,
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/**
 * The stiffness estimate's ρ over the augmented vector, as stiffnessRhoPortable in the template computes it:
 * max_i |fNew_i − fz_i| w_i / max_i |yNew_i − z_i| w_i with w_i = 1 / (1 + |yNew_i|), NaN when the
 * denominator is at rounding level. A max does not depend on the order it is taken in, so two lanes give
 * the same value.
 */
function stiffnessFunction(m: number): string {
  /** One pair at the counter plus `offset` bytes ('vector'), or the component at byte `offset` ('scalar'). */
  const lanes = (kind: 'vector' | 'scalar', offset: number) => {
    const ty = kind === 'vector' ? 'f64x2' : 'f64';
    const load = (base: string) =>
      kind === 'vector'
        ? `(v128.load offset=${offset} align=8 (i32.add (local.get ${base}) (local.get $i)))`
        : `(f64.load offset=${offset} (local.get ${base}))`;
    const one = kind === 'vector' ? '(v128.const f64x2 1 1)' : '(f64.const 1)';
    const w = kind === 'vector' ? '$w2' : '$w';
    const df = kind === 'vector' ? '$df2' : '$df';
    const dz = kind === 'vector' ? '$dz2' : '$dz';
    return [
      `(local.set ${w} (${ty}.div ${one} (${ty}.add ${one} (${ty}.abs ${load('$yNew')}))))`,
      `(local.set ${df} (${ty}.max (local.get ${df}) (${ty}.mul (${ty}.abs (${ty}.sub ${load('$fNew')} ${load('$fz')})) (local.get ${w}))))`,
      `(local.set ${dz} (${ty}.max (local.get ${dz}) (${ty}.mul (${ty}.abs (${ty}.sub ${load('$yNew')} ${load('$z')})) (local.get ${w}))))`,
    ];
  };
  const body = [
    '(local.set $df2 (v128.const i64x2 0 0)) (local.set $dz2 (v128.const i64x2 0 0))',
    ...pairedLoop('rho', '$i', m, (d) => lanes('vector', d), undefined),
    '(local.set $df (f64.max (f64x2.extract_lane 0 (local.get $df2)) (f64x2.extract_lane 1 (local.get $df2))))',
    '(local.set $dz (f64.max (f64x2.extract_lane 0 (local.get $dz2)) (f64x2.extract_lane 1 (local.get $dz2))))',
    ...(m % 2 === 1 ? lanes('scalar', (m - 1) * F64) : []),
    '(select (f64.div (local.get $df) (local.get $dz)) (f64.const nan) (f64.gt (local.get $dz) (f64.const 1e-13)))',
  ];
  return [
    '(func $stiffness (export "stiffness") (param $fNew i32) (param $fz i32) (param $yNew i32) (param $z i32) (result f64)',
    '  (local $i i32) (local $w f64) (local $df f64) (local $dz f64) (local $w2 v128) (local $df2 v128) (local $dz2 v128)',
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/**
 * The driver's loop (templates/ts/driver.ts, integrate) for an adaptive solve with no callbacks, samples or
 * events, step for step the same arithmetic: the step, the controller 0.9·err^exponent within [0.2, 5] (the
 * driver's controllerPower), the stability watch h·ρ with its rejections and its count of steps held at the
 * limit. It takes the loop's variables from memory (LOOP_SLOTS) and runs until t1, or until an iteration ends
 * anywhere but in an accepted step or an ordinary rejection — max-steps, a step too small, a run of non-finite
 * values, stiffness — and then leaves that iteration undone: the driver's loop takes it again from the same
 * variables, with the same results, and fails with its own message. So the kernel's loop never reports a
 * failure, and a solve's result does not depend on which loop took its steps.
 */
function loopFunction(system: AugmentedSystem, method: ExplicitRungeKuttaMethod, paramsAt: number): string {
  const tab = numericTableau(method);
  const s = tab.c.length;
  const m = system.size;
  const stiff = stiffnessStage(method);
  const boundary = realStabilityBoundary(method);
  const fsal = method.fsal === true;
  const stepEvals = fsal ? s - 1 : s;
  const g = (name: string) => `(local.get $${name})`;
  const c = (v: number) => `(f64.const ${f64Literal(v)})`;
  const slot = (name: (typeof LOOP_SLOTS)[number]) => LOOP_SLOTS.indexOf(name) * F64;
  const state = LOOP_SLOTS;
  // work[F_NEW]: the last stage of an FSAL method (its offset in the stage table), fNext otherwise
  const fNewOffset = fsal ? `(i32.load offset=${(s - 1) * 4} (i32.const 0))` : g('fNext');
  /** The driver's tooSmall(h, t): h ≤ 16 ε max(|t|, MIN_VALUE). */
  const tooSmall = (h: string) =>
    `(f64.le ${h} (f64.mul ${c(16 * Number.EPSILON)} (f64.max (f64.abs ${g('t')}) ${c(Number.MIN_VALUE)})))`;
  const factorOf = (err: string) => `(f64.mul ${c(0.9)} (call $power ${err} ${g('exponent')}))`;
  const body: string[] = [
    ...state.map((name) => `(local.set $${name} (f64.load offset=${slot(name)} (local.get $state)))`),
    `(local.set $accepted ${c(0)})`,
    '(block $exit (loop $next',
    `  (br_if $exit (i32.eqz (f64.gt (f64.mul ${g('dir')} (f64.sub ${g('t1')} ${g('t')})) ${c(0)})))`,
    `  (br_if $exit (f64.ge (f64.add ${g('steps')} ${g('rejected')}) ${g('maxSteps')}))`,
    '  ;; the last step lands exactly on t1',
    `  (local.set $last (f64.ge (f64.mul ${g('h')} ${c(1 + 1e-9)}) (f64.mul ${g('dir')} (f64.sub ${g('t1')} ${g('t')}))))`,
    `  (local.set $hSigned (select (f64.sub ${g('t1')} ${g('t')}) (f64.mul ${g('dir')} ${g('h')}) ${g('last')}))`,
    `  (local.set $tNew (select ${g('t1')} (f64.add ${g('t')} ${g('hSigned')}) ${g('last')}))`,
    `  (br_if $exit (f64.eq ${g('tNew')} ${g('t')}))`,
    stiff >= 0
      ? `  (local.set $estimate (i32.or (i32.or (f64.ne ${g('freshEstimate')} ${c(0)}) (i64.eqz (i64.and (i64.trunc_f64_s ${g('steps')}) (i64.const 3)))) (f64.ne ${g('rejected')} ${g('rejectedBefore')})))`
      : '  (local.set $estimate (i32.const 0))',
    `  (local.set $err (call $step ${g('t')} ${g('hSigned')} ${g('y')} (i32.const ${paramsAt}) (i32.const 0) ${g('z')} ${g('yNew')} ${g('fNext')} ${g('zStiff')} ${g('estimate')} ${g('rtol')} ${g('atol')} ${g('controlled')}))`,
    '  (if (i32.eqz (f64.le (local.get $err) (f64.const 1))) (then',
    '    ;; rejected: retry with a smaller step (the driver takes a step too small or a run of non-finite values)',
    `    (local.set $finite (f64.lt (f64.abs ${g('err')}) ${c(Number.POSITIVE_INFINITY)}))`,
    `    (local.set $run (select ${c(0)} (f64.add ${g('nonFiniteRun')} ${c(1)}) ${g('finite')}))`,
    `    (local.set $hTry (f64.mul ${g('h')} (select (f64.max ${c(0.2)} ${factorOf(g('err'))}) ${c(0.25)} ${g('finite')})))`,
    `    (br_if $exit (i32.and (i32.eqz ${g('finite')}) (f64.ge ${g('run')} ${g('nonFiniteCuts')})))`,
    `    (br_if $exit ${tooSmall(g('hTry'))})`,
    `    (local.set $evals (f64.add ${g('evals')} ${c(stepEvals)}))`,
    `    (local.set $rejected (f64.add ${g('rejected')} ${c(1)}))`,
    '    (local.set $nonFiniteRun (local.get $run))',
    '    (local.set $h (local.get $hTry))',
    '    (br $next)))',
    `  (local.set $factor (select ${c(5)} (f64.min ${c(5)} (f64.max ${c(0.2)} ${factorOf(g('err'))})) (f64.eq ${g('err')} ${c(0)})))`,
    `  (local.set $rhoNew ${g('rho')}) (local.set $freshNew ${g('freshEstimate')}) (local.set $rejectedBeforeNew ${g('rejectedBefore')})`,
    `  (local.set $stiffNew ${g('stiffSteps')}) (local.set $nonStiffNew ${g('nonStiffSteps')})`,
  ];
  if (stiff >= 0) {
    const limitOver = `(f64.div (f64.mul ${c(0.9)} ${c(boundary)}) ${g('hRho')})`;
    body.push(
      '  ;; stability: h·ρ against the boundary',
      '  (if (local.get $estimate) (then',
      `    (local.set $latest (call $stiffness ${fNewOffset} (i32.load offset=${stiff * 4} (i32.const 0)) ${g('yNew')} ${g('zStiff')}))`,
      `    (if (f64.eq ${g('latest')} ${g('latest')}) (then (local.set $rhoNew ${g('latest')})))`,
      `    (local.set $rejectedBeforeNew ${g('rejected')})`,
      `    (local.set $freshNew ${c(0)})))`,
      `  (local.set $hRho (f64.mul (f64.abs ${g('hSigned')}) ${g('rhoNew')}))`,
      `  (if (i32.and (i32.lt_s ${g('controlled')} (i32.const ${m})) (f64.gt ${g('hRho')} ${c(boundary)})) (then`,
      `    (local.set $hTry (f64.mul ${g('h')} (f64.max ${c(0.2)} ${limitOver})))`,
      `    (br_if $exit ${tooSmall(g('hTry'))})`,
      `    (local.set $evals (f64.add ${g('evals')} ${c(stepEvals)}))`,
      `    (local.set $rejected (f64.add ${g('rejected')} ${c(1)}))`,
      `    (local.set $nonFiniteRun ${c(0)})`,
      '    (local.set $rho (local.get $rhoNew)) (local.set $freshEstimate (local.get $freshNew))',
      '    (local.set $rejectedBefore (local.get $rejectedBeforeNew))',
      '    (local.set $h (local.get $hTry))',
      '    (br $next)))',
      `  (if (f64.gt ${g('hRho')} ${c(0)}) (then (local.set $factor (f64.min ${g('factor')} (f64.max ${c(1)} ${limitOver})))))`,
      '  (if (local.get $detect) (then',
      `    (if (f64.gt ${g('hRho')} (f64.mul ${c(0.8)} ${c(boundary)}))`,
      `      (then (local.set $stiffNew (f64.add ${g('stiffSteps')} ${c(1)})) (local.set $nonStiffNew ${c(0)}))`,
      `      (else (local.set $nonStiffNew (f64.add ${g('nonStiffSteps')} ${c(1)}))`,
      `        (if (f64.ge ${g('nonStiffNew')} ${c(6)}) (then (local.set $stiffNew ${c(0)})))))`,
      `    (br_if $exit (f64.ge ${g('stiffNew')} ${g('stiffLimit')}))))`,
    );
  }
  body.push(
    '  ;; accepted: F(tNew, yNew) becomes work[0], yNew becomes y',
    `  (local.set $evals (f64.add ${g('evals')} ${c(stepEvals)}))`,
    `  (local.set $nonFiniteRun ${c(0)})`,
    '  (local.set $rho (local.get $rhoNew)) (local.set $freshEstimate (local.get $freshNew))',
    '  (local.set $rejectedBefore (local.get $rejectedBeforeNew))',
    '  (local.set $stiffSteps (local.get $stiffNew)) (local.set $nonStiffSteps (local.get $nonStiffNew))',
    '  (local.set $swap (i32.load (i32.const 0)))',
    fsal
      ? `  (i32.store (i32.const 0) (i32.load offset=${(s - 1) * 4} (i32.const 0))) (i32.store offset=${(s - 1) * 4} (i32.const 0) (local.get $swap))`
      : '  (i32.store (i32.const 0) (local.get $fNext)) (local.set $fNext (local.get $swap))',
    '  (local.set $swap (local.get $y)) (local.set $y (local.get $yNew)) (local.set $yNew (local.get $swap))',
    '  (local.set $t (local.get $tNew))',
    `  (local.set $steps (f64.add ${g('steps')} ${c(1)}))`,
    `  (local.set $accepted (f64.add ${g('accepted')} ${c(1)}))`,
    '  (local.set $h (f64.mul (local.get $h) (local.get $factor)))',
    '  (br $next)))',
    ...state.map((name) => `(f64.store offset=${slot(name)} (local.get $state) (local.get $${name}))`),
  );
  const locals = [
    ...state.map((name) => `(local $${name} f64)`),
    '(local $last i32) (local $hSigned f64) (local $tNew f64) (local $estimate i32) (local $err f64)',
    '(local $finite i32) (local $run f64) (local $hTry f64) (local $factor f64) (local $latest f64) (local $hRho f64)',
    '(local $rhoNew f64) (local $freshNew f64) (local $rejectedBeforeNew f64) (local $stiffNew f64) (local $nonStiffNew f64)',
    '(local $swap i32)',
  ];
  return [
    '(func (export "advance") (param $state i32) (param $t1 f64) (param $dir f64) (param $rtol f64) (param $atol f64)',
    '  (param $controlled i32) (param $maxSteps f64) (param $detect i32) (param $exponent f64)',
    '  (param $nonFiniteCuts f64) (param $stiffLimit f64)',
    '  (param $y i32) (param $yNew i32) (param $z i32) (param $fNext i32) (param $zStiff i32)',
    ...locals.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/**
 * The driver's controllerPower(x, q) (templates/ts/driver.ts) for a finite x > 0, operation for operation, so
 * that the two loops choose the same step sizes, with the driver's POWER_TABLE at byte `tableAt` of memory (the
 * module copies it there): x = m·2^e, ln m = −ln(1/c_j) + ln(1 + r), x^q = 2^(k/128)·exp(s).
 */
export function powerFunction(tableAt: number): string {
  const c = (v: number) => `(f64.const ${f64Literal(v)})`;
  const l = (name: string) => `(local.get $${name})`;
  const add = (a: string, b: string) => `(f64.add ${a} ${b})`;
  const mul = (a: string, b: string) => `(f64.mul ${a} ${b})`;
  const set = (name: string, value: string) => `(local.set $${name} ${value})`;
  const table = (index: string, offset: number) => `(f64.load offset=${tableAt + offset} ${index})`;
  const body = [
    `(if (f64.lt ${l('x')} ${c(2.2250738585072014e-308)}) (then`,
    `  ${set('x', mul(l('x'), c(18014398509481984)))}`,
    `  ${set('e', c(-54))}))`,
    set('bits', `(i64.reinterpret_f64 ${l('x')})`),
    set(
      'e',
      add(
        l('e'),
        `(f64.sub (f64.convert_i64_s (i64.and (i64.shr_u ${l('bits')} (i64.const 52)) (i64.const 0x7ff))) ${c(1023)})`,
      ),
    ),
    // byte offset of entry 2j: j, the top 7 bits of the fraction, times 16
    set('j', `(i32.wrap_i64 (i64.and (i64.shr_u ${l('bits')} (i64.const 41)) (i64.const 0x7f0)))`),
    set(
      'm',
      `(f64.reinterpret_i64 (i64.or (i64.and ${l('bits')} (i64.const 0x000fffffffffffff)) (i64.const 0x3ff0000000000000)))`,
    ),
    set('r', `(f64.sub ${mul(l('m'), table(l('j'), 0))} ${c(1)})`),
    // q·(e·ln 2 + T[2j + 1] + (r + r·r·(−½ + r·(⅓ + r·−¼)))), left to right as JavaScript reads it
    set(
      'y',
      mul(
        l('q'),
        add(
          add(mul(l('e'), c(0.6931471805599453)), table(l('j'), F64)),
          add(l('r'), mul(mul(l('r'), l('r')), add(c(-0.5), mul(l('r'), add(c(1 / 3), mul(l('r'), c(-0.25))))))),
        ),
      ),
    ),
    set('y', `(f64.min ${c(700)} (f64.max ${c(-700)} ${l('y')}))`),
    set('k', `(f64.floor ${add(mul(l('y'), c(184.6649652337873)), c(0.5))})`),
    set(
      's',
      `(f64.sub (f64.sub ${l('y')} ${mul(l('k'), c(0.00541521234663378))}) ${mul(l('k'), c(1.4907929134926466e-12))})`,
    ),
    set('ki', `(i64.trunc_f64_s ${l('k')})`),
    // (1 + s + s·s·(½ + s·(⅙ + s/24))) · T[256 + (k & 127)] · 2^(k >> 7)
    mul(
      mul(
        add(
          add(c(1), l('s')),
          mul(mul(l('s'), l('s')), add(c(0.5), mul(l('s'), add(c(1 / 6), mul(l('s'), c(1 / 24)))))),
        ),
        table(`(i32.wrap_i64 (i64.shl (i64.and ${l('ki')} (i64.const 127)) (i64.const 3)))`, 256 * F64),
      ),
      `(f64.reinterpret_i64 (i64.shl (i64.add (i64.shr_s ${l('ki')} (i64.const 7)) (i64.const 1023)) (i64.const 52)))`,
    ),
  ];
  return [
    '(func $power (param $x f64) (param $q f64) (result f64)',
    '  (local $e f64) (local $bits i64) (local $j i32) (local $m f64) (local $r f64) (local $y f64) (local $k f64)',
    '  (local $s f64) (local $ki i64)',
    ...body.map((line) => `  ${line}`),
    ')',
  ].join('\n');
}

/**
 * Up to this many components of the augmented vector, the scalar step keeps them in pairs (./scalar-step.ts,
 * lanes 2: two per f64x2). Measured against one per local, same run (2026-12-06, development machine):
 * 0.80–0.92× the time for the seed problem (6 and 8 components, RK45CK and RK87), 0.86–0.94× for Lorenz (12, 21)
 * and Lorenz-96 N = 4 (20, 24; RK87 at 24: 1.00×), but 0.99–1.2× for Lorenz-96 N = 5 (30): moving components in
 * and out of the lanes for the right-hand side costs more there than the halved stage arithmetic saves.
 */
const PAIRED_STEP_UP_TO = 24;

/**
 * The kernel as WebAssembly text: imports (the Math functions the model calls), memory, rhs and step. `fma`: the
 * vector loops (column products, stage combinations) use relaxed-SIMD multiply-adds (see emitWat's `fuse`); the
 * scalar code is the same either way, as WebAssembly has no scalar fused multiply-add.
 */
export function emitWasmKernelText(
  system: AugmentedSystem,
  method: ExplicitRungeKuttaMethod,
  options: { readonly fma?: boolean } = {},
): string {
  const fuse = options.fma === true;
  const imports = new Set<string>();
  const rhs = rhsFunction(system, imports, fuse);
  // small systems: every component in a local, as the TypeScript step does there (./scalar-step.ts)
  const step = useScalarStep(system, method)
    ? scalarStepFunction(system, method, imports, system.size <= PAIRED_STEP_UP_TO ? 2 : 1)
    : stepFunction(system, method, imports, fuse);
  const adaptive = numericTableau(method).errorWeights !== undefined;
  const layout = kernelLayout(numericTableau(method).c.length, system.model.params.length);
  const importLines = [...imports].sort().map((fn) => {
    const f = IMPORTED_FUNCTIONS[fn]!;
    const params = Array.from({ length: f.arity }, () => 'f64').join(' ');
    return `  (import "${f.module}" "${f.name}" (func ${importedName(fn)} (param ${params}) (result f64)))`;
  });
  return [
    `;; Generated by odeforge: the WebAssembly kernel of the TypeScript solver for model '${system.model.name}'`,
    `;; (${system.model.states.length} states, ${system.size} equations with the variational system; ${method.name}).`,
    ';; The TypeScript module carries it as binary and calls `step` once per attempted step, with byte offsets',
    ';; of its vectors in this memory; every expression is one the TypeScript step prints (same results).',
    '(module',
    ...importLines,
    '  (memory (export "memory") 1)',
    rhs,
    step,
    stiffnessFunction(system.size),
    ...(adaptive ? [powerFunction(layout.powerAt), loopFunction(system, method, layout.paramsAt)] : []),
    ')',
  ].join('\n');
}
