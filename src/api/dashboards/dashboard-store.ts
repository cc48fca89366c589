import type { Kysely } from 'kysely';
import { IchigenError } from '../../model/index.js';
import { newId, type StateSchema } from '../../state/index.js';
import { dashboardSpecSchema, type Dashboard, type DashboardSpec, type DashboardVersion } from './spec.js';

type Row = StateSchema['dashboards'];

function toDashboard(r: Row): Dashboard {
  return {
    id: r.id,
    title: r.title,
    version: Number(r.version),
    // Stored specs were validated on write; parse again so defaults added later apply.
    spec: dashboardSpecSchema.parse(JSON.parse(r.spec)),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedBy: r.updated_by,
    updatedAt: Number(r.updated_at),
  };
}

/** Dashboards per tenant, each save a new version kept for history. */
export class DashboardStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  async list(tenant: string): Promise<Array<Omit<Dashboard, 'spec'> & { panels: number }>> {
    const rows = await this.db.selectFrom('dashboards').selectAll().where('tenant', '=', tenant).orderBy('title').execute();
    return rows.map((r) => {
      const d = toDashboard(r);
      const { spec, ...rest } = d;
      return { ...rest, panels: spec.panels.length };
    });
  }

  async get(tenant: string, id: string): Promise<Dashboard> {
    const r = await this.db.selectFrom('dashboards').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `dashboard ${id} not found`);
    return toDashboard(r);
  }

  async create(tenant: string, spec: DashboardSpec, actor: string, now = Date.now()): Promise<Dashboard> {
    const id = newId(now);
    const json = JSON.stringify(spec);
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('dashboards').values({ id, tenant, title: spec.title, spec: json, version: 1, created_by: actor, created_at: now, updated_by: actor, updated_at: now }).execute();
      await tx.insertInto('dashboard_versions').values({ dashboard_id: id, version: 1, spec: json, message: 'created', created_by: actor, created_at: now }).execute();
    });
    return this.get(tenant, id);
  }

  /** Saves a new version; refuses when someone saved since `baseVersion` (409, nothing lost). */
  async save(tenant: string, id: string, spec: DashboardSpec, baseVersion: number, message: string, actor: string, now = Date.now()): Promise<Dashboard> {
    const json = JSON.stringify(spec);
    await this.db.transaction().execute(async (tx) => {
      const next = baseVersion + 1;
      const res = await tx
        .updateTable('dashboards')
        .set({ title: spec.title, spec: json, version: next, updated_by: actor, updated_at: now })
        .where('tenant', '=', tenant)
        .where('id', '=', id)
        .where('version', '=', baseVersion)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        const cur = await tx.selectFrom('dashboards').select('version').where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
        if (!cur) throw new IchigenError('NOT_FOUND', `dashboard ${id} not found`);
        throw new IchigenError('CONFLICT', `dashboard changed since version ${baseVersion} (now version ${Number(cur.version)}): reload and save again`);
      }
      await tx.insertInto('dashboard_versions').values({ dashboard_id: id, version: next, spec: json, message, created_by: actor, created_at: now }).execute();
    });
    return this.get(tenant, id);
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.get(tenant, id);
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('dashboard_versions').where('dashboard_id', '=', id).execute();
      await tx.deleteFrom('dashboards').where('tenant', '=', tenant).where('id', '=', id).execute();
    });
  }

  async versions(tenant: string, id: string): Promise<DashboardVersion[]> {
    await this.get(tenant, id);
    const rows = await this.db.selectFrom('dashboard_versions').select(['version', 'message', 'created_by', 'created_at']).where('dashboard_id', '=', id).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ version: Number(r.version), message: r.message, createdBy: r.created_by, createdAt: Number(r.created_at) }));
  }

  async version(tenant: string, id: string, version: number): Promise<DashboardSpec> {
    await this.get(tenant, id);
    const r = await this.db.selectFrom('dashboard_versions').select('spec').where('dashboard_id', '=', id).where('version', '=', version).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `dashboard ${id} has no version ${version}`);
    return dashboardSpecSchema.parse(JSON.parse(r.spec));
  }
}
