/**
 * The decoder of packed integer tables exactly as the stiff templates give it to the generated module
 * (templates/ts/newton-matrix.ts, unpackInt32), as TypeScript text, for tests that compile emitted code alone.
 */
import { readFileSync } from 'node:fs';

export const UNPACK_INT32_SOURCE: string = /^function unpackInt32\([\s\S]*?^}$/m.exec(
  readFileSync(new URL('../../templates/ts/newton-matrix.ts', import.meta.url), 'utf8'),
)![0];
