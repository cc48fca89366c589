import type { FastifyRequest } from 'fastify';
import { IchigenError, tryParseDuration } from '../../model/index.js';

/**
 * Request parameters read exactly as Prometheus' API reads them: from the query string and
 * from a form-encoded POST body (the body wins, like Go's Request.FormValue order), times as
 * unix float seconds or RFC3339, durations as float seconds or Prometheus durations.
 */
export function params(request: FastifyRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (src: unknown): void => {
    if (src === null || typeof src !== 'object') return;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    }
  };
  add(request.query);
  add(request.body);
  return out;
}

/** The first value of a parameter ('' when absent, as Go's FormValue). */
export function param(p: Record<string, string | string[]>, name: string): string {
  const v = p[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** All values of a repeated parameter (`match[]`). */
export function paramList(p: Record<string, string | string[]>, name: string): string[] {
  const v = p[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function invalidParam(name: string, message: string): IchigenError {
  return new IchigenError('INVALID_PARAMETER', `invalid parameter "${name}": ${message}`);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch; throws the message Prometheus gives (without the parameter prefix). */
export function parseTimeValue(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) {
    const t = Number(s);
    const sec = Math.trunc(t);
    return sec * 1000 + Math.round((t - sec) * 1000);
  }
  const m = RFC3339.exec(s);
  if (m !== null) {
    const frac = m[7] === undefined ? '' : m[7].slice(0, 4);
    const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${m[8]!.toUpperCase()}`);
    if (!Number.isNaN(ms)) return ms;
  }
  // Prometheus' own spellings of its minimum and maximum times (sent by some clients).
  if (s === '-292273086-05-16T16:47:06Z') return -9223372036854;
  if (s === '292277025-08-18T07:12:54.999999999Z') return 9223372036854;
  throw new Error(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

/** A time parameter; `fallback` when absent (Prometheus' default for time, start, end). */
export function timeParam(p: Record<string, string | string[]>, name: string, fallback?: number): number {
  const v = param(p, name);
  if (v === '' && fallback !== undefined) return fallback;
  try {
    return parseTimeValue(v);
  } catch (e) {
    throw invalidParam(name, (e as Error).message);
  }
}

/** Milliseconds; throws Prometheus' message. */
export function parseDurationValue(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) {
    const ms = Number(s) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 9.2e15) throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration. It overflows int64`);
    return ms;
  }
  const d = tryParseDuration(s);
  if (d === undefined) throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration`);
  return d;
}

export function durationParam(p: Record<string, string | string[]>, name: string): number {
  try {
    return parseDurationValue(param(p, name));
  } catch (e) {
    throw invalidParam(name, (e as Error).message);
  }
}

/** Optional `limit`: 0 (no limit) when absent. */
export function limitParam(p: Record<string, string | string[]>): number {
  const v = param(p, 'limit');
  if (v === '') return 0;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw invalidParam('limit', 'limit must be a non-negative integer');
  return n;
}
