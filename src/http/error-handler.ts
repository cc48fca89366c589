import type { FastifyInstance } from 'fastify';
import { IchigenError } from '../model/index.js';
import { errorBody, toIchigenError } from './error-body.js';

/** Installs the one error format on an instance (plugins inherit it unless they override). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const e = toIchigenError(err);
    if (e.status >= 500) request.log.error({ err: e.cause ?? err, code: e.code }, e.message);
    else request.log.debug({ code: e.code }, e.message);
    if (e.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.retryAfterSeconds));
    void reply.status(e.status).type('application/json').send(errorBody(e));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new IchigenError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`);
    void reply.status(404).type('application/json').send(errorBody(e));
  });
}
