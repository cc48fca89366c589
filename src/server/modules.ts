import { createEventsModule } from '../events/index.js';
import type { ServerContext, ServerModule } from './module.js';
import { prometheusApiModule } from './prometheus-api-module.js';

/**
 * The composition root's list of pillars, in start order (storage before what reads it).
 * Each pillar adds one line here.
 */
export function createModules(ctx: ServerContext): ServerModule[] {
  const events = createEventsModule({ state: ctx.state, log: ctx.log, registry: ctx.registry, retentionMs: ctx.config.events.retention });
  return [
    prometheusApiModule(ctx, undefined),
    events,
  ];
}
