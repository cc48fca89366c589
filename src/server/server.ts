import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { bootstrapAdmin, createAuthService } from '../auth/index.js';
import { createLogger, createMetricsRegistry, type Logger } from '../self/index.js';
import { migrateToLatest, openStateDb } from '../state/index.js';
import { buildApp } from './app.js';
import type { Config } from './config/index.js';
import type { Readiness } from './health.js';
import { parseListenAddress } from './listen-address.js';
import type { ServerContext, ServerModule } from './module.js';
import { createModules } from './modules.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly ctx: ServerContext;
  /** Base URL of the main port, e.g. http://127.0.0.1:8910 */
  readonly url: string;
  readonly port: number;
  /** Resolves once every module has started (storage open). */
  readonly started: Promise<void>;
  /** The pillars, in start order (tests reach a module's store through them). */
  readonly modules: readonly ServerModule[];
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** Called once when the first admin is created with a generated password (print it; never log it). */
  readonly onGeneratedAdminPassword?: (password: string) => void;
}

/**
 * Starts Ichigen: state database (migrated), first admin, HTTP port, then every module's
 * storage. Readiness turns true when the last module has started.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger({ level: config.log.level });
  const dataDir = path.resolve(config.storage.data_dir);
  mkdirSync(dataDir, { recursive: true });

  const state = openStateDb({ url: config.state.url, dataDir, poolSize: config.state.pool_size });
  const closers: Array<() => Promise<void>> = [() => state.close()];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (e) {
        log.error({ err: e }, 'error while closing');
      }
    }
  };
  try {
    await migrateToLatest(state.db);
    const auth = createAuthService(state.db, {
      sessionTtlMs: config.auth.session_ttl,
      loginMaxFailures: config.auth.login_max_failures,
      loginWindowMs: config.auth.login_window,
      cookieSecure: config.auth.cookie_secure,
    });
    const boot = await bootstrapAdmin(auth.users, config.auth.admin_password);
    if (boot.created) log.info({ username: 'admin' }, 'created the first admin user');
    if (boot.generatedPassword !== undefined) options.onGeneratedAdminPassword?.(boot.generatedPassword);

    const registry = createMetricsRegistry();
    const ctx: ServerContext = { config, log, registry, state, auth, dataDir };
    const modules: ServerModule[] = createModules(ctx);
    const readiness: Readiness = { ready: false, stopping: false };
    const app = await buildApp(ctx, modules, readiness);
    closers.push(() => app.close());

    const { host, port } = parseListenAddress(config.server.listen);
    await app.listen({ host, port });
    const bound = (app.server.address() as AddressInfo).port;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    log.info({ listen: `${host}:${bound}`, dataDir, state: state.location }, 'Ichigen is listening');

    const startedModules: ServerModule[] = [];
    const started = (async () => {
      for (const m of modules) {
        await m.start?.();
        startedModules.push(m);
      }
      readiness.ready = true;
      log.info('Ichigen is ready');
    })();
    started.catch((err: unknown) => log.fatal({ err }, 'a module failed to start'));

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        readiness.stopping = true;
        log.info('shutting down: no new requests; finishing in-flight ones');
        // Stop HTTP first (in-flight requests finish), then the modules (flush, close).
        await app.close();
        await started.catch(() => undefined);
        for (const m of [...startedModules].reverse()) {
          try {
            await m.stop?.();
          } catch (e) {
            log.error({ err: e, module: m.name }, 'module failed to stop cleanly');
          }
        }
        await state.close();
        log.info('shut down cleanly');
      })();
      return stopping;
    };
    return { app, ctx, url: `http://${urlHost}:${bound}`, port: bound, started, modules, stop };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
