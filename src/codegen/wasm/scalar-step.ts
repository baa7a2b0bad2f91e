/**
 * The kernel's step for small systems: the TypeScript scalar step (codegen/ts/explicit-rk.ts, scalarStep) in
 * WebAssembly — every component of every stage held in locals (registers), the right-hand side inlined per stage
 * — instead of loops over vectors in memory, whose loads, stores and loop control cost more than the arithmetic
 * when the augmented vector has a handful of components (the seed problem: 6). Used exactly where the
 * TypeScript solver uses its scalar step (useScalarStep), with the same expressions in the same order, so the
 * two agree bit for bit, and with the same contract as the vector step: reads y and k[0], writes yNew and
 * F(t + h, yNew) (k[s − 1] with FSAL, fNew otherwise), and z and k of the stiffness stage when asked; returns
 * the scaled error (Infinity when a new value is not finite).
 *
 * `lanes`: 1, a local per component; 2, component i in lane i % 2 of a v128 local. In pairs, the stage
 * combinations, the new value and the error estimate take two components an instruction (each lane the
 * TypeScript step's own expression, so the same bits); the right-hand side reads the components out of the lanes
 * and its results are packed back. Which pays depends on the size (see kernel.ts, PAIRED_STEP_UP_TO).
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
  lanes: 1 | 2,
): string {
  const tab = numericTableau(method);
  const stiff = stiffnessStage(method);
  const s = tab.c.length;
  const m = system.size;
  const n = system.model.states.length;
  const paired = lanes === 2;
  const { components: read, params, time: usesTime } = rhsInputs(system);
  const k = (stage: number) => (i: number) => `k${stage + 1}_${i}`;

  // Groups of `lanes` components: group g holds components lanes·g … (the last of an odd size in pairs: lane 0).
  const groups = Array.from({ length: Math.ceil(m / lanes) }, (_, g) => g);
  const lastGroup = groups.length - 1;
  const partial = paired && m % 2 === 1;
  const members = (g: number) => (paired ? [2 * g, 2 * g + 1].filter((i) => i < m) : [g]);
  const groupOf = (i: number) => (paired ? i >> 1 : i);
  /** The local of group g of a vector (y, n, z2…, k1…): one per component, named as the rhs reads them, or pairs. */
  const group = (vector: string, g: number) => (paired ? `${vector}P${g}` : `${vector}_${g}`);

  const locals = new Map<string, { id: string; type: 'f64' | 'v128' }>();
  const local = (name: string, type: 'f64' | 'v128' = 'f64'): string => {
    let l = locals.get(name);
    if (l === undefined) {
      l = { id: `$v${locals.size}`, type };
      locals.set(name, l);
    }
    return l.id;
  };
  const groupType = paired ? 'v128' : 'f64';
  const parameters: Record<string, string> = { t: '$t', h: '$h', rtol: '$rtol', atol: '$atol' };
  const resolve = (name: string): Operand => {
    const p = parameters[name];
    if (p !== undefined) return { wat: `(local.get ${p})`, vector: false };
    const l = locals.get(name);
    if (l === undefined) throw new Error(`internal: the scalar step reads ${name} before it is defined`);
    return { wat: `(local.get ${l.id})`, vector: l.type === 'v128' };
  };
  /** For expressions over groups: pairs are vectors, and so is h (its splat); the rest as resolve. */
  const resolveGroups = (name: string): Operand =>
    paired && name === 'h' ? { wat: '(local.get $h2)', vector: true } : resolve(name);
  const body: string[] = paired ? ['(local.set $h2 (f64x2.splat (local.get $h)))'] : [];
  const set = (name: string, text: string) =>
    body.push(`(local.set ${local(name)} ${watOf(text, resolve, imports).wat})`);
  const setGroup = (name: string, text: string) =>
    body.push(`(local.set ${local(name, groupType)} ${watOf(text, resolveGroups, imports).wat})`);
  const define = (statements: readonly string[]) => {
    for (const line of statements) {
      const d = DEFINITION.exec(line);
      if (!d) throw new Error(`internal: unexpected statement in the inlined rhs: ${line.slice(0, 60)}`);
      set(d[1]!, d[2]!);
    }
  };
  const stageBase = (j: number) => `(i32.load offset=${j * 4} (local.get $stages))`;
  /** Group g of the vector at `base` (the last pair of an odd size: lane 0, lane 1 zero). */
  const load = (base: string, g: number) => {
    const at = lanes * g * F64;
    if (!paired) return `(f64.load offset=${at} ${base})`;
    return partial && g === lastGroup
      ? `(v128.load64_zero offset=${at} ${base})`
      : `(v128.load offset=${at} align=8 ${base})`;
  };
  const store = (base: string, g: number, value: string) => {
    const at = lanes * g * F64;
    if (!paired) return `(f64.store offset=${at} ${base} ${value})`;
    return partial && g === lastGroup
      ? `(v128.store64_lane offset=${at} 0 ${base} ${value})`
      : `(v128.store offset=${at} align=8 ${base} ${value})`;
  };
  /** In pairs, components of a vector's groups as f64 locals under the names the right-hand side reads. */
  const unpack = (vector: string, scalar: (i: number) => string, components: readonly number[]) => {
    if (!paired) return;
    for (const i of components) {
      const pair = local(group(vector, groupOf(i)), 'v128');
      body.push(`(local.set ${local(scalar(i))} (f64x2.extract_lane ${i % 2} (local.get ${pair})))`);
    }
  };
  /** In pairs, the right-hand side's results packed into groups (the last of an odd size: lane 0 twice). */
  const pack = (vector: string, scalar: (i: number) => string) => {
    if (!paired) return;
    for (const g of groups) {
      const [even, odd] = members(g).map((i) => `(local.get ${local(scalar(i))})`);
      const value = odd === undefined ? `(f64x2.splat ${even})` : `(f64x2.replace_lane 1 (f64x2.splat ${even}) ${odd})`;
      body.push(`(local.set ${local(group(vector, g), 'v128')} ${value})`);
    }
  };
  const combined = (weights: readonly number[], g: number) =>
    stepFrom(
      group('y', g),
      combination(weights, (j) => group(`k${j + 1}`, g)),
    );
  const readInOrder = [...read].sort((a, b) => a - b);

  for (const q of params) {
    body.push(`(local.set ${local(symbolLocal(q))} (f64.load offset=${q.index * F64} (local.get $p)))`);
  }
  body.push(`(local.set $k1 ${stageBase(0)})`);
  for (const g of groups) {
    body.push(`(local.set ${local(group('y', g), groupType)} ${load('(local.get $y)', g)})`);
    body.push(`(local.set ${local(group('k1', g), groupType)} ${load('(local.get $k1)', g)})`);
  }
  const lastExplicit = method.fsal ? s - 1 : s;
  for (let st = 1; st < lastExplicit; st++) {
    body.push(`;; stage ${st + 1}`);
    // only what the right-hand side reads, but all of the stage the stiffness estimate records
    const needed = st === stiff ? groups : groups.filter((g) => members(g).some((i) => read.has(i)));
    for (const g of needed) setGroup(group(`z${st + 1}`, g), combined(tab.a[st]!, g));
    unpack(`z${st + 1}`, (i) => `z${st + 1}_${i}`, readInOrder);
    if (usesTime) set(`t${st + 1}`, timeAt(tab.c[st]!));
    define(inlineRhs(system, (i) => `z${st + 1}_${i}`, `t${st + 1}`, `u${st + 1}_`, k(st)));
    pack(`k${st + 1}`, k(st));
  }
  body.push(';; the new value; x * 0 is 0 for every finite x and NaN otherwise');
  const zero = paired ? '(v128.const i64x2 0 0)' : '(f64.const 0)';
  const ty = paired ? 'f64x2' : 'f64';
  body.push(`(local.set $finite ${zero})`);
  for (const g of groups) {
    setGroup(group('n', g), combined(tab.b, g));
    const v = local(group('n', g), groupType);
    body.push(store('(local.get $yNew)', g, `(local.get ${v})`));
    body.push(`(local.set $finite (${ty}.add (local.get $finite) (${ty}.mul (local.get ${v}) ${zero})))`);
  }
  const finiteSum = paired
    ? '(f64.add (f64x2.extract_lane 0 (local.get $finite)) (f64x2.extract_lane 1 (local.get $finite)))'
    : '(local.get $finite)';
  body.push(`;; F(t + h, yNew)${method.fsal ? `: stage ${s}` : ''}, the next step's first stage`);
  unpack('n', (i) => `n_${i}`, readInOrder);
  if (usesTime) set('tNew', 't + h');
  const next = (i: number) => `f_${i}`;
  define(inlineRhs(system, (i) => `n_${i}`, 'tNew', 'v', method.fsal ? k(s - 1) : next));
  // (an FSAL method's last stage is the error estimate's too)
  if (method.fsal) pack(`k${s}`, k(s - 1));
  body.push(`(local.set $kNext ${method.fsal ? stageBase(s - 1) : '(local.get $fNew)'})`);
  for (let i = 0; i < m; i++) {
    const v = resolve(method.fsal ? k(s - 1)(i) : next(i)).wat;
    body.push(`(f64.store offset=${i * F64} (local.get $kNext) ${v})`);
  }
  if (stiff >= 0) {
    body.push(`;; stage ${stiff + 1}, for the stiffness estimate`, '(if (local.get $record) (then');
    body.push(`  (local.set $kStiff ${stageBase(stiff)})`);
    for (const g of groups) {
      body.push(`  ${store('(local.get $zStiff)', g, resolve(group(`z${stiff + 1}`, g)).wat)}`);
      body.push(`  ${store('(local.get $kStiff)', g, resolve(group(`k${stiff + 1}`, g)).wat)}`);
    }
    body.push('))');
  }
  const finite = `(f64.eq ${finiteSum} (f64.const 0))`;
  if (!tab.errorWeights) {
    body.push(`(select (f64.const 0) (f64.const inf) ${finite})`);
  } else {
    // as errorTerm: the running max, NaN wins, in component order (each group's estimate once, then its lanes)
    const groupError = (g: number) =>
      watOf(
        scaledError(
          combination(tab.errorWeights!, (j) => group(`k${j + 1}`, g)),
          group('y', g),
          group('n', g),
        ),
        resolveGroups,
        imports,
      ).wat;
    const error = (i: number, first: boolean) => [
      ...(paired
        ? [
            ...(i % 2 === 0 || first ? [`(local.set $e2 ${groupError(groupOf(i))})`] : []),
            `(local.set $e (f64x2.extract_lane ${i % 2} (local.get $e2)))`,
          ]
        : [`(local.set $e ${groupError(i)})`]),
      '(if (i32.or (f64.gt (local.get $e) (local.get $err)) (f64.ne (local.get $e) (local.get $e))) (then (local.set $err (local.get $e))))',
    ];
    const components = Array.from({ length: m }, (_, i) => i);
    body.push('(local.set $err (f64.const 0))', ...components.slice(0, n).flatMap((i) => error(i, i === 0)));
    if (m > n) {
      body.push(
        `(if (i32.gt_s (local.get $controlled) (i32.const ${n})) (then`,
        ...components.slice(n).flatMap((i) => error(i, i === n)),
        '))',
      );
    }
    body.push(`(select (local.get $err) (f64.const inf) ${finite})`);
  }
  const declarations = [
    ...[...locals.values()].map((l) => `(local ${l.id} ${l.type})`),
    `(local $k1 i32) (local $kNext i32) (local $kStiff i32) (local $finite ${groupType}) (local $err f64) (local $e f64)`,
    ...(paired ? ['(local $h2 v128) (local $e2 v128)'] : []),
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
