/**
 * WebGpuUnavailableError, apart from the WebGPU backend (webgpu.ts) so that the package's declarations of its
 * public API do not name the WebGPU types (GPUDevice, ...), which a consumer without the DOM library lacks.
 */
import { ERROR_BRAND_PREFIX, OdeforgeError } from '../errors.ts';

const BRAND = Symbol.for(`${ERROR_BRAND_PREFIX}WebGpuUnavailableError`);

/** How to get an adapter, for the error message. */
const HOW_TO_GET_ONE =
  'In a browser, use one with WebGPU enabled. In Node, odeforge uses the npm package "webgpu" (Dawn) over Vulkan: ' +
  "with a GPU, install its Vulkan driver; without one, install Mesa's CPU driver (lavapipe) and export its " +
  'environment before starting Node: on Debian 12, eval "$(bash scripts/webgpu-env.sh)" in the odeforge checkout ' +
  'or in node_modules/odeforge (the package ships the script).';

/** No WebGPU adapter (or device) could be had: no GPU, no driver, or no WebGPU implementation at all. */
export class WebGpuUnavailableError extends OdeforgeError {
  /** True for a WebGpuUnavailableError (recognised by its registered brand symbol, as for OdeforgeError). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
  /** 'WebGpuUnavailableError'. */
  override name = 'WebGpuUnavailableError';
  constructor(
    /** What failed: the import of 'webgpu', requestAdapter, requestDevice. */
    readonly detail: string,
  ) {
    super(`WebGPU is not available: ${detail}. ${HOW_TO_GET_ONE}`);
    Object.defineProperty(this, BRAND, { value: true });
  }
}
