import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../auth/index.js';
import { APP_API_PREFIX, parseWith } from '../../http/index.js';
import { writeAudit, type StateDb } from '../../state/index.js';
import { DashboardStore } from './dashboard-store.js';
import { dashboardSpecSchema, saveDashboardSchema } from './spec.js';

const idParams = z.object({ id: z.string().min(1).max(64) });
const versionParams = idParams.extend({ version: z.coerce.number().int().min(1) });

/** Dashboards: list, create, read, save (a new version each time), versions, delete. */
export function registerDashboardRoutes(app: FastifyInstance, state: StateDb): void {
  const store = new DashboardStore(state.db);
  const base = `${APP_API_PREFIX}/dashboards`;
  const actor = (req: FastifyRequest): string => principalOf(req).name;
  const audit = (req: FastifyRequest, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> =>
    writeAudit(state.db, { tenant: req.tenant, actor: actor(req), action, target, details });

  app.get(base, async (req) => ({ status: 'success', data: await store.list(req.tenant) }));

  app.post(base, { config: { scope: 'write' } }, async (req, reply) => {
    const spec = parseWith(dashboardSpecSchema, req.body);
    const d = await store.create(req.tenant, spec, actor(req));
    await audit(req, 'dashboard.create', d.id, { title: d.title });
    return reply.status(201).send({ status: 'success', data: d });
  });

  app.get(`${base}/:id`, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    return { status: 'success', data: await store.get(req.tenant, id) };
  });

  app.put(`${base}/:id`, { config: { scope: 'write' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    const body = parseWith(saveDashboardSchema, req.body);
    const d = await store.save(req.tenant, id, body.spec, body.version, body.message, actor(req));
    await audit(req, 'dashboard.save', id, { version: d.version });
    return { status: 'success', data: d };
  });

  app.delete(`${base}/:id`, { config: { scope: 'write' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    await store.remove(req.tenant, id);
    await audit(req, 'dashboard.delete', id);
    return { status: 'success', data: null };
  });

  app.get(`${base}/:id/versions`, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    return { status: 'success', data: await store.versions(req.tenant, id) };
  });

  app.get(`${base}/:id/versions/:version`, async (req) => {
    const { id, version } = parseWith(versionParams, req.params, 'path');
    return { status: 'success', data: await store.version(req.tenant, id, version) };
  });
}
