import type { FastifyInstance } from 'fastify';
import type { Logger } from '../self/index.js';
import type { StateDb } from '../state/index.js';
import { registerAlertmanagerApi } from './am-api.js';
import { systemClock, type Clock } from './clock.js';
import { IncidentsCore, type IncidentsOptions } from './core.js';
import { registerGroupRoutes } from './group-routes.js';
import { checkHeartbeats, registerIntegrationRoutes } from './integration-routes.js';

export interface IncidentsModuleDeps {
  readonly state: StateDb;
  readonly log: Logger;
  readonly options: IncidentsOptions & { readonly sweepIntervalMs: number };
  readonly clock?: Clock;
}

/** The incidents pillar as the server sees it: routes plus one background loop. */
export interface IncidentsModule {
  readonly name: string;
  readonly core: IncidentsCore;
  routes(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One pass of the background work (tests call it with a fake clock). */
  tick(): Promise<void>;
}

export function createIncidentsModule(deps: IncidentsModuleDeps): IncidentsModule {
  const core = new IncidentsCore(deps.state, deps.clock ?? systemClock, deps.options, deps.log);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = async (): Promise<void> => {
    await core.intake.sweep();
    await core.groups.expireSilences();
    await checkHeartbeats(core);
  };
  return {
    name: 'incidents',
    core,
    routes(app) {
      registerAlertmanagerApi(app, core);
      registerIntegrationRoutes(app, core);
      registerGroupRoutes(app, core);
    },
    async start() {
      timer = setInterval(() => {
        if (running) return;
        running = tick()
          .catch((err: unknown) => deps.log.warn({ err }, 'incidents background pass failed'))
          .finally(() => {
            running = undefined;
          });
      }, deps.options.sweepIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
    tick,
  };
}
