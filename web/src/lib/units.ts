/** Units a panel or graph can show values in. */
export const UNITS = ['short', 'none', 'percent', 'percentunit', 'bytes', 'bytes_si', 'seconds', 'ms', 'reqps'] as const;
export type Unit = (typeof UNITS)[number];

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const SI_BYTES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

function trim(n: number, decimals: number): string {
  // Up to `decimals` places, no trailing zeros: 1.50 → 1.5, 2.00 → 2.
  return Number(n.toFixed(decimals)).toString();
}

function scaled(v: number, base: number, names: readonly string[], decimals: number, sep: string): string {
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  return `${v < 0 ? '-' : ''}${trim(x, decimals)}${sep}${names[i]}`;
}

function duration(seconds: number, decimals: number): string {
  const a = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (a === 0) return '0s';
  if (a < 1e-6) return `${sign}${trim(a * 1e9, decimals)}ns`;
  if (a < 1e-3) return `${sign}${trim(a * 1e6, decimals)}µs`;
  if (a < 1) return `${sign}${trim(a * 1e3, decimals)}ms`;
  if (a < 60) return `${sign}${trim(a, decimals)}s`;
  if (a < 3600) return `${sign}${trim(a / 60, decimals)}min`;
  if (a < 86400) return `${sign}${trim(a / 3600, decimals)}h`;
  return `${sign}${trim(a / 86400, decimals)}d`;
}

/** Formats a value for axes, legends and tables. NaN and ±Inf print as Prometheus does. */
export function formatValue(v: number | null | undefined, unit: Unit = 'short', decimals = 2): string {
  if (v === null || v === undefined) return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  switch (unit) {
    case 'none':
      return String(v);
    case 'percent':
      return `${trim(v, decimals)}%`;
    case 'percentunit':
      return `${trim(v * 100, decimals)}%`;
    case 'bytes':
      return scaled(v, 1024, IEC, decimals, ' ');
    case 'bytes_si':
      return scaled(v, 1000, SI_BYTES, decimals, ' ');
    case 'seconds':
      return duration(v, decimals);
    case 'ms':
      return duration(v / 1000, decimals);
    case 'reqps':
      return `${scaled(v, 1000, SI, decimals, '')} req/s`;
    case 'short':
      if (Math.abs(v) > 0 && Math.abs(v) < 1e-3) return v.toExponential(decimals);
      return scaled(v, 1000, SI, decimals, '');
  }
}

/** Guesses a unit from a metric name's Prometheus suffix (`_bytes`, `_seconds`, `_ratio`). */
export function unitFromMetricName(name: string): Unit {
  if (/_bytes(_total)?$/.test(name)) return 'bytes';
  if (/_seconds(_total|_sum|_bucket|_count)?$/.test(name) && !/_count$/.test(name)) return 'seconds';
  if (/_ratio$/.test(name)) return 'percentunit';
  return 'short';
}

/**
 * A rate of events per second, in the largest period where it reaches 1 (req/s, req/min,
 * req/h), so sparse traffic reads "2 req/h" rather than "0 req/s". Zero stays "0 req/s".
 */
export function formatRateParts(perSecond: number | undefined, what = 'req'): { value: string; unit: string } {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return { value: '–', unit: '' };
  const a = Math.abs(perSecond);
  if (a === 0 || a >= 1) return { value: scaled(perSecond, 1000, SI, 2, ''), unit: `${what}/s` };
  if (a * 60 >= 1) return { value: trim(perSecond * 60, 2), unit: `${what}/min` };
  return { value: trim(perSecond * 3600, 2), unit: `${what}/h` };
}

/** `formatRateParts` as one string: "2.35 req/s". */
export function formatRate(perSecond: number | undefined, what = 'req'): string {
  const p = formatRateParts(perSecond, what);
  return p.unit === '' ? p.value : `${p.value} ${p.unit}`;
}
