import type { ServerContext, ServerModule } from './module.js';
import { prometheusApiModule } from './prometheus-api-module.js';

/**
 * The composition root's list of pillars, in start order (storage before what reads it).
 * Each pillar adds one line here.
 */
export function createModules(ctx: ServerContext): ServerModule[] {
  return [
    prometheusApiModule(ctx, undefined),
  ];
}
