import type { FastifyInstance } from 'fastify';
import { APP_API_PREFIX } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import type { IncidentsCore } from '../core.js';
import { actorOf } from '../request-auth.js';
import type { ChainStore } from './chains.js';
import type { PeopleStore } from './people.js';
import type { RouteStore } from './routes.js';
import type { ScheduleStore } from './schedules.js';

const P = APP_API_PREFIX;
const DAY = 86_400_000;

const timeParam = (v: string | undefined, fallback: number): number => {
  if (v === undefined || v === '') return fallback;
  const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (Number.isNaN(t)) throw new IchigenError('INVALID_PARAMETER', `"${v}" is neither an RFC 3339 time nor Unix seconds`);
  return t;
};

export interface OnCallStores {
  readonly schedules: ScheduleStore;
  readonly chains: ChainStore;
  readonly routes: RouteStore;
  readonly people: PeopleStore;
}

/** Schedules (with overrides, who-is-on-call, iCal), escalation chains, routes, teams, users' notification settings. */
export function registerOnCallRoutes(app: FastifyInstance, core: IncidentsCore, s: OnCallStores): void {
  app.get(`${P}/schedules`, async (r) => ({ data: await s.schedules.list(r.tenant) }));
  app.post(`${P}/schedules`, async (r, reply) => {
    const x = await s.schedules.create(r.tenant, r.body, core.clock());
    await core.audit(r, 'schedule.create', x.id);
    return reply.status(201).send({ data: x });
  });
  app.get<{ Params: { id: string } }>(`${P}/schedules/:id`, async (r) => ({ data: { ...(await s.schedules.get(r.tenant, r.params.id)), overrides: await s.schedules.overrides(r.params.id) } }));
  app.put<{ Params: { id: string } }>(`${P}/schedules/:id`, async (r) => {
    const x = await s.schedules.update(r.tenant, r.params.id, r.body, core.clock());
    await core.audit(r, 'schedule.update', x.id);
    return { data: x };
  });
  app.delete<{ Params: { id: string } }>(`${P}/schedules/:id`, async (r, reply) => {
    await s.schedules.remove(r.tenant, r.params.id);
    await core.audit(r, 'schedule.delete', r.params.id);
    return reply.status(204).send();
  });
  app.get<{ Params: { id: string }; Querystring: { at?: string; from?: string; to?: string } }>(`${P}/schedules/:id/oncall`, async (r) => {
    const view = await s.schedules.view(r.tenant, r.params.id);
    const at = timeParam(r.query.at, core.clock());
    const data: Record<string, unknown> = { at: new Date(at).toISOString(), users: view.at(at) };
    if (r.query.from !== undefined || r.query.to !== undefined) {
      const from = timeParam(r.query.from, at);
      const to = timeParam(r.query.to, from + 7 * DAY);
      if (to - from > 400 * DAY || to <= from) throw new IchigenError('INVALID_PARAMETER', 'from/to must span between 0 and 400 days');
      data.intervals = view.intervals(from, to).map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString(), users: i.users }));
    }
    return { data };
  });
  app.post<{ Params: { id: string } }>(`${P}/schedules/:id/overrides`, async (r, reply) => {
    const o = await s.schedules.addOverride(r.tenant, r.params.id, r.body, actorOf(r), core.clock());
    await core.audit(r, o.replaces === null ? 'schedule.override' : 'schedule.swap', r.params.id, { user: o.user, replaces: o.replaces, start: o.start, end: o.end });
    return reply.status(201).send({ data: o });
  });
  app.delete<{ Params: { id: string; oid: string } }>(`${P}/schedules/:id/overrides/:oid`, async (r, reply) => {
    await s.schedules.removeOverride(r.tenant, r.params.id, r.params.oid);
    return reply.status(204).send();
  });
  const window = (q: { from?: string; to?: string }): [number, number] => {
    const now = core.clock();
    const from = timeParam(q.from, now - 7 * DAY);
    const to = timeParam(q.to, now + 60 * DAY);
    if (to - from > 400 * DAY || to <= from) throw new IchigenError('INVALID_PARAMETER', 'from/to must span between 0 and 400 days');
    return [from, to];
  };
  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string; user?: string } }>(`${P}/schedules/:id/ical`, async (r, reply) => {
    const [from, to] = window(r.query);
    return reply.type('text/calendar; charset=utf-8').send(await s.schedules.exportIcs(r.tenant, r.params.id, from, to, core.clock(), r.query.user));
  });
  app.get<{ Params: { user: string }; Querystring: { from?: string; to?: string } }>(`${P}/users/:user/oncall.ics`, async (r, reply) => {
    const [from, to] = window(r.query);
    return reply.type('text/calendar; charset=utf-8').send(await s.schedules.exportUserIcs(r.tenant, r.params.user, from, to, core.clock()));
  });

  app.get(`${P}/escalation-chains`, async (r) => ({ data: await s.chains.list(r.tenant) }));
  app.post(`${P}/escalation-chains`, async (r, reply) => {
    const c = await s.chains.create(r.tenant, r.body, core.clock());
    await core.audit(r, 'escalation_chain.create', c.id);
    return reply.status(201).send({ data: c });
  });
  app.get<{ Params: { id: string } }>(`${P}/escalation-chains/:id`, async (r) => ({ data: await s.chains.get(r.tenant, r.params.id) }));
  app.put<{ Params: { id: string } }>(`${P}/escalation-chains/:id`, async (r) => ({ data: await s.chains.update(r.tenant, r.params.id, r.body) }));
  app.delete<{ Params: { id: string } }>(`${P}/escalation-chains/:id`, async (r, reply) => {
    await s.chains.remove(r.tenant, r.params.id);
    return reply.status(204).send();
  });

  app.get(`${P}/routes`, async (r) => ({ data: await s.routes.list(r.tenant) }));
  app.post(`${P}/routes`, async (r, reply) => {
    const x = await s.routes.create(r.tenant, r.body);
    await core.audit(r, 'route.create', x.id);
    return reply.status(201).send({ data: x });
  });
  app.delete<{ Params: { id: string } }>(`${P}/routes/:id`, async (r, reply) => {
    await s.routes.remove(r.tenant, r.params.id);
    return reply.status(204).send();
  });

  app.get(`${P}/teams`, async (r) => ({ data: await s.people.teams(r.tenant) }));
  app.post(`${P}/teams`, async (r, reply) => reply.status(201).send({ data: await s.people.createTeam(r.tenant, r.body) }));

  const userOf = async (name: string, r: Parameters<typeof actorOf>[0], write: boolean): Promise<{ id: string; username: string }> => {
    const u = await s.people.userByName(name);
    if (!u) throw new IchigenError('NOT_FOUND', `user ${name} not found`);
    const p = r.principal;
    // People edit their own notification settings; admins edit anyone's.
    if (write && !(p?.kind === 'user' && p.name === name) && !p?.scopes.includes('admin')) throw new IchigenError('FORBIDDEN', 'only the user or an admin may change these settings');
    return u;
  };
  app.get<{ Params: { user: string } }>(`${P}/users/:user/notification-settings`, async (r) => ({ data: await s.people.settings((await userOf(r.params.user, r, false)).id) }));
  app.put<{ Params: { user: string } }>(`${P}/users/:user/notification-settings`, async (r) => {
    const u = await userOf(r.params.user, r, true);
    const data = await s.people.saveSettings(u.id, r.body);
    await core.audit(r, 'user.notification_settings', u.username);
    return { data };
  });
}
