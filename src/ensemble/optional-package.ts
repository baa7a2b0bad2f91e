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

/** The message for a missing optional package: `the CUDA backend needs the optional package 'koffi': ...`. */
export function missingPackageMessage(backend: string, name: string): string {
  return `the ${backend} backend needs the optional package '${name}', which is not installed: npm install ${name}`;
}
