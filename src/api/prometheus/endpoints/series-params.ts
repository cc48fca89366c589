import { IchigenError, matchesEmpty, type LabelMatcher } from '../../../model/index.js';
import { parseSeriesSelector } from '../../../query/index.js';
import { param, paramList, parseTimeValue } from '../params.js';

/** Prometheus' bounds for an absent start/end on the metadata endpoints (all time). */
const MIN_TIME = -9223372036854;
const MAX_TIME = 9223372036854;

const EMPTY_MATCHER = (): IchigenError => new IchigenError('BAD_REQUEST', 'invalid parameter "match[]": match[] must contain at least one non-empty matcher');

/**
 * `match[]` as Prometheus' parseMatchersParam reads it: every selector parsed, and each one
 * must contain a matcher that does not match the empty string.
 */
export function matchersParam(p: Record<string, string | string[]>): LabelMatcher[][] {
  const sets: LabelMatcher[][] = [];
  for (const s of paramList(p, 'match[]')) {
    try {
      sets.push(parseSeriesSelector(s));
    } catch (e) {
      const message = (e as Error).message;
      // The PromQL parser refuses `{job=""}` itself; Prometheus' API words it as below.
      if (message.includes('at least one non-empty matcher')) throw EMPTY_MATCHER();
      throw new IchigenError('BAD_REQUEST', `invalid parameter "match[]": ${message}`);
    }
  }
  for (const set of sets) {
    if (!set.some((m) => !matchesEmpty(m))) throw EMPTY_MATCHER();
  }
  return sets;
}

/** start/end with Prometheus' wording; absent = all time. */
export function rangeParams(p: Record<string, string | string[]>): { start: number; end: number } {
  const read = (name: string, fallback: number): number => {
    const v = param(p, name);
    if (v === '') return fallback;
    try {
      return parseTimeValue(v);
    } catch (e) {
      throw new IchigenError('BAD_REQUEST', `invalid parameter "${name}": Invalid time value for '${name}': ${(e as Error).message}`);
    }
  };
  return { start: read('start', MIN_TIME), end: read('end', MAX_TIME) };
}

/** Optional `limit` as Prometheus 3 reads it on these endpoints (0 = none). */
export function seriesLimitParam(p: Record<string, string | string[]>): number {
  const v = param(p, 'limit');
  if (v === '') return 0;
  const n = Number(v);
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(n)) throw new IchigenError('BAD_REQUEST', `invalid parameter "limit": cannot parse "${v}" to a valid limit`);
  if (n < 0) throw new IchigenError('BAD_REQUEST', 'invalid parameter "limit": limit must be non-negative');
  return n;
}

/** Applies a limit the way Prometheus 3 does: one extra item fetched tells it to warn. */
export function truncate<T>(items: T[], limit: number): { items: T[]; warnings: string[] } {
  if (limit > 0 && items.length > limit) return { items: items.slice(0, limit), warnings: ['results truncated due to limit'] };
  return { items, warnings: [] };
}
