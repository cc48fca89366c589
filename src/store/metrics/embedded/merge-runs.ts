import type { SampleRun } from './mem-series.js';

/**
 * Merges sample runs (disk chunks, then memory) into one ascending run clipped to
 * [mint, maxt]. Equal timestamps keep the later run's sample: runs come in write order,
 * and a replayed log may repeat samples already flushed. Values move by raw bits, so
 * staleness markers survive.
 */
export function mergeRuns(runs: readonly SampleRun[], mint: number, maxt: number): { t: Float64Array; v: Float64Array } {
  let total = 0;
  let sorted = true;
  let last = -Infinity;
  for (const r of runs) {
    total += r.n;
    if (r.unsorted) sorted = false;
    if (r.n > 0) {
      if (r.t[0]! <= last) sorted = false;
      last = r.t[r.n - 1]!;
    }
  }
  // One sorted run already inside the range (the usual read of recent data): no copy.
  const filled = runs.filter((r) => r.n > 0);
  if (sorted && filled.length === 1) {
    const r = filled[0]!;
    if (r.t[0]! >= mint && r.t[r.n - 1]! <= maxt) return { t: r.t.subarray(0, r.n), v: r.v.subarray(0, r.n) };
  }
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  const vb = new Uint32Array(v.buffer);
  if (sorted) {
    // Each run is ascending: copy its in-range slice in bulk (set() between arrays of one
    // type copies bytes, so NaN payloads survive).
    let k = 0;
    for (const r of runs) {
      const from = firstIndex(r.t, r.n, (x) => x >= mint);
      const to = firstIndex(r.t, r.n, (x) => x > maxt);
      if (to <= from) continue;
      t.set(r.t.subarray(from, to), k);
      v.set(r.v.subarray(from, to), k);
      k += to - from;
    }
    return { t: t.subarray(0, k), v: v.subarray(0, k) };
  }
  // Out of order somewhere: sort (run, index) pairs by time, later writes last.
  const refs: Array<[number, number, number]> = [];
  runs.forEach((r, ri) => {
    for (let i = 0; i < r.n; i++) {
      const ts = r.t[i]!;
      if (ts >= mint && ts <= maxt) refs.push([ts, ri, i]);
    }
  });
  refs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const bits = runs.map((r) => new Uint32Array(r.v.buffer, r.v.byteOffset, r.n * 2));
  let k = 0;
  for (let j = 0; j < refs.length; j++) {
    const [ts, ri, i] = refs[j]!;
    if (j + 1 < refs.length && refs[j + 1]![0] === ts) continue;
    t[k] = ts;
    vb[k * 2] = bits[ri]![i * 2]!;
    vb[k * 2 + 1] = bits[ri]![i * 2 + 1]!;
    k++;
  }
  return { t: t.subarray(0, k), v: v.subarray(0, k) };
}

/** Index of the first of the run's n ascending timestamps that satisfies `ok` (n if none). */
function firstIndex(ts: Float64Array, n: number, ok: (t: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(ts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
