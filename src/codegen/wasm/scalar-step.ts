/**
 * The kernel's step for small systems, in two forms: components in pairs (pairedStepFunction, up to
 * PAIRED_STEP_UP_TO components: see kernel.ts), or one per local (scalarStepFunction, below).
 *
 * One per local: the TypeScript scalar step (codegen/ts/explicit-rk.ts, scalarStep) in
 * WebAssembly — every component of every stage a local (a register), the right-hand side inlined per stage —
 * instead of loops over vectors in memory, whose loads, stores and loop control cost more than the arithmetic
 * when the augmented vector has a handful of components (the seed problem: 6). Used exactly where the
 * TypeScript solver uses its scalar step (useScalarStep), with the same expressions in the same order, so the
 * two agree bit for bit, and with the same contract as the vector step: reads y and k[0], writes yNew and
 * F(t + h, yNew) (k[s − 1] with FSAL, fNew otherwise), and z and k of the stiffness stage when asked; returns
 * the scaled error (Infinity when a new value is not finite).
 */
import { numericTableau } from '../../methods/numeric.ts';
import { stiffnessStage } from '../../methods/stability.ts';
import type { ExplicitRungeKuttaMethod } from '../../methods/types.ts';
import type { AugmentedSystem } from '../../variational/system.ts';
import { symbolLocal } from '../names.ts';
import { combination, scaledError, stepFrom, timeAt } from '../ts/explicit-rk.ts';
import { inlineRhs, rhsInputs } from '../ts/rhs.ts';
import { type Operand, watOf } from './expression.ts';

const F64 = 8;

/** `const name = expression;`, the only statement inlineRhs prints. */
const DEFINITION = /^const ([\w$]+) = (.*);$/s;

