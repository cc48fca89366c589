export type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  BinaryOp,
  Call,
  Expr,
  MatrixSelector,
  NumberLiteral,
  StringLiteral,
  SubqueryExpr,
  ValueType,
  VectorMatching,
  VectorSelector,
} from './ast.js';
export { documentedType } from './ast.js';
export { parseExpr, parseSeriesSelector } from './parser.js';
export { formatExpr } from './format.js';
export { typeOf } from './typecheck.js';
export { FUNCTION_SIGNATURES } from './function-signatures.js';
export type { Dialect, FunctionSignature } from './function-signatures.js';
export { formatSampleValue, formatGoFloat } from './number-format.js';
export { DEFAULT_ENGINE_OPTIONS } from './result.js';
export type { EngineOptions, InstantSample, PromqlEngine, QueryRequest, QueryResult, QueryValue, RangeSeries } from './result.js';
export { Engine, MAX_POINTS_PER_SERIES } from './engine.js';
