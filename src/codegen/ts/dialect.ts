/** How TypeScript spells literals and functions (see codegen/printer.ts). */
import type { FunctionName } from '../../expr/ir.ts';
import { type Dialect, numberLiteral } from '../printer.ts';

const TS_FUNCTIONS: Readonly<Record<FunctionName, string>> = {
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  asin: 'Math.asin',
  acos: 'Math.acos',
  atan: 'Math.atan',
  atan2: 'Math.atan2',
  sinh: 'Math.sinh',
  cosh: 'Math.cosh',
  tanh: 'Math.tanh',
  exp: 'Math.exp',
  log: 'Math.log',
  sqrt: 'Math.sqrt',
  abs: 'Math.abs',
  sign: 'Math.sign',
  min: 'Math.min',
  max: 'Math.max',
  // defined in the solver template
  heaviside: 'heaviside',
};

export const TS_DIALECT: Dialect = {
  literal: numberLiteral,
  call: (fn, args) => `${TS_FUNCTIONS[fn]}(${args.join(', ')})`,
  pow: (base, exponent) => `Math.pow(${base}, ${exponent})`,
};
