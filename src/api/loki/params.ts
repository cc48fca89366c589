import { IchigenError, tryParseDuration, type LabelMatcher } from '../../model/index.js';
import { parseLogQL } from '../../query/logql/index.js';

/** Loki's time parameter: ns integer, unix seconds (≤10 digits or with a fraction), or RFC 3339. */
export function parseTime(value: string | undefined, def: bigint, name: string): bigint {
  if (value === undefined || value === '') return def;
  if (value.includes('.') && /^\d+\.\d*$/.test(value)) {
    const [s, f = ''] = value.split('.') as [string, string];
    return BigInt(s) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  }
  if (/^-?\d+$/.test(value)) return value.replace('-', '').length <= 10 ? BigInt(value) * 1_000_000_000n : BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new IchigenError('INVALID_PARAMETER', `invalid ${name}: cannot parse "${value}" to a valid timestamp`);
  const frac = /\.(\d+)/.exec(value)?.[1] ?? '';
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

/** Step or interval: a duration (`30s`) or float seconds. Returns ms. */
export function parseStep(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const ms = tryParseDuration(value);
  if (ms === undefined) throw new IchigenError('INVALID_PARAMETER', `invalid ${name}: cannot parse "${value}" to a valid duration`);
  return ms;
}

export function parseLimit(value: string | undefined, def: number): number {
  if (value === undefined || value === '') return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new IchigenError('INVALID_PARAMETER', `invalid limit: "${value}" is not a non-negative integer`);
  return n;
}

export function parseDirection(value: string | undefined): 'forward' | 'backward' {
  if (value === undefined || value === '' || value.toLowerCase() === 'backward') return 'backward';
  if (value.toLowerCase() === 'forward') return 'forward';
  throw new IchigenError('INVALID_PARAMETER', `invalid direction "${value}": use forward or backward`);
}

/** The stream selector of a `query`/`match[]` parameter (a log query's matchers). */
export function selectorOf(query: string): LabelMatcher[] {
  const e = parseLogQL(query);
  if (e.kind !== 'log') throw new IchigenError('INVALID_PARAMETER', 'expected a stream selector');
  return e.matchers;
}
