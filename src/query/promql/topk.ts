import { IchigenError, labelsKey, type Labels } from '../../model/index.js';
import { warn } from './annotations.js';
import type { AggregateExpr } from './ast.js';
import type { Evaluator } from './evaluator.js';
import { ratioOffset } from './label-hash.js';
import { formatGoFloat } from './number-format.js';
import { newSeries, type StepSeries } from './values.js';

interface Item {
  readonly series: StepSeries;
  readonly value: number;
}

/** The int64 range as Prometheus checks k against it (MAX: the largest float64 below 2^63). */
const MAX_INT64 = 9223372036854774784;
const MIN_INT64 = -9223372036854775808;

function minMaxNaN(param: Float64Array): { min: number; max: number; nan: boolean } {
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (const p of param) {
    if (Number.isNaN(p)) nan = true;
    if (p < min) min = p;
    if (p > max) max = p;
  }
  return nan ? { min: NaN, max: NaN, nan } : { min, max, nan };
}

/**
 * Checks the parameter over all steps as the dialect does. Returns false when no step can
 * give output. Prometheus 3 checks once for the whole range (NaN, int64 overflow, all below
 * one); Prometheus 2.42 refuses a value that does not fit an int64 at the step it meets it.
 */
function checkParam(ev: Evaluator, e: AggregateExpr, param: Float64Array): boolean {
  const p3 = ev.ctx.options.compatibility === 'prometheus3';
  const { min, max, nan } = minMaxNaN(param);
  if (e.op === 'limit_ratio') {
    if (max === 0 && min === 0) return false;
    if (nan) throw new IchigenError('EXECUTION', 'Ratio value is NaN');
    if (max > 1) warn(ev.ctx, `ratio value should be between -1 and 1, got ${formatGoFloat(max)}, capping to 1`, e.param!);
    if (min < -1) warn(ev.ctx, `ratio value should be between -1 and 1, got ${formatGoFloat(min)}, capping to -1`, e.param!);
    return true;
  }
  if (!p3) {
    for (const p of param) {
      if (!(p <= MAX_INT64 && p >= MIN_INT64)) throw new IchigenError('EXECUTION', `Scalar value ${formatGoFloat(p)} overflows int64`);
    }
    return true;
  }
  if (max < 1) return false;
  if (nan) throw new IchigenError('EXECUTION', 'Parameter value is NaN');
  if (min <= MIN_INT64) throw new IchigenError('EXECUTION', `Scalar value ${formatGoFloat(min)} underflows int64`);
  if (max >= MAX_INT64) throw new IchigenError('EXECUTION', `Scalar value ${formatGoFloat(max)} overflows int64`);
  return true;
}

/**
 * topk/bottomk with Go's container/heap exactly as Prometheus uses it, so ties and NaNs
 * pick the same series Prometheus picks; limitk keeps the first k in input order;
 * limit_ratio keeps the series whose label hash falls under the ratio (as Prometheus).
 */
export function selectK(ev: Evaluator, e: AggregateExpr, groups: ReadonlyArray<{ members: StepSeries[] }>, param: Float64Array, inputSize: number, n: number): StepSeries[] {
  const op = e.op;
  const byKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  if (!checkParam(ev, e, param)) return out;
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
  const offsets = new Map<StepSeries, number>();
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    if (op === 'limit_ratio') {
      if (p === 0) continue;
      const r = Math.max(-1, Math.min(1, p));
      for (const g of groups) {
        ev.ctx.limits.tick();
        for (const s of g.members) {
          if (!s.present[i]) continue;
          let off = offsets.get(s);
          if (off === undefined) offsets.set(s, (off = ratioOffset(s.labels)));
          if ((r >= 0 && off < r) || (r < 0 && off >= 1 + r)) emit(s.labels, i, s.values[i]!);
        }
      }
      continue;
    }
    const k = Math.min(Math.trunc(p), inputSize);
    if (!(k >= 1)) continue;
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
