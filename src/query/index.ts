export {
  DEFAULT_ENGINE_OPTIONS,
  FUNCTION_SIGNATURES,
  documentedType,
  formatExpr,
  formatGoFloat,
  formatSampleValue,
  parseExpr,
  parseSeriesSelector,
  typeOf,
} from './promql/index.js';
export type {
  EngineOptions,
  Expr,
  FunctionSignature,
  InstantSample,
  PromqlEngine,
  QueryRequest,
  QueryResult,
  QueryValue,
  RangeSeries,
  ValueType,
} from './promql/index.js';
