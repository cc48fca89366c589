import type { PromSeries } from '../api/schemas.js';

/** Series of a range query aligned on one time grid, as uPlot wants them. */
export interface AlignedSeries {
  /** Seconds since the epoch, one per step. */
  readonly times: Float64Array;
  readonly series: ReadonlyArray<{ readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly values: ReadonlyArray<number | null> }>;
}

/** `name{a="b", c="d"}`, Prometheus' own way of naming a series. */
export function seriesName(labels: Readonly<Record<string, string>>): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  if (rest.length === 0) return name === '' ? '{}' : name;
  return `${name}{${rest.join(', ')}}`;
}

/**
 * Puts a matrix onto the grid start, start+step, … end. Missing points (gaps, staleness)
 * become null so the line breaks instead of drawing across them.
 */
export function alignMatrix(result: readonly PromSeries[], startS: number, endS: number, stepS: number): AlignedSeries {
  const n = Math.max(0, Math.floor((endS - startS) / stepS + 1e-9)) + 1;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = startS + i * stepS;
  const series = result.map((s) => {
    const values: Array<number | null> = new Array<number | null>(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t - startS) / stepS);
      if (i >= 0 && i < n) values[i] = parseSampleValue(v);
    }
    return { name: seriesName(s.metric), labels: s.metric, values };
  });
  return { times, series };
}

/** Prometheus sends values as strings ("NaN", "+Inf" included). */
export function parseSampleValue(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/**
 * Cumulative sums for stacked drawing: row k is the sum of the visible series 0..k.
 * Null stays null (a gap), and a hidden series adds nothing.
 */
export function stackValues(series: ReadonlyArray<ReadonlyArray<number | null>>, visible: readonly boolean[]): Array<Array<number | null>> {
  const n = series[0]?.length ?? 0;
  const acc = new Float64Array(n);
  return series.map((vals, k) => {
    const out: Array<number | null> = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const v = vals[i];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        out[i] = null;
        continue;
      }
      if (visible[k] !== false) acc[i]! += v;
      out[i] = acc[i]!;
    }
    return out;
  });
}

const PALETTE = ['#3b82f6', '#f97316', '#10b981', '#e11d48', '#8b5cf6', '#eab308', '#06b6d4', '#ec4899', '#84cc16', '#64748b', '#0ea5e9', '#f43f5e', '#14b8a6', '#a855f7', '#f59e0b', '#22c55e'];

/** A stable colour per series index (palette first, then golden-angle hues). */
export function seriesColor(i: number): string {
  if (i < PALETTE.length) return PALETTE[i]!;
  return `hsl(${Math.round((i * 137.508) % 360)}, 65%, 52%)`;
}
