/**
 * The server side of "Generate": the model text, parsed and validated, through odeforge's public API into the
 * four targets the page shows. The user's text is only ever data here — JSON parsed into a ModelSpec, which
 * buildModel validates — never code. Problems the user can fix come back as a PlaygroundError with a position in
 * the text; anything else (a bug) is thrown to the caller.
 */
import { findNodeAtLocation, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import {
  buildModel,
  generate,
  generateJavaScript,
  ModelError,
  type ModelSpec,
  OdeforgeError,
  type Sensitivity,
} from '../../src/index.ts';
import type { GenerateResponse, PlaygroundError, TargetSource } from '../api.ts';

/** Larger request bodies are refused unread: a model worth typing into a page is far smaller. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function located(kind: PlaygroundError['kind'], message: string, text: string, start: number, end: number) {
  return { kind, message, ...lineColumn(text, start), start, end };
}

/** The first JSON syntax error, located (strict JSON: no comments, no trailing commas). */
function jsonError(text: string): PlaygroundError | undefined {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return undefined;
  const what = printParseErrorCode(first.error);
  return located('json', `not valid JSON: ${what}`, text, first.offset, first.offset + Math.max(first.length, 1));
}

/**
 * Where a ModelError points in the text: inside the state's right-hand side string, at the character the message
 * names ("… at character 4 in "-k*qq"", 1-based in the expression) when it names one; else the whole entry (or
 * the rhs object, when the entry is missing); for an error without a state (a bad name), the first place the
 * offending text appears quoted.
 */
function modelErrorSpot(text: string, e: ModelError): { start: number; end: number } | undefined {
  const { state, text: offending } = e.location;
  const tree = parseTree(text);
  if (tree !== undefined && state !== undefined) {
    const node = findNodeAtLocation(tree, ['rhs', state]) ?? findNodeAtLocation(tree, ['rhs']);
    if (node?.type === 'string') {
      const at = [...e.message.matchAll(/at character (\d+) in "/g)].pop();
      // +1: past the opening quote (escapes inside the string would shift this; the entry is still right)
      const start = node.offset + 1 + (at ? Number(at[1]) - 1 : 0);
      return { start, end: at ? start + 1 : node.offset + node.length };
    }
    if (node !== undefined) return { start: node.offset, end: node.offset + node.length };
  }
  if (offending !== undefined) {
    const at = text.indexOf(JSON.stringify(offending));
    if (at >= 0) return { start: at, end: at + JSON.stringify(offending).length };
  }
  return undefined;
}

/** A GPU target's source, or why there is none for this model and method (an implicit method, f32 range). */
function gpuTarget(run: () => string): TargetSource {
  try {
    return { ok: true, code: run() };
  } catch (e) {
    if (e instanceof OdeforgeError) return { ok: false, reason: e.message };
    throw e;
  }
}

/** Generates every target for a request, or says what is wrong with it and where. */
export function generateAll(
  modelText: string,
  method: string,
  sensitivities: readonly Sensitivity[],
): GenerateResponse {
  const syntax = jsonError(modelText);
  if (syntax) return { ok: false, error: syntax };
  const began = performance.now();
  try {
    // Validated once; the four targets reuse the built model.
    const model = buildModel(JSON.parse(modelText) as ModelSpec);
    const options = { method, sensitivities };
    const ts = generate(model, { ...options, target: 'ts' });
    const { code: js } = generateJavaScript(model, options);
    const cuda = gpuTarget(() => generate(model, { ...options, target: 'cuda' }));
    const wgsl = gpuTarget(() => generate(model, { ...options, target: 'wgsl' }));
    return { ok: true, ts, js, cuda, wgsl, ms: performance.now() - began };
  } catch (e) {
    if (e instanceof ModelError) {
      const spot = modelErrorSpot(modelText, e);
      const error = spot
        ? located('model', e.message, modelText, spot.start, spot.end)
        : { kind: 'model' as const, message: e.message };
      return { ok: false, error };
    }
    if (e instanceof OdeforgeError) return { ok: false, error: { kind: 'option', message: e.message } };
    throw e;
  }
}
