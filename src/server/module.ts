import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { Logger, Registry } from '../self/index.js';
import type { StateDb } from '../state/index.js';
import type { Config } from './config/index.js';

/** What every module gets from the composition root. */
export interface ServerContext {
  readonly config: Config;
  readonly log: Logger;
  readonly registry: Registry;
  readonly state: StateDb;
  readonly auth: AuthService;
  /** Absolute path of the data directory. */
  readonly dataDir: string;
}

/**
 * A pillar plugged into the server. Construction must be cheap; storage opens in start(),
 * which runs after the port is open, so health checks answer during a long log replay.
 * Until every module has started, the server answers 503 on all but the health routes.
 */
export interface ServerModule {
  readonly name: string;
  /** Registers HTTP routes (before listening). */
  routes?(app: FastifyInstance): void | Promise<void>;
  /** Opens storage, replays logs, starts background loops. */
  start?(): Promise<void>;
  /** Flushes and closes; modules stop in reverse order. */
  stop?(): Promise<void>;
}
