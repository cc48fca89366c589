export type { FieldExpr, MetricsOp, PipelineStage, SpansetExpr, StaticValue, TraceqlQuery } from './ast.js';
export { fieldValue, matches } from './field-eval.js';
export { parseTraceql } from './parser.js';
export { displayVal, prepareQuery, runPipeline } from './search.js';
export type { ResultSpanset } from './search.js';
export { buildTrace, serviceName } from './trace-model.js';
export type { EvalSpan, EvalTrace } from './trace-model.js';
export { compareScalars, formatGoDuration, fromAnyValue, KIND_NAMES, STATUS_NAMES } from './values.js';
export type { Val } from './values.js';
