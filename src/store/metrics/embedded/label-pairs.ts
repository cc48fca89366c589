import type { DuckDBConnection, DuckDBListValue } from '@duckdb/node-api';
import { internLabel, type Label, type Labels } from '../../../model/index.js';

/**
 * Series labels on disk as ids of distinct name/value pairs: metric_series.pairs lists a
 * series' pair ids, metric_label_pairs holds each pair once. 100k node_exporter series carry
 * ~700 distinct pairs: 10.6 bytes per series on disk, against 36.8 as a JSON string (DuckDB
 * compresses the small integers far better than the repeated text).
 */
export class LabelPairs {
  private readonly ids = new Map<string, Map<string, number>>();
  private readonly byId: Array<Label | undefined> = [];
  private next = 0;

  async load(read: DuckDBConnection): Promise<void> {
    for (const [id, name, value] of (await read.runAndReadAll('SELECT id, name, value FROM metric_label_pairs')).getRows()) {
      this.remember(Number(id), internLabel(String(name), String(value)));
    }
  }

  /** A stored series' labels from its pair ids. */
  labelsOf(list: DuckDBListValue): Labels {
    return list.items.map((id) => {
      const l = this.byId[Number(id)];
      if (l === undefined) throw new Error(`metric_series names label pair ${String(id)}, which metric_label_pairs lacks`);
      return l;
    });
  }

  /**
   * The pair ids of a label set as a list literal (`[3,17,42]`, which the Appender casts to
   * the INTEGER[] column); pairs seen for the first time go to `added` (to insert). Why text
   * and not appendList: node-api builds a native value per list item, freed only when V8
   * collects their wrappers, and V8 does not see that memory: the first flush of 100k series
   * took ~190 MB of native memory (400 MB in a test of 100k lists alone) against ~20 MB.
   */
  idsOf(labels: Labels, added: Array<[number, Label]>): string {
    let out = '[';
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      let id = this.ids.get(l.name)?.get(l.value);
      if (id === undefined) {
        id = this.next;
        this.remember(id, l);
        added.push([id, l]);
      }
      out += i === 0 ? String(id) : `,${id}`;
    }
    return `${out}]`;
  }

  /** Undoes idsOf's additions after a rolled-back flush. */
  forget(added: ReadonlyArray<[number, Label]>): void {
    for (const [id, l] of added) {
      this.ids.get(l.name)?.delete(l.value);
      this.byId[id] = undefined;
    }
  }

  /** Drops pairs no stored series uses any more (after retention removed series). */
  async prune(conn: DuckDBConnection): Promise<void> {
    await conn.run('DELETE FROM metric_label_pairs WHERE id NOT IN (SELECT DISTINCT unnest(pairs) FROM metric_series WHERE pairs IS NOT NULL)');
    const kept = new Set((await conn.runAndReadAll('SELECT id FROM metric_label_pairs')).getRows().map((r) => Number(r[0])));
    this.byId.forEach((l, id) => {
      if (l !== undefined && !kept.has(id)) this.forget([[id, l]]);
    });
  }

  private remember(id: number, l: Label): void {
    let values = this.ids.get(l.name);
    if (!values) this.ids.set(l.name, (values = new Map()));
    values.set(l.value, id);
    this.byId[id] = l;
    if (id >= this.next) this.next = id + 1;
  }
}
