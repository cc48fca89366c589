import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APP_API_PREFIX, parseWith } from '../../http/index.js';
import type { IncidentsCore } from '../core.js';
import { redactChannel, type ChannelStore } from './channels.js';

const P = APP_API_PREFIX;

/** Channels (admin: they hold secrets) and each group's delivery log. */
export function registerNotifyRoutes(app: FastifyInstance, core: IncidentsCore, channels: ChannelStore): void {
  app.get(`${P}/channels`, async (r) => ({ data: (await channels.list(r.tenant)).map(redactChannel) }));
  app.post(`${P}/channels`, { config: { scope: 'admin' } }, async (r, reply) => {
    const body = parseWith(z.object({ name: z.string(), kind: z.string(), settings: z.unknown() }), r.body);
    const c = await channels.create(r.tenant, { name: body.name, kind: body.kind, settings: body.settings ?? {} }, core.clock());
    await core.audit(r, 'channel.create', c.id, { kind: c.kind, name: c.name });
    return reply.status(201).send({ data: redactChannel(c) });
  });
  app.delete<{ Params: { id: string } }>(`${P}/channels/:id`, { config: { scope: 'admin' } }, async (r, reply) => {
    await channels.remove(r.tenant, r.params.id);
    await core.audit(r, 'channel.delete', r.params.id);
    return reply.status(204).send();
  });
  app.get<{ Params: { id: string } }>(`${P}/alert-groups/:id/deliveries`, async (r) => {
    const g = await core.groups.get(r.tenant, r.params.id);
    const rows = await core.state.db.selectFrom('incident_deliveries').selectAll().where('group_id', '=', g.id).orderBy('id').limit(1000).execute();
    return { data: rows.map((d) => ({ id: Number(d.id), jobId: d.job_id, channel: d.channel_kind, target: d.target, attempt: Number(d.attempt), ok: d.ok === 1, detail: d.detail, at: new Date(Number(d.at)).toISOString(), durationMs: Number(d.duration_ms) })) };
  });
}
