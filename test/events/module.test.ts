/**
 * Events in the generated module: a standalone TypeScript module of a model with events carries them (its own
 * event functions, printed from the IR) and gives the in-process solver's bits; it type-checks under strict settings;
 * the template scanner still agrees with ts-morph on the driver with its event code; a model without events
 * generates none of it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TsMorph from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { composeTemplate } from '../../src/codegen/ts/module.ts';
import { declaredPlaceholders, topLevelNames } from '../../src/codegen/ts/template-scan.ts';
import { compile, generate, generateJavaScript } from '../../src/compile.ts';
import type { ModelSpec } from '../../src/model/model.ts';
import type { SolveOptions, SolveResult } from '../../src/runtime/types.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BALL: ModelSpec = {
  name: 'ball',
  states: ['h', 'v'],
  params: { g: 9.81, floor: 0 },
  rhs: { h: 'v', v: '-g' },
  events: {
    apex: { expr: 'v', direction: -1 },
    ground: { expr: 'h - floor - 0.01*sin(t)', direction: -1, terminal: true },
  },
};
const PROBLEM: SolveOptions = { t0: 0, t1: 10, y0: [10, 2], rtol: 1e-11, atol: 1e-11, timeSensitivities: true };

const bits = (r: SolveResult) => ({
  t: r.t,
  y: Array.from(r.y),
  jacobian: Array.from(r.jacobian ?? []),
  paramJacobian: Array.from(r.paramJacobian ?? []),
  events: r.events?.map((e) => ({ ...e, y: Array.from(e.y), dtdy0: Array.from(e.dtdy0 ?? []) })),
  dydt0: Array.from(r.dydt0 ?? []),
});

describe('the generated module of a model with events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'odeforge-events-'));

  it('generate --target ts carries the events; imported as a file it gives the in-process solver’s bits', async () => {
    for (const method of ['RK45CK', 'Rodas5P', 'BDF']) {
      const options = { method, sensitivities: ['y0', 'params'] as const };
      const source = generate(BALL, { ...options, sensitivities: [...options.sensitivities] });
      expect(source).toMatch(/^const EVENT_NAMES: readonly string\[\] = \["apex","ground"\];$/m);
      expect(source).toMatch(/^function events\(t: number, y: Float64Array/m);
      expect(source).toMatch(/^ \* Events: apex, ground \(terminal\)\.$/m);
      expect(source).not.toMatch(/@odeforge:events/);
      const path = join(dir, `ball-${method}.ts`);
      writeFileSync(path, source);
      const mod = (await import(pathToFileURL(path).href)) as {
        solve(o: SolveOptions): SolveResult;
        info: { events?: readonly string[] };
      };
      expect(mod.info.events).toEqual(['apex', 'ground']);
      const fromFile = mod.solve(PROBLEM);
      const inProcess = compile(BALL, { ...options, sensitivities: [...options.sensitivities] }).solve(PROBLEM);
      expect(fromFile.events!.map((e) => e.name)).toEqual(['apex', 'ground']);
      expect(bits(fromFile)).toEqual(bits(inProcess));
    }
  });

  it('the columns layout and the WebAssembly kernel locate the same events, bit for bit', () => {
    // a ring of 8 oscillators: x_i' = v_i, v_i' = −x_i + 0.1·(x_{i+1} − x_i)
    const n = 8;
    const states = Array.from({ length: n }, (_, i) => [`x${i}`, `v${i}`]).flat();
    const rhs: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      rhs[`x${i}`] = `v${i}`;
      rhs[`v${i}`] = `-x${i} + 0.1*(x${(i + 1) % n} - x${i})`;
    }
    const ring: ModelSpec = {
      name: 'ring',
      states,
      rhs,
      events: { cross: { expr: 'x0' }, stop: { expr: 'x3 + 0.25', direction: -1, terminal: true } },
    };
    // x0 from 1, x3 moving at 0.3 (index 7 is v3): x0 crosses 0 before x3 comes down to −0.25
    const y0 = states.map((_, k) => (k === 0 ? 1 : k === 7 ? 0.3 : 0));
    const problem = { t0: 0, t1: 20, y0, rtol: 1e-10, atol: 1e-10 };
    const wasm = compile(ring, { sensitivities: ['y0'], wasm: true, fma: false });
    const plain = compile(ring, { sensitivities: ['y0'], wasm: false });
    expect(wasm.stepKernel()).toBe('webassembly');
    const a = wasm.solve(problem);
    expect(a.events!.at(-1)!.name).toBe('stop');
    expect(a.events!.length).toBeGreaterThan(1);
    expect(bits(a)).toEqual(bits(plain.solve(problem)));
  });

  it('type-checks under strict settings (noUncheckedIndexedAccess, exactOptionalPropertyTypes), as TS and as JS', () => {
    const strict = join(dir, 'strict');
    spawnSync('mkdir', ['-p', strict]);
    writeFileSync(join(strict, 'ball.ts'), generate(BALL, { method: 'RadauIIA5', sensitivities: ['y0', 'params'] }));
    const js = generateJavaScript(BALL, { method: 'Dormand-Prince' });
    writeFileSync(join(strict, 'ball-js.mjs'), js.code);
    writeFileSync(join(strict, 'ball-js.d.mts'), js.declarations);
    writeFileSync(
      join(strict, 'use.mts'),
      "import { solve } from './ball-js.mjs';\nconst e = solve({ t0: 0, t1: 1, y0: [1, 0] }).events;\nexport const first: number | undefined = e?.[0]?.t;\n",
    );
    writeFileSync(join(strict, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(strict, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          erasableSyntaxOnly: true,
          allowImportingTsExtensions: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
      }),
    );
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', strict], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
    // the JavaScript runs under plain node
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { solve } from ${JSON.stringify(pathToFileURL(join(strict, 'ball-js.mjs')).href)};` +
          'const r = solve({ t0: 0, t1: 10, y0: [10, 2], rtol: 1e-10, atol: 1e-10 });' +
          'console.log(JSON.stringify(r.events.map((e) => [e.name, e.terminal])));',
      ],
      { encoding: 'utf8' },
    );
    expect(run.stdout.trim()).toBe('[["apex",false],["ground",true]]');
  });
});

describe('targets without events', () => {
  it('generate --target cuda or wgsl of a model with events is refused (the kernels would ignore them)', () => {
    for (const target of ['cuda', 'wgsl'] as const) {
      expect(() => generate(BALL, { target, sensitivities: [] })).toThrow(
        new RegExp(`the ${target} target does not locate events, and model 'ball' has 'apex', 'ground'`),
      );
    }
  });
});

describe('the driver’s event code in the templates', () => {
  const morph = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;

  it('the template scanner agrees with ts-morph on a driver with its event code', () => {
    for (const family of ['explicit-rk', 'bdf'] as const) {
      const text = composeTemplate(family, true);
      const project = new morph.Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
      const sf = project.createSourceFile('template.ts', text);
      const want: { name: string; start: number; end: number }[] = [];
      for (const v of sf.getVariableStatements())
        if (v.hasDeclareKeyword())
          want.push({ name: v.getDeclarations()[0]!.getName(), start: v.getStart(), end: v.getEnd() });
      for (const f of sf.getFunctions())
        if (f.hasDeclareKeyword() || !f.hasBody())
          want.push({ name: f.getName()!, start: f.getStart(), end: f.getEnd() });
      want.sort((a, b) => a.start - b.start);
      expect(declaredPlaceholders(text)).toEqual(want);
      expect(want.map((p) => p.name)).toEqual(expect.arrayContaining(['EVENT_NAMES', 'events', 'eventGradients']));
      const names = new Set<string>();
      for (const v of sf.getVariableStatements()) for (const d of v.getDeclarations()) names.add(d.getName());
      for (const f of sf.getFunctions()) if (f.getName()) names.add(f.getName()!);
      expect(topLevelNames(text)).toEqual(names);
    }
  });

  it('a model without events generates none of it: no markers, no event names, no event functions', () => {
    const text = composeTemplate('explicit-rk');
    expect(text).not.toMatch(/@odeforge:events|EVENT_|eventLog|locateEvents|SolveEvent/);
    const source = generate({ name: 'decay', states: ['x'], rhs: { x: '-x' } });
    expect(source).not.toMatch(/EVENT_|events|SolveEvent/);
  });
});
