import type { FastifyInstance } from 'fastify';
import type { Logger, Registry } from '../self/index.js';
import type { StateDb } from '../state/index.js';
import { StoredEventBus, type EventBus } from './event-bus.js';
import { EventStore } from './event-store.js';
import { registerEventRoutes } from './routes.js';

export interface EventsModuleDeps {
  readonly state: StateDb;
  readonly log: Logger;
  readonly registry: Registry;
  /** How long events are kept (ms). */
  readonly retentionMs: number;
  readonly now?: () => number;
}

export interface EventsModule {
  readonly name: 'events';
  /** The bus other modules publish to and subscribe on (incidents, automation…). */
  readonly bus: EventBus;
  readonly store: EventStore;
  routes(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Deletes events older than the retention now (also runs hourly). */
  applyRetention(): Promise<number>;
}

const RETENTION_EVERY_MS = 60 * 60 * 1000;

export function createEventsModule(deps: EventsModuleDeps): EventsModule {
  const now = deps.now ?? Date.now;
  const store = new EventStore(deps.state.db);
  const bus = new StoredEventBus(store, deps.log.child({ module: 'events' }), deps.registry, now);
  let timer: NodeJS.Timeout | undefined;
  const applyRetention = async (): Promise<number> => {
    const n = await store.deleteBefore(now() - deps.retentionMs);
    if (n > 0) deps.log.info({ deleted: n }, 'event retention removed old events');
    return n;
  };
  return {
    name: 'events',
    bus,
    store,
    routes: (app) => registerEventRoutes(app, store, bus),
    start: async () => {
      await applyRetention();
      timer = setInterval(() => void applyRetention().catch((err: unknown) => deps.log.error({ err }, 'event retention failed')), RETENTION_EVERY_MS);
      timer.unref();
    },
    stop: async () => {
      if (timer !== undefined) clearInterval(timer);
    },
    applyRetention,
  };
}
