import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { EventBus, SnsVerifier } from '../events/index.js';
import type { Logger } from '../self/index.js';
import { getSetting, newId, setSetting, type StateDb } from '../state/index.js';
import { registerAlertmanagerApi } from './am-api.js';
import { systemClock, type Clock } from './clock.js';
import { IncidentsCore, type IncidentsOptions } from './core.js';
import { registerGroupRoutes } from './group-routes.js';
import { checkHeartbeats, registerIntegrationRoutes } from './integration-routes.js';
import { ChannelStore } from './notify/channels.js';
import { Dispatcher, type DispatcherOptions } from './notify/dispatcher.js';
import { enqueueFollowUps } from './notify/follow-up.js';
import { createHttpPost } from './notify/http-post.js';
import { JobQueue } from './notify/jobs.js';
import { LinkSigner } from './notify/links.js';
import { registerLinkRoutes } from './notify/links-routes.js';
import { registerNotifyRoutes } from './notify/notify-routes.js';
import { ChainStore } from './oncall/chains.js';
import { EscalationEngine } from './oncall/escalation.js';
import { registerOnCallRoutes } from './oncall/oncall-routes.js';
import { PeopleStore } from './oncall/people.js';
import { RouteStore } from './oncall/routes.js';
import { ScheduleStore } from './oncall/schedules.js';

export interface IncidentsModuleOptions extends IncidentsOptions {
  readonly sweepIntervalMs: number;
  readonly escalationIntervalMs: number;
  /** Secret for signed links; empty: generated once and kept in the state database. */
  readonly linkSecret: string;
  readonly linkTtlMs: number;
  readonly notify: Omit<DispatcherOptions, 'batch'>;
}

export interface IncidentsModuleDeps {
  readonly state: StateDb;
  readonly log: Logger;
  readonly options: IncidentsModuleOptions;
  readonly events?: EventBus;
  /** The events module's SNS signature checker, for SNS integrations. */
  readonly sns?: SnsVerifier;
  readonly clock?: Clock;
}

/** The incidents pillar as the server sees it: routes plus background loops. */
export interface IncidentsModule {
  readonly name: string;
  readonly core: IncidentsCore;
  routes(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One pass of every background loop (tests call it with a fake clock). */
  tick(): Promise<void>;
}

const CHANGE_TYPES: Readonly<Record<string, string>> = {
  created: 'Alert Group Created',
  acknowledged: 'Alert Group Acknowledged',
  unacknowledged: 'Alert Group Unacknowledged',
  resolved: 'Alert Group Resolved',
  silenced: 'Alert Group Silenced',
  unsilenced: 'Alert Group Unsilenced',
};

export function createIncidentsModule(deps: IncidentsModuleDeps): IncidentsModule {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ module: 'incidents' });
  const core = new IncidentsCore(deps.state, clock, deps.options, log);
  const channels = new ChannelStore(deps.state.db, deps.state.sql);
  const stores = { schedules: new ScheduleStore(deps.state.db), chains: new ChainStore(deps.state.db, deps.state.sql), routes: new RouteStore(deps.state.db, deps.state.sql), people: new PeopleStore(deps.state.db) };
  core.intake.routes = stores.routes;
  const queue = new JobQueue(deps.state, `${hostname()}:${process.pid}:${newId()}`, 5 * 60_000);
  // Replaced in start() once the persisted secret is read; until then links cannot verify.
  let links = new LinkSigner(deps.options.linkSecret || randomBytes(32).toString('hex'), deps.options.linkTtlMs);
  const linkProxy = { sign: (...a: Parameters<LinkSigner['sign']>) => links.sign(...a), verify: (...a: Parameters<LinkSigner['verify']>) => links.verify(...a) } as LinkSigner;
  const http = createHttpPost();
  const dispatcher = new Dispatcher(deps.state, clock, channels, queue, linkProxy, { ...deps.options.notify, batch: 256 }, log, http);
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    const q = p.catch((err: unknown) => log.warn({ err }, 'alert group follow-up failed')).finally(() => pending.delete(q));
    pending.add(q);
  };
  core.onChange((g, change, actor) => {
    track(enqueueFollowUps(deps.state, g, change, clock()));
    const detailType = CHANGE_TYPES[change];
    if (deps.events && detailType !== undefined) {
      track(
        deps.events.publish({
          tenant: g.tenant,
          source: 'ichigen.incidents',
          detailType,
          resources: [g.id],
          detail: { groupId: g.id, title: g.title, status: g.status, groupLabels: g.groupLabels, integrationId: g.integrationId, actor, alertsFiring: g.alertsFiring },
        }),
      );
    }
  });
  const escalation = new EscalationEngine(deps.state, clock, log, queue, (done) => {
    track(dispatcher.send(done.claimed));
    for (const g of done.resolved) core.onChangeEmit(g, 'resolved', 'escalation');
  });
  // A new group's first steps run in the transaction that opens it, and its notifications go out as soon as it is durable.
  core.intake.opener = {
    opened: async (trx, timeline, groups, now) => {
      const done = await escalation.startOpened(trx, timeline, groups, now);
      return () => escalation.finish(done);
    },
  };

  type Loop = { every: number; run: () => Promise<unknown>; timer?: NodeJS.Timeout; running?: Promise<unknown>; again?: boolean };
  const loops: Loop[] = [
    { every: deps.options.sweepIntervalMs, run: async () => { await core.intake.sweep(); await core.groups.expireSilences(); await checkHeartbeats(core); } },
    { every: deps.options.escalationIntervalMs, run: async () => { while ((await escalation.runOnce()) > 0); while ((await dispatcher.runOnce()) > 0); } },
  ];
  let started = false;
  const startPass = (l: Loop): void => {
    if (l.running) {
      // Asked while a pass runs: one more pass right after it (what it started may be due now).
      l.again = true;
      return;
    }
    l.again = false;
    l.running = l
      .run()
      .catch((err: unknown) => log.warn({ err }, 'incidents background pass failed'))
      .finally(() => {
        l.running = undefined;
        if (l.again && started) startPass(l);
      });
  };
  const tick = async (): Promise<void> => {
    for (const l of loops) await l.run();
    await Promise.all(pending);
    await dispatcher.idle();
  };
  return {
    name: 'incidents',
    core,
    routes(app) {
      registerAlertmanagerApi(app, core);
      registerIntegrationRoutes(app, core, deps.sns);
      registerGroupRoutes(app, core);
      registerOnCallRoutes(app, core, stores);
      registerNotifyRoutes(app, core, channels);
      registerLinkRoutes(app, core, linkProxy, channels);
    },
    async start() {
      let secret = deps.options.linkSecret;
      if (secret === '') {
        secret = (await getSetting(deps.state.db, 'incidents.link_secret')) ?? '';
        if (secret === '') {
          secret = randomBytes(32).toString('hex');
          await setSetting(deps.state.db, 'incidents.link_secret', secret);
        }
      }
      links = new LinkSigner(secret, deps.options.linkTtlMs);
      started = true;
      for (const l of loops) {
        l.timer = setInterval(() => startPass(l), l.every);
        l.timer.unref();
      }
    },
    async stop() {
      started = false;
      await core.intake.idle();
      for (const l of loops) if (l.timer) clearInterval(l.timer);
      await Promise.all(loops.map((l) => l.running));
      await Promise.all(pending);
      http.close();
    },
    tick,
  };
}
