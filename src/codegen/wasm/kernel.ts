/**
 * The WebAssembly kernel of a TypeScript solver: rhs and one explicit Runge–Kutta step (the work of the
 * TypeScript rkStep, same arguments, same result) as WebAssembly text with 128-bit SIMD, two lanes of f64.
 *
 * Where the time goes in a large variational system is in loops over many columns or components: the column
 * loops of Φ' = JΦ and S' = JS (two columns per instruction) and the stage combinations over the augmented
 * vector (two components per instruction). The straight-line part (f, J's non-zeros) is scalar. Every
 * expression is the TypeScript solver's own printed expression, read back (see expression.ts), so the
 * kernel's results equal the TypeScript step's bit for bit.
 *
 * Memory: the kernel exports its memory; the solver module lays out in it a table of the stage vectors'
 * byte offsets (the driver swaps stage arrays between steps), the parameters, and the work vectors (see
 * module.ts). Offsets are bytes.
 */
import { numericTableau } from '../../methods/numeric.ts';
import { stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { integerLiteral } from '../printer.ts';
import { combination, scaledError, stepFrom, timeAt } from '../ts/explicit-rk.ts';
import { type ColumnLoop, planRhs } from '../ts/rhs.ts';
import { IMPORTED_FUNCTIONS, importedName, type Operand, watOf } from './expression.ts';

const F64 = 8;

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

/** A loop over `count` f64 slots, two per iteration, and a scalar epilogue for an odd count. */
function pairedLoop(
  label: string,
  counter: string,
  count: number,
  vectorBody: string[],
  scalarTail: (() => string[]) | undefined,
): string[] {
  const out: string[] = [];
  if (count >= 2) {
    out.push(
      `(local.set ${counter} (i32.const 0))`,
      `(block $${label}_end (loop $${label}_next`,
      `  (br_if $${label}_end (i32.gt_u (i32.add (local.get ${counter}) (i32.const ${2 * F64})) (i32.const ${count * F64})))`,
      ...vectorBody.map((l) => `  ${l}`),
      `  (local.set ${counter} (i32.add (local.get ${counter}) (i32.const ${2 * F64})))`,
      `  (br $${label}_next)))`,
    );
  }
  if (count % 2 === 1 && scalarTail) out.push(...scalarTail());
  return out;
}

/** The rhs function: (t, y, p, dy) with byte offsets. */
function rhsFunction(system: AugmentedSystem, imports: Set<string>): string {
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
    body.push(...columnLoop(loop, n, L, scalar, imports));
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

/** One column loop of the rhs: two columns per iteration as f64x2, the last one alone when the width is odd. */
function columnLoop(
  loop: ColumnLoop,
  n: number,
  L: Locals,
  scalar: (name: string) => Operand,
  imports: Set<string>,
): string[] {
  const counter = L.get(' column', 'i32');
  const src = L.get(' src', 'i32');
  const dst = L.get(' dst', 'i32');
  const rowAt = (row: number) => (loop.offset + row * loop.stride) * F64;
  // Scalars the rows read (J's non-zeros) are splatted once, before the loop.
  const hoisted = new Map<string, string>();
  const vector = (name: string): Operand => {
    // Column entries are loaded where they are used (a row reads four or so): a hundred values held in
    // locals across the loop body would only be spilled to the stack.
    if (/^x\d+$/.test(name)) {
      return { wat: `(v128.load offset=${rowAt(Number(name.slice(1)))} align=8 (local.get ${src}))`, vector: true };
    }
    const splatted = L.get(` splat ${name}`, 'v128');
    hoisted.set(splatted, scalar(name).wat);
    return { wat: `(local.get ${splatted})`, vector: true };
  };
  const vectorBody = [
    `(local.set ${src} (i32.add (local.get $y) (local.get ${counter})))`,
    `(local.set ${dst} (i32.add (local.get $dy) (local.get ${counter})))`,
    ...loop.rows.map((text, i) => {
      const v = watOf(text, vector, imports);
      return `(v128.store offset=${rowAt(i)} align=8 (local.get ${dst}) ${v.vector ? v.wat : `(f64x2.splat ${v.wat})`})`;
    }),
  ];
  const tail = () => {
    const last = (loop.width - 1) * F64;
    const scalarName = (k: number) => ` sx${k}`;
    const lastColumn = (name: string): Operand =>
      /^x\d+$/.test(name)
        ? { wat: `(local.get ${L.get(scalarName(Number(name.slice(1))), 'f64')})`, vector: false }
        : scalar(name);
    return [
      `;; the last column (odd width)`,
      ...loop.loads.map(
        (k) => `(local.set ${L.get(scalarName(k), 'f64')} (f64.load offset=${rowAt(k) + last} (local.get $y)))`,
      ),
      ...loop.rows.map(
        (text, i) => `(f64.store offset=${rowAt(i) + last} (local.get $dy) ${watOf(text, lastColumn, imports).wat})`,
      ),
    ];
  };
  const splats = [...hoisted].map(([local, value]) => `(local.set ${local} (f64x2.splat ${value}))`);
  return [
    `;; ${loop.comment}`,
    ...(loop.width >= 2 ? splats : []),
    ...pairedLoop(`columns${n}`, counter, loop.width, vectorBody, tail),
  ];
}

/** The step function: the TypeScript rkStep's arithmetic over the augmented vector, two components at a time. */
function stepFunction(system: AugmentedSystem, method: ExplicitRungeKuttaMethod, imports: Set<string>): string {
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
  const at =
    (mode: 'vector' | { constant: number }) =>
    (name: string): Operand => {
      if (mode === 'vector' && name === 'h') return { wat: `(local.get ${hVector})`, vector: true };
      const p = param(name);
      if (p) return p;
      const base = vectors[name];
      if (!base) throw new Error(`internal: the step reads unknown ${name}`);
      if (mode === 'vector') {
        return { wat: `(v128.load align=8 (i32.add (local.get ${base}) (local.get ${o})))`, vector: true };
      }
      return { wat: `(f64.load offset=${mode.constant} (local.get ${base}))`, vector: false };
    };
  const lastAt = { constant: (m - 1) * F64 };
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
        [`(v128.store align=8 (i32.add (local.get $z) (local.get ${o})) ${watOf(text, at('vector'), imports).wat})`],
        () => [`(f64.store offset=${lastAt.constant} (local.get $z) ${watOf(text, at(lastAt), imports).wat})`],
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
      [
        `(local.set ${v} ${watOf(newValue, at('vector'), imports).wat})`,
        `(v128.store align=8 (i32.add (local.get $yNew) (local.get ${o})) (local.get ${v}))`,
        `(local.set ${zeroed} (f64x2.mul (local.get ${v}) (v128.const i64x2 0 0)))`,
        `(local.set ${nonFinite} (v128.or (local.get ${nonFinite}) (f64x2.ne (local.get ${zeroed}) (local.get ${zeroed}))))`,
      ],
      undefined,
    ),
    `(local.set ${finite} (i32.eqz (v128.any_true (local.get ${nonFinite}))))`,
  );
  if (m % 2 === 1) {
    const last = L.get(' last', 'f64');
    body.push(
      `(local.set ${last} ${watOf(newValue, at(lastAt), imports).wat})`,
      `(f64.store offset=${lastAt.constant} (local.get $yNew) (local.get ${last}))`,
      `(local.set ${finite} (i32.and (local.get ${finite}) (f64.eq (f64.mul (local.get ${last}) (f64.const 0)) (f64.const 0))))`,
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
    '(func (export "step") (param $t f64) (param $h f64) (param $y i32) (param $p i32) (param $stages i32)',
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
  const lanes = (kind: 'vector' | 'scalar', offset: string) => {
    const ty = kind === 'vector' ? 'f64x2' : 'f64';
    const load = (base: string) =>
      kind === 'vector'
        ? `(v128.load align=8 (i32.add (local.get ${base}) ${offset}))`
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
    ...pairedLoop('rho', '$i', m, lanes('vector', '(local.get $i)'), undefined),
    '(local.set $df (f64.max (f64x2.extract_lane 0 (local.get $df2)) (f64x2.extract_lane 1 (local.get $df2))))',
    '(local.set $dz (f64.max (f64x2.extract_lane 0 (local.get $dz2)) (f64x2.extract_lane 1 (local.get $dz2))))',
    ...(m % 2 === 1 ? lanes('scalar', integerLiteral((m - 1) * F64)) : []),
    '(select (f64.div (local.get $df) (local.get $dz)) (f64.const nan) (f64.gt (local.get $dz) (f64.const 1e-13)))',
  ];
  return [
    '(func (export "stiffness") (param $fNew i32) (param $fz i32) (param $yNew i32) (param $z i32) (result f64)',
    '  (local $i i32) (local $w f64) (local $df f64) (local $dz f64) (local $w2 v128) (local $df2 v128) (local $dz2 v128)',
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/** The kernel as WebAssembly text: imports (the Math functions the model calls), memory, rhs and step. */
export function emitWasmKernelText(system: AugmentedSystem, method: ExplicitRungeKuttaMethod): string {
  const imports = new Set<string>();
  const rhs = rhsFunction(system, imports);
  const step = stepFunction(system, method, imports);
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
    ')',
  ].join('\n');
}
