import { readFileSync } from 'node:fs';
import type { ModelSpec } from '../../src/model/model.ts';

/** A model shipped in examples/. */
export function example(name: string): ModelSpec {
  return JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8')) as ModelSpec;
}
