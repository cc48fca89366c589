import type { LabelMatcher } from '../../model/index.js';

/**
 * Our own typed PromQL syntax tree. The Lezer grammar only gives a concrete syntax tree;
 * the engine, the formatter and the API work on this, so a grammar upgrade touches only
 * the parser adapter. Times and durations are milliseconds.
 */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Character offsets into the query text, for error positions. */
export interface PosRange {
  readonly start: number;
  readonly end: number;
}

/** `@ <time>` / `@ start()` / `@ end()`. */
export type AtModifier = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'start' } | { readonly kind: 'end' };

export interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
  /** The literal as written (kept for formatting `1m`, `0x1f`). */
  readonly text: string;
  readonly pos: PosRange;
}

export interface StringLiteral {
  readonly type: 'string';
  readonly value: string;
  readonly pos: PosRange;
}

export interface VectorSelector {
  readonly type: 'vectorSelector';
  /** Metric name when written outside braces (also present as an `=` matcher). */
  readonly name: string | undefined;
  readonly matchers: readonly LabelMatcher[];
  offset: number;
  at: AtModifier | undefined;
  readonly pos: PosRange;
}

export interface MatrixSelector {
  readonly type: 'matrixSelector';
  readonly vector: VectorSelector;
  readonly range: number;
  readonly pos: PosRange;
}

export interface SubqueryExpr {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly range: number;
  /** 0: the query's default resolution (the engine's evaluation interval or the step). */
  readonly step: number;
  offset: number;
  at: AtModifier | undefined;
  readonly pos: PosRange;
}

export interface Call {
  readonly type: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

export type AggregateOp =
  | 'sum' | 'avg' | 'min' | 'max' | 'count' | 'group' | 'stddev' | 'stdvar'
  | 'topk' | 'bottomk' | 'quantile' | 'count_values' | 'limitk' | 'limit_ratio';

export interface AggregateExpr {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  /** true: `without`; false: `by` (or no clause). */
  readonly without: boolean;
  /** Whether a by/without clause was written (for formatting). */
  readonly hasGrouping: boolean;
  readonly pos: PosRange;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: Cardinality;
  /** Labels of `on(...)` / `ignoring(...)`. */
  readonly labels: readonly string[];
  /** true: `on`; false: `ignoring` (or no clause). */
  readonly on: boolean;
  /** Whether an on/ignoring clause was written. */
  readonly explicit: boolean;
  /** Extra labels of group_left/group_right. */
  readonly include: readonly string[];
}

export interface BinaryExpr {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Present when both sides are vectors. */
  readonly matching: VectorMatching | undefined;
  readonly pos: PosRange;
  /** Where the operator is (Prometheus reports some errors there). */
  readonly opPos: PosRange;
}

export interface UnaryExpr {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export interface ParenExpr {
  readonly type: 'paren';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

/** Prometheus' documented names of value types, as they appear in error messages. */
export function documentedType(t: ValueType): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}
