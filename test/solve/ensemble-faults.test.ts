/**
 * Failures in cpu ensembles: the typed error of a bad row and its row in the message, whatever thread ran it;
 * cancellation of the other slices; the shared worker pool; and an interrupted CUDA build cleaning up.
 * Every call here asks for at most 2 workers, so the pool's peaks can be compared with that.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { solveEnsembleCpu } from '../../src/ensemble/cpu.ts';
import { ensemblePool } from '../../src/ensemble/pool.ts';
import { IntegrationError, OdeforgeError, OptionError } from '../../src/errors.ts';
import type { SolverInfo } from '../../src/runtime/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'odeforge-faults-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LORENZ = {
  name: 'lorenz',
  states: ['x', 'y', 'z'],
  params: { sigma: 10, rho: 28, beta: 8 / 3 },
  rhs: { x: 'sigma*(y - x)', y: 'x*(rho - z) - y', z: 'x*y - beta*z' },
};

function lorenzRows(count: number) {
  const y0 = new Float64Array(count * 3).map((_, i) => [1 + (i / 3) * 1e-4, 0, 0.5][i % 3]!);
  const params = new Float64Array(count * 3).map((_, i) => [10, 28, 8 / 3][i % 3]!);
  return { y0, params };
}

/** Rejects whether solveEnsemble throws its refusal synchronously or returns a rejected promise. */
function settle<T>(run: () => Promise<T>): Promise<T> {
  return (async () => run())();
}

const FAKE_INFO: SolverInfo = {
  model: 'fake',
  states: ['x'],
  params: ['k'],
  paramDefaults: [1],
  time: 't',
  method: 'fake',
  order: 1,
  adaptive: true,
  sensitivities: [],
};

/**
 * A stand-in for a generated module (one state x, one parameter k) whose solve runs `body` first: it has the
 * options `o` and the generated modules' OptionError and IntegrationError (branded the same way) in scope.
 */
function fakeModule(body: string): string {
  return `
const brand = (e, kind) => { for (const c of ['OdeforgeError', kind]) Object.defineProperty(e, Symbol.for('odeforge.' + c), { value: true }); };
class OptionError extends Error {
  constructor(option, problem) { super(option + ': ' + problem); this.name = 'OptionError'; this.option = option; brand(this, 'OptionError'); }
}
class IntegrationError extends Error {
  constructor(message, t, reason, partial) { super(message); this.name = 'IntegrationError'; this.t = t; this.reason = reason; this.partial = partial; brand(this, 'IntegrationError'); }
}
const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };
const info = ${JSON.stringify(FAKE_INFO)};
function solve(o) {
  ${body}
  return { t: o.t1, y: Float64Array.from(o.y0), stats: { steps: 1, rejected: 0 } };
}
module.exports = { info, solve };
`;
}

