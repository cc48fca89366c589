import type { FunctionImpl } from './function-impl.js';
import { HISTOGRAM_FUNCTIONS } from './histogram.js';
import { LABEL_FUNCTIONS } from './labels.js';
import { MATH_FUNCTIONS } from './math.js';
import { MISC_FUNCTIONS } from './misc.js';
import { OVER_TIME_FUNCTIONS } from './over-time.js';
import { RATE_FUNCTIONS } from './rate.js';
import { TIME_FUNCTIONS } from './time.js';

/** The table of implementations, beside the table of signatures (function-signatures.ts). */
export const FUNCTION_IMPLS: ReadonlyMap<string, FunctionImpl> = new Map([
  ...MATH_FUNCTIONS,
  ...OVER_TIME_FUNCTIONS,
  ...RATE_FUNCTIONS,
  ...LABEL_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...MISC_FUNCTIONS,
  ...HISTOGRAM_FUNCTIONS,
]);

export type { FunctionImpl, StreamingFunction } from './function-impl.js';
