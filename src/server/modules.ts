import { OtlpEndpoints } from '../api/otlp/index.js';
import type { OtlpSinks } from '../receive/otlp/index.js';
import { automationModuleFor, eventsModuleFor } from './events-wiring.js';
import { incidentsModuleFor } from './incidents-wiring.js';
import { rulesModuleFor } from './rules-wiring.js';
import { createLogsModule } from '../api/loki/index.js';
import type { ServerContext, ServerModule } from './module.js';
import { prometheusApiModule } from './prometheus-api-module.js';
import { createMetricsModule } from './metrics-module.js';
import { registerDashboardRoutes } from '../api/dashboards/index.js';
import { registerStatusRoutes } from './status-routes.js';
import { createWebUiModule } from './web-ui.js';
import { tracesModule } from './traces-module.js';

/**
 * The composition root's list of pillars, in start order (storage before what reads it).
 * Each pillar adds one line here.
 */
export function createModules(ctx: ServerContext): ServerModule[] {
  const events = eventsModuleFor(ctx);
  const metrics = createMetricsModule(ctx);
  // Each signal's module sets its OTLP sink here (otlp.traces = …) before the endpoints start.
  const otlp: OtlpSinks = {};
  otlp.metrics = metrics.otlpSink;
  const logs = createLogsModule(ctx);
  otlp.logs = logs.otlpSink;
  const incidents = incidentsModuleFor(ctx, events);
  return [
    metrics,
    prometheusApiModule(ctx, metrics.store, metrics.scrape),
    logs,
    events,
    rulesModuleFor(ctx, metrics.store, logs.store, () => incidents),
    incidents,
    tracesModule(ctx, otlp, metrics.store),
    automationModuleFor(ctx, events, incidents),
    // Last: its own listeners (4318, 4317) open once every store above has started.
    otlpEndpoints(ctx, otlp),
    { name: 'dashboards', routes: (app) => registerDashboardRoutes(app, ctx.state) },
    { name: 'status', routes: (app) => registerStatusRoutes(app, ctx) },
    createWebUiModule(ctx),
  ];
}

function otlpEndpoints(ctx: ServerContext, sinks: OtlpSinks): ServerModule {
  return new OtlpEndpoints(sinks, {
    httpListen: ctx.config.otlp.http_listen,
    grpcListen: ctx.config.otlp.grpc_listen,
    maxRequestBytes: ctx.config.server.max_request_bytes,
    authenticator: ctx.auth.authenticator,
    log: ctx.log,
    registry: ctx.registry,
  });
}
