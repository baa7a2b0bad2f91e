// npm run docs: odeforge's API reference, typedoc over the package's public entries (typedoc.json), written to
// docs/api/ (git-ignored; open docs/api/index.html). typedoc runs from this tools package, which installs it with
// the TypeScript 5.9 it needs (the root's TypeScript 7 has no JavaScript compiler API); it is installed here from
// its lock file on first use. An undocumented public export, or any other warning, fails the run.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const typedoc = fileURLToPath(new URL('node_modules/typedoc/bin/typedoc', import.meta.url));
if (!existsSync(typedoc)) execSync('npm ci --no-audit --no-fund', { cwd: here, stdio: 'inherit' });
const options = fileURLToPath(new URL('typedoc.json', import.meta.url));
const run = spawnSync(process.execPath, [typedoc, '--options', options], { stdio: 'inherit' });
process.exit(run.status ?? 1);