/** Runs a fake module over `count` rows with x = row index and k = 1. */
function runFake(js: string, count: number, workers = 2) {
  const y0 = Float64Array.from({ length: count }, (_, i) => i);
  const params = new Float64Array(count).fill(1);
  return solveEnsembleCpu(js, FAKE_INFO, { t0: 0, t1: 1, y0, params }, { count, workers });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('a bad row of a cpu ensemble', () => {
  const solver = compile(LORENZ, { method: 'Dormand-Prince', sensitivities: ['y0', 'params'] });

  it('a NaN in row 3000 of 4000 rejects with an OptionError naming the row and the entry', async () => {
    const { y0, params } = lorenzRows(4000);
    y0[3000 * 3] = Number.NaN;
    const error = await rejection(settle(() => solver.solveEnsemble({ t0: 0, t1: 1, y0, params }, { workers: 2 })));
    expect(error).toBeInstanceOf(OptionError);
    expect(error).toBeInstanceOf(OdeforgeError);
    expect((error as OptionError).option).toBe('y0');
    expect(error.message).toMatch(/^y0: row 3000, entry 0 \(x\): must be a finite number, got NaN/);

    const good = lorenzRows(4000);
    good.params[12 * 3 + 1] = Number.POSITIVE_INFINITY;
    const bad = await rejection(settle(() => solver.solveEnsemble({ t0: 0, t1: 1, ...good }, { workers: 2 })));
    expect(bad).toBeInstanceOf(OptionError);
    expect(bad.message).toMatch(/^params: row 12, entry 1 \(rho\): must be a finite number, got Infinity/);
  });

  it("a solve's OptionError in a worker is rebuilt as an OptionError, with the same message as on the calling thread", async () => {
    const js = fakeModule("if (o.y0[0] === 40) throw new OptionError('y0', 'x is 40');");
    const inWorker = await rejection(runFake(js, 4000));
    const inline = await rejection(runFake(js, 50));
    for (const error of [inWorker, inline]) {
      expect(error).toBeInstanceOf(OptionError);
      expect(error).toBeInstanceOf(OdeforgeError);
      expect((error as OptionError).option).toBe('y0');
    }
    expect(inWorker.message).toBe('y0: row 40: x is 40');
    expect(inline.message).toBe(inWorker.message);
  });

  it("a parameter refused by a worker's solve is named with its row and entry", async () => {
    const js = fakeModule(
      "if (o.y0[0] === 3000) throw new OptionError('params.k', 'must be a finite number, got NaN');",
    );
    const error = await rejection(runFake(js, 4000));
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).option).toBe('params');
    expect(error.message).toBe('params: row 3000, entry 0 (k): must be a finite number, got NaN');
  });

  it('other errors keep their kind and name the trajectory', async () => {
    const integration = await rejection(
      runFake(fakeModule("if (o.y0[0] === 3000) throw new IntegrationError('stopped', 0.5, 'max-steps');"), 4000),
    );
    expect(integration).toBeInstanceOf(IntegrationError);
    expect(integration).not.toBeInstanceOf(OptionError);
    expect((integration as IntegrationError).reason).toBe('max-steps');
    expect((integration as IntegrationError).t).toBe(0.5);
    expect(integration.message).toBe('trajectory 3000: stopped');

    const bug = await rejection(runFake(fakeModule('if (o.y0[0] === 3000) null.x;'), 4000));
    expect(bug).not.toBeInstanceOf(OdeforgeError);
    expect(bug.name).toBe('TypeError');
    expect(bug.message).toMatch(/^trajectory 3000: /);
  });

  it('a failing slice cancels the others: they stop before their next row, queued ones never start', async () => {
    const pool = ensemblePool();
    await pool.drained();
    const before = pool.stats().rowsStarted;
    // 2000 rows of 2 ms in slices of 250 rows; row 5 fails. Without cancellation every row would start.
    const error = await rejection(
      runFake(fakeModule("spin(2); if (o.y0[0] === 5) throw new OptionError('y0', 'bad');"), 2000),
    );
    expect(error).toBeInstanceOf(OptionError);
    await pool.drained();
    const started = pool.stats().rowsStarted - before;
    expect(started).toBeGreaterThanOrEqual(6);
    expect(started).toBeLessThan(250);
  });

  it('a slice stuck in one long trajectory has its thread terminated when its ensemble fails', async () => {
    const pool = ensemblePool();
    await pool.drained();
    const killed = pool.stats().killed;
    const started = join(scratch, 'spinner-started');
    // Row 0 never returns; row 300 (another slice) fails once row 0 has surely started.
    const js = fakeModule(`
      const fs = process.getBuiltinModule('node:fs');
      if (o.y0[0] === 0) { fs.writeFileSync(${JSON.stringify(started)}, ''); for (;;) spin(1000); }
      if (o.y0[0] === 300) { while (!fs.existsSync(${JSON.stringify(started)})) spin(5); throw new OptionError('y0', 'bad'); }
    `);
    const error = await rejection(runFake(js, 2000));
    expect(error.message).toBe('y0: row 300: bad');
    await pool.drained();
    expect(pool.stats().killed).toBe(killed + 1);
  });
});

