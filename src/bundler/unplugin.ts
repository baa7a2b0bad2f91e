/**
 * odeforge as a build step inside a bundler: one plugin (unplugin) for Vite, Rollup, esbuild, webpack and
 * Rspack. A module that imports a model file whose name ends `.ode.json` gets the generated solver (the
 * JavaScript target: `solve`, `info`, the error classes), compiled when the bundle is built:
 *
 * ```ts
 * // vite.config.ts
 * import odeforge from 'odeforge/unplugin';
 * export default { plugins: [odeforge.vite({ method: 'RK45CK', sensitivities: ['y0', 'params'] })] };
 *
 * // app.ts
 * import { solve } from './lorenz.ode.json';
 * import { solve as stiff } from './robertson.ode.json?method=Rodas5P&sens=params';
 * ```
 *
 * The query overrides the plugin's options for one import (method, sens: y0 | params | y0,params | none). A bad
 * model fails the build with the file and, for a bad right-hand side, the line and column of its state's entry.
 *
 * @module odeforge/unplugin
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createUnplugin, type UnpluginInstance } from 'unplugin';
import { readModelFile } from '../cli/model-file.ts';
import { generate } from '../compile.ts';
import { ModelError, OdeforgeError } from '../errors.ts';
import type { Sensitivity } from '../variational/system.ts';

/**
 * The plugin's options: the defaults for every model import, which an import's query (`?method=…&sens=…`)
 * overrides.
 */
export interface OdeforgePluginOptions {
  /** The integration method (default 'RK45CK'). */
  readonly method?: string;
  /** The sensitivities to integrate (default ['y0']). */
  readonly sensitivities?: readonly Sensitivity[];
}

/**
 * The model files the plugin compiles: `*.ode.json`, or a TypeScript model `*.ode.ts` / `*.ode.mts` (its
 * `export default defineModel({ … })` read as data, never bundled or run), with an optional query.
 */
export const MODEL_FILE = /\.ode\.(?:json|ts|mts)(\?.*)?$/;

/** The per-import options in the query (`?method=…&sens=…`) over the plugin's. */
function importOptions(
  id: string,
  defaults: OdeforgePluginOptions,
): { path: string; method: string; sens: Sensitivity[] } {
  const at = id.indexOf('?');
  const path = at < 0 ? id : id.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : id.slice(at + 1));
  for (const key of query.keys())
    if (key !== 'method' && key !== 'sens')
      throw new OdeforgeError(`${path}: unknown import option '${key}' (known: method, sens)`);
  const sensText = query.get('sens');
  const sens =
    sensText === null
      ? [...(defaults.sensitivities ?? ['y0'])]
      : sensText === 'none'
        ? []
        : (sensText.split(',') as Sensitivity[]);
  return { path, method: query.get('method') ?? defaults.method ?? 'RK45CK', sens };
}

/** Line and column (1-based) of a state's entry in the model file's `rhs`, when it can be found. */
function stateLocation(text: string, state: string | undefined): { line: number; column: number } | undefined {
  if (state === undefined) return undefined;
  const rhs = text.search(/"rhs"\s*:/);
  if (rhs < 0) return undefined;
  // the state as a key (followed by a colon), not as a value: in {"x": "v", "v": …} the first "v" is x's rhs
  const quotedKey = JSON.stringify(state).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${quotedKey}\\s*:`).exec(text.slice(rhs));
  if (match === null) return undefined;
  const key = rhs + match.index;
  const before = text.slice(0, key).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/**
 * The id a model import resolves to: outside the file system ("\0", the bundlers' mark for a virtual module) and
 * ending in .js, so that no bundler's JSON handling takes it for the model's JSON.
 */
const VIRTUAL = '\0odeforge:';
const VIRTUAL_END = '.solver.js';

/**
 * The plugin for every bundler unplugin supports (also the default export): `odeforgePlugin.vite(options)`,
 * `.rollup`, `.esbuild`, `.webpack`, `.rspack`. An import of a `*.ode.json` file resolves to the model's generated
 * JavaScript solver module, compiled when the bundle is built. A bad model, an unknown method or sensitivity, or
 * an unknown query key fails the build with an error that names the file (and, for a bad right-hand side, its
 * line and column).
 */
export const odeforgePlugin: UnpluginInstance<OdeforgePluginOptions | undefined, false> = createUnplugin(
  (options: OdeforgePluginOptions | undefined) => ({
    name: 'odeforge',
    enforce: 'pre',
    resolveId(id: string, importer: string | undefined) {
      if (!MODEL_FILE.test(id)) return null;
      const absolute = isAbsolute(id) ? id : resolve(importer ? dirname(importer) : process.cwd(), id);
      return `${VIRTUAL}${absolute}${VIRTUAL_END}`;
    },
    loadInclude: (id: string) => id.startsWith(VIRTUAL) && id.endsWith(VIRTUAL_END),
    load(id: string) {
      const { path, method, sens } = importOptions(id.slice(VIRTUAL.length, -VIRTUAL_END.length), options ?? {});
      try {
        const spec = readModelFile(path);
        return generate(spec, { method, sensitivities: sens, target: 'js' });
      } catch (e) {
        if (!(e instanceof OdeforgeError)) throw e;
        // a TypeScript model's errors carry their line and column already; a JSON model's rhs entry is found here
        const json = path.endsWith('.json');
        const where =
          json && e instanceof ModelError ? stateLocation(readFileSync(path, 'utf8'), e.location.state) : undefined;
        const at = where === undefined ? '' : `:${where.line}:${where.column}`;
        // thrown, not this.error: every bundler reports an error thrown by load as a build error of the import
        throw new Error(`odeforge: ${path}${at}: ${e.message}`);
      }
    },
    esbuild: { loader: 'js' },
  }),
);

export default odeforgePlugin;
/** The Vite plugin: `plugins: [vite(options)]` in vite.config.ts. */
export const vite = odeforgePlugin.vite;
/** The Rollup plugin: `plugins: [rollup(options)]` in rollup.config.js. */
export const rollup = odeforgePlugin.rollup;
/** The esbuild plugin: `plugins: [esbuild(options)]` in esbuild's build options. */
export const esbuild = odeforgePlugin.esbuild;
/** The webpack plugin: `plugins: [webpack(options)]` in webpack.config.js. */
export const webpack = odeforgePlugin.webpack;
/** The Rspack plugin: `plugins: [rspack(options)]` in rspack.config.js. */
export const rspack = odeforgePlugin.rspack;
