import { IchigenError } from '../../../model/index.js';
import type { MetricStore } from '../../../store/index.js';
import type { PrometheusApiDeps } from '../deps.js';

export function requireStore(deps: PrometheusApiDeps): MetricStore {
  if (!deps.store) throw new IchigenError('UNAVAILABLE', 'no metric store is configured');
  return deps.store;
}