describe('the shared worker pool', () => {
  const solver = compile(LORENZ, { method: 'Dormand-Prince', sensitivities: ['y0'] });

  it('50 concurrent ensembles queue on at most `workers` threads, each evaluating the module once', async () => {
    const pool = ensemblePool();
    await pool.drained();
    pool.resetPeaks();
    const loads = pool.stats().moduleLoads;
    const { y0, params } = lorenzRows(100);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => solver.solveEnsemble({ t0: 0, t1: 0.5, y0, params }, { workers: 2 })),
    );
    const stats = pool.stats();
    expect(stats.peakBusy).toBe(2);
    expect(stats.peakThreads).toBeLessThanOrEqual(2);
    // Once per thread, not once per call or per slice.
    expect(stats.moduleLoads - loads).toBeLessThanOrEqual(2);
    const single = solver.solve({
      t0: 0,
      t1: 0.5,
      y0: y0.subarray(297, 300),
      params: { sigma: 10, rho: 28, beta: 8 / 3 },
    });
    for (const r of results) {
      expect(r.status.every((s) => s === 'ok')).toBe(true);
      expect(Array.from(r.y.subarray(297, 300))).toEqual(Array.from(single.y));
    }
  });

  it('idle worker threads do not keep a script alive', async () => {
    const script = join(scratch, 'exits.mts');
    writeFileSync(
      script,
      `import { compile } from ${JSON.stringify(pathToFileURL(resolve('src/compile.ts')).href)};
const solver = compile(${JSON.stringify(LORENZ)});
const y0 = new Float64Array(3 * 200).fill(1);
const r = await solver.solveEnsemble({ t0: 0, t1: 0.1, y0 }, { workers: 2 });
console.log('done', r.stats.trajectories);
`,
    );
    // The pool's threads exit on their own after 30 s idle; a script held by them would be killed first.
    const { code, signal, output } = await runNode(script, 20_000);
    expect(output).toContain('done 200');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

describe('an interrupted CUDA build', () => {
  it('kills the compiler with its subprocesses and removes its temporary output, then ends by the signal', async () => {
    const cacheDir = join(scratch, 'cache');
    const pidFile = join(scratch, 'grandchild.pid');
    const tmpdirFile = join(scratch, 'compiler-tmpdir');
    const nvcc = join(scratch, 'slow-nvcc');
    // A compiler that writes part of its output and an intermediate file, starts a subprocess (as nvcc starts
    // cicc and ptxas), and hangs.
    writeFileSync(
      nvcc,
      `#!/bin/sh
if [ "$1" = "--version" ]; then echo "slow-nvcc 1.0"; exit 0; fi
out=""
while [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then out="$2"; fi; shift; done
echo partial > "$out"
touch "$TMPDIR/tmpxft_intermediate"
echo "$TMPDIR" > ${JSON.stringify(tmpdirFile)}
sleep 300 &
echo $! > ${JSON.stringify(pidFile)}
wait
`,
      { mode: 0o755 },
    );
    const script = join(scratch, 'build.mts');
    writeFileSync(
      script,
      `import { buildLibrary } from ${JSON.stringify(pathToFileURL(resolve('src/ensemble/cuda-build.ts')).href)};
await buildLibrary('// kernel', 'cuda', { nvcc: ${JSON.stringify(nvcc)}, cacheDir: ${JSON.stringify(cacheDir)} });
console.log('built');
`,
    );
    const child = spawnNode(script);
    // Wait for the build to be under way: the subprocess started and the temporary output written.
    const temporaries = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.includes('.tmp')) : []);
    while (!(existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n') && temporaries().length > 0)) {
      if (child.exitCode !== null) throw new Error(`the build script ended early:\n${child.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    child.process.kill('SIGINT');
    const { code, signal } = await child.exited;
    expect(child.output()).not.toContain('built');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    expect(temporaries()).toEqual([]);
    // The compiler's own intermediate files went to a folder of the build's, removed with it.
    const compilerTmp = readFileSync(tmpdirFile, 'utf8').trim();
    expect(compilerTmp).toContain('odeforge-build-');
    expect(existsSync(compilerTmp)).toBe(false);
    // The kill is sent before the signal is re-raised; give the kernel a moment to deliver it.
    for (let i = 0; i < 100 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(grandchild)).toBe(false);
  });
});

/** Whether a process exists and is not a zombie (in a container, orphans may never be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function spawnNode(script: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: resolve('.'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return {
    process: child,
    exited,
    output: () => output,
    get exitCode() {
      return child.exitCode ?? child.signalCode;
    },
  };
}

async function runNode(script: string, killAfterMs: number) {
  const child = spawnNode(script);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), killAfterMs);
  const result = await child.exited;
  clearTimeout(timer);
  return { ...result, output: child.output() };
}
