import type { LabelMatcher } from '../../model/index.js';
import type { LogStore } from '../../store/logs/index.js';

export interface DetectedLabel {
  readonly label: string;
  readonly cardinality: number;
}

/** Labels Loki always reports, even when every value looks like an id. */
const STATIC_LABELS = new Set(['cluster', 'namespace', 'instance', 'pod']);
const UUID_RE = /^(urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;
const NUMBER_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|inf|infinity|nan)$/i;

/** Every value a number or a UUID: an id, useless to group logs by. */
function allIds(values: Iterable<string>): boolean {
  for (const v of values) if (!NUMBER_RE.test(v) && !UUID_RE.test(v)) return false;
  return true;
}

/**
 * Loki's `detected_labels` for Logs Drilldown: the stream labels of the streams that have
 * entries in the range, with their number of distinct values; labels whose values are all
 * numbers or UUIDs are left out (except cluster, namespace, instance and pod).
 */
export async function detectLabels(store: LogStore, tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<DetectedLabel[]> {
  const values = new Map<string, Set<string>>();
  for (const s of await store.series(tenant, matchers, startNs, endNs)) {
    for (const l of s.labels) {
      let set = values.get(l.name);
      if (!set) values.set(l.name, (set = new Set()));
      set.add(l.value);
    }
  }
  const out: DetectedLabel[] = [];
  for (const [label, set] of values) if (STATIC_LABELS.has(label) || !allIds(set)) out.push({ label, cardinality: set.size });
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}