export function scalarStepFunction(
  system: AugmentedSystem,
  method: ExplicitRungeKuttaMethod,
  imports: Set<string>,
): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const m = system.size;
  const n = system.model.states.length;
  const all = Array.from({ length: m }, (_, i) => i);
  const { components: read, params, time: usesTime } = rhsInputs(system);
  const k = (stage: number) => (i: number) => `k${stage + 1}_${i}`;

  // printed name → f64 local; the function's parameters under their TypeScript names
  const locals = new Map<string, string>();
  const local = (name: string): string => {
    let id = locals.get(name);
    if (id === undefined) {
      id = `$v${locals.size}`;
      locals.set(name, id);
    }
    return id;
  };
  const parameters: Record<string, string> = { t: '$t', h: '$h', rtol: '$rtol', atol: '$atol' };
  const resolve = (name: string): Operand => {
    const p = parameters[name];
    if (p !== undefined) return { wat: `(local.get ${p})`, vector: false };
    const id = locals.get(name);
    if (id === undefined) throw new Error(`internal: the scalar step reads ${name} before it is defined`);
    return { wat: `(local.get ${id})`, vector: false };
  };
  const body: string[] = [];
  const set = (name: string, text: string) =>
    body.push(`(local.set ${local(name)} ${watOf(text, resolve, imports).wat})`);
  const define = (statements: readonly string[]) => {
    for (const line of statements) {
      const d = DEFINITION.exec(line);
      if (!d) throw new Error(`internal: unexpected statement in the inlined rhs: ${line.slice(0, 60)}`);
      set(d[1]!, d[2]!);
    }
  };
  const stageBase = (j: number) => `(i32.load offset=${j * 4} (local.get $stages))`;

  for (const q of params) {
    body.push(`(local.set ${local(symbolLocal(q))} (f64.load offset=${q.index * F64} (local.get $p)))`);
  }
  body.push(`(local.set $k1 ${stageBase(0)})`);
  for (const i of all) {
    body.push(`(local.set ${local(`y_${i}`)} (f64.load offset=${i * F64} (local.get $y)))`);
    body.push(`(local.set ${local(`k1_${i}`)} (f64.load offset=${i * F64} (local.get $k1)))`);
  }
  const lastExplicit = method.fsal ? s - 1 : s;
  for (let st = 1; st < lastExplicit; st++) {
    body.push(`;; stage ${st + 1}`);
    const needed = st === stiff ? all : all.filter((i) => read.has(i));
    for (const i of needed) {
      set(
        `z${st + 1}_${i}`,
        stepFrom(
          `y_${i}`,
          combination(tab.a[st]!, (j) => k(j)(i)),
        ),
      );
    }
    if (usesTime) set(`t${st + 1}`, timeAt(tab.c[st]!));
    define(inlineRhs(system, (i) => `z${st + 1}_${i}`, `t${st + 1}`, `u${st + 1}_`, k(st)));
  }
  body.push(';; the new value; x * 0 is 0 for every finite x and NaN otherwise', '(local.set $finite (f64.const 0))');
  for (const i of all) {
    set(
      `n_${i}`,
      stepFrom(
        `y_${i}`,
        combination(tab.b, (j) => k(j)(i)),
      ),
    );
    const v = local(`n_${i}`);
    body.push(`(f64.store offset=${i * F64} (local.get $yNew) (local.get ${v}))`);
    body.push(`(local.set $finite (f64.add (local.get $finite) (f64.mul (local.get ${v}) (f64.const 0))))`);
  }
  body.push(`;; F(t + h, yNew)${method.fsal ? `: stage ${s}` : ''}, the next step's first stage`);
  if (usesTime) set('tNew', 't + h');
  const next = (i: number) => `f_${i}`;
  define(inlineRhs(system, (i) => `n_${i}`, 'tNew', 'v', method.fsal ? k(s - 1) : next));
  body.push(`(local.set $kNext ${method.fsal ? stageBase(s - 1) : '(local.get $fNew)'})`);
  for (const i of all) {
    const v = resolve(method.fsal ? k(s - 1)(i) : next(i)).wat;
    body.push(`(f64.store offset=${i * F64} (local.get $kNext) ${v})`);
  }
  if (stiff >= 0) {
    body.push(`;; stage ${stiff + 1}, for the stiffness estimate`, '(if (local.get $record) (then');
    body.push(`  (local.set $kStiff ${stageBase(stiff)})`);
    for (const i of all) {
      body.push(`  (f64.store offset=${i * F64} (local.get $zStiff) ${resolve(`z${stiff + 1}_${i}`).wat})`);
      body.push(`  (f64.store offset=${i * F64} (local.get $kStiff) ${resolve(k(stiff)(i)).wat})`);
    }
    body.push('))');
  }
  const finite = '(f64.eq (local.get $finite) (f64.const 0))';
  if (!tab.errorWeights) {
    body.push(`(select (f64.const 0) (f64.const inf) ${finite})`);
  } else {
    // as errorTerm: the running max, NaN wins
    const error = (i: number) => {
      const e = watOf(
        scaledError(
          combination(tab.errorWeights!, (j) => k(j)(i)),
          `y_${i}`,
          `n_${i}`,
        ),
        resolve,
        imports,
      ).wat;
      return [
        `(local.set $e ${e})`,
        '(if (i32.or (f64.gt (local.get $e) (local.get $err)) (f64.ne (local.get $e) (local.get $e))) (then (local.set $err (local.get $e))))',
      ];
    };
    body.push('(local.set $err (f64.const 0))', ...all.slice(0, n).flatMap(error));
    if (m > n) {
      body.push(`(if (i32.gt_s (local.get $controlled) (i32.const ${n})) (then`, ...all.slice(n).flatMap(error), '))');
    }
    body.push(`(select (local.get $err) (f64.const inf) ${finite})`);
  }
  const declarations = [
    ...[...locals.values()].map((id) => `(local ${id} f64)`),
    '(local $k1 i32) (local $kNext i32) (local $kStiff i32) (local $finite f64) (local $err f64) (local $e f64)',
  ];
  return [
    '(func $step (export "step") (param $t f64) (param $h f64) (param $y i32) (param $p i32) (param $stages i32)',
    '  (param $z i32) (param $yNew i32) (param $fNew i32) (param $zStiff i32) (param $record i32)',
    '  (param $rtol f64) (param $atol f64) (param $controlled i32) (result f64)',
    ...declarations.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/**
 * The scalar step with the augmented vector's components in pairs: component i in lane i % 2 of a v128 local.
 * The stage combinations, the new value and the error estimate are f64x2 operations on the pairs (two
 * components per instruction, each lane the TypeScript step's own expression); the right-hand side, inlined per
 * stage as in scalarStepFunction, reads the components out of the lanes and its results are packed back.
 */
export function pairedStepFunction(
  system: AugmentedSystem,
  method: ExplicitRungeKuttaMethod,
  imports: Set<string>,
): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const m = system.size;
  const n = system.model.states.length;
  const pairs = Array.from({ length: Math.ceil(m / 2) }, (_, p) => p);
  const odd = m % 2 === 1;
  const lastPair = pairs.length - 1;
  const { components: read, params, time: usesTime } = rhsInputs(system);
  const k = (stage: number) => (i: number) => `k${stage + 1}_${i}`;
  /** The name of pair p of a vector: y, n, z2…, k1… */
  const pair = (vector: string, p: number) => `${vector}P${p}`;

  const locals = new Map<string, { id: string; type: 'f64' | 'v128' }>();
  const local = (name: string, type: 'f64' | 'v128' = 'f64'): string => {
    let l = locals.get(name);
    if (l === undefined) {
      l = { id: `$v${locals.size}`, type };
      locals.set(name, l);
    }
    return l.id;
  };
  const parameters: Record<string, string> = { t: '$t', h: '$h', rtol: '$rtol', atol: '$atol' };
  const resolve = (name: string): Operand => {
    const p = parameters[name];
    if (p !== undefined) return { wat: `(local.get ${p})`, vector: false };
    const l = locals.get(name);
    if (l === undefined) throw new Error(`internal: the paired step reads ${name} before it is defined`);
    return { wat: `(local.get ${l.id})`, vector: l.type === 'v128' };
  };
  /** Pairs as vectors, h as its splat, the rest scalar. */
  const resolvePairs = (name: string): Operand =>
    name === 'h' ? { wat: '(local.get $h2)', vector: true } : resolve(name);
  const body: string[] = ['(local.set $h2 (f64x2.splat (local.get $h)))'];
  const set = (name: string, text: string) =>
    body.push(`(local.set ${local(name)} ${watOf(text, resolve, imports).wat})`);
  const setPair = (name: string, text: string) => {
    const v = watOf(text, resolvePairs, imports);
    if (!v.vector) throw new Error(`internal: the pair ${name} is not a vector`);
    body.push(`(local.set ${local(name, 'v128')} ${v.wat})`);
  };
  const define = (statements: readonly string[]) => {
    for (const line of statements) {
      const d = DEFINITION.exec(line);
      if (!d) throw new Error(`internal: unexpected statement in the inlined rhs: ${line.slice(0, 60)}`);
      set(d[1]!, d[2]!);
    }
  };
  const stageBase = (j: number) => `(i32.load offset=${j * 4} (local.get $stages))`;
  /** Loads pair p of the vector at `base` (the last of an odd length: lane 0 only, lane 1 zero). */
  const load = (base: string, p: number) =>
    odd && p === lastPair
      ? `(v128.load64_zero offset=${2 * p * F64} ${base})`
      : `(v128.load offset=${2 * p * F64} align=8 ${base})`;
  const store = (base: string, p: number, value: string) =>
    odd && p === lastPair
      ? `(v128.store64_lane offset=${2 * p * F64} 0 ${base} ${value})`
      : `(v128.store offset=${2 * p * F64} align=8 ${base} ${value})`;
  /** Components of a vector's pairs as f64 locals, for the right-hand side. */
  const unpack = (vector: string, scalar: (i: number) => string, components: Iterable<number>) => {
    for (const i of components) {
      body.push(
        `(local.set ${local(scalar(i))} (f64x2.extract_lane ${i % 2} (local.get ${local(pair(vector, i >> 1), 'v128')})))`,
      );
    }
  };
  /** The right-hand side's results (f64 locals) packed into pairs (the last of an odd length: lane 0 twice). */
  const pack = (vector: string, scalar: (i: number) => string) => {
    for (const p of pairs) {
      const even = `(f64x2.splat (local.get ${local(scalar(2 * p))}))`;
      const value =
        odd && p === lastPair ? even : `(f64x2.replace_lane 1 ${even} (local.get ${local(scalar(2 * p + 1))}))`;
      body.push(`(local.set ${local(pair(vector, p), 'v128')} ${value})`);
    }
  };

  for (const q of params) {
    body.push(`(local.set ${local(symbolLocal(q))} (f64.load offset=${q.index * F64} (local.get $p)))`);
  }
  body.push(`(local.set $k1 ${stageBase(0)})`);
  for (const p of pairs) {
    body.push(`(local.set ${local(pair('y', p), 'v128')} ${load('(local.get $y)', p)})`);
    body.push(`(local.set ${local(pair('k1', p), 'v128')} ${load('(local.get $k1)', p)})`);
  }
  const combined = (vector: string, weights: readonly number[], p: number) =>
    stepFrom(
      pair(vector, p),
      combination(weights, (j) => pair(`k${j + 1}`, p)),
    );
  const lastExplicit = method.fsal ? s - 1 : s;
  for (let st = 1; st < lastExplicit; st++) {
    body.push(`;; stage ${st + 1}`);
    for (const p of pairs) setPair(pair(`z${st + 1}`, p), combined('y', tab.a[st]!, p));
    unpack(
      `z${st + 1}`,
      (i) => `z${st + 1}_${i}`,
      [...read].sort((a, b) => a - b),
    );
    if (usesTime) set(`t${st + 1}`, timeAt(tab.c[st]!));
    define(inlineRhs(system, (i) => `z${st + 1}_${i}`, `t${st + 1}`, `u${st + 1}_`, k(st)));
    pack(`k${st + 1}`, k(st));
  }
  body.push(
    ';; the new value; x * 0 is 0 for every finite x and NaN otherwise',
    '(local.set $finite2 (v128.const i64x2 0 0))',
  );
  for (const p of pairs) {
    setPair(pair('n', p), combined('y', tab.b, p));
    const v = local(pair('n', p), 'v128');
    body.push(store('(local.get $yNew)', p, `(local.get ${v})`));
    body.push(
      `(local.set $finite2 (f64x2.add (local.get $finite2) (f64x2.mul (local.get ${v}) (v128.const i64x2 0 0))))`,
    );
  }
  body.push(
    '(local.set $finite (f64.add (f64x2.extract_lane 0 (local.get $finite2)) (f64x2.extract_lane 1 (local.get $finite2))))',
  );
  body.push(`;; F(t + h, yNew)${method.fsal ? `: stage ${s}` : ''}, the next step's first stage`);
  unpack(
    'n',
    (i) => `n_${i}`,
    [...read].sort((a, b) => a - b),
  );
  if (usesTime) set('tNew', 't + h');
  const next = (i: number) => `f_${i}`;
  define(inlineRhs(system, (i) => `n_${i}`, 'tNew', 'v', method.fsal ? k(s - 1) : next));
  body.push(`(local.set $kNext ${method.fsal ? stageBase(s - 1) : '(local.get $fNew)'})`);
  for (let i = 0; i < m; i++) {
    const v = resolve(method.fsal ? k(s - 1)(i) : next(i)).wat;
    body.push(`(f64.store offset=${i * F64} (local.get $kNext) ${v})`);
  }
  if (method.fsal) pack(`k${s}`, k(s - 1));
  if (stiff >= 0) {
    body.push(`;; stage ${stiff + 1}, for the stiffness estimate`, '(if (local.get $record) (then');
    body.push(`  (local.set $kStiff ${stageBase(stiff)})`);
    for (const p of pairs) {
      body.push(`  ${store('(local.get $zStiff)', p, resolve(pair(`z${stiff + 1}`, p)).wat)}`);
      body.push(`  ${store('(local.get $kStiff)', p, resolve(pair(`k${stiff + 1}`, p)).wat)}`);
    }
    body.push('))');
  }
  const finite = '(f64.eq (local.get $finite) (f64.const 0))';
  if (!tab.errorWeights) {
    body.push(`(select (f64.const 0) (f64.const inf) ${finite})`);
  } else {
    // as errorTerm: the running max, NaN wins (in component order, as the TypeScript step)
    const errorPair = (p: number) => {
      const e = watOf(
        scaledError(
          combination(tab.errorWeights!, (j) => pair(`k${j + 1}`, p)),
          pair('y', p),
          pair('n', p),
        ),
        resolvePairs,
        imports,
      ).wat;
      return `(local.set $e2 ${e})`;
    };
    const error = (i: number) => [
      ...(i % 2 === 0 || i === n ? [errorPair(i >> 1)] : []),
      `(local.set $e (f64x2.extract_lane ${i % 2} (local.get $e2)))`,
      '(if (i32.or (f64.gt (local.get $e) (local.get $err)) (f64.ne (local.get $e) (local.get $e))) (then (local.set $err (local.get $e))))',
    ];
    const components = Array.from({ length: m }, (_, i) => i);
    body.push('(local.set $err (f64.const 0))', ...components.slice(0, n).flatMap(error));
    if (m > n) {
      body.push(
        `(if (i32.gt_s (local.get $controlled) (i32.const ${n})) (then`,
        ...components.slice(n).flatMap(error),
        '))',
      );
    }
    body.push(`(select (local.get $err) (f64.const inf) ${finite})`);
  }
  const declarations = [
    ...[...locals.values()].map((l) => `(local ${l.id} ${l.type})`),
    '(local $k1 i32) (local $kNext i32) (local $kStiff i32) (local $finite f64) (local $err f64) (local $e f64)',
    '(local $h2 v128) (local $finite2 v128) (local $e2 v128)',
  ];
  return [
    '(func $step (export "step") (param $t f64) (param $h f64) (param $y i32) (param $p i32) (param $stages i32)',
    '  (param $z i32) (param $yNew i32) (param $fNew i32) (param $zStiff i32) (param $record i32)',
    '  (param $rtol f64) (param $atol f64) (param $controlled i32) (result f64)',
    ...declarations.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}
