/**
 * Neumaier-compensated summation step, as Prometheus' kahanSumInc. Returns [sum, c].
 * Prometheus 3 zeroes the compensation once the sum overflows; Prometheus 2 did not (its
 * compensation then turns into -Inf/NaN, which shows in stddev_over_time of huge values).
 */
export function kahanSumInc(inc: number, sum: number, c: number, p3 = true): [number, number] {
  const t = sum + inc;
  if (p3 && (t === Infinity || t === -Infinity)) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** Prometheus' quantile over values (sorted in place, NaN first), linear interpolation. */
export function quantileOf(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}
