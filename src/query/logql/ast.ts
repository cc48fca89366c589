import type { LabelMatcher } from '../../model/index.js';

/** LogQL's typed syntax tree: built from the Lezer tree by parse.ts, read by the engine. */
export type Expr = LogExpr | MetricExpr;

export interface LogExpr {
  readonly kind: 'log';
  readonly matchers: LabelMatcher[];
  readonly stages: StageExpr[];
}

export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/** One line filter; several values are `or` alternatives (`|= "a" or "b"`). */
export interface LineFilterExpr {
  readonly kind: 'lineFilter';
  readonly op: LineFilterOp;
  readonly values: Array<{ readonly ip: boolean; readonly value: string }>;
}

export interface ExtractionParam {
  readonly name: string;
  /** The JSON path or logfmt key; the label name itself when absent. */
  readonly source: string;
}

export type StageExpr =
  | LineFilterExpr
  | { readonly kind: 'json'; readonly params: ExtractionParam[] }
  | { readonly kind: 'logfmt'; readonly strict: boolean; readonly keepEmpty: boolean; readonly params: ExtractionParam[] }
  | { readonly kind: 'regexp'; readonly pattern: string }
  | { readonly kind: 'pattern'; readonly pattern: string }
  | { readonly kind: 'unpack' }
  | { readonly kind: 'decolorize' }
  | { readonly kind: 'labelFilter'; readonly filter: LabelFilterExpr }
  | { readonly kind: 'lineFormat'; readonly template: string }
  | { readonly kind: 'labelFormat'; readonly items: Array<{ readonly dst: string; readonly rename?: string; readonly template?: string }> }
  | { readonly kind: 'drop' | 'keep'; readonly items: Array<{ readonly name: string; readonly matcher?: LabelMatcher }> };

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelFilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: LabelFilterExpr; readonly right: LabelFilterExpr }
  | { readonly kind: 'string'; readonly matcher: LabelMatcher }
  | { readonly kind: 'ip'; readonly name: string; readonly negate: boolean; readonly value: string }
  | { readonly kind: 'number' | 'duration' | 'bytes'; readonly name: string; readonly op: CompareOp; readonly value: number };

export interface Grouping {
  readonly without: boolean;
  readonly labels: string[];
}

export interface Unwrap {
  readonly label: string;
  readonly conv: '' | 'duration' | 'duration_seconds' | 'bytes';
  readonly postFilters: LabelFilterExpr[];
}

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'rate_counter'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'avg_over_time'
  | 'sum_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stdvar_over_time'
  | 'stddev_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'absent_over_time';

export type VectorOp = 'sum' | 'avg' | 'count' | 'max' | 'min' | 'stddev' | 'stdvar' | 'bottomk' | 'topk' | 'sort' | 'sort_desc';

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | CompareOp | 'and' | 'or' | 'unless';

export interface VectorMatching {
  readonly on: boolean;
  readonly labels: string[];
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  readonly include: string[];
}

export type MetricExpr =
  | {
      readonly kind: 'range';
      readonly op: RangeOp;
      readonly log: LogExpr;
      readonly rangeMs: number;
      readonly offsetMs: number;
      readonly unwrap: Unwrap | undefined;
      readonly param: number | undefined;
      readonly grouping: Grouping | undefined;
    }
  | { readonly kind: 'vectorAgg'; readonly op: VectorOp; readonly param: number | undefined; readonly grouping: Grouping | undefined; readonly expr: MetricExpr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly bool: boolean; readonly matching: VectorMatching | undefined; readonly left: MetricExpr; readonly right: MetricExpr }
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'vector'; readonly value: number }
  | { readonly kind: 'labelReplace'; readonly expr: MetricExpr; readonly dst: string; readonly replacement: string; readonly src: string; readonly regex: string };
