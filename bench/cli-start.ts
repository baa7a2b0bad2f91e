/**
 * A cold `odeforge solve` of the seed, as an installed package runs it: a new Node process each time, bin/odeforge
 * running the compiled dist/ (no tsx), parsing the model, generating the solver, erasing its types, solving with the
 * y0 and parameter Jacobians and printing JSON. Node's own start (`node -e 0`) is timed alternately in the same
 * run as the reference: odeforge's share is the difference.
 *
 * dist/ is rebuilt first (npm run build, ~4 s), so the figure is that of the sources in the checkout.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { duration, ratio, round, type Section, table } from './lib/format.ts';
import { median } from './lib/race.ts';

export interface CliStartOptions {
  readonly rounds: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** bin/odeforge as in an installed package: ODEFORGE_CLI=dist makes it run dist/ although src/ is beside it. */
const BIN = fileURLToPath(new URL('../bin/odeforge', import.meta.url));
const ENV: NodeJS.ProcessEnv = { ...process.env, ODEFORGE_CLI: 'dist', NODE_OPTIONS: '' };
const SOLVE = ['solve', 'examples/seed.json', '--y0', '1,0', '--t1', '1', '--sens', 'y0,params', '--json'];

function timedRun(args: readonly string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: ENV });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export function runCliStart(o: CliStartOptions): Section {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  const solveArgs = [BIN, ...SOLVE];
  timedRun(solveArgs); // once untimed: the file cache, not odeforge, is what a first run after a build measures
  const node: number[] = [];
  const solve: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    node.push(timedRun(['-e', '0']));
    solve.push(timedRun(solveArgs));
  }
  const nodeMs = median(node);
  const solveMs = median(solve);
  console.error(`  cli start: node -e 0 ${nodeMs.toFixed(0)} ms, odeforge solve ${solveMs.toFixed(0)} ms`);
  return {
    markdown: [
      '## Cold CLI solve (installed package: compiled dist/, a new process per call)',
      '',
      `\`odeforge solve examples/seed.json --y0 1,0 --t1 1 --sens y0,params --json\`, medians of ${o.rounds} runs`,
      'alternating with `node -e 0` (the start of Node itself).',
      '',
      ...table(
        ['command', 'wall time', 'ratio to node -e 0'],
        [
          ['node -e 0', duration(nodeMs * 1e3), '1×'],
          ['odeforge solve (seed, Jacobians, JSON)', duration(solveMs * 1e3), ratio(solveMs / nodeMs)],
        ],
      ),
      '',
    ],
    json: { rounds: o.rounds, nodeMs: round(nodeMs), solveMs: round(solveMs) },
  };
}
