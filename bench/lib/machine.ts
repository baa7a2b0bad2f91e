/** What the numbers were measured on: they mean nothing without it. */
import { cpus, loadavg } from 'node:os';
import { probe } from './native.ts';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly gcc: string;
  readonly python: string;
  readonly scipy: string;
  readonly date: string;
  /** 1-minute load average when the run began: other work on a shared machine shows up here. */
  readonly loadAverage: number;
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    gcc: probe('gcc', ['-dumpfullversion']) ?? 'not available',
    python: probe('python3', ['-c', 'import sys; print(sys.version.split()[0])']) ?? 'not available',
    scipy: probe('python3', ['-c', 'import scipy; print(scipy.__version__)']) ?? 'not available',
    date: new Date().toISOString(),
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
  };
}
