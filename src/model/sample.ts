/**
 * Prometheus' staleness marker: a NaN with a specific payload (0x7ff0000000000002).
 * Ordinary JavaScript arithmetic may canonicalise NaN payloads, so sample values travel in
 * Float64Arrays (which keep the bits) and staleness is checked on the bits.
 */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

const scratch = new Float64Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

export const STALE_NAN: number = (() => {
  scratchBits[0] = STALE_NAN_LO;
  scratchBits[1] = STALE_NAN_HI;
  return scratch[0]!;
})();

/** True when the value at `index` of `values` is a staleness marker. */
export function isStaleAt(values: Float64Array, index: number): boolean {
  const v = values[index]!;
  if (v === v) return false;
  const bits = new Uint32Array(values.buffer, values.byteOffset + index * 8, 2);
  return bits[0] === STALE_NAN_LO && bits[1] === STALE_NAN_HI;
}

export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  scratch[0] = v;
  return scratchBits[0] === STALE_NAN_LO && scratchBits[1] === STALE_NAN_HI;
}

/** Metric metadata as Prometheus keeps it (from scrapes, remote write 2.0 and OTLP). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

export interface MetricMetadata {
  readonly metric: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

export interface Exemplar {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}
