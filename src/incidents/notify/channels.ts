import type { Kysely } from 'kysely';
import { IchigenError } from '../../model/index.js';
import { parseWith } from '../../http/index.js';
import { newId, type StateSchema, type StateSql } from '../../state/index.js';
import { readJson } from '../json.js';
import { CHANNELS } from './registry.js';

export interface StoredChannel {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly kind: string;
  readonly settings: Record<string, unknown>;
  readonly createdAt: number;
}

type Row = StateSchema['incident_channels'];

const toChannel = (r: Row): StoredChannel => ({ id: r.id, tenant: r.tenant, name: r.name, kind: r.kind, settings: readJson(r.settings, {}), createdAt: Number(r.created_at) });

/** Hides secret settings (tokens, webhook URLs that embed a secret) from API answers. */
export function redactChannel(c: StoredChannel): StoredChannel {
  const secret = new Set(CHANNELS[c.kind]?.secretFields ?? []);
  const settings: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.settings)) settings[k] = secret.has(k) && v !== undefined && v !== '' ? '***' : v;
  return { ...c, settings };
}

/** Read once per notification batch: written out once (see StateSql), no query building. */
const BY_ID = 'select * from incident_channels where tenant = ? and id = ?';
const FIRST_OF_KIND = 'select * from incident_channels where tenant = ? and kind = ? order by created_at limit 1';

/** Configured channels (a Slack workspace, an SMTP server, a PagerDuty service…), per tenant. */
export class ChannelStore {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly sql?: StateSql,
  ) {}

  async create(tenant: string, input: { name: string; kind: string; settings: unknown }, now: number): Promise<StoredChannel> {
    const channel = CHANNELS[input.kind];
    if (!channel) throw new IchigenError('INVALID_PARAMETER', `unknown channel kind "${input.kind}" (known: ${Object.keys(CHANNELS).join(', ')})`);
    if (input.name.trim() === '' || input.name.length > 100) throw new IchigenError('INVALID_PARAMETER', 'channel name must be 1-100 characters');
    const settings = parseWith(channel.settings, input.settings, 'settings') as Record<string, unknown>;
    const row: Row = { id: newId(now), tenant, name: input.name, kind: input.kind, settings: JSON.stringify(settings), created_at: now };
    await this.db.insertInto('incident_channels').values(row).execute();
    return toChannel(row);
  }

  async get(tenant: string, id: string): Promise<StoredChannel> {
    const r =
      this.sql !== undefined
        ? (await this.sql.all<Row>(this.db, BY_ID, [tenant, id]))[0]
        : await this.db.selectFrom('incident_channels').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `channel ${id} not found`);
    return toChannel(r);
  }

  async list(tenant: string): Promise<StoredChannel[]> {
    return (await this.db.selectFrom('incident_channels').selectAll().where('tenant', '=', tenant).orderBy('created_at').execute()).map(toChannel);
  }

  /** The tenant's first channel of a kind: how a user's "email" or "sms" rule finds its server. */
  async firstOfKind(tenant: string, kind: string): Promise<StoredChannel | undefined> {
    const r =
      this.sql !== undefined
        ? (await this.sql.all<Row>(this.db, FIRST_OF_KIND, [tenant, kind]))[0]
        : await this.db.selectFrom('incident_channels').selectAll().where('tenant', '=', tenant).where('kind', '=', kind).orderBy('created_at').executeTakeFirst();
    return r ? toChannel(r) : undefined;
  }

  async remove(tenant: string, id: string): Promise<void> {
    const res = await this.db.deleteFrom('incident_channels').where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new IchigenError('NOT_FOUND', `channel ${id} not found`);
  }
}
