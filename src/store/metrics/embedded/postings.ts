import { compileMatcher, getLabel, type LabelMatcher, type Labels } from '../../../model/index.js';

/**
 * The label index: label name → value → ids of series carrying it (ascending). A selector
 * resolves from the smallest posting list among its matchers that cannot match an absent
 * label, then checks every matcher on the candidates' labels.
 */
export class Postings {
  private readonly byName = new Map<string, Map<string, number[]>>();
  private readonly all: number[] = [];

  add(id: number, labels: Labels): void {
    this.all.push(id);
    for (const l of labels) {
      let values = this.byName.get(l.name);
      if (!values) this.byName.set(l.name, (values = new Map()));
      const list = values.get(l.value);
      if (list) list.push(id);
      else values.set(l.value, [id]);
    }
  }

  remove(ids: ReadonlySet<number>): void {
    const keep = (list: number[]): number[] => list.filter((id) => !ids.has(id));
    const all = keep(this.all);
    this.all.length = 0;
    this.all.push(...all);
    for (const [name, values] of this.byName) {
      for (const [value, list] of values) {
        const next = keep(list);
        if (next.length === 0) values.delete(value);
        else values.set(value, next);
      }
      if (values.size === 0) this.byName.delete(name);
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** Ids of series matching every matcher. `labelsOf` gives a series' labels by id. */
  select(matchers: readonly LabelMatcher[], labelsOf: (id: number) => Labels | undefined): number[] {
    const preds = matchers.map((m) => ({ name: m.name, test: compileMatcher(m) }));
    let base: number[] | undefined;
    for (let i = 0; i < matchers.length; i++) {
      const m = matchers[i]!;
      const p = preds[i]!;
      if (p.test('')) continue; // matches series without the label: no posting list covers them
      const values = this.byName.get(m.name);
      let list: number[];
      if (!values) list = [];
      else if (m.type === '=') list = values.get(m.value) ?? [];
      else {
        const parts: number[][] = [];
        for (const [value, ids] of values) if (p.test(value)) parts.push(ids);
        list = parts.length === 1 ? parts[0]! : parts.flat().sort((a, b) => a - b);
      }
      if (base === undefined || list.length < base.length) base = list;
      if (base.length === 0) return [];
    }
    const candidates = base ?? this.all;
    if (preds.length === 0) return candidates.slice();
    const out: number[] = [];
    for (const id of candidates) {
      const labels = labelsOf(id);
      if (!labels) continue;
      let ok = true;
      for (const p of preds) {
        if (!p.test(getLabel(labels, p.name))) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(id);
    }
    return out;
  }

  labelNames(): string[] {
    return [...this.byName.keys()];
  }

  labelValues(name: string): string[] {
    return [...(this.byName.get(name)?.keys() ?? [])];
  }
}
