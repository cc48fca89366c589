import { IchigenError, labelsKey, type Labels } from '../../model/index.js';
import type { Evaluator } from './evaluator.js';
import { newSeries, type StepSeries } from './values.js';

interface Item {
  readonly series: StepSeries;
  readonly value: number;
}

/**
 * topk/bottomk with Go's container/heap exactly as Prometheus uses it, so ties and NaNs
 * pick the same series Prometheus picks; limitk keeps the first k in input order.
 */
export function selectK(ev: Evaluator, op: 'topk' | 'bottomk' | 'limitk', groups: ReadonlyArray<{ members: StepSeries[] }>, param: Float64Array, n: number): StepSeries[] {
  const byKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  const emit = (labels: Labels, i: number, v: number): void => {
    const key = labelsKey(labels);
    let r = byKey.get(key);
    if (r === undefined) {
      r = newSeries(labels, n);
      byKey.set(key, r);
      out.push(r);
    }
    r.values[i] = v;
    r.present[i] = 1;
  };
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    if (Number.isNaN(p) && ev.ctx.options.compatibility === 'prometheus3') throw new IchigenError('EXECUTION', 'Parameter value is NaN');
    const k = Number.isFinite(p) ? Math.trunc(p) : p > 0 ? Number.MAX_SAFE_INTEGER : 0;
    if (k < 1) continue;
    for (const g of groups) {
      ev.ctx.limits.tick();
      if (op === 'limitk') {
        let taken = 0;
        for (const s of g.members) {
          if (!s.present[i] || taken >= k) continue;
          emit(s.labels, i, s.values[i]!);
          taken++;
        }
        continue;
      }
      // less(a, b): a has lower priority (sits at the heap top, replaced first).
      const less =
        op === 'topk'
          ? (a: Item, b: Item): boolean => Number.isNaN(a.value) || a.value < b.value
          : (a: Item, b: Item): boolean => Number.isNaN(a.value) || a.value > b.value;
      const heap: Item[] = [];
      for (const s of g.members) {
        if (!s.present[i]) continue;
        const item = { series: s, value: s.values[i]! };
        if (heap.length < k) {
          heap.push(item);
          up(heap, heap.length - 1, less);
        } else {
          const top = heap[0]!;
          const replace = op === 'topk' ? top.value < item.value : top.value > item.value;
          if (replace || (Number.isNaN(top.value) && !Number.isNaN(item.value))) {
            heap[0] = item;
            if (k > 1) fix(heap, 0, less);
          }
        }
      }
      // Prometheus sorts the heap in reverse before output (best first).
      insertionSort(heap, (a, b) => less(b, a));
      for (const it of heap) emit(it.series.labels, i, it.value);
    }
  }
  return out;
}

function up(h: Item[], j: number, less: (a: Item, b: Item) => boolean): void {
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    j = i;
  }
}

function down(h: Item[], i0: number, n: number, less: (a: Item, b: Item) => boolean): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    i = j;
  }
  return i > i0;
}

function fix(h: Item[], i: number, less: (a: Item, b: Item) => boolean): void {
  if (!down(h, i, h.length, less)) up(h, i, less);
}

function insertionSort(a: Item[], less: (x: Item, y: Item) => boolean): void {
  for (let i = 1; i < a.length; i++) {
    for (let j = i; j > 0 && less(a[j]!, a[j - 1]!); j--) [a[j], a[j - 1]] = [a[j - 1]!, a[j]!];
  }
}
