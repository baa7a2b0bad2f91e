/**
 * vitest globalSetup: builds dist/ from the sources once (npm run build, a few seconds) and has every CLI the
 * tests start run it (ODEFORGE_CLI=dist, read by bin/odeforge), as an installed package does. Through tsx each
 * CLI call transpiled the sources again, ~0.8 s a call; the suite starts a few hundred. What a globalSetup puts
 * in process.env reaches the test workers and the processes they start.
 *
 * The pack test packs this build rather than building again (a rebuild would replace dist/ under the CLI calls
 * of the tests running beside it).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default function setup(): void {
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  } catch (e) {
    // Sources that do not compile yet (work in progress): the CLI runs them through tsx, as before. `npm test`
    // type-checks first, so there the build succeeds.
    const why = String((e as { stderr?: unknown }).stderr ?? e).trim();
    console.warn(`build-dist: npm run build failed, the tests' CLI calls run the sources through tsx:\n${why}`);
    return;
  }
  process.env.ODEFORGE_CLI = 'dist';
}
