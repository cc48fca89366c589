import type { PrometheusEndpoint } from './deps.js';
import { formatQueryEndpoint } from './endpoints/format-query.js';
import { parseQueryEndpoint } from './endpoints/parse-query.js';
import { flagsEndpoint } from './endpoints/status-flags.js';
import { buildInfoEndpoint } from './endpoints/status-buildinfo.js';
import { runtimeInfoEndpoint } from './endpoints/status-runtimeinfo.js';
import { labelValuesEndpoint } from './endpoints/label-values.js';
import { labelsEndpoint } from './endpoints/labels.js';
import { metadataEndpoint } from './endpoints/metadata.js';
import { seriesEndpoint } from './endpoints/series.js';
import { queryEndpoint } from './endpoints/query.js';
import { queryRangeEndpoint } from './endpoints/query-range.js';
import { queryExemplarsEndpoint } from './endpoints/query-exemplars.js';
import { targetsEndpoint } from './endpoints/targets.js';

/** Every endpoint of the Prometheus HTTP API we serve; a new endpoint is one file and one line here. */
export const PROMETHEUS_ENDPOINTS: readonly PrometheusEndpoint[] = [
  buildInfoEndpoint,
  runtimeInfoEndpoint,
  flagsEndpoint,
  formatQueryEndpoint,
  parseQueryEndpoint,
  seriesEndpoint,
  labelsEndpoint,
  labelValuesEndpoint,
  metadataEndpoint,
  queryEndpoint,
  queryRangeEndpoint,
  queryExemplarsEndpoint,
  targetsEndpoint,
];
