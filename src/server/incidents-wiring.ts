import type { EventsModule } from '../events/index.js';
import { createIncidentsModule, type IncidentsModule, type IncidentsModuleOptions } from '../incidents/index.js';
import type { ServerContext } from './module.js';

/** The incidents module from the configuration (kept here so modules.ts stays one line per pillar). */
export function incidentsModuleFor(ctx: ServerContext, events: EventsModule): IncidentsModule {
  return createIncidentsModule({ state: ctx.state, log: ctx.log, events: events.bus, sns: events.snsVerifier, options: incidentsOptions(ctx) });
}

function incidentsOptions(ctx: ServerContext): IncidentsModuleOptions {
  const c = ctx.config.incidents;
  return {
    resolveTimeoutMs: c.resolve_timeout,
    maxAlertsPerRequest: c.max_alerts_per_request,
    sweepIntervalMs: c.sweep_interval,
    escalationIntervalMs: c.escalation_interval,
    linkSecret: c.link_secret,
    linkTtlMs: c.link_ttl,
    notify: { maxAttempts: c.notify_max_attempts, retryBaseMs: c.notify_retry_base, timeoutMs: c.notify_timeout, publicUrl: ctx.config.server.public_url },
  };
}
