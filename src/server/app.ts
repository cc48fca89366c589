import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAuthHook, registerAuthRoutes } from '../auth/index.js';
import { installErrorHandling, installFormBodies, installRequestDecompression } from '../http/index.js';
import { IchigenError } from '../model/index.js';
import { registerHealthRoutes, type Readiness } from './health.js';
import type { ServerContext, ServerModule } from './module.js';
import { installSelfMetrics } from './self-metrics.js';

const HEALTH_ROUTES = new Set(['/-/healthy', '/-/ready']);

/** Builds the HTTP application: shared hooks first, then every module's routes. */
export async function buildApp(ctx: ServerContext, modules: readonly ServerModule[], readiness: Readiness): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.server.max_request_bytes,
    requestTimeout: ctx.config.server.request_timeout,
    trustProxy: ctx.config.server.trust_proxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2000 },
    // Our own onResponse hook logs requests (debug, warn for 5xx) without secrets.
    logController: new LogController({ disableRequestLogging: true }),
  });

  installErrorHandling(app);
  installRequestDecompression(app);
  installFormBodies(app);

  // While storage opens (log replay can take a while) only the health routes answer.
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (!readiness.ready && !HEALTH_ROUTES.has(request.routeOptions.url ?? '')) {
      throw new IchigenError('UNAVAILABLE', 'Ichigen is starting: storage is not open yet', { retryAfterSeconds: 5 });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) request.log.warn({ method: request.method, url: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else request.log.debug({ method: request.method, url: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  installAuthHook(app, ctx.auth.authenticator);
  installSelfMetrics(app, ctx.registry);
  registerHealthRoutes(app, readiness);
  registerAuthRoutes(app, ctx.auth, ctx.state);
  for (const m of modules) await m.routes?.(app);
  return app;
}
