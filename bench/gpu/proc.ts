/**
 * Subprocesses with a time limit that never throw: a missing program, a non-zero exit, a timeout all come back
 * as data, so one failing contender is one line in the report, not the end of the run.
 */
import { spawn } from 'node:child_process';

export interface ProcResult {
  /** Exit code; null when killed or never started. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The program was not found (ENOENT) or could not start. */
  readonly startError?: string;
  readonly ms: number;
}

export interface ProcOptions {
  readonly timeoutMs: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each chunk of stdout (progress on long runs). */
  readonly onStdout?: (chunk: string) => void;
}

/** Process groups started here and still running. */
const active = new Set<number>();

/** Kills the process groups still running (before this process exits early: they would outlive it). */
export function killActive(): void {
  for (const pid of active) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  active.clear();
}

/** Runs `file args`; on timeout kills its process group (it is started as a group leader). */
export function runProc(file: string, args: readonly string[], options: ProcOptions): Promise<ProcResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (code: number | null, startError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child?.pid !== undefined) active.delete(child.pid);
      resolve({ code, stdout, stderr, timedOut, startError, ms: performance.now() - started });
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (e) {
      resolve({ code: null, stdout, stderr, timedOut, startError: String(e), ms: 0 });
      return;
    }
    if (child.pid !== undefined) active.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      stdout += d;
      options.onStdout?.(d);
    });
    child.stderr!.on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) =>
      finish(null, (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${file}: not found` : String(e)),
    );
    child.on('close', (code) => finish(code));
  });
}

/** The last few lines of a process's output, for an error line. */
export function tail(text: string, lines = 3, chars = 400): string {
  const t = text.trim().split('\n').slice(-lines).join(' | ');
  return t.length > chars ? `…${t.slice(-chars)}` : t;
}

/** One line saying why a subprocess gave no result. */
export function whyFailed(r: ProcResult, what: string, timeoutS: number): string {
  if (r.startError) return `${what}: could not start (${r.startError})`;
  if (r.timedOut) return `${what}: timed out after ${timeoutS} s`;
  return `${what}: exited with ${r.code}${r.stderr || r.stdout ? `: ${tail(r.stderr || r.stdout)}` : ''}`;
}
