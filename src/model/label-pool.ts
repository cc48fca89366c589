import type { Label } from './labels.js';

/**
 * Shares Label objects (and so their strings) between series: 100k series of one exporter
 * carry a few thousand distinct name/value pairs, but decoding gives each series its own
 * strings, ten per series. Pooled, they cost one object per distinct pair. Two generations
 * bound the pool: when the young one fills up it becomes the old one, and pairs not seen
 * since are forgotten (the series holding them keep them; sharing just stops).
 */
export class LabelPool {
  private young = new Map<string, Map<string, Label>>();
  private old = new Map<string, Map<string, Label>>();
  private youngSize = 0;

  constructor(private readonly generationSize = 1_000_000) {}

  label(name: string, value: string): Label {
    const hit = this.young.get(name)?.get(value);
    if (hit !== undefined) return hit;
    const l = this.old.get(name)?.get(value) ?? { name, value };
    if (this.youngSize >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
      this.youngSize = 0;
    }
    let values = this.young.get(name);
    if (values === undefined) this.young.set(l.name, (values = new Map()));
    values.set(l.value, l);
    this.youngSize++;
    return l;
  }
}

const shared = new LabelPool();

/** The process-wide pool: receivers and the store share label objects through it. */
export function internLabel(name: string, value: string): Label {
  return shared.label(name, value);
}
