import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { IchigenError } from '../model/index.js';
import { parseWith } from '../http/index.js';
import { newId, type StateDb, type StateSchema } from '../state/index.js';
import { readJson } from './json.js';
import { validateTemplate } from './template.js';

export const INTEGRATION_KINDS = ['alertmanager', 'grafana', 'webhook', 'heartbeat', 'manual', 'sns', 'zabbix'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export const integrationSettingsSchema = z
  .object({
    /** Label names that form the group; `["..."]` puts every alert in its own group. */
    groupBy: z.array(z.string().min(1)).max(50).optional(),
    /** Overrides groupBy: the rendered text is the grouping id. */
    groupingTemplate: z.string().max(2000).optional(),
    titleTemplate: z.string().max(2000).optional(),
    /** Generic webhook: rendered to "true"/"resolved" marks the alert resolved. */
    resolveTemplate: z.string().max(2000).optional(),
    /** Generic webhook: where the alert's labels come from (dotted path into the payload). */
    labelsPath: z.string().max(200).optional(),
    autoResolve: z.boolean().optional(),
    /** Heartbeat: the sender is considered silent after this many milliseconds. */
    heartbeatTimeoutMs: z.number().int().min(1000).max(30 * 86_400_000).optional(),
    /** Amazon SNS: the topic ARNs this integration accepts (required; others get 403). */
    allowedTopics: z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')).max(100).optional(),
  })
  .strict();
export type IntegrationSettings = z.infer<typeof integrationSettingsSchema>;

export interface Integration {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly kind: IntegrationKind;
  readonly settings: IntegrationSettings;
  readonly maintenanceUntil: number | null;
  readonly lastAlertAt: number | null;
  readonly createdAt: number;
}

type Row = StateSchema['incident_integrations'];

function toIntegration(r: Row): Integration {
  return {
    id: r.id,
    tenant: r.tenant,
    name: r.name,
    kind: r.kind as IntegrationKind,
    settings: readJson<IntegrationSettings>(r.settings, {}),
    maintenanceUntil: r.maintenance_until === null ? null : Number(r.maintenance_until),
    lastAlertAt: r.last_alert_at === null ? null : Number(r.last_alert_at),
    createdAt: Number(r.created_at),
  };
}

/** Settings as the kind needs them; templates are checked once here, not at every alert. */
function checkSettings(kind: IntegrationKind, input: unknown): IntegrationSettings {
  const settings = parseWith(integrationSettingsSchema, input, 'settings');
  for (const t of [settings.groupingTemplate, settings.titleTemplate, settings.resolveTemplate]) if (t !== undefined) validateTemplate(t);
  if (kind === 'sns' && (settings.allowedTopics ?? []).length === 0) throw new IchigenError('INVALID_PARAMETER', 'settings.allowedTopics: list the SNS topic ARNs this integration accepts');
  return settings;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The name of the integration that answers at the root `/api/v2/alerts`. */
export const DEFAULT_INTEGRATION = 'default';

/** Read at every request to an integration's URL: written out once (see StateSql). */
const BY_ID = 'select * from incident_integrations where id = ?';

export class IntegrationStore {
  private readonly db: Kysely<StateSchema>;

  constructor(private readonly state: StateDb) {
    this.db = state.db;
  }

  async create(tenant: string, input: { name: string; kind: IntegrationKind; settings?: unknown }, now: number): Promise<{ integration: Integration; token: string }> {
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(input.name)) throw new IchigenError('INVALID_PARAMETER', 'integration name must be 1-100 characters of letters, digits, "_", "." or "-"');
    const settings = checkSettings(input.kind, input.settings ?? {});
    const token = `igi_${randomBytes(24).toString('base64url')}`;
    const row: Row = {
      id: newId(now),
      tenant,
      name: input.name,
      kind: input.kind,
      token_hash: sha(token),
      settings: JSON.stringify(settings),
      maintenance_until: null,
      last_alert_at: null,
      created_at: now,
    };
    const exists = await this.db.selectFrom('incident_integrations').select('id').where('tenant', '=', tenant).where('name', '=', input.name).executeTakeFirst();
    if (exists) throw new IchigenError('CONFLICT', `an integration named "${input.name}" already exists`);
    await this.db.insertInto('incident_integrations').values(row).execute();
    return { integration: toIntegration(row), token };
  }

  async get(id: string): Promise<Integration | undefined> {
    const r = await this.db.selectFrom('incident_integrations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toIntegration(r) : undefined;
  }

  async getInTenant(tenant: string, id: string): Promise<Integration> {
    const i = await this.get(id);
    if (!i || i.tenant !== tenant) throw new IchigenError('NOT_FOUND', `integration ${id} not found`);
    return i;
  }

  async list(tenant: string): Promise<Integration[]> {
    const rows = await this.db.selectFrom('incident_integrations').selectAll().where('tenant', '=', tenant).orderBy('created_at').execute();
    return rows.map(toIntegration);
  }

  async listAll(): Promise<Integration[]> {
    return (await this.db.selectFrom('incident_integrations').selectAll().execute()).map(toIntegration);
  }

  /** The tenant's default Alertmanager integration, created on first use (no token: callers use API tokens). */
  async ensureDefault(tenant: string, now: number): Promise<Integration> {
    const r = await this.db.selectFrom('incident_integrations').selectAll().where('tenant', '=', tenant).where('name', '=', DEFAULT_INTEGRATION).executeTakeFirst();
    if (r) return toIntegration(r);
    const row: Row = { id: newId(now), tenant, name: DEFAULT_INTEGRATION, kind: 'alertmanager', token_hash: null, settings: '{}', maintenance_until: null, last_alert_at: null, created_at: now };
    try {
      await this.db.insertInto('incident_integrations').values(row).execute();
      return toIntegration(row);
    } catch (err) {
      // Two requests raced to create it: the unique (tenant, name) index kept one.
      const again = await this.db.selectFrom('incident_integrations').selectAll().where('tenant', '=', tenant).where('name', '=', DEFAULT_INTEGRATION).executeTakeFirst();
      if (again) return toIntegration(again);
      throw err;
    }
  }

  /** Constant-time token check for an integration's own URL. */
  async verifyToken(id: string, token: string): Promise<Integration | undefined> {
    const [r] = await this.state.sql.all<Row>(this.db, BY_ID, [id]);
    if (!r || r.token_hash === null || token === '') return undefined;
    const a = Buffer.from(r.token_hash, 'hex');
    const b = Buffer.from(sha(token), 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? toIntegration(r) : undefined;
  }

  async update(tenant: string, id: string, settings: unknown): Promise<Integration> {
    const current = await this.getInTenant(tenant, id);
    const s = checkSettings(current.kind, settings);
    await this.db.updateTable('incident_integrations').set({ settings: JSON.stringify(s) }).where('id', '=', id).execute();
    return this.getInTenant(tenant, id);
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.getInTenant(tenant, id);
    await this.db.deleteFrom('incident_integrations').where('id', '=', id).execute();
  }

  async setMaintenance(tenant: string, id: string, until: number | null): Promise<Integration> {
    await this.getInTenant(tenant, id);
    await this.db.updateTable('incident_integrations').set({ maintenance_until: until }).where('id', '=', id).execute();
    return this.getInTenant(tenant, id);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('incident_integrations').set({ last_alert_at: now }).where('id', '=', id).execute();
  }
}
