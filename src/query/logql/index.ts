export { LogQLEngine } from './engine.js';
export type { Direction, EngineLimits, InstantQuery, RangeQuery } from './engine.js';
export { parseLogQL } from './parse.js';
export { compilePipeline } from './pipeline.js';
export type { Expr, LogExpr, MetricExpr } from './ast.js';
export type { QueryResult, QueryStats, ResultStream, Sample } from './value.js';
