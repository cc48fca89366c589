import type { FastifyInstance } from 'fastify';
import { toIchigenError } from '../../http/index.js';

/**
 * Loki answers errors as plain text with the status code (its clients, Promtail and Grafana,
 * show that text). The plugin keeps that contract for every route under /loki.
 */
export function installLokiErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const e = toIchigenError(err);
    if (e.status >= 500) request.log.error({ err: e.cause ?? err, code: e.code }, e.message);
    if (e.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.retryAfterSeconds));
    void reply.status(e.status).type('text/plain; charset=utf-8').send(e.message + '\n');
  });
}
