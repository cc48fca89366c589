import type { FastifyInstance } from 'fastify';
import type { PrometheusApiDeps } from './deps.js';
import { PROMETHEUS_ENDPOINTS } from './endpoints.js';

/** Registers the Prometheus HTTP API (`/api/v1/...`) on the app. */
export function registerPrometheusApi(app: FastifyInstance, deps: PrometheusApiDeps): void {
  for (const endpoint of PROMETHEUS_ENDPOINTS) endpoint(app, deps);
}
