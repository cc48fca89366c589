import type { MetricStore, SeriesSamples } from '../../src/store/index.js';
import type { MetricsModule, RunningServer } from '../../src/server/index.js';
import type { LabelMatcher } from '../../src/model/index.js';

/** The metric store of a running server. */
export function metricStoreOf(server: RunningServer): MetricStore {
  const m = server.modules.find((x) => x.name === 'metrics') as MetricsModule | undefined;
  if (!m) throw new Error('no metrics module');
  return m.store;
}

export async function selectAll(store: MetricStore, tenant: string, matchers: LabelMatcher[], mint = 0, maxt = 8e15): Promise<SeriesSamples[]> {
  const out: SeriesSamples[] = [];
  for await (const s of store.querier(tenant).select(matchers, mint, maxt)) out.push(s);
  return out;
}
