import { readFileSync } from 'node:fs';
import { createEventsModule, type EventsModule } from '../events/index.js';
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
