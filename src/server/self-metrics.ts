import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from '../self/index.js';

/** HTTP request counts and latency by route template, and the `/metrics` endpoint. */
export function installSelfMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'ichigen_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status code.',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ichigen_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by route template.',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the raw URL: raw URLs would make unbounded label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: request.method, code: String(reply.statusCode) });
    duration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { scope: 'read' } }, async (_request, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
}
