/** What src/index.ts exports of models written in TypeScript and of array parameters (one line there). */
export type { FlatParams, ParamArray, ParamValue } from './array-params.ts';
export { defineModel, type ModelDefinition } from './define-model.ts';
export { paramValues } from './param-values.ts';
