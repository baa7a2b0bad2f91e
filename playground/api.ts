/**
 * What the playground's page and its dev server say to each other (POST /api/generate, GET /api/methods):
 * types only, shared by both sides.
 */

export interface GenerateRequest {
  /** The model as the user typed it: JSON text, parsed and validated on the server. */
  readonly model: string;
  /** A method name or alias (the server's generate() checks it). */
  readonly method: string;
  readonly sensitivities: readonly ('y0' | 'params')[];
}

/** A problem the user can fix, with where it is in the model text when that is known (1-based). */
export interface PlaygroundError {
  /** json: the text is not JSON; model: a ModelError; option: a bad method or sensitivity. */
  readonly kind: 'json' | 'model' | 'option';
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** Character offsets of the spot in the text, for selecting it. */
  readonly start?: number;
  readonly end?: number;
}

/** One generated target: its source, or why this model and method have none (e.g. WGSL for an implicit method). */
export type TargetSource =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly reason: string };

export type GenerateResponse =
  | {
      readonly ok: true;
      /** The TypeScript module, and the same module as ES2022 JavaScript (what the page imports and runs). */
      readonly ts: string;
      readonly js: string;
      readonly cuda: TargetSource;
      readonly wgsl: TargetSource;
      /** Milliseconds the server spent generating all four. */
      readonly ms: number;
    }
  | { readonly ok: false; readonly error: PlaygroundError };

export interface MethodsResponse {
  readonly methods: readonly string[];
}
