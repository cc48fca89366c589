import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APP_API_PREFIX, parseWith } from '../http/index.js';
import { parseDuration } from '../model/index.js';
import type { IncidentsCore } from './core.js';
import { pageManually } from './manual-page.js';
import { readTimeline } from './timeline.js';
import { actorOf } from './request-auth.js';

const G = `${APP_API_PREFIX}/alert-groups`;

const listQuery = z.object({
  status: z.enum(['open', 'firing', 'acknowledged', 'resolved']).optional(),
  integration: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const pageBody = z.object({
  title: z.string().min(1).max(500),
  message: z.string().max(10_000).default(''),
  labels: z.record(z.string()).default({}),
});

/** Ichigen's own alert group API: list, inspect, act on groups; manual paging; inhibit rules. */
export function registerGroupRoutes(app: FastifyInstance, core: IncidentsCore): void {
  app.get(G, async (request) => {
    const q = parseWith(listQuery, request.query, 'query');
    return { data: await core.groups.list(request.tenant, { ...(q.status ? { status: q.status } : {}), ...(q.integration ? { integrationId: q.integration } : {}), ...(q.limit ? { limit: q.limit } : {}) }) };
  });
  app.get<{ Params: { id: string } }>(`${G}/:id`, async (request) => {
    const g = await core.groups.get(request.tenant, request.params.id);
    return { data: { ...g, alerts: await core.groups.alerts(g.id) } };
  });
  app.get<{ Params: { id: string } }>(`${G}/:id/timeline`, async (request) => {
    const g = await core.groups.get(request.tenant, request.params.id);
    return { data: await readTimeline(core.state.db, g.id) };
  });
  const action = (name: string, run: (tenant: string, id: string, actor: string, body: unknown) => Promise<unknown>): void => {
    app.post<{ Params: { id: string } }>(`${G}/:id/${name}`, async (request) => {
      const data = await run(request.tenant, request.params.id, actorOf(request), request.body);
      return { data };
    });
  };
  action('acknowledge', (t, id, a) => core.groups.acknowledge(t, id, a));
  action('unacknowledge', (t, id, a) => core.groups.unacknowledge(t, id, a));
  action('resolve', (t, id, a) => core.groups.resolve(t, id, a));
  action('unsilence', (t, id, a) => core.groups.unsilence(t, id, a));
  action('silence', (t, id, a, body) => core.groups.silence(t, id, a, parseDuration(parseWith(z.object({ duration: z.string() }), body).duration)));

  // Manual paging: a person raises an alert group from the UI or API.
  app.post(`${APP_API_PREFIX}/page`, async (request, reply) => {
    const body = parseWith(pageBody, request.body);
    return reply.status(201).send({ data: await pageManually(core, request.tenant, body, actorOf(request)) });
  });

  app.get(`${APP_API_PREFIX}/inhibit-rules`, async (request) => ({ data: await core.inhibits.list(request.tenant) }));
  app.post(`${APP_API_PREFIX}/inhibit-rules`, async (request, reply) => {
    const r = await core.inhibits.create(request.tenant, request.body, core.clock());
    await core.audit(request, 'inhibit_rule.create', r.id);
    return reply.status(201).send({ data: r });
  });
  app.delete<{ Params: { id: string } }>(`${APP_API_PREFIX}/inhibit-rules/:id`, async (request, reply) => {
    await core.inhibits.remove(request.tenant, request.params.id);
    await core.audit(request, 'inhibit_rule.delete', request.params.id);
    return reply.status(204).send();
  });
}

