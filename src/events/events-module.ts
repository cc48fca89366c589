import type { FastifyInstance } from 'fastify';
import type { Logger, Registry } from '../self/index.js';
import type { StateDb } from '../state/index.js';
import { StoredEventBus, type EventBus } from './event-bus.js';
import { EventStore } from './event-store.js';
import { registerEventRoutes } from './routes.js';
import { EventSourceStore } from './sources/event-source-store.js';
import { registerSourceRoutes } from './sources/source-routes.js';
import { SnsVerifier } from './sources/sns-signature.js';

export interface EventsModuleDeps {
  readonly state: StateDb;
  readonly log: Logger;
  readonly registry: Registry;
  /** How long events are kept (ms). */
  readonly retentionMs: number;
  readonly now?: () => number;
  /** External URL for the links shown to users (server.public_url); empty: from the request. */
  readonly publicUrl?: string;
  /** URL prefixes trusted for SNS certificates and SubscribeURLs besides https://sns.<region>.amazonaws.com/. */
  readonly snsUrlPrefixes?: readonly string[];
  /** PEM CA certificates SNS signing certificates must chain to (empty: trust the HTTPS host). */
  readonly snsCaPem?: string;
}

export interface EventsModule {
  readonly name: 'events';
  /** The bus other modules publish to and subscribe on (incidents, automation…). */
  readonly bus: EventBus;
  readonly store: EventStore;
  readonly sources: EventSourceStore;
  /** Checks SNS signatures for every SNS receiver (event sources, alert integrations). */
  readonly snsVerifier: SnsVerifier;
  routes(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Deletes events older than the retention now (also runs hourly). */
  applyRetention(): Promise<number>;
}

const RETENTION_EVERY_MS = 60 * 60 * 1000;

export function createEventsModule(deps: EventsModuleDeps): EventsModule {
  const now = deps.now ?? Date.now;
  const store = new EventStore(deps.state);
  const bus = new StoredEventBus(store, deps.log.child({ module: 'events' }), deps.registry, now);
  const sources = new EventSourceStore(deps.state.db, now);
  const verifier = new SnsVerifier({ extraUrlPrefixes: deps.snsUrlPrefixes ?? [], ...(deps.snsCaPem !== undefined ? { caPem: deps.snsCaPem } : {}), now });
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
    sources,
    snsVerifier: verifier,
    routes: (app) => {
      registerEventRoutes(app, store, bus);
      registerSourceRoutes(app, { store: sources, bus, verifier, state: deps.state, log: deps.log.child({ module: 'event-sources' }), publicUrl: deps.publicUrl ?? '' });
    },
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
