import type { Kysely } from 'kysely';
import { z } from 'zod';
import { IchigenError, tryParseDuration } from '../../model/index.js';
import { parseWith } from '../../http/index.js';
import { newId, type StateSchema, type StateSql } from '../../state/index.js';
import { readJson } from '../json.js';

const duration = z.string().refine((s) => (tryParseDuration(s) ?? -1) > 0, 'a duration like 5m, 1h30m');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24h)');
const important = z.boolean().default(false);

/** The step types of an escalation chain. */
export const stepSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('wait'), duration }),
  z.object({ type: z.literal('notify_users'), users: z.array(z.string().min(1)).min(1), important }),
  z.object({ type: z.literal('notify_schedule'), schedule: z.string().min(1), important }),
  z.object({ type: z.literal('notify_team'), team: z.string().min(1), important }),
  z.object({ type: z.literal('round_robin'), users: z.array(z.string().min(1)).min(1), important }),
  z.object({ type: z.literal('notify_channel'), channel: z.string().min(1) }),
  z.object({ type: z.literal('trigger_webhook'), channel: z.string().min(1) }),
  z.object({ type: z.literal('time_window'), from: hhmm, to: hhmm, timeZone: z.string().default('UTC') }),
  z.object({ type: z.literal('alert_threshold'), count: z.number().int().min(1), window: duration }),
  z.object({ type: z.literal('repeat'), times: z.number().int().min(1).max(5) }),
  z.object({ type: z.literal('resolve') }),
]);
export type Step = z.infer<typeof stepSchema>;

const chainBody = z.object({ name: z.string().min(1).max(100), steps: z.array(stepSchema).max(50) });

export interface Chain {
  readonly id: string;
  readonly name: string;
  readonly steps: readonly Step[];
}

/** Read once per escalation pass: written out once (see StateSql), no query building. */
const CHAIN = 'select * from incident_chains where tenant = ? and id = ?';

export class ChainStore {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly sql?: StateSql,
  ) {}

  async create(tenant: string, body: unknown, now: number): Promise<Chain> {
    const b = parseWith(chainBody, body);
    const id = newId(now);
    await this.db.insertInto('incident_chains').values({ id, tenant, name: b.name, steps: JSON.stringify(b.steps), created_at: now }).execute();
    return { id, name: b.name, steps: b.steps };
  }

  async update(tenant: string, id: string, body: unknown): Promise<Chain> {
    await this.get(tenant, id);
    const b = parseWith(chainBody, body);
    await this.db.updateTable('incident_chains').set({ name: b.name, steps: JSON.stringify(b.steps) }).where('id', '=', id).execute();
    return { id, name: b.name, steps: b.steps };
  }

  async get(tenant: string, id: string): Promise<Chain> {
    const r =
      this.sql !== undefined
        ? (await this.sql.all<StateSchema['incident_chains']>(this.db, CHAIN, [tenant, id]))[0]
        : await this.db.selectFrom('incident_chains').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `escalation chain ${id} not found`);
    return { id: r.id, name: r.name, steps: readJson<Step[]>(r.steps, []) };
  }

  async list(tenant: string): Promise<Chain[]> {
    const rows = await this.db.selectFrom('incident_chains').selectAll().where('tenant', '=', tenant).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, steps: readJson<Step[]>(r.steps, []) }));
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.get(tenant, id);
    await this.db.deleteFrom('incident_chains').where('id', '=', id).execute();
  }
}
