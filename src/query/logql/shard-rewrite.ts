import type { Grouping, LogExpr, MetricExpr } from './ast.js';

type RangeExpr = Extract<MetricExpr, { kind: 'range' }>;

/** `without ()` changes nothing; `by ()` and any label list do. */
function groupingIsNoop(g: Grouping | undefined): boolean {
  return g === undefined || (g.without && g.labels.length === 0);
}

/** Stages that can make two label sets one: keep, drop, label_format renames. */
function pipelineReducesLabels(log: LogExpr): boolean {
  return log.stages.some((s) => s.kind === 'keep' || s.kind === 'drop' || (s.kind === 'labelFormat' && s.items.some((i) => i.rename !== undefined)));
}

/**
 * Loki's query frontend splits `avg_over_time(X) by (…)` (and any avg_over_time whose
 * pipeline reduces labels) into `sum by (…) (sum_over_time(X)) / sum by (…)
 * (count_over_time(X without its unwrap))` so shards can be merged. The divisor counts every
 * line the pipeline keeps, including lines that yield no sample (the unwrapped label is
 * missing, or a filter after `unwrap` drops it), so the result is not a plain mean of the
 * samples. Grafana users see Loki's numbers; this reproduces them.
 */
function splitAverage(e: RangeExpr): MetricExpr {
  const grouping: Grouping = e.grouping ?? { without: true, labels: [] };
  const sum: MetricExpr = { kind: 'vectorAgg', op: 'sum', param: undefined, grouping, expr: { ...e, op: 'sum_over_time', grouping: undefined } };
  // Without an explicit list the unwrapped label is dropped from the sample labels; drop it from the counts too.
  const countGrouping: Grouping = grouping.without && e.unwrap !== undefined ? { without: true, labels: [...grouping.labels, e.unwrap.label] } : grouping;
  const count: MetricExpr = { kind: 'vectorAgg', op: 'sum', param: undefined, grouping: countGrouping, expr: { ...e, op: 'count_over_time', unwrap: undefined, grouping: undefined } };
  return { kind: 'binary', op: '/', bool: false, matching: undefined, left: sum, right: count };
}

/**
 * The rewrites Loki's shard mapper applies before evaluation, where they change results: the
 * top-level expression and the operands of binary operations and label_replace (Loki maps
 * those; inside a vector aggregation it leaves range aggregations as they are).
 */
export function applyShardRewrites(e: MetricExpr): MetricExpr {
  switch (e.kind) {
    case 'range':
      return e.op === 'avg_over_time' && e.unwrap !== undefined && (!groupingIsNoop(e.grouping) || pipelineReducesLabels(e.log)) ? splitAverage(e) : e;
    case 'binary':
      return { ...e, left: applyShardRewrites(e.left), right: applyShardRewrites(e.right) };
    case 'labelReplace':
      return { ...e, expr: applyShardRewrites(e.expr) };
    default:
      return e;
  }
}
