/**
 * The optional dependencies: koffi (the CUDA backend calls the compiled ensemble through it) and webgpu (Dawn,
 * WebGPU in Node). Both are imported on first use only; when one is not installed the error says which package
 * the backend needs, not the bare ERR_MODULE_NOT_FOUND of the import.
 */

/** Whether `e`, thrown by `import(name)`, says that the package itself is not installed. */
export function isMissingPackage(e: unknown, name: string): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}

/**
 * The message for missing optional packages: `odeforge plot needs the optional packages 'vega' and 'vega-lite',
 * which are not installed: npm install vega vega-lite`.
 */
export function optionalPackagesMessage(subject: string, names: readonly string[]): string {
  const several = names.length > 1;
  const quotedNames = names.map((n) => `'${n}'`).join(' and ');
  return `${subject} needs the optional package${several ? 's' : ''} ${quotedNames}, which ${several ? 'are' : 'is'} not installed: npm install ${names.join(' ')}`;
}

/** The message for a backend's missing package: `the CUDA backend needs the optional package 'koffi': ...`. */
export function missingPackageMessage(backend: string, name: string): string {
  return optionalPackagesMessage(`the ${backend} backend`, [name]);
}
