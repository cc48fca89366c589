import { readFileSync } from 'node:fs';
import { createAutomationModule, type AutomationModule, type IncidentActions } from '../automation/index.js';
import { createEventsModule, type EventsModule } from '../events/index.js';
import { pageManually, type IncidentsModule } from '../incidents/index.js';
import type { ServerContext } from './module.js';

/** The events module from the configuration (kept here so modules.ts stays one line per pillar). */
export function eventsModuleFor(ctx: ServerContext): EventsModule {
  return createEventsModule({
    state: ctx.state,
    log: ctx.log,
    registry: ctx.registry,
    retentionMs: ctx.config.events.retention,
    publicUrl: ctx.config.server.public_url,
    snsUrlPrefixes: ctx.config.events.sns_cert_url_prefixes,
    snsCaPem: ctx.config.events.sns_ca_file === '' ? '' : readFileSync(ctx.config.events.sns_ca_file, 'utf8'),
  });
}

/** The automation module, subscribed to the events module's bus. */
export function automationModuleFor(ctx: ServerContext, events: EventsModule, incidents?: IncidentsModule): AutomationModule {
  // Runbook steps act on alert groups through the incidents module's own group actions.
  const actions: IncidentActions | undefined =
    incidents === undefined
      ? undefined
      : {
          acknowledge: async (tenant, id, actor) => void (await incidents.core.groups.acknowledge(tenant, id, actor)),
          resolve: async (tenant, id, actor) => void (await incidents.core.groups.resolve(tenant, id, actor)),
          page: async (tenant, page, actor) => {
            const g = await pageManually(incidents.core, tenant, page, actor);
            return { id: g.id, title: g.title, status: g.status, chainId: g.chainId, suppressed: g.suppressed };
          },
        };
  return createAutomationModule({
    state: ctx.state,
    log: ctx.log,
    registry: ctx.registry,
    bus: events.bus,
    aws: { region: ctx.config.automation.aws_region, endpoint: ctx.config.automation.aws_endpoint, pollIntervalMs: ctx.config.automation.ssm_poll_interval },
    defaultStepTimeoutMs: ctx.config.automation.step_timeout,
    publicUrl: ctx.config.server.public_url,
    runLeaseMs: ctx.config.automation.run_lease,
    incidents: () => actions,
  });
}
