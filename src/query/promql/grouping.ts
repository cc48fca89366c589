import { METRIC_NAME, type Labels } from '../../model/index.js';

/** The output labels of an aggregation group: `by` keeps the listed labels, `without` drops them and the name. */
export function groupLabels(labels: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) return labels.filter((l) => l.name !== METRIC_NAME && !grouping.includes(l.name));
  return labels.filter((l) => grouping.includes(l.name));
}
