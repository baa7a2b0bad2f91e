/**
 * Native and Python contenders run as subprocesses that time themselves over many repetitions and print one
 * JSON line, so process start-up and interpreter import never enter the measured time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Build outputs go here; bench/results/tmp is git-ignored. */
export const TMP_DIR = fileURLToPath(new URL('../results/tmp/', import.meta.url));
const REFERENCE_DIR = fileURLToPath(new URL('../reference/', import.meta.url));

export type Built = { ok: true; path: string } | { ok: false; reason: string };

function firstLine(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const text = String(err.stderr ?? '') || String(err.message ?? e);
  return text.trim().split('\n')[0] ?? 'unknown error';
}

/** Compiles bench/reference/<file> with gcc -O3 -march=native, the build the anchors were measured with. */
export function buildC(file: string): Built {
  mkdirSync(TMP_DIR, { recursive: true });
  const out = TMP_DIR + file.replace(/\.c$/, '');
  try {
    execFileSync('gcc', ['-O3', '-march=native', '-o', out, REFERENCE_DIR + file, '-lm'], { stdio: 'pipe' });
    return { ok: true, path: out };
  } catch (e) {
    return { ok: false, reason: `gcc failed: ${firstLine(e)}` };
  }
}

/** Runs a self-timing program and parses the JSON line it prints. */
export function runJson<T>(command: string, args: readonly string[]): T {
  const out = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as T;
}

/** Path of a script in bench/reference/. */
export function referencePath(file: string): string {
  return REFERENCE_DIR + file;
}

/** The first line of what a command prints, or undefined when it fails (used for tool versions). */
export function probe(command: string, args: readonly string[]): string | undefined {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    return out.trim().split('\n')[0];
  } catch {
    return undefined;
  }
}
