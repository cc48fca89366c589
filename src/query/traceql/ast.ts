/**
 * TraceQL's typed AST. Values keep their TraceQL type: an int literal is not a float
 * literal, because Tempo compares attributes by type.
 */
export type StaticValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'int'; readonly value: number; readonly big?: bigint | undefined }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  /** nanoseconds */
  | { readonly type: 'duration'; readonly value: number }
  | { readonly type: 'status'; readonly value: 'error' | 'ok' | 'unset' }
  | { readonly type: 'kind'; readonly value: 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer' }
  | { readonly type: 'nil' };

export type AttributeScope = 'span' | 'resource' | 'event' | 'link' | 'instrumentation' | 'any';

export type Intrinsic =
  | 'name'
  | 'status'
  | 'statusMessage'
  | 'kind'
  | 'duration'
  | 'rootName'
  | 'rootServiceName'
  | 'traceDuration'
  | 'traceId'
  | 'spanId'
  | 'parentId'
  | 'eventName'
  | 'eventTimeSinceStart'
  | 'linkTraceId'
  | 'linkSpanId'
  | 'instrumentationName'
  | 'instrumentationVersion'
  | 'nestedSetParent'
  | 'nestedSetLeft'
  | 'nestedSetRight';

export type BinaryOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~' | '&&' | '||' | '+' | '-' | '*' | '/' | '%' | '^';

export type FieldExpr =
  | { readonly kind: 'static'; readonly value: StaticValue }
  | { readonly kind: 'attribute'; readonly scope: AttributeScope; readonly name: string; readonly text: string }
  | { readonly kind: 'intrinsic'; readonly name: Intrinsic; readonly text: string }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: FieldExpr; readonly right: FieldExpr }
  | { readonly kind: 'not'; readonly expr: FieldExpr }
  | { readonly kind: 'neg'; readonly expr: FieldExpr };

export type SpansetOp = '&&' | '||' | '>' | '>>' | '<' | '<<' | '~' | '!>' | '!>>' | '!<' | '!<<' | '!~' | '&>' | '&>>' | '&<' | '&<<' | '&~';

export type SpansetExpr =
  | { readonly kind: 'filter'; readonly expr: FieldExpr }
  | { readonly kind: 'spansetOp'; readonly op: SpansetOp; readonly left: SpansetExpr; readonly right: SpansetExpr };

export type AggregateName = 'count' | 'avg' | 'min' | 'max' | 'sum';

export type PipelineStage =
  | { readonly kind: 'spanset'; readonly expr: SpansetExpr }
  | { readonly kind: 'scalarFilter'; readonly aggregate: AggregateName; readonly field: FieldExpr | undefined; readonly text: string; readonly op: BinaryOp; readonly value: StaticValue }
  | { readonly kind: 'by'; readonly fields: readonly FieldExpr[]; readonly text: string }
  | { readonly kind: 'select'; readonly fields: readonly FieldExpr[] }
  | { readonly kind: 'coalesce' };

export type MetricsFn = 'rate' | 'count_over_time' | 'min_over_time' | 'max_over_time' | 'avg_over_time' | 'sum_over_time' | 'quantile_over_time' | 'histogram_over_time';

export interface MetricsOp {
  readonly fn: MetricsFn;
  readonly field: FieldExpr | undefined;
  readonly quantiles: readonly number[];
  readonly by: readonly FieldExpr[];
}

export interface TraceqlQuery {
  readonly stages: readonly PipelineStage[];
  readonly metrics: MetricsOp | undefined;
  readonly hints: Readonly<Record<string, StaticValue>>;
}
