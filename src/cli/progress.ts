/**
 * The progress bar of `odeforge solve` (cli-progress), on stderr: with `--progress auto` (the default) only on a
 * terminal and only once a solve has run for a second — a quick solve, or output piped to a file, shows nothing;
 * `--progress on` draws it from the first report wherever stderr goes, `off` never.
 */
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { SolveProgress } from '../runtime/types.ts';

export type ProgressMode = 'auto' | 'on' | 'off';

/** How long a solve runs before `auto` shows the bar. */
export const SHOW_AFTER_MS = 1000;

export interface ProgressBar {
  readonly onProgress: (p: SolveProgress) => void;
  /** Removes the bar (if shown) so that what follows starts on a clean line. */
  stop(): void;
}

export function progressBar(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): ProgressBar | undefined {
  if (mode === 'off' || (mode === 'auto' && !stream.isTTY)) return undefined;
  let bar: CliProgress.SingleBar | undefined;
  return {
    onProgress(p) {
      if (bar === undefined) {
        if (mode === 'auto' && p.elapsedMs < SHOW_AFTER_MS) return;
        // loaded when a bar is first drawn: most solves never draw one
        const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: 'solve |{bar}| {percentage}% | t = {t} | ETA {eta_s}',
            noTTYOutput: mode === 'on',
            notTTYSchedule: 100,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(100, 0, { t: '', eta_s: '' });
      }
      const eta = Number.isFinite(p.etaMs) ? `${(p.etaMs / 1e3).toFixed(1)} s` : '…';
      bar.update(Math.round(p.fraction * 1000) / 10, { t: p.t.toPrecision(6), eta_s: eta });
    },
    stop() {
      bar?.stop();
    },
  };
}
