import type { LabelMatcher } from '../../model/index.js';
import type { MetricQuerier, SelectHints, SeriesSamples } from '../../store/index.js';
import type { AtModifier } from './ast.js';
import type { QueryLimits } from './limits.js';
import type { EngineOptions } from './result.js';

/** What every part of one query's evaluation shares. */
export interface EvalContext {
  readonly querier: MetricQuerier;
  /** The query text, for the positions in annotations. */
  readonly query: string;
  readonly options: EngineOptions;
  readonly limits: QueryLimits;
  /** The query's own start and end (ms), for `@ start()` / `@ end()`. */
  readonly queryStart: number;
  readonly queryEnd: number;
  /** The range query's step (ms); 0 for an instant query. */
  readonly queryStep: number;
  readonly warnings: Set<string>;
  readonly infos: Set<string>;
}

export function atTime(ctx: EvalContext, at: AtModifier | undefined): number | undefined {
  if (at === undefined) return undefined;
  if (at.kind === 'time') return at.ms;
  return at.kind === 'start' ? ctx.queryStart : ctx.queryEnd;
}

/** Prometheus 2 includes a sample exactly at the window's lower bound; Prometheus 3 does not. */
export function leftOpen(ctx: EvalContext): boolean {
  return ctx.options.compatibility === 'prometheus3';
}

/**
 * The matchers as the store should apply them: in Prometheus 3 a regular expression's `.`
 * also matches a newline (Prometheus 2 compiled them without the s flag).
 */
export function dialectMatchers(ctx: EvalContext, matchers: readonly LabelMatcher[]): readonly LabelMatcher[] {
  if (ctx.options.compatibility !== 'prometheus3' || !matchers.some((m) => m.type === '=~' || m.type === '!~')) return matchers;
  return matchers.map((m) => (m.type === '=~' || m.type === '!~' ? { ...m, value: `(?s)${m.value}` } : m));
}

/**
 * The store's series for a selector, a batch at a time (one promise per batch, not per
 * series), through the store's selectBatches when it has one.
 */
export async function* selectBatches(ctx: EvalContext, matchers: readonly LabelMatcher[], mint: number, maxt: number, hints: SelectHints): AsyncIterable<SeriesSamples[]> {
  const q = ctx.querier;
  const ms = dialectMatchers(ctx, matchers);
  if (q.selectBatches !== undefined) {
    yield* q.selectBatches(ms, mint, maxt, hints);
    return;
  }
  let batch: SeriesSamples[] = [];
  for await (const s of q.select(ms, mint, maxt, hints)) {
    batch.push(s);
    if (batch.length >= 256) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
