/**
 * The playground's dev server (npm run playground): the page in this folder, and the API that generates code
 * (server/plugin.ts). The page also imports from outside this folder — the shipped seed model
 * (examples/seed.json) and odeforge's WebGPU runner (src/ensemble/webgpu-run.ts) — hence fs.allow.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { playgroundApi } from './server/plugin.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repository = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: here,
  plugins: [playgroundApi()],
  server: { fs: { allow: [repository] } },
  // Optimized when the server starts rather than on first sight in the page, which would reload the page midway.
  optimizeDeps: { include: ['vega', 'vega-lite'] },
  logLevel: 'info',
});
