import { IchigenError, tryParseDuration } from '../../model/index.js';
import type { NsRange } from '../../store/index.js';

export type Query = Record<string, string | string[] | undefined>;

export function param(q: Query, name: string): string | undefined {
  const v = q[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

export function intParam(q: Query, name: string, def: number): number {
  const s = param(q, name);
  if (s === undefined) return def;
  if (!/^-?\d+$/.test(s)) throw new IchigenError('INVALID_PARAMETER', `invalid ${name}: "${s}" is not an integer`);
  return Number(s);
}

/** Unix seconds (Tempo's start/end), as a nanosecond window; both absent: everything. */
export function rangeParam(q: Query): NsRange {
  const start = param(q, 'start');
  const end = param(q, 'end');
  const sec = (name: string, s: string): bigint => {
    if (!/^\d+(\.\d+)?$/.test(s)) throw new IchigenError('INVALID_PARAMETER', `invalid ${name}: "${s}" (unix seconds expected)`);
    return BigInt(Math.round(Number(s) * 1000)) * 1_000_000n;
  };
  const startNs = start === undefined ? 0n : sec('start', start);
  const endNs = end === undefined ? (1n << 62n) : sec('end', end);
  if (start !== undefined && end !== undefined && startNs > endNs) {
    throw new IchigenError('INVALID_PARAMETER', `http parameter start must be before end. received start=${start} end=${end}`);
  }
  return { startNs, endNs };
}

/** Tempo durations: Go syntax (1.5s, 300ms) or Prometheus syntax. */
export function durationParamNs(q: Query, name: string): number | undefined {
  const s = param(q, name);
  if (s === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(s);
  if (m) return Number(m[1]) * { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2]!]!;
  const ms = tryParseDuration(s);
  if (ms === undefined) throw new IchigenError('INVALID_PARAMETER', `invalid ${name}: "${s}"`);
  return ms * 1e6;
}

/** A trace id from the URL: hex, any case, leading zeros optional, up to 32 digits. */
export function parseTraceId(text: string): string {
  if (text.length === 0 || text.length > 32) throw new IchigenError('INVALID_PARAMETER', `invalid trace id "${text.slice(0, 40)}": expected up to 32 hex digits`);
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad) throw new IchigenError('INVALID_PARAMETER', `trace IDs can only contain hex characters: invalid character '${bad[0]}' at position ${bad.index + 1}`);
  return text.toLowerCase().padStart(32, '0');
}
