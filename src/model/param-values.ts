/**
 * Parameter values written with arrays, for a solver of a model with array parameters: a solver's `params`
 * option (like `info.params`) names each entry (`M_1_0`), and paramValues writes them from the arrays.
 */
import { type FlatParams, flattenParams, type ParamArray, type ParamValue, readParamArray } from './array-params.ts';
import { isModel, type Model, type ModelSpec } from './model.ts';

/**
 * `{ k: 3, M: [[0, 1], [-20, 0]] }` → `{ k: 3, M_0_0: 0, M_0_1: 1, M_1_0: -20, M_1_1: 0 }` for `model`; an
 * entry alone may be written `'M[1][0]': -20`. A whole array must have the model's shape for it; other names
 * are passed on for the solver to check. Throws OptionError naming `option` (default 'params').
 */
export function paramValues(
  model: Model | ModelSpec<ParamValue>,
  values: Readonly<Record<string, unknown>>,
  option = 'params',
): FlatParams {
  return flattenParams(arraysOf(model), values, option);
}

/** The array parameters of a built model, or of a spec (read from its defaults; a bad one is left out). */
function arraysOf(model: Model | ModelSpec<ParamValue>): readonly Pick<ParamArray, 'name' | 'shape'>[] {
  if (isModel(model)) return model.paramArrays;
  const params = (model as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return [];
  const arrays: Pick<ParamArray, 'name' | 'shape'>[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!Array.isArray(value)) continue;
    const read = readParamArray(name, value, Number.POSITIVE_INFINITY, () => '');
    if (typeof read !== 'string') arrays.push({ name, shape: read.shape });
  }
  return arrays;
}
