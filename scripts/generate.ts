/** Regenerates every shipped solver in generated/ (npm run generate). */
import { readFileSync, writeFileSync } from 'node:fs';
import { generate } from '../src/compile.ts';
import type { ModelSpec } from '../src/model/model.ts';
import { commandFor, SHIPPED } from './shipped.ts';

for (const s of SHIPPED) {
  const spec = JSON.parse(readFileSync(s.model, 'utf8')) as ModelSpec;
  const source = generate(spec, { method: s.method, sensitivities: s.sensitivities, command: commandFor(s) });
  writeFileSync(s.out, source);
  console.log(`${s.out}  ${source.length} bytes  (${s.method}, sensitivities ${s.sensitivities.join(',')})`);
}
