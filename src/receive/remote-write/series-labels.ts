import { METRIC_NAME, internLabel, isValidLabelName, isValidMetricName, type Label, type Labels } from '../../model/index.js';

/**
 * Collects a series' labels as they arrive on the wire and records the first structural
 * problem (both remote write versions demand names that are non-empty, sorted and unique).
 * An empty value means "no label" (Prometheus semantics) and is dropped.
 */
export class LabelCollector {
  readonly labels: Label[] = [];
  problem: string | undefined;
  private lastName = '';

  add(name: string, value: string): void {
    if (name === '') {
      this.problem ??= 'a label has an empty name';
      return;
    }
    if (this.lastName !== '' && this.lastName >= name) {
      this.problem ??= this.lastName === name ? `label name "${name}" is repeated` : `labels are not sorted by name ("${name}" after "${this.lastName}")`;
    }
    this.lastName = name;
    // Pooled: series of one sender share a few thousand distinct pairs.
    if (value !== '') this.labels.push(internLabel(name, value));
  }

  /**
   * The labels in an array of exactly their length. Why: an array grown by push keeps spare
   * room (152 bytes for a handful of labels instead of ~60), and the store keeps one per
   * series: 10 MB at 100k series.
   */
  take(): Label[] {
    return this.labels.slice();
  }
}

/** What makes a complete label set unusable as a series (undefined: fine). */
export function seriesLabelsProblem(labels: Labels): string | undefined {
  if (labels.length === 0) return 'the series has no labels';
  let name: string | undefined;
  for (const l of labels) {
    if (l.name === METRIC_NAME) name = l.value;
    else if (!isValidLabelName(l.name)) return `invalid label name "${l.name}"`;
  }
  if (name === undefined) return 'the series has no metric name (__name__)';
  if (!isValidMetricName(name)) return `invalid metric name "${name}"`;
  return undefined;
}
